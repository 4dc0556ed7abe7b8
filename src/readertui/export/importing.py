"""`readertui import FILE`: bring exported annotations into the database, all or nothing.

Three kinds of file are read:

- a JSON export (W3C Web Annotation, `readertui export --format json`): its annotations;
- a changes file (store/changes_file.py: changes the app could not save and kept aside);
- another readertui database: its annotations, deletions and documents' positions and tags.

The file is read and checked whole before anything is written; a problem anywhere in an
export or a changes file rejects it with the reason and imports nothing. Annotations are
matched by id, with the store's rule (the newer `updated` wins, a deletion made here is not
undone), so importing a file twice adds nothing. From an export, annotations of documents
that are not in the library are kept, marked orphaned: they are listed with their quotes and
are placed again once the document is there. Those of documents in the library are placed in
today's text by the quote locator as they come in, so an export of another tool (whose
offsets, context and quotation marks are not quite ours) is found where it belongs, and the
summary says at once how many quotes were not found.

An export's annotations become the annotations of the library they are imported into,
whichever library they were exported from: importing them into another library (a library
that moved, a copy) moves them there. A changes file or a database keeps each record's own
library: it holds the records of every library of the database it comes from.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol

from readertui.core.annotations import Annotation
from readertui.core.library import Library
from readertui.core.workspace import Workspace
from readertui.errors import DocumentError, ImportFileError, StoreError
from readertui.export.web_annotation import parse_data
from readertui.store.atomic_storage import (
    NotARegularFileError,
    checked_tables,
    open_regular,
    parse_json,
)
from readertui.store.changes_file import changes_from_data, is_changes_data
from readertui.store.errors import StoreCorruptError
from readertui.store.layout import META, split
from readertui.store.merge import DOCUMENT_STAMPS, Record, Snapshot, stamp_key
from readertui.store.store import upgrade

# More than this is not an annotation export, and reading it would only use up memory.
MAX_IMPORT_BYTES = 512 * 1024 * 1024


class AnnotationStore(Protocol):
    """What an import needs of the store (readertui.store.Store has it)."""

    def annotation(self, annotation_id: str) -> Annotation | None: ...

    def save_annotations(self, annotations: list[Annotation]) -> None: ...

    def merge_changes(self, changes: Snapshot) -> None: ...

    def reading_position(self, rel_path: str, *, library: str = "") -> int | None: ...

    def document_tags(self, rel_path: str, *, library: str = "") -> tuple[str, ...]: ...


@dataclass(frozen=True)
class StoreRecords:
    """The records of a changes file or of another database, to merge into this one."""

    kind: Literal["changes file", "database"]
    changes: Snapshot
    unusable: int = 0  # records of a database that do not validate, left out


ImportSource = list[Annotation] | StoreRecords


@dataclass(frozen=True)
class ImportResult:
    """What an import did, by annotation (and, from a database or changes file, the rest)."""

    added: int
    updated: int
    unchanged: int  # already here, the same or newer
    refused: int  # deleted here after the imported copy was last changed
    not_in_library: int  # kept, orphaned
    deleted: int = 0  # annotations here that an imported deletion removed
    documents: int = 0  # documents whose reading position or tags changed
    unusable: int = 0  # records of the file that do not validate, left out
    moved: int = 0  # annotations here of another library, now of this one
    not_found: int = 0  # of documents in the library, whose quote is not in them (orphaned)

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged + self.refused + self.moved

    def summary(self, path: Path) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.moved:
            parts.append(f"{self.moved} moved to this library")
        if self.refused:
            parts.append(f"{self.refused} deleted here, not restored")
        if self.deleted:
            parts.append(f"{self.deleted} deleted")
        line = f"imported {path}: {', '.join(parts)}"
        if self.documents:
            documents = "1 document" if self.documents == 1 else f"{self.documents} documents"
            line += f"; the reading position or tags of {documents}"
        if self.not_in_library:
            line += f"; {self.not_in_library} for documents not in the library (orphaned)"
        if self.not_found:
            line += f"; {self.not_found} whose quote is not in its document (orphaned)"
        if self.unusable:
            line += f"; {self.unusable} records that cannot be used left out"
        return line


def read_import_file(path: Path) -> list[Annotation]:
    """The annotations in an export file; raises ImportFileError naming the file and problem."""
    source = read_import(path)
    if not isinstance(source, list):
        raise ImportFileError(f"{path}: a readertui {source.kind}, not an annotation export")
    return source


def read_import(path: Path) -> ImportSource:
    """What `path` holds to import: the annotations of an export, or the records of a changes
    file or another database. Raises ImportFileError naming the file and the problem."""
    data = _read_json(path)
    try:
        if is_changes_data(data):
            changes, _ = changes_from_data(path, data)
            return StoreRecords("changes file", changes)
        if _looks_like_database(data):
            return _database_records(path, data)
        return parse_data(data)
    except ImportFileError as error:
        raise ImportFileError(f"{path}: {error}") from None
    except StoreError as error:
        raise ImportFileError(str(error)) from None


def import_annotations(
    annotations: list[Annotation], store: AnnotationStore, library: Library
) -> ImportResult:
    """Save `annotations` into `store` as annotations of `library`, in one write, and say
    what happened to each.

    One that is here already as another library's is moved to `library`: the newer of the
    two copies, stamped now, since the move is an edit that every other copy of the database
    must take. A legacy one (of no library, DocumentRef.library "") is this library's already
    and follows the usual rule: a newer copy replaces it, and makes it the library's.
    """
    incoming: list[Annotation] = []
    before: dict[str, Annotation | None] = {}
    moved: set[str] = set()
    not_in_library = unchanged = 0
    for imported in annotations:
        annotation = _of_library(imported, library.key)
        earlier = store.annotation(annotation.id)
        if earlier is not None and not earlier.doc.in_library(library.key):
            if stamp_key(earlier.updated) >= stamp_key(annotation.updated):
                annotation = _of_library(earlier, library.key)
            annotation = annotation.touched()
            moved.add(annotation.id)
        elif earlier is not None and stamp_key(earlier.updated) >= stamp_key(annotation.updated):
            # Only a newer edit replaces ours: a copy from the same moment may differ only in
            # how it was last placed (orphaned where its documents were missing), and ours
            # knows better.
            unchanged += 1
            continue
        if library.find(annotation.doc.path) is None:
            not_in_library += 1
            if not annotation.orphaned:
                annotation = replace(annotation, orphaned=True, confidence=0.0)
        before[annotation.id] = earlier
        incoming.append(annotation)
    incoming, not_found = _placed(incoming, library)
    if incoming:
        store.save_annotations(incoming)
    added, updated, refused = _outcomes((a for a in incoming if a.id not in moved), before, store)
    return ImportResult(
        added,
        updated,
        unchanged,
        refused,
        not_in_library,
        moved=sum(1 for key in moved if store.annotation(key) is not None),
        not_found=not_found,
    )


def _placed(annotations: list[Annotation], library: Library) -> tuple[list[Annotation], int]:
    """`annotations` placed in their documents' text, and how many of those in the library
    could not be (orphaned, their quote kept to re-attach them by).

    A document that cannot be read now leaves its annotations as they came: they are placed
    when it is opened.
    """
    by_path: dict[str, list[int]] = {}
    for index, annotation in enumerate(annotations):
        if library.find(annotation.doc.path) is not None:
            by_path.setdefault(annotation.doc.path, []).append(index)
    placed = list(annotations)
    not_found = 0
    workspace = Workspace(library, cache_size=1)
    for rel_path, indices in by_path.items():
        try:
            document = workspace.load(rel_path)
        except DocumentError:
            continue
        placement = workspace.place(document, [annotations[index] for index in indices])
        for index, annotation in zip(indices, placement.annotations, strict=True):
            placed[index] = annotation
            not_found += annotation.orphaned
    return placed, not_found


def import_records(source: StoreRecords, store: AnnotationStore) -> ImportResult:
    """Merge the records of a changes file or database into `store` in one write.

    The same rules as the store's own merge, and as `import_annotations`: an annotation
    replaces ours only when it is newer, a deletion removes what was not changed after it.
    """
    changes = source.changes
    incoming: list[Annotation] = []
    before: dict[str, Annotation | None] = {}
    kept: dict[str, Record] = {}
    unchanged = 0
    for annotation_id, record in changes.annotations.items():
        annotation = Annotation.from_record(record)  # checked when read
        earlier = store.annotation(annotation_id)
        if earlier is not None and stamp_key(earlier.updated) >= stamp_key(annotation.updated):
            unchanged += 1
            continue
        before[annotation_id] = earlier
        incoming.append(annotation)
        kept[annotation_id] = record
    doomed = {key for key in changes.tombstones if store.annotation(key) is not None}
    documents = list(changes.documents.values())
    places = [_document_state(store, record) for record in documents]
    store.merge_changes(dataclasses.replace(changes, annotations=kept))
    added, updated, refused = _outcomes(incoming, before, store)
    return ImportResult(
        added,
        updated,
        unchanged,
        refused,
        not_in_library=0,
        deleted=sum(1 for key in doomed if store.annotation(key) is None),
        documents=sum(
            1
            for record, place in zip(documents, places, strict=True)
            if _document_state(store, record) != place
        ),
        unusable=source.unusable,
    )


def _outcomes(
    incoming: Iterable[Annotation], before: dict[str, Annotation | None], store: AnnotationStore
) -> tuple[int, int, int]:
    added = updated = refused = 0
    for annotation in incoming:
        if store.annotation(annotation.id) is None:
            refused += 1
        elif before[annotation.id] is None:
            added += 1
        else:
            updated += 1
    return added, updated, refused


def _document_state(store: AnnotationStore, record: Record) -> tuple[int | None, tuple[str, ...]]:
    """The reading position and tags of the document of `record` (a checked record)."""
    path, library = record["path"], record.get("library", "")
    return (
        store.reading_position(path, library=library),
        store.document_tags(path, library=library),
    )


def _of_library(annotation: Annotation, library: str) -> Annotation:
    if annotation.doc.library == library:
        return annotation
    return replace(annotation, doc=replace(annotation.doc, library=library))


def _read_json(path: Path) -> object:
    """The JSON data of the file at `path` (ImportFileError naming the file and problem)."""
    try:
        fd = open_regular(path)
        with open(fd, "rb") as file:
            raw = file.read(MAX_IMPORT_BYTES + 1)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except NotARegularFileError as error:
        if error.kind == "a folder":
            raise ImportFileError(f"{path}: is a folder, not an export file") from None
        raise ImportFileError(f"{path}: is {error.kind}, not an export file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a folder, not an export file") from None
    except OSError as error:
        raise ImportFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{path}: too large for an annotation export")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{path}: not UTF-8 text (byte {error.start}), so not a readertui export"
        ) from None
    try:
        return parse_json(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{path}: not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except ValueError as error:
        raise ImportFileError(f"{path}: not JSON that can be read: {error}") from None


def _looks_like_database(data: object) -> bool:
    # A TinyDB file of readertui's: tables of records, stamped with a schema or holding
    # readertui's tables. (An export is an object with a "type"; its values are not tables.)
    if not isinstance(data, dict) or "type" in data:
        return False
    return META in data or "annotations" in data or "documents" in data


def _database_records(path: Path, data: object) -> StoreRecords:
    """The annotations, deletions and documents of another readertui database."""
    try:
        tables = checked_tables(path, data)
    except StoreCorruptError as error:
        raise ImportFileError(f"{path}: not a readertui database: {error.detail}") from None
    contents = split(upgrade(path, tables))
    snapshot = contents.snapshot
    tombstones = {
        key: record
        for key, record in snapshot.tombstones.items()
        if stamp_key(record.get("deleted"))  # a deletion with no time removes nothing
    }
    documents = {
        key: partial
        for key, record in snapshot.documents.items()
        if (partial := _stamped_groups(record)) is not None
    }
    # The session (the document read last) belongs to the machine the database came from.
    changes = Snapshot(snapshot.annotations, tombstones, documents)
    return StoreRecords("database", changes, unusable=len(contents.problems))


def _stamped_groups(record: Record) -> Record | None:
    """A document record cut to its field groups that carry a time and a usable value (only
    those can be merged: a group without a time is older than any), or None if none do."""
    identity = ("library", "path") if record.get("library") else ("path",)
    partial: Record = {name: record[name] for name in identity}
    for group, stamp in DOCUMENT_STAMPS.items():
        value = record.get(group)
        if not stamp_key(record.get(stamp)):
            continue
        if group == "position" and (type(value) is not int or value < 0):
            continue
        if group == "tags" and not (
            isinstance(value, list) and all(isinstance(tag, str) for tag in value)
        ):
            continue
        partial[group] = value
        partial[stamp] = record[stamp]
    return partial if len(partial) > len(identity) else None
