"""Changes made in this process that are not in the database file yet, as the file's records.

The app records every change here first and the save queue (save_queue.py) writes them with
`Store.merge_changes`. Changes are kept as the records the file holds (an annotation's record,
a tombstone, a document's field group with its stamp, a session record), so the newest change
per key is all that needs keeping, a failed write loses nothing (the records stay until a write
that contained them succeeds), and what could not be written at all can be put in a changes
file and merged later by the very same rules (merge.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from readertui.core.annotations import Annotation, normalise_tags, now_iso
from readertui.store.layout import document_key, last_document_key
from readertui.store.merge import Record, Snapshot, merge, newer_tombstone, stamp_key


class PendingChanges:
    """The newest unwritten change per record, safe to use from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes = Snapshot()

    # -- recording ----------------------------------------------------------------------------

    def save_annotation(self, annotation: Annotation) -> None:
        """Record a new or edited annotation (an older copy never replaces a newer one)."""
        record = annotation.to_record()
        with self._lock:
            earlier = self._changes.annotations.get(annotation.id)
            if earlier is not None and stamp_key(earlier.get("updated")) > stamp_key(
                record["updated"]
            ):
                return
            self._replace("annotations", annotation.id, record)

    def delete_annotation(self, annotation_id: str, when: str | None = None) -> None:
        """Record the deletion of an annotation, made at `when` (default: now)."""
        tombstone = {"id": annotation_id, "deleted": when or now_iso()}
        with self._lock:
            earlier = self._changes.tombstones.get(annotation_id)
            if earlier is not None:
                tombstone = newer_tombstone(earlier, tombstone)
            self._replace("tombstones", annotation_id, tombstone)

    def set_reading_position(self, rel_path: str, offset: int, *, library: str = "") -> None:
        """Record where the reader is in the document at `rel_path` of `library`."""
        self._set_document_group(library, rel_path, "position", offset, "position_updated")

    def set_document_tags(self, rel_path: str, tags: Iterable[str], *, library: str = "") -> None:
        """Record the tags of the document at `rel_path` of `library` itself."""
        cleaned = list(normalise_tags(tags))
        self._set_document_group(library, rel_path, "tags", cleaned, "tags_updated")

    def set_last_document(self, rel_path: str, *, library: str = "") -> None:
        """Record the document of `library` read last."""
        key = last_document_key(library)
        record = {"key": key, "value": rel_path, "updated": now_iso()}
        with self._lock:
            self._replace("session", key, record)

    def set_session_value(self, key: str, value: object) -> None:
        """Record `value` (plain JSON data) under session key `key`."""
        record = {"key": key, "value": value, "updated": now_iso()}
        with self._lock:
            self._replace("session", key, record)

    def add(self, changes: Snapshot) -> None:
        """Take in changes recorded elsewhere (a changes file from an earlier session)."""
        with self._lock:
            self._changes = merge(self._changes, changes)

    def _set_document_group(
        self, library: str, rel_path: str, field: str, value: object, stamp: str
    ) -> None:
        key = document_key(library, rel_path)
        with self._lock:
            earlier = self._changes.documents.get(key)
            record: Record = dict(earlier) if earlier is not None else _document(library, rel_path)
            record[field] = value
            record[stamp] = now_iso()
            self._replace("documents", key, record)

    def _replace(self, table: str, key: str, record: Record) -> None:
        # Each change makes a new table dict: a snapshot handed to the writer never changes.
        records = dict(getattr(self._changes, table))
        records[key] = record
        self._changes = _with_table(self._changes, table, records)

    # -- writing ------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """Everything not yet written, as it is now (never changed afterwards)."""
        with self._lock:
            return self._changes

    def forget(self, written: Snapshot) -> None:
        """Drop the records that `written` (an earlier snapshot) put on disk.

        A record changed again since that snapshot stays: it is a newer change, not written yet.
        """
        with self._lock:
            current = self._changes
            for table in ("annotations", "tombstones", "documents", "session"):
                done = getattr(written, table)
                records: dict[str, Record] = getattr(current, table)
                left = {key: r for key, r in records.items() if done.get(key) is not r}
                if len(left) != len(records):
                    current = _with_table(current, table, left)
            self._changes = current

    # -- telling ------------------------------------------------------------------------------

    def __len__(self) -> int:
        changes = self.snapshot()
        return (
            len(changes.annotations)
            + len(changes.tombstones)
            + len(changes.documents)
            + len(changes.session)
        )

    def __bool__(self) -> bool:
        return len(self) > 0

    def summary(self) -> str:
        """What is waiting, in words: "2 highlights or notes, 1 deletion"."""
        return describe_changes(self.snapshot())


def describe_changes(changes: Snapshot) -> str:
    """A set of changes in words, for the status line and the dialogs ("nothing" if empty)."""
    parts: list[str] = []
    edited = len(changes.annotations)
    if edited:
        parts.append(
            f"{edited} highlight{'s' if edited != 1 else ''} or note{'s' if edited != 1 else ''}"
        )
    deleted = len(changes.tombstones)
    if deleted:
        parts.append(f"{deleted} deletion{'s' if deleted != 1 else ''}")
    tagged = sum(1 for record in changes.documents.values() if "tags" in record)
    if tagged:
        parts.append(f"the tags of {tagged} document{'s' if tagged != 1 else ''}")
    placed = sum(1 for record in changes.documents.values() if "position" in record)
    if placed:
        parts.append(f"{placed} reading position{'s' if placed != 1 else ''}")
    if changes.session:
        parts.append("the document read last")
    return ", ".join(parts) if parts else "nothing"


def _document(library: str, rel_path: str) -> Record:
    """A document's record with only its identity: the path, and the library if it has one."""
    return {"library": library, "path": rel_path} if library else {"path": rel_path}


def _with_table(snapshot: Snapshot, table: str, records: dict[str, Record]) -> Snapshot:
    tables = {
        "annotations": snapshot.annotations,
        "tombstones": snapshot.tombstones,
        "documents": snapshot.documents,
        "session": snapshot.session,
    }
    tables[table] = records
    return Snapshot(**tables)
