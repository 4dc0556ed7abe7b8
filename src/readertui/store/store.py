"""The annotation database: the one module that talks to TinyDB; the UI and the CLI call Store.

Layout of the file (TinyDB's): ``{table: {doc_id: {field: value}}}``. Records are found by their
own key fields (``path`` for documents), never by TinyDB doc_ids, which TinyDB reuses after
deletes and which two processes would hand out twice.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from tinydb import TinyDB, where
from tinydb.storages import Storage
from tinydb.table import Table

from readertui.errors import StoreError
from readertui.store.atomic_storage import (
    AtomicJSONStorage,
    Tables,
    write_bytes_atomically,
)
from readertui.store.errors import StoreCorruptError

SCHEMA_VERSION: Final = 1
MAX_BACKUPS: Final = 10
BACKUP_FOLDER: Final = "backups"

META_TABLE: Final = "_meta"
DOCUMENTS_TABLE: Final = "documents"
# Every table the Store reads through TinyDB; their query caches are dropped after a failed write.
SESSION_TABLE: Final = "session"
_TABLES: Final = (DOCUMENTS_TABLE, SESSION_TABLE)

# The doc_id of the single record in the _meta table.
_META_ID: Final = "1"


# --- schema migrations -------------------------------------------------------------------------

Migration = Callable[[Tables], None]
"""Brings the raw tables of one schema version to the next, in place."""


def _migrate_unversioned(tables: Tables) -> None:
    """Schema 0 → 1: files from before versioning hold the same tables; only the stamp is new."""


#: MIGRATIONS[n] turns schema n into schema n + 1; a file with no version is schema 0.
MIGRATIONS: Final[list[Migration]] = [_migrate_unversioned]


def schema_of(path: Path, tables: Tables) -> int:
    """The schema version stamped in `tables`, 0 when there is none."""
    stamped: list[int] = []
    for record in tables.get(META_TABLE, {}).values():
        version = record.get("schema")
        if version is None:
            continue
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise StoreCorruptError(path, f"the schema version {version!r} is not a whole number")
        stamped.append(version)
    return max(stamped, default=0)


def upgrade(path: Path, tables: Tables) -> Tables:
    """`tables` brought forward to SCHEMA_VERSION (in place), or StoreError if they are newer."""
    version = schema_of(path, tables)
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer readertui (schema {version}; this one knows "
            f"{SCHEMA_VERSION}); upgrade readertui"
        )
    for step in range(version, SCHEMA_VERSION):
        MIGRATIONS[step](tables)
    if version != SCHEMA_VERSION:
        _stamp(tables, SCHEMA_VERSION)
    return tables


def _stamp(tables: Tables, version: int) -> None:
    meta = tables.setdefault(META_TABLE, {})
    for record in meta.values():
        record.pop("schema", None)
    meta.setdefault(_META_ID, {})["schema"] = version


def _new_tables() -> Tables:
    return {META_TABLE: {_META_ID: {"schema": SCHEMA_VERSION}}}


# --- backups -----------------------------------------------------------------------------------

_STAMP_FORMAT: Final = "%Y%m%d-%H%M%S"
_backed_up: set[str] = set()
_backed_up_lock = threading.Lock()


def backup_folder(db_path: Path) -> Path:
    """Where the backups of `db_path` are kept: a `backups` folder beside it."""
    return db_path.parent / BACKUP_FOLDER


def newest_backup(db_path: Path) -> Path | None:
    """The most recent backup of `db_path`, or None when there is none."""
    backups = _backups_oldest_first(db_path)
    return backups[-1] if backups else None


def _backups_oldest_first(db_path: Path) -> list[Path]:
    # Names are <stem>-YYYYmmdd-HHMMSS[-n].json (UTC); order by the stamp, then the counter that
    # separates two backups taken in the same second.
    pattern = re.compile(re.escape(db_path.stem) + r"-(\d{8}-\d{6})(?:-(\d+))?\.json")
    found: list[tuple[str, int, Path]] = []
    try:
        entries = list(backup_folder(db_path).iterdir())
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and entry.is_file():
            found.append((match[1], int(match[2] or 0), entry))
    found.sort()
    return [entry for _, _, entry in found]


def _back_up_once(db_path: Path) -> Path | None:
    """Copy the database into its backups folder, once per process; keep the newest ten.

    Returns the new backup, or None when this process already made one or there is no file.
    """
    key = os.path.realpath(db_path)
    with _backed_up_lock:
        if key in _backed_up:
            return None
        _backed_up.add(key)
    try:
        payload = db_path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot back up {db_path}: {exc.strerror or exc}") from exc
    if not payload.strip():
        return None
    folder = backup_folder(db_path)
    stamp = datetime.now(UTC).strftime(_STAMP_FORMAT)
    target = folder / f"{db_path.stem}-{stamp}.json"
    counter = 0
    while target.exists():
        counter += 1
        target = folder / f"{db_path.stem}-{stamp}-{counter}.json"
    write_bytes_atomically(target, payload)
    for old in _backups_oldest_first(db_path)[:-MAX_BACKUPS]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


# --- storage -----------------------------------------------------------------------------------


class _MemoryFirstStorage(Storage):
    """Keeps the whole database in memory; reads never touch the disk, writes reach it first.

    TinyDB re-reads the file for every operation; here the file is parsed once, checked and
    migrated, and then the in-memory tables are the source of truth. A write returns only once
    the new file is on disk. This class is the one place where the file is read (`_load`) and
    written (`write`): file locking and merging with other processes belong here. (When that
    code reloads tables another process wrote, the Store must also drop TinyDB's per-table query
    caches and cached next doc_id, or an insert could reuse the other process's doc_id.)
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._disk = AtomicJSONStorage(path)
        self._tables: Tables | None = None

    def read(self) -> Tables:
        if self._tables is None:
            self._tables = self._load()
        return self._tables

    def write(self, data: Tables) -> None:
        try:
            self._disk.write(data)
        except BaseException:
            # TinyDB edits the records of the dict it read before calling write, so memory is
            # now ahead of the disk; forget it and re-read the file, which is still the old one.
            self._tables = None
            raise
        self._tables = data

    def _load(self) -> Tables:
        try:
            tables = self._disk.read()
        except StoreCorruptError as exc:
            raise exc.with_backup(newest_backup(self._path)) from exc
        if tables is None:
            # A new database: stamped in memory, written with the first change.
            return _new_tables()
        try:
            return upgrade(self._path, tables)
        except StoreCorruptError as exc:
            raise exc.with_backup(newest_backup(self._path)) from exc


# --- the store ---------------------------------------------------------------------------------


class Store:
    """Reading positions (and, later, annotations) of one database file.

    Safe to use from several threads: one lock serialises every TinyDB access. Each change is
    on disk when the method returns. Opening checks the file at once: StoreCorruptError when it
    cannot be parsed (the file is never overwritten), StoreError when a newer readertui wrote it.
    An older schema is migrated in memory and written with the next change, after a backup.
    """

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser().absolute()
        self._lock = threading.RLock()
        self._closed = False
        self._db = TinyDB(self.path, storage=_MemoryFirstStorage)
        try:
            self._db.storage.read()
        except BaseException:
            self._db.close()
            raise
        #: The backup this open made (None: not the first open in this process, or no file).
        self.backup: Path | None = None
        #: Why the backup could not be made; the database still works, so this is a warning.
        self.backup_error: str | None = None
        try:
            self.backup = _back_up_once(self.path)
        except StoreError as exc:
            self.backup_error = str(exc)

    # Reading positions ---------------------------------------------------------------------

    def reading_position(self, rel_path: str) -> int | None:
        """The saved offset of the document at `rel_path` (relative to its library), or None."""
        with self._access():
            for record in self._documents().search(where("path") == rel_path):
                position = _position_of(record)
                if position is not None:
                    return position
            return None

    def set_reading_position(self, rel_path: str, offset: int) -> None:
        """Save the offset of the document at `rel_path`; on disk when this returns.

        Nothing is written when the saved offset is already `offset`.
        """
        if not rel_path:
            raise ValueError("a document path must not be empty")
        if type(offset) is not int or offset < 0:
            raise ValueError(f"a reading position is a non-negative int, not {offset!r}")
        with self._access():
            documents = self._documents()
            is_this_document = where("path") == rel_path
            matches = documents.search(is_this_document)
            if matches and all(_position_of(record) == offset for record in matches):
                return
            if matches:
                self._write(lambda: documents.update({"position": offset}, is_this_document))
            else:
                self._write(lambda: documents.insert({"path": rel_path, "position": offset}))

    # The session --------------------------------------------------------------------------

    def last_document(self) -> str | None:
        """The document read last (relative path), to reopen when no document is named."""
        with self._access():
            for record in self._db.table(SESSION_TABLE).search(where("key") == "last_document"):
                value = record.get("value")
                if isinstance(value, str) and value:
                    return value
            return None

    def set_last_document(self, rel_path: str) -> None:
        """Remember `rel_path` as the document read last; on disk when this returns."""
        if not rel_path:
            raise ValueError("a document path must not be empty")
        with self._access():
            if self.last_document() == rel_path:
                return
            session = self._db.table(SESSION_TABLE)
            is_last = where("key") == "last_document"
            self._write(
                lambda: session.upsert({"key": "last_document", "value": rel_path}, is_last)
            )

    # Lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the database; every change is already on disk. Closing twice is harmless."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Internals ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _access(self) -> Iterator[None]:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the store for {self.path} is closed")
            yield

    def _documents(self) -> Table:
        return self._db.table(DOCUMENTS_TABLE)

    def _write(self, change: Callable[[], Any]) -> None:
        """Run one TinyDB write operation (with the lock held)."""
        try:
            change()
        except BaseException:
            # The storage has dropped its memory and will re-read the file; TinyDB's query
            # caches could still describe the failed change.
            for name in _TABLES:
                self._db.table(name).clear_cache()
            raise


def _position_of(record: dict[str, Any]) -> int | None:
    position = record.get("position")
    # A hand-edited file may hold anything there; a bad position is no position.
    if type(position) is int and position >= 0:
        return position
    return None
