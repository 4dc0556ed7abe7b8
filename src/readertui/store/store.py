"""The annotation database: the one module that reads and writes it; the UI and the CLI call Store.

The file is one TinyDB document (``{table: {doc_id: record}}``, see layout.py), written by
atomic_storage.py. TinyDB's Table API is not used: each insert or update converts every doc_id
of the table to int and back, each search builds a Document for every record, and a table
caches its next doc_id, which another process may already have used. Instead the database
lives in memory as records keyed by their own ids (the source of truth), a change makes a new
copy of that state, and a write re-encodes only the records that changed (encoding.py). TinyDB
remains the file format (TinyDB and its JSONStorage read our files), and AtomicJSONStorage a
TinyDB Storage.

Two processes on one file (PRODUCT 6) lose nothing: each write takes a lock file beside the
database, re-reads the file if another process replaced it since this one last read or wrote
it, merges it in (merge.py), applies its change and replaces the file, all under the lock.

What is not a database is never read or written: a path that is a device, a FIFO or a folder
is refused, and so is a file that cannot be parsed (it is left as it is). Records that do not
validate are kept in the file untouched and listed in `problems` (layout.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from readertui.core.annotations import (
    Annotation,
    check_annotation,
    clean_tag,
    normalise_tags,
    now_iso,
    tag_key,
)
from readertui.errors import StoreError
from readertui.store.atomic_storage import (
    FILE_MODE,
    FOLDER_MODE,
    AtomicJSONStorage,
    FileVersion,
    Tables,
    check_regular_or_missing,
    open_regular,
    stale_temporaries,
    write_bytes_atomically,
)
from readertui.store.encoding import FileEncoder
from readertui.store.errors import StoreCorruptError
from readertui.store.layout import (
    ANNOTATIONS,
    DOCUMENTS,
    META,
    SESSION,
    TOMBSTONES,
    Contents,
    Parsed,
    RecordProblem,
    assemble,
    check_changes,
    document_key,
    last_document_key,
    merged,
    new_contents,
    split,
)
from readertui.store.merge import (
    DOCUMENT_STAMPS,
    Record,
    Snapshot,
    apply_changes,
    deletion_time,
    is_deleted_by,
    new_document,
    stamp_key,
)

if TYPE_CHECKING:
    from filelock import BaseFileLock

SCHEMA_VERSION: Final = 3
MAX_BACKUPS: Final = 10
BACKUP_FOLDER: Final = "backups"
#: Seconds a write waits for another process's write before it gives up with a StoreError.
LOCK_TIMEOUT: Final = 5.0

# The doc_id of the single record in the _meta table.
_META_ID: Final = "1"


# --- schema migrations -------------------------------------------------------------------------

Migration = Callable[[Tables], None]
"""Brings the raw tables of one schema version to the next, in place.

Migrations spell their table and field names out rather than using the constants: each one
describes the schema at one moment and must not follow later renames.
"""


def _migrate_unversioned(tables: Tables) -> None:
    """Schema 0 → 1: files from before versioning hold the same tables; only the stamp is new."""


def _add_annotations(tables: Tables) -> None:
    """Schema 1 → 2: tables for annotations and their tombstones; documents get `tags`."""
    tables.setdefault("annotations", {})
    tables.setdefault("tombstones", {})
    for record in tables.get("documents", {}).values():
        record.setdefault("tags", [])


def _add_libraries(tables: Tables) -> None:
    """Schema 2 → 3: annotations, documents and the document read last belong to a library.

    Nothing is rewritten: records without a library are legacy ones, which every library
    with a document at their path shows (layout.document_key, DocumentRef.library). The new
    number keeps an older readertui, which would take two libraries' documents for one, from
    writing the file.
    """


#: MIGRATIONS[n] turns schema n into schema n + 1; a file with no version is schema 0.
MIGRATIONS: Final[list[Migration]] = [_migrate_unversioned, _add_annotations, _add_libraries]


def schema_of(path: Path, tables: Tables) -> int:
    """The schema version stamped in `tables`, 0 when there is none."""
    stamped: list[int] = []
    for record in tables.get(META, {}).values():
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
    meta = tables.setdefault(META, {})
    for record in meta.values():
        record.pop("schema", None)
    meta.setdefault(_META_ID, {})["schema"] = version


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
        payload = _read_regular(db_path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot back up {db_path}: {exc.strerror or exc}") from exc
    if not payload.strip():
        return None
    # Unchanged since the last backup: another copy would only push out an older, different
    # one (every `readertui list` or `export` opens the store too).
    newest = newest_backup(db_path)
    with contextlib.suppress(OSError):
        if newest is not None and newest.read_bytes() == payload:
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


def _read_regular(path: Path) -> bytes:
    """The bytes of the regular file at `path` (OSError, or StoreError if it is not one)."""
    with open(open_regular(path), "rb") as file:
        return file.read()


def _has_content(path: Path) -> bool:
    try:
        return bool(_read_regular(path).strip())
    except (OSError, StoreError):
        return False


def problems_notice(path: Path, problems: Sequence[RecordProblem]) -> str | None:
    """The one line that says `path` holds records that are not used, or None if none."""
    if not problems:
        return None
    if len(problems) == 1:
        what = f"1 record in {path} cannot be used and is kept in the file as it is"
    else:
        what = (
            f"{len(problems)} records in {path} cannot be used and are kept in the file as they are"
        )
    return f"{what} (`readertui list problems` says why)"


# --- the store ---------------------------------------------------------------------------------

Change = Callable[[Contents], Contents | None]
"""A change to the database: the new contents, or None when there is nothing to write."""


class Store:
    """Annotations, document tags and reading positions, and the session, of one database file.

    Every method that changes something returns once the change is in the file and fsynced:
    that is the contract the status line's `saved` relies on. Writes may come from any thread
    (the UI uses a writer thread); one lock serialises them. Reads never wait for a write: they
    see the contents last read from or written to the file, which a write replaces, as a
    whole, only once it is on disk.

    Opening reads and checks the file at once: StoreCorruptError when it cannot be parsed (the
    file is never overwritten, and a later write refuses too), StoreError when a newer
    readertui wrote it. An older schema is migrated in memory and written with the next change,
    after a backup. Records that cannot be used are kept in the file untouched and listed in
    `problems`.
    """

    def __init__(self, path: Path, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path.expanduser().absolute()
        # Before anything is opened: reading a FIFO waits for ever, and writing would replace
        # a device with a file.
        check_regular_or_missing(self.path)
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._closed = False
        self._disk = AtomicJSONStorage(self.path)
        self._encoder = FileEncoder()
        # Beside the real file when the database is a symlink, so every name of it shares one.
        self._lock_path = Path(os.path.realpath(self.path) + ".lock")
        self._file_lock_made: BaseFileLock | None = None
        # Annotation objects built from records, per id, valid while the record is the same
        # object; every record is checked (built) once, when it is read or saved.
        self._parsed: dict[str, tuple[Record, Annotation | None]] = {}
        # The tag counts of `tags`, per library asked, for the annotations table they count.
        self._tags: tuple[dict[str, Record], dict[str | None, dict[str, int]]] | None = None
        #: One-line notices about the file itself, for the user (see `notices`).
        self._notices: list[str] = []
        self._remove_stale_temporaries()
        contents, self._version = self._read_disk()
        if contents is None and self._version.stamp is not None:
            self._started_from_empty_file()
        self._contents = contents if contents is not None else new_contents(SCHEMA_VERSION)
        #: The backup this open made (None: not the first open in this process, or no file).
        self.backup: Path | None = None
        #: Why the backup could not be made; the database still works, so this is a warning.
        self.backup_error: str | None = None
        try:
            self.backup = _back_up_once(self.path)
        except StoreError as exc:
            self.backup_error = str(exc)

    @property
    def problems(self) -> tuple[RecordProblem, ...]:
        """The records of the file that are not used (kept in it as they are), and why."""
        return self._current().problems

    def notices(self) -> tuple[str, ...]:
        """One-line notices for the user about the database (the CLI prints them on stderr,
        the app shows them): the file was empty and a new one was started; some records
        cannot be used (`problems` lists them)."""
        lines = list(self._notices)
        summary = problems_notice(self.path, self.problems)
        if summary is not None:
            lines.append(summary)
        return tuple(lines)

    # Annotations ----------------------------------------------------------------------------

    def annotations(
        self, doc_path: str | None = None, *, library: str | None = None
    ) -> list[Annotation]:
        """The annotations of the document at `doc_path`, by position; all of them when None,
        by document, then position. Records that cannot be read are skipped (see `problems`).

        With `library` (a library's key), only that library's annotations and the legacy ones
        (made before libraries had identities, DocumentRef.library ""); every library's when
        None.
        """
        records = self._current().snapshot.annotations
        found: list[Annotation] = []
        for annotation_id, record in records.items():
            if not _may_belong(record, doc_path, library):
                continue
            annotation = self._annotation_of(annotation_id, record)
            if annotation is None:
                continue
            if doc_path is not None and annotation.doc.path != doc_path:
                continue
            if library is None or annotation.doc.in_library(library):
                found.append(annotation)
        if doc_path is None:
            found.sort(key=lambda a: (a.doc.path, a.start, a.end, a.created, a.id))
        else:
            found.sort(key=lambda a: (a.start, a.end, a.created, a.id))
        return found

    def annotation(self, annotation_id: str) -> Annotation | None:
        """The annotation with this id, or None (never saved, deleted, or unreadable)."""
        record = self._current().snapshot.annotations.get(annotation_id)
        return None if record is None else self._annotation_of(annotation_id, record)

    def save_annotation(self, annotation: Annotation) -> None:
        """Add or replace the annotation with `annotation.id`; on disk when this returns.

        The same rule as a merge decides (merge.py): a stored copy with a newer `updated` is
        kept, and so is a deletion made at or after `updated`. So a stale copy (say, one
        re-anchored before the user edited or deleted it) never undoes the newer change; an
        edit, or an undo, is stamped now and always wins.
        """
        self.save_annotations((annotation,))

    def save_annotations(self, annotations: Sequence[Annotation]) -> None:
        """`save_annotation` for each of `annotations`, in one write (e.g. after re-anchoring)."""
        records: dict[str, Record] = {}
        for annotation in annotations:
            if not isinstance(annotation, Annotation):
                raise TypeError(f"not an Annotation: {annotation!r}")
            if not annotation.id:
                raise ValueError("an annotation needs an id")
            try:
                check_annotation(annotation)
            except ValueError as error:
                raise ValueError(f"cannot save annotation {annotation.id}: {error}") from None
            record = annotation.to_record()
            earlier = records.get(annotation.id)
            if earlier is None or stamp_key(record["updated"]) >= stamp_key(earlier["updated"]):
                records[annotation.id] = record
                self._parsed[annotation.id] = (record, annotation)
        if records:
            self._commit(lambda contents: _with_saved(contents, records))

    def delete_annotation(self, annotation_id: str, *, when: str | None = None) -> None:
        """Remove the annotation and record a tombstone, so no merge brings it back; on disk
        when this returns. Deleting an unknown id records the tombstone all the same.

        `when` is the time the user deleted it (default: now). The UI passes the moment of
        the keypress: the writer thread may run later, after an undo already stamped newer.
        """
        if not annotation_id:
            raise ValueError("an annotation id must not be empty")
        self._commit(lambda contents: _with_deleted(contents, annotation_id, when))

    def merge_changes(self, changes: Snapshot) -> None:
        """Apply a set of changes in one write; on disk when this returns.

        `changes` holds annotations (id -> record), tombstones (id -> {"id", "deleted"}),
        documents (layout.document_key(library, path) -> a record of its "library" (unless
        legacy) and "path" and only the field groups that changed, each with its `*_updated`
        stamp) and session records (key -> record; layout.last_document_key). They are
        applied to the newest contents, the file's included, by the rules of a merge with the
        file (merge.py), a change winning a tie as a save does, and each tombstone no earlier
        than the record it deletes (as `delete_annotation`). Nothing is written when nothing
        changes.

        Raises StoreError when a record is not valid (before anything is touched) or the
        write fails; memory and file are then as they were (but for what another process
        wrote meanwhile, which was merged in).
        """
        try:
            check_changes(changes)
        except ValueError as error:
            raise StoreError(f"cannot save to {self.path}: {error}") from None

        def change(contents: Contents) -> Contents | None:
            snapshot = apply_changes(contents.snapshot, changes)
            if snapshot is contents.snapshot or snapshot == contents.snapshot:
                return None
            return contents.with_snapshot(snapshot)

        self._commit(change)

    def tags(self, *, library: str | None = None) -> dict[str, int]:
        """Every tag of every annotation, with how many annotations carry it; with `library`,
        of that library's annotations and the legacy ones (as `annotations`).

        Tags that differ only in case count as one, under the spelling of the oldest annotation
        that has it. Each tag counts only itself: `place/Xi'an` is not counted under `place`,
        so the UI can build the hierarchy and choose whether a parent shows its children's sum.
        Sorted case-insensitively.
        """
        records = self._current().snapshot.annotations
        cached = self._tags
        if cached is None or cached[0] is not records:
            cached = self._tags = (records, {})
        counted_before = cached[1].get(library)
        if counted_before is not None:
            return dict(counted_before)
        everything = [
            annotation
            for annotation_id, record in records.items()
            if (annotation := self._annotation_of(annotation_id, record)) is not None
            and (library is None or annotation.doc.in_library(library))
        ]
        everything.sort(key=lambda a: (stamp_key(a.created), a.id))
        # normalise_tags, with each distinct spelling cleaned once: 50k annotations carry few.
        cleaned: dict[str, tuple[str, str]] = {}  # as stored -> (cleaned, case-folded)
        spellings: dict[str, str] = {}
        counts: dict[str, int] = {}
        for annotation in everything:
            counted: set[str] = set()
            for raw in annotation.tags:
                if raw not in cleaned:
                    cleaned[raw] = (clean_tag(raw), tag_key(raw))
                tag, key = cleaned[raw]
                if tag and key not in counted:
                    counted.add(key)
                    spellings.setdefault(key, tag)
                    counts[key] = counts.get(key, 0) + 1
        result = {spellings[key]: counts[key] for key in sorted(counts)}
        cached[1][library] = result
        return dict(result)

    # Documents ------------------------------------------------------------------------------
    #
    # A document's record is its library's (layout.document_key). A library that has not set
    # a field group of its own (`position`, `tags`) reads the legacy record of the same path,
    # from before libraries had identities; its own writes never change the legacy record.

    def reading_position(self, rel_path: str, *, library: str = "") -> int | None:
        """The saved offset of the document at `rel_path` of `library` (a library's key; ""
        for the legacy record), or None."""
        record = _document_record(self._current().snapshot, library, rel_path, "position")
        return None if record is None else _position_of(record)

    def set_reading_position(self, rel_path: str, offset: int, *, library: str = "") -> None:
        """Save the offset of the document at `rel_path` of `library`; on disk when this
        returns. Nothing is written when the saved offset is already `offset`.
        """
        if not rel_path:
            raise ValueError("a document path must not be empty")
        if type(offset) is not int or offset < 0:
            raise ValueError(f"a reading position is a non-negative int, not {offset!r}")
        key = document_key(library, rel_path)

        def change(contents: Contents) -> Contents | None:
            current = _document_record(contents.snapshot, library, rel_path, "position")
            if current is not None and _position_of(current) == offset:
                return None
            record = contents.snapshot.documents.get(key)
            base = record if record is not None else new_document(library, rel_path)
            updated = {**base, "position": offset, "position_updated": now_iso()}
            return contents.with_records(DOCUMENTS, {key: updated})

        self._commit(change)

    def document_tags(self, rel_path: str, *, library: str = "") -> tuple[str, ...]:
        """The tags of the document at `rel_path` of `library` itself (not of its
        annotations)."""
        record = _document_record(self._current().snapshot, library, rel_path, "tags")
        return () if record is None else _tags_of(record)

    def set_document_tags(self, rel_path: str, tags: Iterable[str], *, library: str = "") -> None:
        """Replace the tags of the document at `rel_path` of `library` (cleaned,
        case-insensitively distinct); on disk when this returns. Nothing is written when they
        are unchanged."""
        if not rel_path:
            raise ValueError("a document path must not be empty")
        if isinstance(tags, str):
            raise TypeError("tags are a collection of strings, not one string")
        cleaned = list(normalise_tags(tags))
        key = document_key(library, rel_path)

        def change(contents: Contents) -> Contents | None:
            current = _document_record(contents.snapshot, library, rel_path, "tags")
            if current is not None and current.get("tags") == cleaned:
                return None
            record = contents.snapshot.documents.get(key)
            base = record if record is not None else new_document(library, rel_path)
            updated = {**base, "tags": cleaned, "tags_updated": now_iso()}
            return contents.with_records(DOCUMENTS, {key: updated})

        self._commit(change)

    # The session ----------------------------------------------------------------------------

    def last_document(self, *, library: str = "") -> str | None:
        """The document of `library` read last (relative path), to reopen when no document is
        named; for a library that has none yet, the one read last before libraries had
        identities."""
        record = _last_document_record(self._current().snapshot, library)
        value = None if record is None else record.get("value")
        return value if isinstance(value, str) and value else None

    def set_last_document(self, rel_path: str, *, library: str = "") -> None:
        """Remember `rel_path` as the document of `library` read last; on disk when this
        returns."""
        if not rel_path:
            raise ValueError("a document path must not be empty")
        key = last_document_key(library)

        def change(contents: Contents) -> Contents | None:
            current = _last_document_record(contents.snapshot, library)
            if current is not None and current.get("value") == rel_path:
                return None
            record = contents.snapshot.session.get(key)
            updated = {**(record or {}), "key": key, "value": rel_path, "updated": now_iso()}
            return contents.with_records(SESSION, {key: updated})

        self._commit(change)

    def session_value(self, key: str) -> object:
        """The value kept under session key `key` (None when there is none)."""
        record = self._current().snapshot.session.get(key)
        return None if record is None else record.get("value")

    def set_session_value(self, key: str, value: object) -> None:
        """Keep `value` (plain JSON data) under session key `key`; on disk when this returns."""

        def change(contents: Contents) -> Contents | None:
            record = contents.snapshot.session.get(key)
            if record is not None and record.get("value") == value:
                return None
            updated = {"key": key, "value": value, "updated": now_iso()}
            return contents.with_records(SESSION, {key: updated})

        self._commit(change)

    # Other processes ------------------------------------------------------------------------

    def reload_if_changed(self) -> bool:
        """Merge in what another process wrote since this one last read or wrote the file.

        Returns whether any annotation, tombstone, document or session record changed. Cheap
        when nothing did (one stat). The lock file is not needed to read: files are only ever
        replaced whole, and the version compared later is taken from the very file parsed.
        Raises like opening does when the file has become unreadable; memory stays as it was.
        """
        with self._lock:
            self._check_open()
            return self._catch_up()

    # Lifecycle ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Return once no write is in progress; then everything is on disk.

        Each changing method writes before it returns, so there is never anything queued here:
        this only waits for a write another thread has under way. Harmless once closed.
        """
        with self._lock:
            return

    def close(self) -> None:
        """Release the database; every change is already on disk. Closing twice is harmless."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._version.close()

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

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"the store for {self.path} is closed")

    def _current(self) -> Contents:
        self._check_open()
        return self._contents

    def _commit(self, change: Change) -> None:
        """Apply `change` to the newest contents, the file's included, and write the result."""
        with self._lock:
            self._check_open()
            with self._locked_file():
                self._catch_up()
                after = change(self._contents)
                if after is None:
                    return
                # Encoded before the disk is touched; on any failure the file is unchanged and
                # so is memory: what the reader sees is what is on disk, not a failed change.
                try:
                    payload = self._encoder.encode(assemble(after))
                except (TypeError, ValueError) as exc:
                    raise StoreError(f"cannot save to {self.path}: {exc}") from exc
                self._disk.write_bytes(payload)
                self._adopt(after, FileVersion.open(self.path))

    def _catch_up(self) -> bool:
        """Merge the file into memory if another process replaced it (the lock is held, or
        this is a read). Returns whether the snapshot changed."""
        if self._version.is_current(self.path):
            return False
        disk, version = self._read_disk(known=self._contents.snapshot)
        if disk is None:
            # The file was removed or emptied: memory holds everything and the next write puts
            # it back.
            self._adopt(self._contents, version)
            return False
        combined = merged(self._contents, disk)
        changed = combined.snapshot != self._contents.snapshot
        self._adopt(combined, version)
        return changed

    def _read_disk(self, known: Snapshot | None = None) -> tuple[Contents | None, FileVersion]:
        """The file's contents (None: no file yet, or a blank one) and the version they came
        from. Annotation records equal to those of `known` are not checked again."""
        try:
            tables, version = self._disk.read_version()
        except StoreCorruptError as exc:
            raise exc.with_backup(newest_backup(self.path)) from exc
        if tables is None:
            return None, version
        parsed: Parsed = {}
        try:
            contents = split(upgrade(self.path, tables), known=known, parsed=parsed)
            self._parsed.update(parsed)
            return contents, version
        except StoreCorruptError as exc:
            version.close()
            raise exc.with_backup(newest_backup(self.path)) from exc
        except BaseException:
            version.close()
            raise

    def _adopt(self, contents: Contents, version: FileVersion) -> None:
        previous = self._version
        self._contents = contents
        self._version = version
        if previous is not version:
            previous.close()
        live = contents.snapshot.annotations
        if len(self._parsed) > 2 * len(live) + 64:
            self._parsed = {
                key: entry for key, entry in self._parsed.items() if live.get(key) is entry[0]
            }

    @property
    def _file_lock(self) -> BaseFileLock:
        """The lock file's lock, made when first needed: only writing takes it, so opening
        the database for the first screen does without importing filelock."""
        with self._lock:
            if self._file_lock_made is None:
                from filelock import FileLock

                self._file_lock_made = FileLock(self._lock_path, mode=FILE_MODE, thread_local=False)
            return self._file_lock_made

    @contextlib.contextmanager
    def _locked_file(self) -> Iterator[None]:
        """Hold the lock file that serialises the writes of every process on this database."""
        from filelock import Timeout

        try:
            self._lock_path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            self._file_lock.acquire(timeout=self.lock_timeout)
        except Timeout as exc:
            raise StoreError(
                f"cannot save to {self.path}: another readertui process holds its lock "
                f"{self._lock_path} (waited {self.lock_timeout:g} s); try again, or quit the "
                "other one"
            ) from exc
        except OSError as exc:
            raise StoreError(
                f"cannot save to {self.path}: cannot lock {self._lock_path}: {exc.strerror or exc}"
            ) from exc
        try:
            yield
        finally:
            self._file_lock.release()

    def _annotation_of(self, annotation_id: str, record: Record) -> Annotation | None:
        cached = self._parsed.get(annotation_id)
        if cached is not None and cached[0] is record:
            return cached[1]
        annotation: Annotation | None
        try:
            annotation = Annotation.from_record(record)
        except ValueError:
            # Cannot happen: every record was checked when it was read or saved. Were it to,
            # the record is left out rather than shown mangled.
            annotation = None
        self._parsed[annotation_id] = (record, annotation)
        return annotation

    def _remove_stale_temporaries(self) -> None:
        """Remove the temporary files a write killed before its rename left beside the file.

        Only while holding the lock file, which every writer of the database holds for as
        long as its temporary file exists: then none of them is another's write in progress.
        When another process holds the lock, they are left for the next open.
        """
        if not stale_temporaries(self.path):
            return
        from filelock import Timeout

        try:
            self._file_lock.acquire(timeout=0)
        except (Timeout, OSError):
            return
        try:
            for leftover in stale_temporaries(self.path):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        finally:
            self._file_lock.release()

    def _started_from_empty_file(self) -> None:
        """The file exists but holds nothing: refuse it if a backup has something, else note it.

        An empty database beside a backup with annotations is most likely a file something
        truncated, not a fresh start: writing to it would bury the backup's contents.
        """
        newest = newest_backup(self.path)
        if newest is not None and _has_content(newest):
            self._version.close()
            raise StoreCorruptError(
                self.path, "the file is empty (remove it to start a new database)", newest
            )
        self._notices.append(f"{self.path} was empty; a new database was started")


def _with_saved(contents: Contents, records: dict[str, Record]) -> Contents | None:
    annotations = contents.snapshot.annotations
    tombstones = contents.snapshot.tombstones
    changes: dict[str, Record | None] = {}
    for annotation_id, record in records.items():
        tombstone = tombstones.get(annotation_id)
        if tombstone is not None and is_deleted_by(record, tombstone):
            continue
        stored = annotations.get(annotation_id)
        if stored is not None and (
            stored == record or stamp_key(stored.get("updated")) > stamp_key(record["updated"])
        ):
            continue
        changes[annotation_id] = record
    return contents.with_records(ANNOTATIONS, changes) if changes else None


def _with_deleted(contents: Contents, annotation_id: str, when: str | None) -> Contents | None:
    stored = contents.snapshot.annotations.get(annotation_id)
    if stored is None and annotation_id in contents.snapshot.tombstones:
        return None
    # Never earlier than the record's own time (a clock that was ahead, a hand edit): a
    # tombstone older than its record would not remove it.
    deleted = deletion_time(when or now_iso(), stored)
    tombstone = {"id": annotation_id, "deleted": deleted}
    contents = contents.with_records(TOMBSTONES, {annotation_id: tombstone})
    if stored is None:
        return contents
    return contents.with_records(ANNOTATIONS, {annotation_id: None})


def _may_belong(record: Record, doc_path: str | None, library: str | None) -> bool:
    """A quick look at a record before building its Annotation (which checks the types)."""
    if doc_path is None and library is None:
        return True
    doc = record.get("doc")
    if not isinstance(doc, dict):
        return True  # left for Annotation.from_record to refuse
    if doc_path is not None and doc.get("path") != doc_path:
        return False
    return library is None or doc.get("library", "") in ("", library)


def _document_record(snapshot: Snapshot, library: str, rel_path: str, group: str) -> Record | None:
    """The record that holds the `group` of the document at `rel_path` of `library`: the
    library's own if it set that group, else the legacy record's if that has it, else the
    library's own (or None)."""
    own = snapshot.documents.get(document_key(library, rel_path))
    if library and (own is None or DOCUMENT_STAMPS[group] not in own):
        legacy = snapshot.documents.get(document_key("", rel_path))
        if legacy is not None and group in legacy:
            return legacy
    return own


def _last_document_record(snapshot: Snapshot, library: str) -> Record | None:
    own = snapshot.session.get(last_document_key(library))
    if own is None and library:
        return snapshot.session.get(last_document_key(""))
    return own


def _tags_of(record: Record) -> tuple[str, ...]:
    tags = record.get("tags")
    if not isinstance(tags, list):
        return ()
    return normalise_tags(tag for tag in tags if isinstance(tag, str))


def _position_of(record: dict[str, Any]) -> int | None:
    position = record.get("position")
    # A hand-edited file may hold anything there; a bad position is no position.
    if type(position) is int and position >= 0:
        return position
    return None
