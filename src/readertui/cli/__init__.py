"""The command line (PRODUCT 9): `readertui [PATH]` opens the reader; `export`, `import`,
`list`, `search` and `xref` work on the library, its index and the database directly,
without starting the TUI.

Exit code 0 on success, 2 on a usage error, 1 on any other error, always with one clear line
on stderr and never a traceback for a user's mistake.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence

from readertui.cli.global_options import SUBCOMMANDS, split_command
from readertui.cli.output import EXIT_ERROR, fail

__all__ = ["SUBCOMMANDS", "main"]


class _Stopped(Exception):
    """A subcommand was told to stop by a signal."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


#: The signals that stop a subcommand the way ctrl+c does.
_STOPPING = (signal.SIGTERM, signal.SIGHUP)


def _stop(number: int, frame: object) -> None:
    raise _Stopped(number)


def main(argv: Sequence[str] | None = None) -> int:
    subcommand, arguments = split_command(sys.argv[1:] if argv is None else argv)
    try:
        if subcommand is not None:
            from readertui.cli.subcommands import run_subcommand

            # `kill` (or a closed terminal) ends a subcommand as ctrl+c does: what it started
            # (an index build's worker processes) is stopped on the way out.
            before = {number: signal.signal(number, _stop) for number in _STOPPING}
            try:
                return run_subcommand([subcommand, *arguments])
            finally:
                for number, handler in before.items():
                    signal.signal(number, handler)
        from readertui.collector_pause import pause_collector, resume_collector

        # Before the UI's modules are imported: see collector_pause. The reader resumes it
        # once its screen is up; this resumes it if the reader ended before that.
        pause_collector()
        try:
            from readertui.cli.reader import open_reader

            return open_reader(arguments)
        finally:
            resume_collector()
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except _Stopped as stopped:
        with contextlib.suppress(OSError):  # a closed terminal takes no last words
            fail(f"stopped ({signal.Signals(stopped.number).name})")
        return 128 + stopped.number
    except BrokenPipeError:
        # The reader of our output went away (`readertui list docs | head`): not an error
        # to report. Python would complain again when flushing stdout at exit; send it nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
