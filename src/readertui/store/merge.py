"""The merge of two copies of the database: what two readertui processes on one file agree on.

Pure functions on plain records, no I/O. The rules, the same for a merge with the file on disk
and for a process's own saves:

- Annotations, by `id`: the record with the newer `updated` wins; on a tie, ours stays.
- Deletions are tombstones ``{"id", "deleted"}``, kept forever and unioned (the newest
  `deleted` per id). A tombstone removes every record of its id whose `updated` is not newer
  than `deleted`, so a merge with a copy that still has the annotation never brings it back.
  An edit made *after* the deletion (in a process that had not seen it yet) is newer and
  survives: newer wins, as for any other conflict.
- Documents, by library and path (layout.document_key): each field group has its own stamp
  (`position` with `position_updated`, `tags` with `tags_updated`) and the newer group wins.
  One stamp for the whole record would let a scroll in one session undo a tag edit made in
  the other.
- Session records, by `key`: the newer `updated` wins.

Times compare as instants (see `stamp_key`); a missing or unreadable time is older than any.

A process applies a set of its own changes (`apply_changes`, Store.merge_changes) by the same
rules, except that a change wins a tie, as a save does: re-anchoring keeps `updated`, and
its new offsets must be written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

Record = dict[str, Any]
"""One JSON object as stored in the file."""

RecordMerge = Callable[[Record, Record], Record]
"""Chooses (or builds) the record that survives from ours and theirs for one key."""

#: Field groups of a document record and the stamp each one carries.
DOCUMENT_STAMPS: Final = {"position": "position_updated", "tags": "tags_updated"}

_CANONICAL_LENGTH: Final = len("2025-01-01T00:00:00.000000Z")


@dataclass(frozen=True)
class Snapshot:
    """Every keyed record of the database. The dicts are never changed once built."""

    annotations: dict[str, Record] = field(default_factory=dict)  # id -> record
    tombstones: dict[str, Record] = field(default_factory=dict)  # id -> {"id", "deleted"}
    # layout.document_key(library, path) -> record
    documents: dict[str, Record] = field(default_factory=dict)
    session: dict[str, Record] = field(default_factory=dict)  # key -> record


def stamp_key(value: object) -> str:
    """`value` (an ISO 8601 time) in a form that sorts as time: UTC, microseconds, `Z`.

    The fast path is the form `now_iso` writes, returned as it is. Other ISO forms (offsets,
    no fraction, a hand-edited file) are converted; a time without an offset is taken as UTC.
    Anything else is "" which sorts before every time.
    """
    if not isinstance(value, str):
        return ""
    if len(value) == _CANONICAL_LENGTH and value[-1] == "Z" and value[10] == "T":
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        # Year 1 with a positive offset falls off the calendar: as good as no time at all.
        return ""
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def is_deleted_by(record: Mapping[str, Any], tombstone: Mapping[str, Any]) -> bool:
    """Whether `tombstone` removes `record`: deleted at or after the record's last change."""
    return stamp_key(tombstone.get("deleted")) >= stamp_key(record.get("updated"))


# --- one key -----------------------------------------------------------------------------------


def newer_record(ours: Record, theirs: Record) -> Record:
    """The record with the newer `updated`; ours on a tie."""
    return theirs if stamp_key(theirs.get("updated")) > stamp_key(ours.get("updated")) else ours


def newer_tombstone(ours: Record, theirs: Record) -> Record:
    """The tombstone with the newer `deleted`; ours on a tie."""
    return theirs if stamp_key(theirs.get("deleted")) > stamp_key(ours.get("deleted")) else ours


def merge_document(ours: Record, theirs: Record) -> Record:
    """One document's record: each field group from the side that changed it last.

    Fields outside the groups (`library`, `path`, anything a later version adds) are ours, and
    theirs where we have none.
    """
    merged = {**theirs, **ours}
    for name, stamp in DOCUMENT_STAMPS.items():
        if stamp_key(theirs.get(stamp)) <= stamp_key(ours.get(stamp)):
            continue
        for key in (name, stamp):
            if key in theirs:
                merged[key] = theirs[key]
            else:
                merged.pop(key, None)
    return merged


def merge_table(
    ours: dict[str, Record], theirs: dict[str, Record], pick: RecordMerge
) -> dict[str, Record]:
    """Every key of both tables, with `pick` deciding the keys both have.

    Returns `ours` itself when nothing of theirs changes it, so equal copies cost no new dict
    and keep their record objects (which the Store's caches are keyed on).
    """
    merged: dict[str, Record] | None = None
    for key, their_record in theirs.items():
        our_record = ours.get(key)
        if our_record is None:
            chosen = their_record
        elif our_record is their_record or our_record == their_record:
            continue
        else:
            chosen = pick(our_record, their_record)
            if chosen is our_record or chosen == our_record:
                continue
        if merged is None:
            merged = dict(ours)
        merged[key] = chosen
    return ours if merged is None else merged


def without_deleted(
    annotations: dict[str, Record], tombstones: dict[str, Record]
) -> dict[str, Record]:
    """`annotations` minus those their tombstone removes (`annotations` itself if none)."""
    kept: dict[str, Record] | None = None
    for annotation_id, tombstone in tombstones.items():
        record = annotations.get(annotation_id)
        if record is not None and is_deleted_by(record, tombstone):
            if kept is None:
                kept = dict(annotations)
            del kept[annotation_id]
    return annotations if kept is None else kept


# --- whole snapshots ---------------------------------------------------------------------------


def merge(ours: Snapshot, theirs: Snapshot) -> Snapshot:
    """Ours and theirs combined by the rules above. Returns `ours` when theirs adds nothing.

    Which ids survive does not depend on the order of the arguments; only ties between two
    different records with the same time keep ours.
    """
    tombstones = merge_table(ours.tombstones, theirs.tombstones, newer_tombstone)
    annotations = without_deleted(
        merge_table(ours.annotations, theirs.annotations, newer_record), tombstones
    )
    documents = merge_table(ours.documents, theirs.documents, merge_document)
    session = merge_table(ours.session, theirs.session, newer_record)
    if (
        annotations is ours.annotations
        and tombstones is ours.tombstones
        and documents is ours.documents
        and session is ours.session
    ):
        return ours
    return Snapshot(annotations, tombstones, documents, session)


def normalised(snapshot: Snapshot) -> Snapshot:
    """`snapshot` without the annotations its own tombstones remove (a hand-edited file)."""
    return merge(snapshot, Snapshot())


# --- a set of changes --------------------------------------------------------------------------


def new_document(library: str, path: str) -> Record:
    """The record of a document the database does not know yet: its identity (the library
    only when it has one, "" being a legacy record) and no tags."""
    identity: Record = {"library": library, "path": path} if library else {"path": path}
    return {**identity, "tags": []}


def apply_changes(base: Snapshot, changes: Snapshot) -> Snapshot:
    """`base` with `changes` applied by the rules above, a change winning a tie.

    Each tombstone of `changes` is first made no earlier than the `updated` of the record it
    deletes in `base` (`deletion_time`). A document record in `changes` holds only the field
    groups that changed, with their stamps; one new to `base` starts as `new_document`.
    Returns `base` itself when nothing changes.
    """
    bumped = {
        key: _no_earlier(tombstone, base.annotations.get(key))
        for key, tombstone in changes.tombstones.items()
    }
    tombstones = merge_table(base.tombstones, bumped, newer_tombstone)
    annotations = without_deleted(
        merge_table(base.annotations, changes.annotations, _change_wins_ties), tombstones
    )
    arriving = {
        key: record if key in base.documents else merge_document(_new_document_of(record), record)
        for key, record in changes.documents.items()
    }
    documents = merge_table(base.documents, arriving, merge_document)
    session = merge_table(base.session, changes.session, _change_wins_ties)
    if (
        annotations is base.annotations
        and tombstones is base.tombstones
        and documents is base.documents
        and session is base.session
    ):
        return base
    return Snapshot(annotations, tombstones, documents, session)


def deletion_time(when: str, record: Mapping[str, Any] | None) -> str:
    """When a deletion at `when` counts as made: never before the `updated` of the record
    it deletes (a clock that ran ahead, a hand edit), or it would not remove it."""
    if record is None:
        return when
    return max(when, stamp_key(record.get("updated")), key=stamp_key)


def _no_earlier(tombstone: Record, record: Record | None) -> Record:
    deleted = tombstone.get("deleted")
    when = deletion_time(deleted, record) if isinstance(deleted, str) else deleted
    return tombstone if when == deleted else {**tombstone, "deleted": when}


def _new_document_of(record: Record) -> Record:
    library = record.get("library", "")
    return new_document(library if isinstance(library, str) else "", str(record.get("path")))


def _change_wins_ties(ours: Record, change: Record) -> Record:
    newer = stamp_key(change.get("updated")) >= stamp_key(ours.get("updated"))
    return change if newer else ours
