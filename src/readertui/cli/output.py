"""What every command line entry shares: exit codes, the one-line error, the usage parser,
and printing text from files safely (PRODUCT 11: controls are shown, never obeyed)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from readertui.core.visible import visible_line

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def fail(message: str, code: int = EXIT_ERROR) -> int:
    """Say what went wrong in one line on stderr; return the exit code."""
    line = visible_line(" ".join(message.split()))
    print(f"readertui: {line}", file=sys.stderr)
    return code


def say(line: str) -> None:
    """One line of output (a summary, a list row) with its controls shown, as UTF-8."""
    write_stdout(visible_line(line) + "\n")


def write_stdout(text: str) -> None:
    """`text` to standard output as UTF-8, whatever the locale says.

    The text is written as it is: the caller has made it safe (`say` and `visible_line` for
    lines; an export escapes its own controls).
    """
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8", errors="replace"))
        buffer.flush()
