"""How the database is laid out in its TinyDB file, and read back from it.

The file is TinyDB's ``{table: {doc_id: record}}``; in memory the records are keyed by their
own key field (a `Snapshot`), since doc_ids are only numbers TinyDB hands out (two processes
would hand out the same one, and TinyDB reuses them after deletes). What cannot be keyed is
carried through unchanged: the `_meta` table, tables this version does not know, and records
whose key field is unusable or, for annotations, that do not hold a valid annotation (a hand
edit gone wrong): those are `problems`, kept in the file exactly as they are and never merged,
so no write can change or drop them. Nothing read from the file is dropped, except the older of
two records with the same key.

Each keyed record keeps the doc_id it was read with, so a rewrite changes only what changed
(for people who keep the file in git or a sync folder). Records new to the file get numbers
above every doc_id in use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from readertui.core.annotations import Annotation
from readertui.store.atomic_storage import Tables
from readertui.store.merge import (
    Record,
    RecordMerge,
    Snapshot,
    merge,
    merge_document,
    newer_record,
    newer_tombstone,
    normalised,
)

META: Final = "_meta"
ANNOTATIONS: Final = "annotations"
TOMBSTONES: Final = "tombstones"
DOCUMENTS: Final = "documents"
SESSION: Final = "session"

#: The field each keyed table's records are found by. Table names equal Snapshot field names.
KEY_FIELDS: Final = {ANNOTATIONS: "id", TOMBSTONES: "id", DOCUMENTS: "path", SESSION: "key"}

#: How two records with the same key become one, per table.
_PICK: Final[dict[str, RecordMerge]] = {
    ANNOTATIONS: newer_record,
    TOMBSTONES: newer_tombstone,
    DOCUMENTS: merge_document,
    SESSION: newer_record,
}

_MAX_DOC_ID_DIGITS: Final = 18

_KINDS: Final = {
    ANNOTATIONS: "annotation",
    TOMBSTONES: "deletion",
    DOCUMENTS: "document",
    SESSION: "session",
}


@dataclass(frozen=True)
class RecordProblem:
    """A record of the file that is not used: why, and where it is (kept there as it is)."""

    table: str  # the file's table, e.g. "annotations"
    doc_id: str  # its number in the table
    key: str  # its id (path, key) when it has a usable one, else ""
    reason: str  # completes "not used (…)"

    @property
    def kind(self) -> str:
        """What the record should be, in words: "annotation", "deletion", "document"…"""
        return _KINDS.get(self.table, "record")

    @property
    def name(self) -> str:
        """How to find it in the file: its id when it has one, else its table's number."""
        return self.key or f"record {self.doc_id}"

    def describe(self, path: Path) -> str:
        """One line for the user, naming the database file."""
        return (
            f"{path}: {self.kind} {self.name} is not used ({self.reason}); it is kept in "
            "the file as it is"
        )


#: An annotation checked while reading, by id, with the record it was built from.
Parsed = dict[str, tuple[Record, Annotation]]


@dataclass(frozen=True)
class Contents:
    """Everything the file holds, as the Store keeps it in memory. Never changed once built."""

    snapshot: Snapshot
    #: table -> key -> doc_id, for every keyed record; unique, and apart from `carried` ones.
    doc_ids: dict[str, dict[str, str]]
    #: table -> doc_id -> record kept exactly as read: _meta, unknown tables, unusable records.
    carried: Tables
    #: table -> the smallest number above every doc_id in use.
    next_doc_id: dict[str, int]
    #: Each record that is carried because it cannot be used.
    problems: tuple[RecordProblem, ...] = ()

    def records(self, table: str) -> dict[str, Record]:
        records: dict[str, Record] = getattr(self.snapshot, table)
        return records

    def with_records(self, table: str, changes: Mapping[str, Record | None]) -> Contents:
        """A copy with `changes` applied to `table`: a record to set, None to remove."""
        records = dict(self.records(table))
        doc_ids = dict(self.doc_ids[table])
        next_doc_id = self.next_doc_id[table]
        for key, record in changes.items():
            if record is None:
                records.pop(key, None)
                doc_ids.pop(key, None)
                continue
            records[key] = record
            if key not in doc_ids:
                doc_ids[key] = str(next_doc_id)
                next_doc_id += 1
        return dataclasses.replace(
            self,
            snapshot=dataclasses.replace(self.snapshot, **{table: records}),
            doc_ids={**self.doc_ids, table: doc_ids},
            next_doc_id={**self.next_doc_id, table: next_doc_id},
        )

    def with_snapshot(self, snapshot: Snapshot) -> Contents:
        """A copy holding `snapshot`: records that stay keep their doc_ids, new ones get new."""
        contents = self
        for table in KEY_FIELDS:
            old: dict[str, Record] = getattr(self.snapshot, table)
            new: dict[str, Record] = getattr(snapshot, table)
            if old is new:
                continue
            changes: dict[str, Record | None] = {
                key: record for key, record in new.items() if old.get(key) is not record
            }
            changes.update((key, None) for key in old if key not in new)
            if changes:
                contents = contents.with_records(table, changes)
        return contents


def new_contents(schema: int) -> Contents:
    """An empty database stamped with `schema`."""
    return Contents(
        snapshot=Snapshot(),
        doc_ids={table: {} for table in KEY_FIELDS},
        carried={META: {"1": {"schema": schema}}},
        next_doc_id=dict.fromkeys(KEY_FIELDS, 1),
    )


def split(
    tables: Tables, *, known: Snapshot | None = None, parsed: Parsed | None = None
) -> Contents:
    """The contents of checked (and migrated) file tables.

    Each annotation record is checked (Annotation.from_record) unless it equals the record
    `known` holds for its id, which was checked when it came in: then that record object is
    used, so re-reading a file another process changed costs only what changed. The
    annotations built while checking are put in `parsed`, for the caller's cache.
    """
    carried: Tables = {}
    problems: list[RecordProblem] = []
    records: dict[str, dict[str, Record]] = {}
    doc_ids: dict[str, dict[str, str]] = {}
    known_annotations = known.annotations if known is not None else {}
    for table, rows in tables.items():
        key_field = KEY_FIELDS.get(table)
        if key_field is None:
            carried[table] = rows
            continue
        keyed: dict[str, Record] = {}
        ids: dict[str, str] = {}
        for doc_id, record in rows.items():
            key = record.get(key_field)
            reason = _unusable(table, key_field, record)
            if reason is None and table == ANNOTATIONS:
                ours = known_annotations.get(key)
                if ours is not None and ours == record:
                    record = ours
                else:
                    try:
                        annotation = Annotation.from_record(record)
                    except ValueError as error:
                        reason = str(error)
                    else:
                        if parsed is not None:
                            parsed[key] = (record, annotation)
            if reason is not None:
                carried.setdefault(table, {})[doc_id] = record
                usable_key = key if isinstance(key, str) and key else ""
                problems.append(RecordProblem(table, doc_id, usable_key, reason))
            elif key in keyed:
                keyed[key] = _PICK[table](keyed[key], record)
            else:
                keyed[key] = record
                ids[key] = doc_id
        records[table] = keyed
        doc_ids[table] = ids
    for table in KEY_FIELDS:
        records.setdefault(table, {})
        doc_ids.setdefault(table, {})
    snapshot = normalised(Snapshot(**records))
    doc_ids = _only_present(snapshot, doc_ids)
    return Contents(
        snapshot=snapshot,
        doc_ids=doc_ids,
        carried=carried,
        next_doc_id={
            table: _above(doc_ids[table].values(), carried.get(table, {})) for table in KEY_FIELDS
        },
        problems=tuple(problems),
    )


def merged(ours: Contents, disk: Contents) -> Contents:
    """Ours with the file's contents merged in (see merge.py); the file's doc_ids win.

    Carried records are the file's: this process never makes or edits them, so the file's copy
    is the newest (and a record a person removed by hand stays removed).
    """
    snapshot = merge(ours.snapshot, disk.snapshot)
    doc_ids: dict[str, dict[str, str]] = {}
    next_doc_id: dict[str, int] = {}
    for table in KEY_FIELDS:
        theirs = disk.doc_ids[table]
        mine = ours.doc_ids[table]
        taken = set(theirs.values()) | set(disk.carried.get(table, {}))
        ids: dict[str, str] = {}
        homeless: list[str] = []
        for key in getattr(snapshot, table):
            if key in theirs:
                ids[key] = theirs[key]
            elif key in mine and mine[key] not in taken:
                ids[key] = mine[key]
                taken.add(mine[key])
            else:
                homeless.append(key)
        number = max(ours.next_doc_id[table], disk.next_doc_id[table])
        for key in homeless:
            ids[key] = str(number)
            number += 1
        doc_ids[table] = ids
        next_doc_id[table] = number
    return Contents(snapshot, doc_ids, disk.carried, next_doc_id, disk.problems)


def assemble(contents: Contents) -> Tables:
    """The file form of `contents`: every carried record, and every keyed one at its doc_id."""
    tables: Tables = {table: dict(rows) for table, rows in contents.carried.items()}
    for table in KEY_FIELDS:
        rows = tables.setdefault(table, {})
        doc_ids = contents.doc_ids[table]
        for key, record in contents.records(table).items():
            rows[doc_ids[key]] = record
    return tables


def _unusable(table: str, key_field: str, record: Record) -> str | None:
    """Why `record` cannot be keyed, or None. Only what keying needs is checked here."""
    key = record.get(key_field)
    if not isinstance(key, str) or not key:
        return f"its {key_field!r} is {'missing' if key is None else repr(key)}"
    if table == TOMBSTONES and not isinstance(record.get("deleted"), str):
        return "it has no 'deleted' time"
    return None


def _only_present(
    snapshot: Snapshot, doc_ids: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    # Records a tombstone removed while reading give their doc_ids up.
    return {
        table: {key: ids[key] for key in getattr(snapshot, table)} for table, ids in doc_ids.items()
    }


def _above(*groups: Iterable[str]) -> int:
    highest = 0
    for group in groups:
        for doc_id in group:
            # TinyDB's doc_ids are small numbers; a hand-edited key may be anything.
            if doc_id.isdecimal() and len(doc_id) <= _MAX_DOC_ID_DIGITS:
                highest = max(highest, int(doc_id))
    return highest + 1
