"""What an export holds: the annotations chosen by document and tag, placed in today's text.

Exports describe the documents as they are now (PRODUCT 8): each document is loaded, its
annotations re-anchored in memory (the database is not written), and each placed one gets
its line and the heading it falls under. Annotations whose document cannot be loaded, or is
not in the library, are kept and marked orphaned. Only the library's own annotations (and the
legacy ones, made before libraries had identities) are exported: another library's `a.txt`
is another document.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from readertui.core.annotations import Annotation, has_tag, normalise_tags, tag_key
from readertui.core.document import DEFAULT_MAX_BYTES, Document
from readertui.core.library import Library, LibraryEntry
from readertui.core.metadata import DocumentMetadata
from readertui.core.open_document import OpenDocument
from readertui.core.workspace import Workspace
from readertui.errors import ExportError, ReaderError


class AnnotationSource(Protocol):
    """The reads an export needs from the annotation store (readertui.store.Store has them)."""

    def annotations(
        self, doc_path: str | None = None, *, library: str | None = None
    ) -> list[Annotation]: ...

    def document_tags(self, rel_path: str, *, library: str = "") -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Located:
    """An annotation as exported: placed (with its line and heading) or orphaned."""

    annotation: Annotation
    line: int = 0  # 1-based line of its start in the current text; 0 for an orphan
    heading: str = ""  # the outline heading it falls under, if any
    # A converted document's page or chapter it starts in: its label ("p. 12"), and where
    # it is in the file as a W3C FragmentSelector value ("page=12", "epubcfi(…)").
    section: str = ""
    fragment: str = ""


@dataclass(frozen=True)
class DocumentNotes:
    """One document's part of an export: what it is and its annotations in document order."""

    rel_path: str
    metadata: DocumentMetadata
    tags: tuple[str, ...]
    placed: tuple[Located, ...]
    orphaned: tuple[Located, ...]
    in_library: bool = True
    problem: str = ""  # why the document could not be read, when it could not

    @property
    def count(self) -> int:
        return len(self.placed) + len(self.orphaned)

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        return tuple(item.annotation for item in self.placed + self.orphaned)


DocumentLoader = Callable[[LibraryEntry], Document]


def collect(
    library: Library,
    store: AnnotationSource,
    *,
    doc: str | None = None,
    tag: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workspace: Workspace | None = None,
    include_empty: bool = False,
) -> list[DocumentNotes]:
    """The documents to export and their annotations, in library order.

    `doc` is a document's path relative to the library root (see `resolve_document`); `tag`
    keeps the annotations that carry it or a tag below it. Documents without annotations are
    left out unless `include_empty` (or `doc` names one). Documents are opened through
    `workspace` (the app's, which holds the documents it has in memory), else a new one.
    Raises ExportError when `tag` is carried by no annotation at all.
    """
    if workspace is None:
        workspace = Workspace(library, max_bytes=max_bytes)
    everything = store.annotations(library=library.key)
    if tag is not None:
        _check_tag(tag, everything)
    by_doc: dict[str, list[Annotation]] = {}
    for annotation in everything:
        if tag is None or has_tag(annotation, tag):
            by_doc.setdefault(annotation.doc.path, []).append(annotation)

    order = [entry.rel_path for entry in library.entries]
    listed = set(order)
    strays = sorted(path for path in by_doc if path not in listed)
    notes: list[DocumentNotes] = []
    for rel_path in order + strays:
        if doc is not None and rel_path != doc:
            continue
        annotations = by_doc.get(rel_path, [])
        if not annotations and not (include_empty or doc is not None):
            continue
        entry = library.find(rel_path)
        own_tags = store.document_tags(rel_path, library=library.key)
        if entry is None:
            notes.append(_not_in_library(rel_path, annotations, own_tags))
            continue
        try:
            opened = workspace.open(rel_path, annotations)
        except ReaderError as error:
            notes.append(_unreadable(entry, annotations, own_tags, str(error)))
            continue
        notes.append(_placed_in(opened, entry.metadata, own_tags))
    return notes


def resolve_document(library: Library, spelled: str, cwd: Path | None = None) -> str:
    """The library path of the document a user named, as a library path or a file path.

    Raises ExportError naming the library when there is no such document.
    """
    cleaned = spelled.replace("\\", "/").strip()
    if library.find(cleaned) is not None:
        return cleaned
    path = Path(spelled).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    entry = library.entry_for_path(path)
    if entry is not None:
        return entry.rel_path
    raise ExportError(f"no document {spelled!r} in the library {library.root}")


def document_tags(metadata: DocumentMetadata, own: Iterable[str]) -> tuple[str, ...]:
    """A document's tags: those of its metadata, then those given in readertui."""
    return normalise_tags((*metadata.tags, *own))


def _check_tag(tag: str, annotations: Iterable[Annotation]) -> None:
    known: dict[str, str] = {}
    for annotation in annotations:
        if has_tag(annotation, tag):
            return
        for own in annotation.tags:
            known.setdefault(tag_key(own), own)
    hint = ", ".join(sorted(known.values(), key=str.casefold)[:10])
    raise ExportError(
        f"no annotation is tagged {tag!r}" + (f" (tags in use: {hint})" if hint else "")
    )


def _placed_in(
    opened: OpenDocument, metadata: DocumentMetadata, own_tags: tuple[str, ...]
) -> DocumentNotes:
    document = opened.document
    current = list(opened.annotations.values())
    placed = sorted(
        (a for a in current if not a.orphaned), key=lambda a: (a.start, a.end, a.created, a.id)
    )
    orphans = sorted((a for a in current if a.orphaned), key=lambda a: (a.start, a.created, a.id))
    headings = opened.outline
    heading_offsets = [entry.offset for entry in headings]
    located: list[Located] = []
    line, counted_to = 1, 0
    for annotation in placed:
        # In document order, so the text is counted through once, not once per annotation.
        line += document.text.count("\n", counted_to, annotation.start)
        counted_to = annotation.start
        index = bisect_right(heading_offsets, annotation.start) - 1
        heading = headings[index].title if index >= 0 else ""
        section = document.section_at(annotation.start)
        if section is None:
            located.append(Located(annotation, line, heading))
        else:
            located.append(Located(annotation, line, heading, section.label, section.fragment))
    return DocumentNotes(
        rel_path=document.rel_path,
        metadata=metadata,
        tags=document_tags(metadata, own_tags),
        placed=tuple(located),
        orphaned=tuple(Located(annotation) for annotation in orphans),
    )


def _as_orphans(annotations: list[Annotation]) -> tuple[Located, ...]:
    ordered = sorted(annotations, key=lambda a: (a.start, a.created, a.id))
    return tuple(
        Located(a if a.orphaned else replace(a, orphaned=True, confidence=0.0)) for a in ordered
    )


def _unreadable(
    entry: LibraryEntry,
    annotations: list[Annotation],
    own_tags: tuple[str, ...],
    problem: str,
) -> DocumentNotes:
    return DocumentNotes(
        rel_path=entry.rel_path,
        metadata=entry.metadata,
        tags=document_tags(entry.metadata, own_tags),
        placed=(),
        orphaned=_as_orphans(annotations),
        problem=problem,
    )


def _not_in_library(
    rel_path: str, annotations: list[Annotation], own_tags: tuple[str, ...]
) -> DocumentNotes:
    title = next((a.doc.title for a in annotations if a.doc.title), "") or rel_path
    return DocumentNotes(
        rel_path=rel_path,
        metadata=DocumentMetadata(title=title),
        tags=normalise_tags(own_tags),
        placed=(),
        orphaned=_as_orphans(annotations),
        in_library=False,
        problem="not in the library",
    )
