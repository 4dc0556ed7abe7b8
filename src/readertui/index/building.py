"""Bring the index up to date with the library: only what changed is read again.

For each document of the library the index keeps its path, its text's hash and its file's
size and modification time. An update:

- skips a document whose file has the same size and time as when indexed (nothing read);
- reads one whose file changed, and re-indexes it only if its text's hash changed (a `touch`
  costs a read, not a re-index);
- takes a new path whose hash is that of a document no longer in the library for a rename:
  the rows move to the new path, nothing is re-indexed;
- drops documents no longer in the library.

The slow part of indexing a document (cutting passages, fingerprints, the outline) is done
before its write transaction, and each document is one short transaction, so another
process can use the file (or index another document) in between. Cancelling is checked
between documents; progress is reported as documents done out of those to read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from readertui.core.library import Library, LibraryEntry
from readertui.core.workspace import Workspace, file_stamp
from readertui.index.cache import FINGERPRINT_INDEX, IndexCache, is_damage
from readertui.index.cancel import CancelToken
from readertui.index.preparing import Prepared, Read, Unreadable, pool_size, read_all

#: Indexing at least this many documents in one update drops the fingerprint hash index
#: first and makes it again at the end: several times faster than keeping it up to date
#: row by row, and what a first build does.
BULK_DOCUMENTS = 20

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
) -> UpdateReport:
    """Update the index in `cache` to `library` as it is on disk now. `workers`: worker
    processes to cut documents up in (None: as many as suit the work, see `pool_size`)."""
    rebuilt = False
    if cache.damaged:
        cache.replace_damaged()
        rebuilt = True
    try:
        return _update(cache, library, workspace, progress, cancel, workers, rebuilt=rebuilt)
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        cache.mark_damaged()
    cache.replace_damaged()
    return _update(cache, library, workspace, progress, cancel, workers, rebuilt=True)


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
            if known.title != entry.metadata.title:  # the sidecar changed, not the text
                with cache.writing() as writing:
                    writing.execute(
                        "UPDATE documents SET title = ? WHERE id = ?",
                        (entry.metadata.title, known.id),
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
    bulk = total >= BULK_DOCUMENTS
    if bulk:
        with cache.writing() as writing:
            writing.execute("DROP INDEX IF EXISTS fingerprints_by_hash")
    reading = read_all(workspace, to_read, workers)
    try:
        for done, read in enumerate(reading, start=1):
            _bring_in(cache, read, stored, gone, gone_by_hash, tally)
            if progress is not None:
                progress(done, total)
            if cancel is not None and cancel.cancelled and done < total:
                return tally.report(cancelled=True, rebuilt=rebuilt)
    finally:
        reading.close()  # ends the worker processes, if any
        if bulk:
            # Made again however the loop ended (cancelled, or a document that failed).
            with cache.writing() as writing:
                writing.execute(FINGERPRINT_INDEX)

    for path, known in gone.items():
        with cache.writing() as writing:
            _delete_document(writing, known.id)
        tally.removed.append(path)
    return tally.report(cancelled=False, rebuilt=rebuilt)


def _bring_in(
    cache: IndexCache,
    read: Read | Unreadable,
    stored: dict[str, _Stored],
    gone: dict[str, _Stored],
    gone_by_hash: dict[str, str],
    tally: _Tally,
) -> None:
    """Record one new or changed document: the same text, renamed, or indexed again."""
    path = read.entry.rel_path
    title = read.entry.metadata.title
    known = stored.get(path)
    if isinstance(read, Unreadable):
        tally.failed.append((path, read.reason))
        if known is not None:
            with cache.writing() as writing:
                _delete_document(writing, known.id)
        return
    sha256, stamp = read.sha256, read.stamp
    if known is not None and known.sha256 == sha256:
        with cache.writing() as writing:
            _set_stamp(writing, known.id, stamp, title)
        tally.unchanged += 1
        return
    old_path = gone_by_hash.get(sha256)
    if known is None and old_path is not None:
        moved = gone.pop(old_path)
        del gone_by_hash[sha256]
        with cache.writing() as writing:
            writing.execute("UPDATE documents SET path = ? WHERE id = ?", (path, moved.id))
            _set_stamp(writing, moved.id, stamp, title)
        tally.renamed.append((old_path, path))
        return
    prepared = read.prepared()
    with cache.writing() as writing:
        # Another process may have indexed this very text meanwhile: then it is done.
        row = writing.execute("SELECT id, sha256 FROM documents WHERE path = ?", (path,)).fetchone()
        if row is not None and row[1] == sha256:
            _set_stamp(writing, row[0], stamp, title)
        else:
            if row is not None:
                _delete_document(writing, row[0])
            _insert_document(writing, path, sha256, stamp, title, prepared)
    tally.indexed.append(path)


def _insert_document(
    connection: sqlite3.Connection,
    path: str,
    sha256: str,
    stamp: tuple[int, int],
    title: str,
    prepared: Prepared,
) -> None:
    # Row ids are given, not left to SQLite: a document's fingerprints are then one range
    # of rows, deleted by range when it changes (an index on `passage` would double the
    # table's size). The write transaction is ours alone, so the ids are free.
    doc_id = _next_id(connection, "documents")
    first_passage = _next_id(connection, "passages")
    first_fingerprint = _next_id(connection, "fingerprints")
    last_fingerprint = first_fingerprint + prepared.fingerprint_count - 1
    connection.execute(
        "INSERT INTO documents(id, path, sha256, size, mtime_ns, title, fp_low, fp_high) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (doc_id, path, sha256, *stamp, title, first_fingerprint, last_fingerprint),
    )
    connection.executemany(
        "INSERT INTO passages(id, doc, start, end, line, text) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (first_passage + number, doc_id, start, end, line, text)
            for number, (start, end, line, text) in enumerate(prepared.passages)
        ],
    )
    connection.execute(
        "INSERT INTO fingerprints(rowid, hash, passage) "
        # json_extract, not ->>: SQLite before 3.38 (still in some Pythons) lacks ->>.
        "SELECT ? + key, json_extract(value, '$[0]'), ? + json_extract(value, '$[1]') "
        "FROM json_each(?)",
        (first_fingerprint, first_passage, prepared.fingerprints),
    )
    connection.executemany(
        "INSERT INTO headings(doc, offset, level, title) VALUES (?, ?, ?, ?)",
        [(doc_id, offset, level, title) for offset, level, title in prepared.headings],
    )


def _delete_document(connection: sqlite3.Connection, doc_id: int) -> None:
    row = connection.execute(
        "SELECT fp_low, fp_high FROM documents WHERE id = ?", (doc_id,)
    ).fetchone()
    if row is None:
        return
    connection.execute("DELETE FROM fingerprints WHERE rowid BETWEEN ? AND ?", row)
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
    return {row[0]: _Stored(*row[1:]) for row in rows}
