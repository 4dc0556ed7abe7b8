"""How the database is laid out in its TinyDB file, and read back from it.

The file is TinyDB's ``{table: {doc_id: record}}``; in memory the records are keyed by their
own key field (a `Snapshot`), since doc_ids are only numbers TinyDB hands out (two processes
would hand out the same one, and TinyDB reuses them after deletes). What cannot be keyed is
carried through unchanged: the `_meta` table, tables this version does not know, and records
whose key field is unusable or, for annotations, that do not hold a valid annotation (a hand
edit gone wrong): those are `problems`, kept in the file exactly as they are and never merged,
so no write can change or drop them. Nothing read from the file is dropped, except the older of
two records with the same key.

Annotations and tombstones are keyed by their `id`, session records by their `key`, and
documents by their library and path together (`document_key`): two libraries may each have an
`a.txt`, and each keeps its own reading position and tags. A document record without a
`library` is a legacy one, written before libraries had identities (schema 2 and older).

Each keyed record keeps the doc_id it was read with, so a rewrite changes only what changed
(for people who keep the file in git or a sync folder). Records new to the file get numbers
above every doc_id in use.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NamedTuple

from readertui.core.annotations import Annotation
from readertui.store.atomic_storage import Tables
from readertui.store.merge import (
    DOCUMENT_STAMPS,
    Record,
    RecordMerge,
    Snapshot,
    merge,
    merge_document,
    newer_record,
    newer_tombstone,
    normalised,
    stamp_key,
)

META: Final = "_meta"
ANNOTATIONS: Final = "annotations"
TOMBSTONES: Final = "tombstones"
DOCUMENTS: Final = "documents"
SESSION: Final = "session"

#: The keyed tables. Table names equal Snapshot field names.
KEYED_TABLES: Final = (ANNOTATIONS, TOMBSTONES, DOCUMENTS, SESSION)

#: The field that names a record of each keyed table (for a document, with its library).
NAME_FIELDS: Final = {ANNOTATIONS: "id", TOMBSTONES: "id", DOCUMENTS: "path", SESSION: "key"}

#: The session key of the document read last, before libraries had identities.
LEGACY_LAST_DOCUMENT: Final = "last_document"

# A document key that is not a plain path starts with this, which no file name can hold.
_ENCODED_KEY: Final = "\0"

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


def document_key(library: str, path: str) -> str:
    """The key of the document record of `path` in the library with key `library` ("": a
    legacy record), in `Snapshot.documents`. Distinct pairs always have distinct keys.

    A legacy record's key is its path, as before libraries had identities; any other is
    marked by a NUL first (no file name holds one) and spells both parts out unambiguously.
    """
    if not library and not path.startswith(_ENCODED_KEY):
        return path
    return _ENCODED_KEY + json.dumps([library, path])


def last_document_key(library: str) -> str:
    """The key of the session record naming the document of `library` read last ("": the
    legacy record, from before libraries had identities). The key is written in the file."""
    return f"{LEGACY_LAST_DOCUMENT}:{library}" if library else LEGACY_LAST_DOCUMENT


def jump_history_key(library: str) -> str:
    """The key of the session record holding the jump history of `library`."""
    return f"jumps:{library}"


def record_key(table: str, record: Record) -> str | None:
    """The key of `record` in the keyed `table`, or None when it cannot have one (see
    `unusable_reason`)."""
    if unusable_reason(table, record) is not None:
        return None
    return _key_of(table, record)


def _key_of(table: str, record: Record) -> str:
    """The key of a record of `table` that `unusable_reason` finds usable."""
    if table == DOCUMENTS:
        return document_key(record.get("library", ""), record["path"])
    key: str = record[NAME_FIELDS[table]]
    return key


def check_changes(changes: Snapshot) -> None:
    """Raise ValueError with a one-line reason unless every record of `changes` can be kept.

    Keys must be the records' own keys (`record_key`); annotations must be valid
    (Annotation.from_record); tombstones, session records and each field group of a document
    must carry a readable time.
    """
    if not isinstance(changes, Snapshot):
        raise ValueError(f"changes are a Snapshot, not {type(changes).__name__}")
    for table in KEYED_TABLES:
        records = getattr(changes, table)
        if not isinstance(records, dict):
            raise ValueError(f"the {table} of the changes are not a dict")
        for key, record in records.items():
            if not isinstance(key, str) or not key:
                raise ValueError(f"{table}: a key is {key!r}, not text")
            where = f"{table} {_shown_key(table, key)}"
            if not isinstance(record, dict):
                raise ValueError(f"{where}: the record is not an object")
            reason = unusable_reason(table, record)
            if reason is not None:
                raise ValueError(f"{where}: {reason}")
            if _key_of(table, record) != key:
                raise ValueError(f"{where}: the record's {_key_words(table)} is not its key")
            _CHECKS[table](where, record)


class RecordProblem(NamedTuple):
    """A record of the file that is not used: why, and where it is (kept there as it is)."""

    table: str  # the file's table, e.g. "annotations"
    doc_id: str  # its number in the table
    key: str  # its id (a document's path, a session key) when usable, else ""
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
        for table in KEYED_TABLES:
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
        doc_ids={table: {} for table in KEYED_TABLES},
        carried={META: {"1": {"schema": schema}}},
        next_doc_id=dict.fromkeys(KEYED_TABLES, 1),
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
        if table not in KEYED_TABLES:
            carried[table] = rows
            continue
        keyed: dict[str, Record] = {}
        ids: dict[str, str] = {}
        for doc_id, record in rows.items():
            reason = unusable_reason(table, record)
            key = _key_of(table, record) if reason is None else ""
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
                name = record.get(NAME_FIELDS[table])
                usable_name = name if isinstance(name, str) and name else ""
                problems.append(RecordProblem(table, doc_id, usable_name, reason))
            elif key in keyed:
                keyed[key] = _PICK[table](keyed[key], record)
            else:
                keyed[key] = record
                ids[key] = doc_id
        records[table] = keyed
        doc_ids[table] = ids
    for table in KEYED_TABLES:
        records.setdefault(table, {})
        doc_ids.setdefault(table, {})
    snapshot = normalised(Snapshot(**records))
    doc_ids = _only_present(snapshot, doc_ids)
    return Contents(
        snapshot=snapshot,
        doc_ids=doc_ids,
        carried=carried,
        next_doc_id={
            table: _above(doc_ids[table].values(), carried.get(table, {})) for table in KEYED_TABLES
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
    for table in KEYED_TABLES:
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
    for table in KEYED_TABLES:
        rows = tables.setdefault(table, {})
        doc_ids = contents.doc_ids[table]
        for key, record in contents.records(table).items():
            rows[doc_ids[key]] = record
    return tables


def unusable_reason(table: str, record: Record) -> str | None:
    """Why `record` of the keyed `table` cannot be keyed, or None. Only what keying needs is
    checked here; the text completes "not used (…)"."""
    name_field = NAME_FIELDS[table]
    name = record.get(name_field)
    if not isinstance(name, str) or not name:
        return f"its {name_field!r} is {'missing' if name is None else repr(name)}"
    if table == DOCUMENTS and not isinstance(record.get("library", ""), str):
        return f"its 'library' is {record['library']!r}, not text"
    if table == TOMBSTONES and not isinstance(record.get("deleted"), str):
        return "it has no 'deleted' time"
    return None


def _shown_key(table: str, key: str) -> str:
    """A key as a reason shows it: a document's as its library and path."""
    if table == DOCUMENTS and key.startswith(_ENCODED_KEY):
        library, path = json.loads(key[len(_ENCODED_KEY) :])
        return f"{path!r} of the library {library!r}" if library else repr(path)
    return repr(key)


def _key_words(table: str) -> str:
    return "library and 'path'" if table == DOCUMENTS else repr(NAME_FIELDS[table])


def _check_annotation(where: str, record: Record) -> None:
    try:
        Annotation.from_record(record)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _check_tombstone(where: str, record: Record) -> None:
    _check_time(where, record, "deleted")


def _check_document(where: str, record: Record) -> None:
    if "position" in record:
        position = record["position"]
        if type(position) is not int or position < 0:
            raise ValueError(f"{where}: the position {position!r} is not a whole number >= 0")
    tags = record.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f"{where}: its tags are not a list of text")
    for group, stamp in DOCUMENT_STAMPS.items():
        if group in record or stamp in record:
            _check_time(where, record, stamp)


def _check_session(where: str, record: Record) -> None:
    _check_time(where, record, "updated")


def _check_time(where: str, record: Record, name: str) -> None:
    if not stamp_key(record.get(name)):
        raise ValueError(f"{where}: its {name!r} is not a time")


_CHECKS: Final[dict[str, Callable[[str, Record], None]]] = {
    ANNOTATIONS: _check_annotation,
    TOMBSTONES: _check_tombstone,
    DOCUMENTS: _check_document,
    SESSION: _check_session,
}


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
