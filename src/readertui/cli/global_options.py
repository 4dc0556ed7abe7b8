"""The options every command takes (`--library`, `--db`, `--config`), and routing them to the
subcommand wherever they are written: `readertui --db F list docs` is `readertui list docs
--db F`, with the same result, the same messages and the same exit codes."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

SUBCOMMANDS = ("export", "import", "list", "search", "xref")

#: The options the reader and every subcommand take, each with a value.
GLOBAL_OPTIONS = ("--library", "--db", "--config")
#: An option of the reader only; written before a subcommand, it goes to the subcommand too,
#: so that the subcommand, not the reader, says it does not take it.
_READER_OPTIONS = ("--theme",)


def add_global_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """`--library DIR`, `--db FILE` and `--config FILE`, as every command has them."""
    parser.add_argument(
        "--library",
        type=Path,
        metavar="DIR",
        help="the library folder (default: the configured one, else the sample library)",
    )
    parser.add_argument("--db", type=Path, metavar="FILE", help="the annotation database file")
    parser.add_argument("--config", type=Path, metavar="FILE", help="use this config file")


def split_command(arguments: Sequence[str]) -> tuple[str | None, list[str]]:
    """The subcommand named on the command line (None for the reader) and the arguments for it.

    The options written before a subcommand's name are handed to it first, as if written
    after it; everything else is left as it was, so the parser that reads them says what
    it would say of them anywhere (an unknown subcommand stays a PATH for the reader).
    """
    leading: list[str] = []
    index = 0
    while index < len(arguments):
        token = arguments[index]
        if not _is_routed_option(token):
            break
        width = 1 if "=" in token else 2
        leading.extend(arguments[index : index + width])
        index += width
    if index < len(arguments) and arguments[index] in SUBCOMMANDS:
        return arguments[index], [*leading, *arguments[index + 1 :]]
    return None, list(arguments)


def _is_routed_option(token: str) -> bool:
    """Whether `token` names a global or reader option, spelled out or shortened as argparse
    allows (`--lib` for `--library`, `--db=FILE`)."""
    if not token.startswith("--") or token == "--":
        return False
    name = token.split("=", 1)[0]
    matches = [option for option in (*GLOBAL_OPTIONS, *_READER_OPTIONS) if option.startswith(name)]
    return len(matches) == 1
