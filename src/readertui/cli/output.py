"""What every command line entry shares: exit codes, the one-line error, the usage parser."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def fail(message: str, code: int = EXIT_ERROR) -> int:
    """Say what went wrong in one line on stderr; return the exit code."""
    line = " ".join(message.split())
    print(f"readertui: {line}", file=sys.stderr)
    return code


def write_stdout(text: str) -> None:
    """`text` to standard output as UTF-8, whatever the locale says."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8", errors="replace"))
        buffer.flush()
