"""`readertui import FILE.json`: bring exported annotations into the database, all or nothing.

The file is read and checked whole before anything is written; a problem anywhere rejects it
with the reason and imports nothing. Annotations are matched by id, with the store's rule
(the newer `updated` wins, a deletion made here is not undone), so importing a file twice
adds nothing. Annotations of documents that are not in the library are kept, marked orphaned:
they are listed with their quotes and are placed again once the document is there.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from readertui.core.annotations import Annotation
from readertui.core.library import Library
from readertui.errors import ImportFileError
from readertui.export.web_annotation import parse_collection
from readertui.store.merge import stamp_key

# More than this is not an annotation export, and reading it would only use up memory.
MAX_IMPORT_BYTES = 512 * 1024 * 1024


class AnnotationStore(Protocol):
    """What an import needs of the store (readertui.store.Store has it)."""

    def annotation(self, annotation_id: str) -> Annotation | None: ...

    def save_annotations(self, annotations: list[Annotation]) -> None: ...


@dataclass(frozen=True)
class ImportResult:
    """What an import did, by annotation."""

    added: int
    updated: int
    unchanged: int  # already here, the same or newer
    refused: int  # deleted here after the imported copy was last changed
    not_in_library: int  # kept, orphaned

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged + self.refused

    def summary(self, path: Path) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.refused:
            parts.append(f"{self.refused} deleted here, not restored")
        line = f"imported {path}: {', '.join(parts)}"
        if self.not_in_library:
            line += f"; {self.not_in_library} for documents not in the library (orphaned)"
        return line


def read_import_file(path: Path) -> list[Annotation]:
    """The annotations in an export file; raises ImportFileError naming the file and problem."""
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFileError(f"{path}: too large for an annotation export ({size} bytes)")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a folder, not an export file") from None
    except OSError as error:
        raise ImportFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{path}: not UTF-8 text (byte {error.start}), so not a readertui export"
        ) from None
    try:
        return parse_collection(text)
    except ImportFileError as error:
        raise ImportFileError(f"{path}: {error}") from None


def import_annotations(
    annotations: list[Annotation], store: AnnotationStore, library: Library
) -> ImportResult:
    """Save `annotations` into `store` in one write and say what happened to each."""
    incoming: list[Annotation] = []
    before: dict[str, Annotation | None] = {}
    not_in_library = unchanged = 0
    for annotation in annotations:
        if library.find(annotation.doc.path) is None:
            not_in_library += 1
            if not annotation.orphaned:
                annotation = replace(annotation, orphaned=True, confidence=0.0)
        earlier = store.annotation(annotation.id)
        # Only a newer edit replaces ours: a copy from the same moment may differ only in how
        # it was last placed (orphaned where its documents were missing), and ours knows better.
        if earlier is not None and stamp_key(earlier.updated) >= stamp_key(annotation.updated):
            unchanged += 1
            continue
        before[annotation.id] = earlier
        incoming.append(annotation)
    if incoming:
        store.save_annotations(incoming)
    added = updated = refused = 0
    for annotation in incoming:
        if store.annotation(annotation.id) is None:
            refused += 1
        elif before[annotation.id] is None:
            added += 1
        else:
            updated += 1
    return ImportResult(added, updated, unchanged, refused, not_in_library)
