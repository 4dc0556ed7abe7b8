"""`readertui export`, `import` and `list`: the library and the notes without the reader.

They use the core and the store directly (no Textual import, so they start at once), print
data on stdout and every problem as one line on stderr. Each works on one library (`--library`,
else the one the reader would open) and sees what the reader shows there: that library's
annotations, and the legacy ones made before libraries had identities.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from readertui.cli.output import EXIT_OK, EXIT_USAGE, OneLineParser, fail, say, write_stdout
from readertui.config import (
    Config,
    export_folder_for,
    load_config,
    resolve_db_path,
    resolve_library,
)
from readertui.core.library import Library, scan_library
from readertui.core.shortening import one_line
from readertui.core.visible import visible_line
from readertui.errors import ReaderError
from readertui.export.collect import collect, resolve_document
from readertui.export.exporting import (
    FORMATS,
    SUFFIXES,
    ExportRequest,
    export_text,
    export_to_file,
    export_to_folder,
)
from readertui.export.importing import import_annotations, import_records, read_import
from readertui.store.store import Store

LIST_QUOTE_CHARS = 70
_SINGLE_FILE_SUFFIXES = {"markdown": (".md", ".markdown"), "json": (".json",)}


@dataclass(frozen=True)
class Setting:
    """Where a subcommand works: the config, the library and the database file."""

    config: Config
    library: Library
    db_path: Path


class _Usage(Exception):
    """A combination of arguments that cannot work (exit code 2)."""


def run_subcommand(arguments: Sequence[str]) -> int:
    """Run `readertui <subcommand> …`; the exit code."""
    name, rest = arguments[0], list(arguments[1:])
    parser, handler = _COMMANDS[name]()
    args = parser.parse_args(rest)
    try:
        return handler(args, _setting(args))
    except _Usage as usage:
        return fail(f"{name}: {usage} (see readertui {name} --help)", EXIT_USAGE)
    except ReaderError as error:
        return fail(str(error))


def _setting(args: argparse.Namespace) -> Setting:
    config = load_config(args.config)
    root = args.library if args.library is not None else resolve_library(None, config)[0]
    library = scan_library(
        root,
        max_bytes=config.max_document_bytes,
        follow_outside_links=config.follow_outside_links,
    )
    return Setting(config, library, resolve_db_path(args.db, config))


def _parser(name: str, description: str, epilog: str = "") -> OneLineParser:
    parser = OneLineParser(
        prog=f"readertui {name}",
        description=description,
        epilog=epilog or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_argument_group("where")
    where.add_argument(
        "--library",
        type=Path,
        metavar="DIR",
        help="the library folder (default: as the reader would open it)",
    )
    where.add_argument("--db", type=Path, metavar="FILE", help="the annotation database file")
    where.add_argument("--config", type=Path, metavar="FILE", help="use this config file")
    return parser


# -- export -------------------------------------------------------------------------------


def _export_parser() -> tuple[OneLineParser, Callable[[argparse.Namespace, Setting], int]]:
    parser = _parser(
        "export",
        "Export highlights, notes and tags as Markdown or as W3C Web Annotation JSON.",
        "With -o DIR, Markdown goes to one file per document; with --tag, to one file for the\n"
        "tag; JSON to one file. Without -o, DIR is the library's own folder in the export\n"
        "folder of the config (else the data folder's exports/), named after the library's\n"
        "folder (e.g. exports/reading-1a2b3c4d/), so libraries never overwrite each other's\n"
        "files. -o FILE.md or FILE.json writes one file, -o - standard output.\n"
        "Documents are read first, so positions are those of the text as it is now;\n"
        "highlights that cannot be found are exported marked orphaned.",
    )
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="default: markdown")
    parser.add_argument("-o", "--output", metavar="DIR|FILE|-", help="where to write")
    parser.add_argument("--doc", metavar="PATH", help="only this document (library or file path)")
    parser.add_argument("--tag", metavar="TAG", help="only highlights with this tag (or below it)")
    return parser, _export


def _export(args: argparse.Namespace, setting: Setting) -> int:
    library = setting.library
    doc = resolve_document(library, args.doc) if args.doc is not None else None
    tag = _tag_of(args)
    request = ExportRequest(format=args.format, doc=doc, tag=tag)
    max_bytes = setting.config.max_document_bytes
    with Store(setting.db_path) as store:
        _warn_about(store)
        if args.output == "-":
            write_stdout(export_text(library, store, request, max_bytes=max_bytes))
            return EXIT_OK
        target = _output_path(args.output, setting.config, library)
        if _is_single_file(target, request):
            result = export_to_file(target, library, store, request, max_bytes=max_bytes)
        else:
            result = export_to_folder(target, library, store, request, max_bytes=max_bytes)
    say(result.summary())
    return EXIT_OK


def _tag_of(args: argparse.Namespace) -> str | None:
    """The tag of `--tag`, as typed with or without its `#`."""
    if args.tag is None:
        return None
    tag = str(args.tag).strip().lstrip("#")
    if not tag:
        raise _Usage("--tag needs a tag")
    return tag


def _output_path(output: str | None, config: Config, library: Library) -> Path:
    if output is None:
        return export_folder_for(config, library)
    if not output.strip():
        raise _Usage("-o needs a folder, a file or -")
    return Path(output).expanduser().absolute()


def _is_single_file(target: Path, request: ExportRequest) -> bool:
    if target.is_dir():
        return False
    suffix = target.suffix.lower()
    if suffix in _SINGLE_FILE_SUFFIXES[request.format]:
        return True
    for other, suffixes in _SINGLE_FILE_SUFFIXES.items():
        if suffix in suffixes:
            raise _Usage(
                f"{target.name} is a {other} file name but the format is {request.format} "
                f"(name it *{SUFFIXES[request.format]} or give --format {other})"
            )
    return False


# -- import -------------------------------------------------------------------------------


def _import_parser() -> tuple[OneLineParser, Callable[[argparse.Namespace, Setting], int]]:
    parser = _parser(
        "import",
        "Import annotations exported with `readertui export --format json` into the library,\n"
        "or merge a readertui changes file or another readertui database into this one.",
        "The file is checked whole first: if anything in it is wrong, nothing is imported.\n"
        "Annotations already here are matched by id (the newer change wins, a deletion\n"
        "made here is not undone), so importing a file twice adds nothing. Annotations of\n"
        "documents that are not in the library are kept, marked orphaned. An export's\n"
        "annotations become the library's (here already as another library's, they move).\n"
        "A changes file holds changes readertui could not save (a full disk, a lost\n"
        "connection); a database brings its annotations, deletions, positions and tags.",
    )
    parser.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="a readertui JSON export, changes file or database",
    )
    return parser, _import


def _import(args: argparse.Namespace, setting: Setting) -> int:
    source = read_import(args.file)
    with Store(setting.db_path) as store:
        _warn_about(store)
        if isinstance(source, list):
            result = import_annotations(source, store, setting.library)
        else:
            result = import_records(source, store)
    say(result.summary(args.file))
    return EXIT_OK


# -- list ---------------------------------------------------------------------------------


def _list_parser() -> tuple[OneLineParser, Callable[[argparse.Namespace, Setting], int]]:
    parser = _parser(
        "list",
        "List the documents, the tags or the annotations, one per line, fields separated by tabs.",
        "docs:         path, highlights, title, byline\n"
        "tags:         tag, how many annotations carry it\n"
        "annotations:  path:line (or path:orphaned), id, quote, tags, note\n"
        "problems:     table, id (or record number), why: records of the database that\n"
        "              cannot be used, kept in the file as they are",
    )
    parser.add_argument("what", choices=("docs", "tags", "annotations", "problems"))
    parser.add_argument("--doc", metavar="PATH", help="annotations: only this document")
    parser.add_argument("--tag", metavar="TAG", help="annotations: only with this tag")
    return parser, _list


def _list(args: argparse.Namespace, setting: Setting) -> int:
    if args.what != "annotations" and (args.doc is not None or args.tag is not None):
        raise _Usage("--doc and --tag go with `list annotations`")
    library = setting.library
    with Store(setting.db_path) as store:
        if args.what == "problems":
            lines = [_row(p.table, p.name, p.reason) for p in store.problems]
            write_stdout("".join(line + "\n" for line in lines))
            return EXIT_OK
        _warn_about(store)
        if args.what == "docs":
            counts: dict[str, int] = {}
            for annotation in store.annotations(library=library.key):
                counts[annotation.doc.path] = counts.get(annotation.doc.path, 0) + 1
            lines = [
                _row(
                    entry.rel_path,
                    str(counts.get(entry.rel_path, 0)),
                    entry.metadata.title,
                    entry.metadata.byline(),
                )
                for entry in library.entries
            ]
        elif args.what == "tags":
            tags = store.tags(library=library.key)
            lines = [_row(tag, str(count)) for tag, count in tags.items()]
        else:
            doc = resolve_document(library, args.doc) if args.doc is not None else None
            tag = _tag_of(args)
            max_bytes = setting.config.max_document_bytes
            documents = collect(library, store, doc=doc, tag=tag, max_bytes=max_bytes)
            lines = []
            for notes in documents:
                for item in notes.placed + notes.orphaned:
                    annotation = item.annotation
                    where = "orphaned" if annotation.orphaned else str(item.line)
                    quote = one_line(annotation.quote.exact, LIST_QUOTE_CHARS)
                    lines.append(
                        _row(
                            f"{notes.rel_path}:{where}",
                            annotation.id,
                            f"“{quote}”",
                            " ".join(f"#{tag}" for tag in annotation.tags),
                            annotation.note.strip().split("\n")[0],
                        )
                    )
    write_stdout("".join(line + "\n" for line in lines))
    return EXIT_OK


def _row(*fields: str) -> str:
    # Tabs and newlines inside a field would break the columns; controls must not reach
    # the terminal (PRODUCT 11).
    return "\t".join(visible_line(field) for field in fields)


def _warn_about(store: Store) -> None:
    """The store's notices (an empty file started anew, records it cannot use), on stderr."""
    for notice in store.notices():
        fail(f"warning: {notice}")


_COMMANDS: dict[
    str, Callable[[], tuple[OneLineParser, Callable[[argparse.Namespace, Setting], int]]]
] = {
    "export": _export_parser,
    "import": _import_parser,
    "list": _list_parser,
}
