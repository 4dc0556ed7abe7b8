"""`readertui [PATH] [--db FILE] [--theme NAME]`: open the reader (and `--version`, `--help`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from readertui import __version__
from readertui.cli.early_keys import take_keys_early
from readertui.cli.global_options import add_global_options
from readertui.cli.output import EXIT_ERROR, EXIT_OK, EXIT_USAGE, OneLineParser, fail
from readertui.config import load_config, resolve_db_path, resolve_library
from readertui.errors import ReaderError

if TYPE_CHECKING:
    from readertui.exit_guard import ExitGuard
    from readertui.ui.app import ReaderApp

#: How long the changes still queued after a crash may take to be written.
SAVE_ON_CRASH_TIMEOUT = 3.0

SUBCOMMAND_USAGE = """\
  readertui export [--format markdown|json] [-o DIR|FILE|-] [--doc PATH] [--tag TAG]
                   [--style obsidian|plain] [--block-ids|--no-block-ids]
  readertui import FILE              (a JSON export, a changes file or a database)
  readertui list docs|tags|annotations|problems
  readertui search QUERY [--limit N] [--json]
  readertui xref PATH[:LINE] [--json]"""


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="readertui",
        usage=(
            "%(prog)s [PATH | --library DIR] [--db FILE] [--config FILE] [--theme NAME]\n"
            + SUBCOMMAND_USAGE
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read, annotate and cross-reference a library of documents in the terminal.",
        epilog=(
            "With no PATH, readertui opens the library set in the config file (or\n"
            "READERTUI_LIBRARY), else the sample library it ships with. Press ? in the app\n"
            "for every key. `readertui export --help` (and import, list, search, xref)\n"
            "explain the commands that work on your notes without opening the reader.\n"
            "--library, --db and --config go before or after a command's name alike:\n"
            "readertui --db F list docs is readertui list docs --db F."
        ),
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="a library folder, or a document (its folder opens with it)",
    )
    add_global_options(parser)
    parser.add_argument("--theme", metavar="NAME", help="a Textual theme, e.g. textual-light")
    parser.add_argument("--version", action="version", version=f"readertui {__version__}")
    return parser


def open_reader(argv: Sequence[str]) -> int:
    """Run the reader as the command line asks; the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.library is not None:
        if args.path is not None:
            parser.error("give the library as PATH or as --library, not both")
        # --library is global (every command takes it); for the reader it is the PATH.
        args.path = args.library
    restore_terminal = take_keys_early()
    try:
        return _run_reader(args, restore_terminal)
    finally:
        restore_terminal()


def _run_reader(args: argparse.Namespace, restore_terminal: Callable[[], None]) -> int:
    try:
        config = load_config(args.config)
        library_root, open_path = resolve_library(args.path, config)
        db_path = resolve_db_path(args.db, config)
    except ReaderError as error:
        return fail(str(error))
    if open_path is not None:
        from readertui.core.early_conversion import convert_early

        # A book never opened before is converted beside the UI's start-up, not after it.
        convert_early(open_path, max_bytes=config.max_document_bytes)
    from readertui.exit_guard import ExitGuard
    from readertui.ui.app import make_app  # the UI is imported only when it is needed

    guard = ExitGuard(None)
    try:
        app = make_app(library_root, db_path, config, open_path=open_path, exit_guard=guard)
    except ReaderError as error:
        return fail(str(error))
    theme = args.theme or config.theme
    if theme not in app.available_themes:
        names = ", ".join(sorted(app.available_themes))
        return fail(f"unknown theme {theme!r}; choose one of: {names}", EXIT_USAGE)
    app.theme = theme
    guard.saves = app.saves
    guard.install()
    try:
        app.run()
    finally:
        if guard.signalled is None:
            guard.uninstall()
    return _ended(app, guard, restore_terminal)


def _ended(app: ReaderApp, guard: ExitGuard, restore_terminal: Callable[[], None]) -> int:
    """After the app: nothing pending is left behind; say where it went; the exit code."""
    number = guard.signalled
    if number is not None:
        guard.wait_saved(guard.deadline)
        # End now: the interpreter's own shut-down can outlast the deadline (it stops the
        # watchdog thread before that thread ends the process).
        restore_terminal()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + number)
    crashed = bool(app.return_code)
    saves = app.saves
    if saves is not None and saves.pending and not app.has_shut_down:
        # The app ended without its own shut-down (a crash): the guard's save does it.
        guard.save_now(SAVE_ON_CRASH_TIMEOUT)
        if guard.changes_file is not None:
            app.exit_note = (
                f"Changes that could not be saved are kept in {guard.changes_file}; the next "
                "start offers to merge them."
            )
        elif guard.lost is not None:
            app.exit_note = f"Changes could not be saved: {guard.lost}"
    if app.exit_note:
        fail(app.exit_note, EXIT_ERROR)
    if crashed:
        return fail("stopped by an internal error (the details are above)", EXIT_ERROR)
    return EXIT_OK
