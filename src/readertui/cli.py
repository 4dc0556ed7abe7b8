"""The command line: `readertui [PATH] [--db FILE] [--theme NAME]` and `--version`/`--help`.

Every error a user can cause ends as one line on stderr and exit code 2 (usage) or 1 (any
other error), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from readertui import __version__
from readertui.config import load_config, resolve_db_path, resolve_library
from readertui.errors import ReaderError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"readertui: {message} (see readertui --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="readertui",
        description="Read, annotate and cross-reference a library of documents in the terminal.",
        epilog=(
            "With no PATH, readertui opens the library set in the config file (or "
            "READERTUI_LIBRARY), else the sample library it ships with. Press ? in the app "
            "for every key."
        ),
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="a library folder, or a document (its folder opens with it)",
    )
    parser.add_argument("--db", type=Path, metavar="FILE", help="the annotation database file")
    parser.add_argument("--theme", metavar="NAME", help="a Textual theme, e.g. textual-light")
    parser.add_argument("--config", type=Path, metavar="FILE", help="use this config file")
    parser.add_argument("--version", action="version", version=f"readertui {__version__}")
    return parser


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    print(f"readertui: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config)
        library_root, open_path = resolve_library(args.path, config)
        db_path = resolve_db_path(args.db, config)
    except ReaderError as error:
        return _fail(str(error))
    from readertui.ui.app import make_app  # the UI is imported only when it is needed

    try:
        app = make_app(library_root, db_path, config, open_path=open_path)
    except ReaderError as error:
        return _fail(str(error))
    theme = args.theme or config.theme
    if theme not in app.available_themes:
        names = ", ".join(sorted(app.available_themes))
        return _fail(f"unknown theme {theme!r}; choose one of: {names}", EXIT_USAGE)
    app.theme = theme
    app.run()
    return EXIT_OK
