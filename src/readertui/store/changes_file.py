"""Changes files: a set of changes kept in a file of their own, to be merged into a database later.

When changes cannot be written to the database (a full disk, a read-only folder, a signal
while the disk is away), the app keeps them in a changes file and the next start offers to
merge it (Store.merge_changes); `readertui import` merges one too. A changes file has the
database's own TinyDB layout, so a person can read it, and only the changed records: the
annotations, tombstones, document field groups and session records of a `Snapshot`. Its
`_meta` record says what it is, for which database and when it was written:

    {"_meta": {"1": {"schema": 3, "kind": "readertui changes",
                     "database": "/home/me/.local/share/readertui/annotations.json",
                     "written": "2026-01-01T00:00:00.000000Z"}},
     "annotations": {"1": {...}}, "tombstones": {},
     "documents": {"1": {"library": "/home/me/reading", "path": "a.txt",
                         "position": 120, "position_updated": "2026-01-01T00:00:00.000000Z"}},
     "session": {}}

Records are found by their keys as the database's are (layout.record_key): a document by its
library and path, so two libraries' `a.txt` are two records.

Reading gives back exactly the Snapshot written. Anything else is refused with a typed error:
NotAChangesFileError for a file that is something else (a database, an export),
ChangesFileError for one that is damaged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from readertui.core.annotations import now_iso
from readertui.errors import StoreError
from readertui.store.atomic_storage import (
    NotARegularFileError,
    open_regular,
    parse_json,
    serialise,
    write_bytes_atomically,
)
from readertui.store.errors import ChangesFileError, NotAChangesFileError
from readertui.store.layout import (
    KEYED_TABLES,
    META,
    NAME_FIELDS,
    check_changes,
    record_key,
    unusable_reason,
)
from readertui.store.merge import Record, Snapshot, stamp_key
from readertui.store.store import SCHEMA_VERSION

#: The `kind` of the `_meta` record of a changes file.
CHANGES_KIND: Final = "readertui changes"
#: More than this is not a changes file, and reading it would only use up memory.
MAX_CHANGES_BYTES: Final = 512 * 1024 * 1024


@dataclass(frozen=True)
class ChangesFileInfo:
    """What a changes file says about itself."""

    path: Path  # the file read
    database: Path  # the database its changes were meant for
    written: str  # when (ISO 8601 UTC)
    schema: int


def write_changes_file(path: Path, changes: Snapshot, *, database: Path) -> None:
    """Write `changes` to a new changes file at `path` for `database` (atomically, 0600).

    Raises StoreError with a one-line reason when it cannot be written; `path` is then as it
    was. Records are written as they are (check them first if they may be invalid).
    """
    if os.path.realpath(path) == os.path.realpath(database):
        # The changes are for the database; written over it, they would be all that is left.
        raise StoreError(f"cannot save to {path}: it is the database the changes are for")
    tables: dict[str, dict[str, Any]] = {
        META: {
            "1": {
                "schema": SCHEMA_VERSION,
                "kind": CHANGES_KIND,
                "database": os.fsdecode(database),
                "written": now_iso(),
            }
        }
    }
    for table in KEYED_TABLES:
        records: dict[str, Record] = getattr(changes, table)
        tables[table] = {str(number): record for number, record in enumerate(records.values(), 1)}
    try:
        payload = serialise(tables)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"cannot save to {path}: {exc}") from exc
    write_bytes_atomically(path, payload)


def read_changes_file(path: Path) -> tuple[Snapshot, ChangesFileInfo]:
    """The changes in the changes file at `path`, and what it says about itself.

    Raises NotAChangesFileError when the file is not a changes file (a database, an export,
    anything else), ChangesFileError when it is one that cannot be used, and StoreError when
    it cannot be read at all.
    """
    try:
        fd = open_regular(path)
        with open(fd, "rb") as file:
            raw = file.read(MAX_CHANGES_BYTES + 1)
    except FileNotFoundError:
        raise StoreError(f"cannot read {path}: no such file") from None
    except NotARegularFileError as exc:
        raise StoreError(f"cannot read {path}: it is {exc.kind}, not a regular file") from None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_CHANGES_BYTES:
        raise NotAChangesFileError(path, "it is too large")
    try:
        data = parse_json(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise NotAChangesFileError(path, f"it is not UTF-8 text (byte {exc.start})") from None
    except ValueError as exc:  # json.JSONDecodeError too
        raise NotAChangesFileError(path, f"it is not JSON that can be read ({exc})") from None
    return changes_from_data(path, data)


def is_changes_data(data: object) -> bool:
    """Whether parsed JSON `data` says it is a changes file (its `_meta` record's kind)."""
    return _meta_record(data) is not None


def changes_from_data(path: Path, data: object) -> tuple[Snapshot, ChangesFileInfo]:
    """The changes of a changes file already parsed from JSON (see `read_changes_file`)."""
    meta = _meta_record(data)
    if meta is None:
        raise NotAChangesFileError(path, "it has no _meta record of kind 'readertui changes'")
    assert isinstance(data, dict)
    schema = meta.get("schema")
    if type(schema) is not int or schema < 1:
        raise ChangesFileError(path, f"its schema {schema!r} is not a whole number")
    if schema > SCHEMA_VERSION:
        raise ChangesFileError(
            path, f"a newer readertui wrote it (schema {schema}); upgrade readertui"
        )
    database, written = meta.get("database"), meta.get("written")
    if not isinstance(database, str) or not database:
        raise ChangesFileError(path, "it does not name its database")
    if not stamp_key(written):
        raise ChangesFileError(path, "it does not say when it was written")
    assert isinstance(written, str)
    tables: dict[str, dict[str, Record]] = {}
    for table in KEYED_TABLES:
        rows = data.get(table, {})
        if not isinstance(rows, dict):
            raise ChangesFileError(path, f"its table {table!r} is not an object")
        keyed: dict[str, Record] = {}
        for doc_id, record in rows.items():
            name = record.get(NAME_FIELDS[table]) if isinstance(record, dict) else None
            if not isinstance(name, str) or not name:
                raise ChangesFileError(
                    path, f"{table} record {doc_id} has no {NAME_FIELDS[table]!r}"
                )
            key = record_key(table, record)
            if key is None:
                reason = unusable_reason(table, record)
                raise ChangesFileError(path, f"{table} record {doc_id} cannot be used ({reason})")
            if key in keyed:
                raise ChangesFileError(path, f"{table} record {doc_id} appears twice")
            keyed[key] = record
        tables[table] = keyed
    changes = Snapshot(**tables)
    try:
        check_changes(changes)
    except ValueError as exc:
        raise ChangesFileError(path, str(exc)) from None
    return changes, ChangesFileInfo(path, Path(database), written, schema)


def _meta_record(data: object) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    meta = data.get(META)
    if not isinstance(meta, dict):
        return None
    for record in meta.values():
        if isinstance(record, dict) and record.get("kind") == CHANGES_KIND:
            return record
    return None
