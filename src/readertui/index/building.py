"""Bring the index up to date with the library: only what changed is read again.

For each document of the library the index keeps its path, its text's hash and its file's
size and modification time. An update:

- skips a document whose file has the same size and time as when indexed (nothing read);
- reads one whose file changed, and re-indexes it only if its text's hash changed (a `touch`
  costs a read, not a re-index);
- takes a new path whose hash is that of a document no longer in the library for a rename:
  the rows move to the new path, nothing is re-indexed;
- drops documents no longer in the library.

The slow part of indexing a document in Python (reading, cutting passages, the outline)
is done before it is written, by worker processes for a big update. The writing goes in
transactions of a few documents, committed every BATCH_SECONDS or BATCH_CHARS: few enough
commits that FTS5 writes its index in large pieces, short enough that another process (or
this app's annotations) waits for the file briefly, and a crash loses one transaction (the
next update indexes those documents again). Cancelling is checked between documents;
progress is reported as documents done out of those to read.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from readertui.core.library import Library, LibraryEntry
from readertui.core.workspace import Workspace, file_stamp
from readertui.index.cache import IndexCache, is_damage
from readertui.index.cancel import CancelToken
from readertui.index.errors import Cancelled
from readertui.index.preparing import Prepared, Read, Unreadable, pool_size, read_all
from readertui.index.scoring import indexed_row
from readertui.index.stored_text import library_path, storable, stored_path

#: A write transaction is committed once it has been open this long (seconds)...
BATCH_SECONDS = 2.0
#: ... or holds this many characters of new text.
BATCH_CHARS = 8_000_000
#: How often an update waiting for another one's turn looks whether it was cancelled.
_LOCK_WAIT_STEP = 0.1

#: Called with (documents done, documents to read) as an update goes.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UpdateReport:
    """What an update did. `failed` holds (path, why) for documents that could not be read."""

    indexed: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    failed: tuple[tuple[str, str], ...] = ()
    cancelled: bool = False
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.indexed or self.renamed or self.removed)


@dataclass(frozen=True)
class _Stored:
    id: int
    sha256: str
    size: int
    mtime_ns: int
    title: str


@dataclass
class _Tally:
    indexed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0

    def report(self, *, cancelled: bool, rebuilt: bool) -> UpdateReport:
        return UpdateReport(
            tuple(self.indexed),
            tuple(self.renamed),
            tuple(self.removed),
            self.unchanged,
            tuple(self.failed),
            cancelled,
            rebuilt,
        )


def update_index(
    cache: IndexCache,
    library: Library,
    workspace: Workspace,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
    waiting: Callable[[], object] | None = None,
) -> UpdateReport:
    """Update the index in `cache` to `library` as it is on disk now. `workers`: worker
    processes to cut documents up in (None: as many as suit the work, see `pool_size`).

    One update at a time per index file, across processes: a second one waits for the
    first (and then finds its work done) instead of taking turns with it for the file's
    write lock, which SQLite does not hand out fairly: under load a waiting process lost
    every turn for the 30 s of the busy timeout and failed with "database is locked".
    `waiting` is called once when that happens.
    """
    with _update_turn(cache, cancel, waiting) as turn:
        if not turn:
            return _Tally().report(cancelled=True, rebuilt=False)
        rebuilt = False
        if cache.damaged:
            cache.replace_damaged()
            rebuilt = True
        try:
            with cache.using():  # the whole update on this thread's connection (see `using`)
                return _update(
                    cache, library, workspace, progress, cancel, workers, rebuilt=rebuilt
                )
        except sqlite3.DatabaseError as error:
            if not is_damage(error):
                raise
            cache.mark_damaged()
        cache.replace_damaged()
        with cache.using():
            return _update(cache, library, workspace, progress, cancel, workers, rebuilt=True)


@contextmanager
def _update_turn(
    cache: IndexCache, cancel: CancelToken | None, waiting: Callable[[], object] | None
) -> Iterator[bool]:
    """Hold the index file's update lock for the block; False (and no lock) when `cancel`
    was set while waiting for it. Where the lock file cannot be made (a read-only or full
    cache folder) the update goes on without it: SQLite's own locking still keeps the file
    whole, and opening the index reports such a folder."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(cache.path) + ".update-lock")
    try:
        cache.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        yield True
        return
    wait = 0.0  # the first try does not wait: a free lock is taken even if cancelled
    while True:
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            if cancel is not None and cancel.cancelled:
                yield False
                return
            if not wait and waiting is not None:
                waiting()
            wait = _LOCK_WAIT_STEP
            continue
        except OSError:
            yield True
            return
        break
    try:
        yield True
    finally:
        lock.release()


def _update(
    cache: IndexCache,
    library: Library,
    workspace: Workspace,
    progress: Progress | None,
    cancel: CancelToken | None,
    workers: int | None,
    *,
    rebuilt: bool,
) -> UpdateReport:
    connection = cache.connection()
    stored = _stored(connection)
    tally = _Tally()
    to_read: list[tuple[LibraryEntry, tuple[int, int]]] = []
    for entry in library.entries:
        stamp = file_stamp(entry.path)
        known = stored.get(entry.rel_path)
        if known is not None and (known.size, known.mtime_ns) == stamp:
            tally.unchanged += 1
            title = storable(entry.metadata.title)
            if known.title != title:  # the sidecar changed, not the text
                with cache.writing() as writing:
                    writing.execute(
                        "UPDATE documents SET title = ? WHERE id = ?", (title, known.id)
                    )
        else:
            to_read.append((entry, stamp))
    listed = {entry.rel_path for entry in library.entries}
    gone = {path: known for path, known in stored.items() if path not in listed}
    gone_by_hash = {known.sha256: path for path, known in gone.items()}

    total = len(to_read)
    if progress is not None and total:
        progress(0, total)
    if workers is None:
        workers = pool_size([entry for entry, _ in to_read])
    if cancel is not None and cancel.cancelled:
        return tally.report(cancelled=True, rebuilt=rebuilt)
    writer = _Writer(cache)
    reading = read_all(workspace, to_read, workers, cancel)
    try:
        for done, read in enumerate(reading, start=1):
            writer.wrote(_bring_in(writer, read, stored, gone, gone_by_hash, tally))
            if progress is not None:
                progress(done, total)
            if cancel is not None and cancel.cancelled and done < total:
                writer.commit()
                return tally.report(cancelled=True, rebuilt=rebuilt)
        for path, known in gone.items():
            _delete_document(writer.connection(), known.id)
            tally.removed.append(path)
        writer.commit()
    except Cancelled:  # while a worker process was still cutting a document up
        writer.commit()
        return tally.report(cancelled=True, rebuilt=rebuilt)
    except BaseException:
        writer.rollback()
        raise
    finally:
        reading.close()  # ends the worker processes, if any
    return tally.report(cancelled=False, rebuilt=rebuilt)


class _Writer:
    """An update's write transaction: begun at the first write, committed when it has been
    open BATCH_SECONDS or holds BATCH_CHARS of text, begun again at the next write."""

    def __init__(self, cache: IndexCache) -> None:
        self._cache = cache
        self._open: sqlite3.Connection | None = None
        self._began = 0.0
        self._chars = 0

    def connection(self) -> sqlite3.Connection:
        """The connection, in the write transaction (taken at once: BEGIN IMMEDIATE)."""
        if self._open is None:
            connection = self._cache.connection()
            connection.execute("BEGIN IMMEDIATE")
            self._open, self._began, self._chars = connection, time.monotonic(), 0
        return self._open

    def wrote(self, chars: int) -> None:
        """Count `chars` characters of text written; commit if the transaction is full or
        has been open long enough."""
        self._chars += chars
        if self._chars >= BATCH_CHARS or time.monotonic() - self._began >= BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        if self._open is not None:
            connection, self._open = self._open, None
            connection.execute("COMMIT")

    def rollback(self) -> None:
        if self._open is not None:
            connection, self._open = self._open, None
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")


def _bring_in(
    writer: _Writer,
    read: Read | Unreadable,
    stored: dict[str, _Stored],
    gone: dict[str, _Stored],
    gone_by_hash: dict[str, str],
    tally: _Tally,
) -> int:
    """Record one new or changed document: the same text, renamed, or indexed again. How
    many characters of text it wrote."""
    path = read.entry.rel_path
    title = storable(read.entry.metadata.title)
    known = stored.get(path)
    if isinstance(read, Unreadable):
        tally.failed.append((path, read.reason))
        if known is not None:
            _delete_document(writer.connection(), known.id)
        return 0
    sha256, stamp = read.sha256, read.stamp
    if known is not None and known.sha256 == sha256:
        _set_stamp(writer.connection(), known.id, stamp, title)
        tally.unchanged += 1
        return 0
    old_path = gone_by_hash.get(sha256)
    if known is None and old_path is not None:
        moved = gone.pop(old_path)
        del gone_by_hash[sha256]
        connection = writer.connection()
        connection.execute(
            "UPDATE documents SET path = ? WHERE id = ?", (stored_path(path), moved.id)
        )
        _set_stamp(connection, moved.id, stamp, title)
        tally.renamed.append((old_path, path))
        return 0
    prepared = read.prepared()
    connection = writer.connection()
    # Another process may have indexed this very text meanwhile: then it is done.
    row = connection.execute(
        "SELECT id, sha256 FROM documents WHERE path = ?", (stored_path(path),)
    ).fetchone()
    tally.indexed.append(path)
    if row is not None and row[1] == sha256:
        _set_stamp(connection, row[0], stamp, title)
        return 0
    if row is not None:
        _delete_document(connection, row[0])
    _insert_document(connection, path, sha256, stamp, title, prepared)
    return prepared.size


def _insert_document(
    connection: sqlite3.Connection,
    path: str,
    sha256: str,
    stamp: tuple[int, int],
    title: str,
    prepared: Prepared,
) -> None:
    # Row ids are given, not left to SQLite, so a passage and its FTS5 row share one. The
    # write transaction is ours alone, so the ids are free.
    doc_id = _next_id(connection, "documents")
    first = _next_id(connection, "passages")
    ids = range(first, first + len(prepared.passages))
    connection.execute(
        "INSERT INTO documents(id, path, sha256, size, mtime_ns, title) VALUES (?, ?, ?, ?, ?, ?)",
        (doc_id, stored_path(path), sha256, *stamp, title),
    )
    connection.executemany(
        "INSERT INTO passages(id, doc, start, end, line, text) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (passage_id, doc_id, *passage)
            for passage_id, passage in zip(ids, prepared.passages, strict=True)
        ],
    )
    connection.executemany(
        "INSERT INTO passages_fts(rowid, text, label) VALUES (?, ?, ?)",
        [(passage_id, *row) for passage_id, row in zip(ids, prepared.rows, strict=True)],
    )
    connection.executemany(
        "INSERT INTO headings(doc, offset, level, title) VALUES (?, ?, ?, ?)",
        [(doc_id, offset, level, title) for offset, level, title in prepared.headings],
    )


def _delete_document(connection: sqlite3.Connection, doc_id: int) -> None:
    # A contentless FTS5 table forgets a row only when told the words it was indexed with:
    # made again from the stored text.
    passages = connection.execute("SELECT id, text FROM passages WHERE doc = ?", (doc_id,))
    connection.executemany(
        "INSERT INTO passages_fts(passages_fts, rowid, text, label) VALUES ('delete', ?, ?, ?)",
        [(passage_id, *indexed_row(text)) for passage_id, text in passages.fetchall()],
    )
    connection.execute("DELETE FROM passages WHERE doc = ?", (doc_id,))
    connection.execute("DELETE FROM headings WHERE doc = ?", (doc_id,))
    connection.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def _set_stamp(
    connection: sqlite3.Connection, doc_id: int, stamp: tuple[int, int], title: str
) -> None:
    connection.execute(
        "UPDATE documents SET size = ?, mtime_ns = ?, title = ? WHERE id = ?",
        (*stamp, title, doc_id),
    )


def _next_id(connection: sqlite3.Connection, table: str) -> int:
    value: int = connection.execute(f"SELECT coalesce(max(rowid), 0) + 1 FROM {table}").fetchone()[
        0
    ]
    return value


def _stored(connection: sqlite3.Connection) -> dict[str, _Stored]:
    rows = connection.execute(
        "SELECT path, id, sha256, size, mtime_ns, title FROM documents"
    ).fetchall()
    return {library_path(row[0]): _Stored(*row[1:]) for row in rows}
