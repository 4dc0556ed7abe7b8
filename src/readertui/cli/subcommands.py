"""`readertui export`, `import`, `list`, `search` and `xref`: the library and the notes
without the reader.

They use the core and the store directly (no Textual import, so they start at once), print
data on stdout and every problem as one line on stderr. Each works on one library (`--library`,
else the one the reader would open) and sees what the reader shows there: that library's
annotations, and the legacy ones made before libraries had identities.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from readertui.cli.global_options import add_global_options
from readertui.cli.output import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    OneLineParser,
    fail,
    say,
    write_stdout,
)
from readertui.config import (
    Config,
    export_folder_for,
    load_config,
    resolve_db_path,
    resolve_library,
)
from readertui.core.citation import in_quotation_marks
from readertui.core.library import Library, scan_library
from readertui.core.shortening import one_line
from readertui.core.visible import visible_line
from readertui.errors import ReaderError
from readertui.export.collect import collect, resolve_document
from readertui.export.exporting import (
    FORMATS,
    STYLES,
    SUFFIXES,
    ExportRequest,
    export_text,
    export_to_file,
    export_to_folder,
)
from readertui.export.importing import import_annotations, import_records, read_import
from readertui.store.store import Store

if TYPE_CHECKING:
    from readertui.core.annotations import Annotation
    from readertui.index import CrossReference, LibraryIndex, PassageRef, Place, SearchHit, Snippet

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
        if args.theme is not None:
            raise _Usage("--theme is an option of the reader, not of a command")
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
    add_global_options(parser.add_argument_group("where (before or after the subcommand)"))
    # Known, so that `readertui --theme X list docs` is told what is wrong with it (rather
    # than taking X for a positional argument); `run_subcommand` refuses it.
    parser.add_argument("--theme", metavar="NAME", help=argparse.SUPPRESS)
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
    parser.add_argument(
        "--style",
        choices=STYLES,
        help="Markdown for Obsidian (block ids and links to them) or plain (default: obsidian)",
    )
    parser.add_argument(
        "--block-ids",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write each highlight's ^id block id (default: with --style obsidian only)",
    )
    return parser, _export


def _export(args: argparse.Namespace, setting: Setting) -> int:
    library = setting.library
    doc = resolve_document(library, args.doc) if args.doc is not None else None
    tag = _tag_of(args)
    if args.format != "markdown" and (args.style is not None or args.block_ids is not None):
        raise _Usage("--style and --block-ids go with --format markdown")
    request = ExportRequest(
        format=args.format,
        doc=doc,
        tag=tag,
        style=args.style or "obsidian",
        block_ids=args.block_ids,
    )
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
        "docs:         path, highlights, title, byline, format (text, markdown, epub…)\n"
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
                    entry.format,
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
                            in_quotation_marks(quote),
                            " ".join(f"#{tag}" for tag in annotation.tags),
                            annotation.note.strip().split("\n")[0],
                        )
                    )
    write_stdout("".join(line + "\n" for line in lines))
    return EXIT_OK


# -- search and xref -------------------------------------------------------------------------

SEARCH_LIMIT = 20
XREF_LIMIT = 5
# Related passages listed per passage when xref lists a whole document.
XREF_DOCUMENT_RELATED = 3
_XREF_GROUP_NAMES = {
    "same": "same passage",
    "related": "related",
    "tag": "shared tag",
    "link": "link",
    "backlink": "backlink",
}
_PATH_LINE = re.compile(r"^(?P<path>.+):(?P<line>[^:/\\]*)$", re.DOTALL)
# Escaped in JSON output: C1 and bidi controls, separators, lone surrogates (json.dumps
# escapes C0 controls itself).
_JSON_UNSAFE = re.compile(
    "[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ud800-\udfff]"
)


def _search_parser() -> tuple[OneLineParser, Callable[[argparse.Namespace, Setting], int]]:
    parser = _parser(
        "search",
        "Search the whole library: the passages that match best, one per line.",
        'QUERY: words (all must be there), "exact phrases", prefix*, -excluded, and\n'
        "tag:name or note:word to search the highlights instead (their tags, notes, quotes).\n"
        "Each line: path:line, title, snippet, separated by tabs; --json gives offsets too.\n"
        "The library's index is built or brought up to date first (in the cache folder).\n"
        "A query that starts with - goes after --: readertui search -- '-draft notes'.\n"
        "Exit code 0 when something was found, 1 when nothing was.",
    )
    parser.add_argument("query", metavar="QUERY", help="what to look for")
    parser.add_argument(
        "--limit", type=_positive, default=SEARCH_LIMIT, metavar="N", help="at most N results"
    )
    parser.add_argument("--json", action="store_true", help="JSON, with offsets and marks")
    return parser, _search


def _search(args: argparse.Namespace, setting: Setting) -> int:
    from readertui.index import IndexUnavailable, LibraryIndex, QueryError
    from readertui.index.query import parse_query

    try:
        query = parse_query(args.query)
    except QueryError as error:
        raise _Usage(str(error)) from None
    with LibraryIndex(setting.library, max_bytes=setting.config.max_document_bytes) as index:
        _bring_up_to_date(index)
        if query.annotations:
            index.replace_annotations(_annotations(setting, required=True))
        try:
            hits = index.search(args.query, args.limit)
        except IndexUnavailable:
            if not index.damaged:
                raise
            # Damage only a query could see: rebuild, then ask again.
            _bring_up_to_date(index)
            if query.annotations:
                index.replace_annotations(_annotations(setting, required=True))
            hits = index.search(args.query, args.limit)
    if args.json:
        write_stdout(_json_text([_hit_record(hit) for hit in hits]))
    else:
        lines = [
            _row(_where(hit.place.path, hit.match_line), hit.place.title, hit.snippet.text)
            for hit in hits
        ]
        write_stdout("".join(line + "\n" for line in lines))
    if not hits:
        fail(f"search: nothing found for {args.query!r}")
        return EXIT_ERROR
    return EXIT_OK


def _xref_parser() -> tuple[OneLineParser, Callable[[argparse.Namespace, Setting], int]]:
    parser = _parser(
        "xref",
        "The cross-references of a passage, grouped as in the reader's sidebar.",
        "PATH is a document (library or file path); with :LINE, the passage at that line,\n"
        "else every passage of the document that has cross-references.\n"
        "Each line: passage path:line, group (same passage, related, shared tag, link,\n"
        "backlink), target path:line, similarity or score, title, snippet, tab-separated.\n"
        "Exit code 0 when there are cross-references, 1 when there are none.",
    )
    parser.add_argument("passage", metavar="PATH[:LINE]", help="the document, and a line of it")
    parser.add_argument("--json", action="store_true", help="JSON, with offsets and marks")
    return parser, _xref


def _xref(args: argparse.Namespace, setting: Setting) -> int:
    from readertui.index import LibraryIndex

    library = setting.library
    path, line = _path_and_line(library, args.passage)
    with LibraryIndex(library, max_bytes=setting.config.max_document_bytes) as index:
        _bring_up_to_date(index)
        stored = _annotations(setting, required=False)
        index.replace_annotations(stored)
        document = index.workspace.load(path)
        if line is not None and line > document.line_count():
            raise _Usage(f"{path} has {document.line_count()} lines; there is no line {line}")
        own = [a for a in stored if a.doc.belongs_to(library.key, path)]
        highlights = [a for a in index.workspace.place(document, own).annotations if not a.orphaned]
        if line is not None:
            found = index.passage_at_line(path, line)
            passages = [found] if found is not None else []
            related_limit = XREF_LIMIT
        else:
            passages = index.passages(path)
            related_limit = XREF_DOCUMENT_RELATED
        sections = []
        for passage in passages:
            references = index.cross_references_of(passage, limit=XREF_LIMIT)
            entries = [*references.same, *references.related[:related_limit]]
            for highlight in highlights:
                if highlight.overlaps(passage.place.start, passage.place.end):
                    tags, links = index.highlight_references(highlight, limit=XREF_LIMIT)
                    entries += [*tags, *links]
            if entries:
                sections.append((passage, entries))
    if args.json:
        write_stdout(_json_text([_xref_record(passage, entries) for passage, entries in sections]))
    else:
        lines = [
            _row(
                passage.place.where,
                _XREF_GROUP_NAMES[entry.group],
                entry.place.where,
                _score_text(entry),
                entry.place.title,
                entry.snippet.text,
            )
            for passage, entries in sections
            for entry in entries
        ]
        write_stdout("".join(line + "\n" for line in lines))
    if not sections:
        fail(f"xref: no cross-references for {args.passage}")
        return EXIT_ERROR
    return EXIT_OK


def _bring_up_to_date(index: LibraryIndex) -> None:
    """Update the index, saying how far it got on stderr when it takes over a second (and
    when it first waits for another readertui that is updating the same index)."""
    progress = _StderrProgress()
    try:
        report = index.update(progress=progress, waiting=progress.waiting)
    finally:
        progress.finish()  # the progress line ends, whatever comes next on stderr
    for path, reason in report.failed:
        fail(f"warning: {path} is not in the index ({reason})")


class _StderrProgress:
    """Progress of an index update on stderr, once it has taken a second: one line redrawn
    on a terminal, a line every few seconds otherwise."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown_at: float | None = None
        self.terminal = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < 1.0:
            return
        pause = 0.2 if self.terminal else 5.0
        if self.shown_at is not None and now - self.shown_at < pause and done < total:
            return
        self.shown_at = now
        message = f"readertui: indexing the library: {done}/{total} documents"
        if self.terminal:
            sys.stderr.write("\r" + message)
        else:
            sys.stderr.write(message + "\n")
        sys.stderr.flush()

    def waiting(self) -> None:
        if self.terminal and self.shown_at is not None:
            sys.stderr.write("\n")
        sys.stderr.write(
            "readertui: waiting for another readertui that is updating the library's index\n"
        )
        sys.stderr.flush()
        self.shown_at = None

    def finish(self) -> None:
        if self.terminal and self.shown_at is not None:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _annotations(setting: Setting, *, required: bool) -> list[Annotation]:
    """The library's annotations from the database (none when there is no database file).

    When not `required`, a database that cannot be read is a warning: the passages'
    cross-references do not need it."""
    if not setting.db_path.exists():
        return []
    try:
        with Store(setting.db_path) as store:
            _warn_about(store)
            return store.annotations(library=setting.library.key)
    except ReaderError as error:
        if required:
            raise
        fail(f"warning: highlights left out ({error})")
        return []


def _path_and_line(library: Library, spelled: str) -> tuple[str, int | None]:
    """The library path and line number of `PATH[:LINE]`."""
    if not spelled.strip():
        raise _Usage("give a document: PATH or PATH:LINE")
    with contextlib.suppress(ReaderError):
        return resolve_document(library, spelled), None
    match = _PATH_LINE.match(spelled)
    if match is None:
        return resolve_document(library, spelled), None
    try:
        path = resolve_document(library, match.group("path"))
    except ReaderError:
        return resolve_document(library, spelled), None  # raises, naming the whole of it
    text = match.group("line")
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise _Usage(f"the line in {spelled!r} must be a number from 1")
    return path, int(text)


def _positive(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1, not {text!r}")
    return int(text)


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line if line is not None else 'orphaned'}"


def _score_text(entry: CrossReference) -> str:
    if entry.score is None:
        return " ".join(f"#{tag}" for tag in entry.tags) or "-"
    if entry.group == "same":
        return f"{entry.score:.0%}"
    return f"{entry.score:.2f}"


def _place_record(place: Place) -> dict[str, object]:
    return {
        "path": place.path,
        "line": place.line,
        "title": place.title,
        "heading": place.heading,
        "start": place.start,
        "end": place.end,
    }


def _snippet_record(snippet: Snippet) -> dict[str, object]:
    return {"text": snippet.text, "marks": [list(mark) for mark in snippet.marks]}


def _hit_record(hit: SearchHit) -> dict[str, object]:
    record = _place_record(hit.place)
    record["match_line"] = hit.match_line
    record["score"] = round(hit.score, 4)
    record["matches"] = [list(match) for match in hit.matches]
    record["snippet"] = _snippet_record(hit.snippet)
    if hit.annotation_id is not None:
        record["annotation"] = hit.annotation_id
    return record


def _xref_record(passage: PassageRef, entries: Sequence[CrossReference]) -> dict[str, object]:
    groups: dict[str, list[dict[str, object]]] = {name: [] for name in _XREF_GROUP_NAMES}
    for entry in entries:
        record = _place_record(entry.place)
        record["score"] = entry.score
        record["snippet"] = _snippet_record(entry.snippet)
        if entry.annotation_id is not None:
            record["annotation"] = entry.annotation_id
            record["tags"] = list(entry.tags)
        groups[entry.group].append(record)
    return {"passage": _place_record(passage.place), **groups}


def _json_text(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


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
    "search": _search_parser,
    "xref": _xref_parser,
}
