"""Run an export: choose what goes in, render it, and write it to files or return the text.

Where things go, for a folder:

- Markdown, no tag: one file per document, named after the document (`notes/a.txt` becomes
  `notes/a.md`), in the folder's mirror of the library's folders.
- Markdown with a tag: one file for that tag (`tag-place-Jiayuguan.md`), every document in it,
  so it never overwrites the per-document files with a part of their highlights.
- JSON: one file (`library.json`, `<document>.json` or `tag-<tag>.json`).

Markdown comes in two styles: `obsidian` (the default) writes each annotation's `^id` block id
after its quote, and links to annotations as links to those ids; `plain` writes neither, for
a draft or a viewer that has no use for them. `block_ids` turns the ids on or off in either.

A document whose name is not UTF-8 (an undecodable byte, held as a lone surrogate) gets a
file name that is: the byte as `%E9` (`caf%E9.md`), which every file system and sync service
takes. A file whose content would only differ in its `exported` time is left alone, so a
re-export touches only what changed. Files are written whole: to a temporary file that
replaces the old one, so an interrupted export never leaves half a file.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from readertui.core.annotations import Annotation, now_iso
from readertui.core.library import SAMPLE_LIBRARY_KEY, Library
from readertui.core.workspace import Workspace
from readertui.errors import ExportError
from readertui.export.collect import AnnotationSource, DocumentNotes, collect
from readertui.export.markdown import (
    MarkdownStyle,
    document_markdown,
    library_markdown,
    link_targets,
)
from readertui.export.markdown_text import tag_word
from readertui.export.web_annotation import collection_json
from readertui.store.atomic_storage import write_bytes_atomically

ExportFormat = Literal["markdown", "json"]
FORMATS: tuple[ExportFormat, ...] = ("markdown", "json")
MarkdownFlavour = Literal["obsidian", "plain"]
STYLES: tuple[MarkdownFlavour, ...] = ("obsidian", "plain")
SUFFIXES: dict[ExportFormat, str] = {"markdown": ".md", "json": ".json"}

# The line that holds the export time, left out when deciding whether a file changed.
_STAMP_LINE = re.compile(r'^(exported: |  "generated": ).*\n', re.MULTILINE)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ExportRequest:
    """What to export and how: the format and the filters (a document path, a tag)."""

    format: ExportFormat = "markdown"
    doc: str | None = None  # a library path (see collect.resolve_document)
    tag: str | None = None
    style: MarkdownFlavour = "obsidian"
    block_ids: bool | None = None  # None: as the style has them

    @property
    def markdown_style(self) -> MarkdownStyle:
        """How the Markdown is written: the style's block ids unless `block_ids` says."""
        block_ids = self.style == "obsidian" if self.block_ids is None else self.block_ids
        return MarkdownStyle(block_ids=block_ids)


@dataclass(frozen=True)
class ExportResult:
    """What an export did: the files written, those already up to date, and what they hold."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    documents: int
    highlights: int
    orphaned: int

    def summary(self) -> str:
        """One line for the user, e.g. "3 highlights from 1 document: wrote /x/a.md"."""
        files = self.written + self.unchanged
        counts = _plural(self.highlights, "highlight")
        if self.highlights:
            counts += f" from {_plural(self.documents, 'document')}"
        if self.orphaned:
            counts += f" ({self.orphaned} orphaned)"
        if not files:
            return f"{counts}: nothing to write"
        where = str(files[0]) if len(files) == 1 else f"{len(files)} files in {_common(files)}"
        if not self.written:
            return f"{counts}: already up to date in {where}"
        if self.unchanged:
            return f"{counts}: wrote {len(self.written)} changed of {where}"
        return f"{counts}: wrote {where}"


def export_stamp() -> str:
    """The `exported` time: now, to the second, UTC."""
    return now_iso()[:19] + "Z"


def export_text(
    library: Library,
    store: AnnotationSource,
    request: ExportRequest,
    *,
    exported: str | None = None,
    max_bytes: int | None = None,
) -> str:
    """The whole export as one text (for `-o -`)."""
    documents = _collect(library, store, request, max_bytes, None, include_empty=False)
    return _one_text(library, store, request, documents, exported or export_stamp())


def _one_text(
    library: Library,
    store: AnnotationSource,
    request: ExportRequest,
    documents: Sequence[DocumentNotes],
    exported: str,
) -> str:
    """`documents` as the single text of `request`'s format."""
    if request.format == "json":
        return collection_json(_annotations_of(documents), exported, _fragments_of(documents))
    links = link_targets(store.annotations(library=library.key), {})
    style = request.markdown_style
    if request.doc is not None and request.tag is None and len(documents) == 1:
        return document_markdown(documents[0], exported, links, style=style)
    return library_markdown(documents, exported, _title(library, request), links, style=style)


def export_to_file(
    path: Path,
    library: Library,
    store: AnnotationSource,
    request: ExportRequest,
    *,
    exported: str | None = None,
    max_bytes: int | None = None,
) -> ExportResult:
    """The whole export as one file at `path`."""
    documents = _collect(library, store, request, max_bytes, None, include_empty=False)
    text = _one_text(library, store, request, documents, exported or export_stamp())
    _refuse_library_file(library, path)
    changed = write_if_changed(path, text)
    return _result(documents, [(path, changed)])


def export_to_folder(
    folder: Path,
    library: Library,
    store: AnnotationSource,
    request: ExportRequest,
    *,
    exported: str | None = None,
    max_bytes: int | None = None,
    workspace: Workspace | None = None,
) -> ExportResult:
    """The export as files in `folder` (see the module's docstring for which files)."""
    stamp = exported or export_stamp()
    everything = store.annotations(library=library.key)  # for file names and links, once
    names = export_file_names(library, everything)
    per_document = request.format == "markdown" and request.tag is None
    documents = _collect(library, store, request, max_bytes, workspace, include_empty=per_document)
    outcomes: list[tuple[Path, bool]] = []
    if per_document:
        links = link_targets(everything, names)
        for notes in documents:
            target = folder / names[notes.rel_path]
            if not notes.count and request.doc is None and not target.exists():
                continue  # never exported and nothing to say
            text = document_markdown(
                notes,
                stamp,
                links,
                own_file=names[notes.rel_path],
                style=request.markdown_style,
            )
            _refuse_library_file(library, target)
            outcomes.append((target, write_if_changed(target, text)))
        documents = [notes for notes in documents if notes.count or request.doc is not None]
    else:
        target = folder / _single_file_name(request, names)
        text = _one_text(library, store, request, documents, stamp)
        _refuse_library_file(library, target)
        outcomes.append((target, write_if_changed(target, text)))
    return _result(documents, outcomes)


def export_file_names(library: Library, annotations: Iterable[Annotation]) -> dict[str, str]:
    """The Markdown file of every document (in the library or named by one of `annotations`).

    `a/b.txt` becomes `a/b.md`; when two documents would share a name (`b.txt` and `b.md`),
    both keep their extension (`b.txt.md`, `b.md.md`). Paths are kept inside the folder.
    """
    paths = {entry.rel_path for entry in library.entries}
    paths.update(annotation.doc.path for annotation in annotations)
    stems: dict[str, list[str]] = {}
    for rel_path in sorted(paths):
        stems.setdefault(_safe_stem(rel_path), []).append(rel_path)
    names: dict[str, str] = {}
    for stem, owners in stems.items():
        for rel_path in owners:
            if len(owners) == 1:
                names[rel_path] = stem + ".md"
            else:
                names[rel_path] = _safe_path(rel_path) + ".md"
    return names


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` unless the file holds it already (but for the export time).

    Returns whether the file was written. Raises StoreError with the reason on failure; the
    old file, if any, is then untouched.
    """
    try:
        old = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        old = None
    if old is not None and _STAMP_LINE.sub("", old, count=1) == _STAMP_LINE.sub("", text, count=1):
        return False
    try:
        payload = text.encode("utf-8")
    except UnicodeEncodeError as error:
        # The renderers make every string writable; should one slip through, one line.
        reason = f"a character cannot be written ({error.reason})"
        raise ExportError(f"cannot write {path}: {reason}") from None
    write_bytes_atomically(path, payload, private=False)
    return True


def _collect(
    library: Library,
    store: AnnotationSource,
    request: ExportRequest,
    max_bytes: int | None,
    workspace: Workspace | None,
    *,
    include_empty: bool,
) -> list[DocumentNotes]:
    options: dict[str, int] = {} if max_bytes is None else {"max_bytes": max_bytes}
    return collect(
        library,
        store,
        doc=request.doc,
        tag=request.tag,
        workspace=workspace,
        include_empty=include_empty and request.doc is None,
        **options,
    )


def _annotations_of(documents: Sequence[DocumentNotes]) -> list[Annotation]:
    return [annotation for notes in documents for annotation in notes.annotations]


def _fragments_of(documents: Sequence[DocumentNotes]) -> dict[str, str]:
    """Where each placed annotation's page or chapter is in its converted file, by id."""
    return {
        item.annotation.id: item.fragment
        for notes in documents
        for item in notes.placed
        if item.fragment
    }


def _result(documents: Sequence[DocumentNotes], outcomes: list[tuple[Path, bool]]) -> ExportResult:
    return ExportResult(
        written=tuple(path for path, changed in outcomes if changed),
        unchanged=tuple(path for path, changed in outcomes if not changed),
        documents=sum(1 for notes in documents if notes.count),
        highlights=sum(notes.count for notes in documents),
        orphaned=sum(len(notes.orphaned) for notes in documents),
    )


def _title(library: Library, request: ExportRequest) -> str:
    if request.tag is not None:
        return f"Highlights tagged #{request.tag}"
    return f"Highlights from {_library_name(library)}"


def _library_name(library: Library) -> str:
    """What a library is called in an export: its folder's name (the real folder's, so a
    library opened as `.` has one), and the sample library as such (its folder is the
    package's own `sample_library`, or `library` in a checkout)."""
    if library.key == SAMPLE_LIBRARY_KEY:
        return "the sample library"
    return os.path.basename(os.path.realpath(library.root)) or "the library"


def _single_file_name(request: ExportRequest, names: dict[str, str]) -> str:
    suffix = SUFFIXES[request.format]
    parts: list[str] = []
    if request.doc is not None:
        parts.append(names.get(request.doc, _safe_stem(request.doc) + ".md").removesuffix(".md"))
    if request.tag is not None:
        parts.append("tag-" + (tag_word(request.tag).lstrip("#").replace("/", "-") or "tag"))
    return "-".join(parts or ["library"]) + suffix


def _safe_path(rel_path: str) -> str:
    """`rel_path` with no way out of the export folder: no `..`, no root, no empty parts,
    and nothing UTF-8 cannot hold."""
    parts = [part for part in PurePosixPath(rel_path.replace("\\", "/")).parts]
    kept = [part for part in parts if part not in ("/", ".", "..") and not part.startswith(".")]
    return _LONE_SURROGATE.sub(_percent_byte, posixpath.join(*kept)) if kept else "document"


def _percent_byte(match: re.Match[str]) -> str:
    code = ord(match.group())
    # os.fsdecode holds an undecodable byte b as U+DC00 + b.
    return f"%{code - 0xDC00:02X}" if 0xDC80 <= code <= 0xDCFF else f"%u{code:04X}"


def _safe_stem(rel_path: str) -> str:
    path = _safe_path(rel_path)
    stem, suffix = posixpath.splitext(path)
    return stem if suffix and posixpath.basename(stem) else path


def _refuse_library_file(library: Library, target: Path) -> None:
    if library.entry_for_path(target) is not None:
        raise ExportError(f"will not overwrite {target}: it is a document of the library")


def _common(paths: Sequence[Path]) -> str:
    return os.path.commonpath([str(path.parent) for path in paths])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
