"""The index's SQLite file: where it lives, its schema, connections, and rebuilding it.

One file per library in the user cache folder, named after the library's key, so libraries
never share an index. Everything in it can be rebuilt from the documents, so a file that is
missing, damaged or of another schema version (`PRAGMA user_version`) is replaced silently.

Several threads (the UI's workers) and several processes (two readers, a `readertui search`
in a script) may use one file at once: each thread has its own connection, the file is in
WAL mode (readers never block the writer), every connection waits for a busy file instead of
failing, and each write transaction is short (an update commits every two seconds).
Replacing a damaged file happens under a lock file, so two processes never delete each
other's fresh index.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from readertui.core.library import Library
from readertui.index.errors import IndexUnavailable
from readertui.index.scoring import RANK
from readertui.locations import cache_dir

#: The schema of the file; a file with another one is rebuilt. 2: no fingerprint table (the
#: same passage is found with phrase queries), a contentless FTS5 table with a label column
#: (`readertui.index.scoring`). 3: an index of the words' first three letters.
SCHEMA_VERSION = 3
#: How long a connection waits for another process's write before giving up (ms).
BUSY_TIMEOUT_MS = 30_000

TOKENIZER = "unicode61 remove_diacritics 2"
#: How many bytes of words FTS5 gathers in memory before writing them to the file: fewer,
#: larger pieces of index to merge later (the default is 1 MB).
FTS_PENDING_BYTES = 16 * 1024 * 1024

# `prefix='3'`: a search for `wor*` reads one list of places instead of merging those of
# every word starting so (work, world, worse, ...), which made a three-letter prefix search
# of a 100 MB library take 100-300 ms; the file grows by a quarter.
# The passages' text is stored once, in `passages`; the FTS5 index is contentless (it keeps
# only the words' places), so the rows to delete from it are made again from that text
# (`readertui.index.scoring.indexed_row`). No triggers: FTS5 flushes its pending words at
# every statement a trigger runs in, which made indexing four times slower.
_SCHEMA = f"""
CREATE TABLE documents(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    title TEXT NOT NULL
);
CREATE TABLE passages(
    id INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    line INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX passages_by_doc ON passages(doc, start);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, label, content='', prefix='3', tokenize='{TOKENIZER}'
);
INSERT INTO passages_fts(passages_fts, rank) VALUES ('rank', '{RANK}');
INSERT INTO passages_fts(passages_fts, rank) VALUES ('hashsize', {FTS_PENDING_BYTES});
CREATE VIRTUAL TABLE passages_vocab USING fts5vocab(passages_fts, 'row');
CREATE TABLE headings(
    doc INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    level INTEGER NOT NULL,
    title TEXT NOT NULL
);
CREATE INDEX headings_by_doc ON headings(doc, offset);
CREATE TABLE annotations(
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    orphaned INTEGER NOT NULL,
    quote TEXT NOT NULL,
    note TEXT NOT NULL,
    tags TEXT NOT NULL,
    links TEXT NOT NULL,
    title TEXT NOT NULL
);
CREATE TABLE annotation_tags(annotation TEXT NOT NULL, tag TEXT NOT NULL);
CREATE INDEX annotation_tags_by_tag ON annotation_tags(tag);
CREATE INDEX annotation_tags_by_annotation ON annotation_tags(annotation);
CREATE TABLE annotation_links(annotation TEXT NOT NULL, target TEXT NOT NULL);
CREATE INDEX annotation_links_by_target ON annotation_links(target);
CREATE INDEX annotation_links_by_annotation ON annotation_links(annotation);
CREATE VIRTUAL TABLE annotations_fts USING fts5(
    id UNINDEXED, quote, note, tags, tokenize='{TOKENIZER}'
);
"""


# What a usable file has: every table, index and trigger of the schema.
_SCHEMA_NAMES = frozenset(
    re.findall(r"CREATE (?:VIRTUAL )?(?:TABLE|INDEX|TRIGGER) (?!IF )(\w+)", _SCHEMA)
)


def default_index_path(library: Library) -> Path:
    """The index file of `library` in the user cache folder: its folder's name (readable)
    and a digest of its key (unique)."""
    digest = hashlib.sha256(library.key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", library.root.name).strip("-.")[:40] or "library"
    return cache_dir() / "index" / f"{name}-{digest}.sqlite3"


def is_damage(error: sqlite3.Error) -> bool:
    """Whether `error` says the file is damaged or not a database (not merely busy)."""
    if isinstance(error, sqlite3.OperationalError):
        message = str(error).lower()
        return any(
            sign in message
            for sign in ("malformed", "corrupt", "no such table", "no such column", "vtable")
        )
    return isinstance(error, sqlite3.DatabaseError) and not isinstance(
        error, sqlite3.IntegrityError | sqlite3.ProgrammingError
    )


class IndexCache:
    """The index file at `path`, opened lazily, one connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        # A lock per connection, held while its thread uses it (`using`): closing one that
        # another thread is in the middle of a statement on would crash the process.
        self._use_locks: dict[sqlite3.Connection, threading.RLock] = {}
        # Connections `close` found in use: their own thread closes them when done.
        self._to_close: set[sqlite3.Connection] = set()
        self._generation = 0  # bumped when the file is replaced: old connections are stale
        # The file (inode) found damaged, until it is replaced.
        self._damaged_file: int | None = None

    # -- connections ----------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection to a usable index file (made or rebuilt if need be)."""
        held = getattr(self._local, "held", None)
        # A file emptied under an open connection is replaced (see `_emptied`): also when this
        # thread holds one already (a pool's thread kept from an earlier update).
        if held is not None and held[0] == self._generation and not self._emptied():
            connection: sqlite3.Connection = held[1]
            return connection
        connection = self._ready_connection()
        self._local.held = (self._generation, connection)
        return connection

    def _ready_connection(self) -> sqlite3.Connection:
        if self._emptied():
            # Connecting would wait the whole busy timeout for our own connections to let go
            # of the WAL, then fail "database is locked": replace the file at once instead.
            self.mark_damaged()
            self.replace_damaged()
        for attempt in range(2):
            try:
                connection = self._connect()
            except sqlite3.Error as error:
                if attempt or not is_damage(error):
                    raise IndexUnavailable(
                        f"the index {self.path} cannot be opened ({error})"
                    ) from error
                self.mark_damaged()
                self.replace_damaged()
                continue
            with self._lock:
                self._connections.append(connection)
                self._use_locks[connection] = threading.RLock()
            return connection
        raise AssertionError("unreachable")

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _create_private(self.path)
        connection = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # transactions are begun and ended here, explicitly
            check_same_thread=False,  # `close` may come from another thread
        )
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA cache_size = -16000")  # KiB: 16 MB of pages
            self._ensure_schema(connection)
        except BaseException:
            connection.close()
            raise
        return connection

    def _ensure_schema(self, connection: sqlite3.Connection) -> None:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            if not _schema_complete(connection):
                raise sqlite3.DatabaseError("the index's tables are incomplete")
            return
        # One writer creates (or replaces) the schema; another process waiting here sees the
        # new version when its turn comes and leaves it alone.
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                _drop_everything(connection)
                for statement in _statements(_SCHEMA):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        except BaseException:
            with suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    def _emptied(self) -> bool:
        """Whether the file was emptied under the index (a full disk, a user's `: > file`):
        it is 0 bytes long although a connection of ours is open on it. (Setting WAL mode
        writes the first page, so a file in use is never empty.)"""
        try:
            if os.stat(self.path).st_size:
                return False
        except OSError:
            return False  # missing: simply made anew
        with self._lock:
            return bool(self._connections)

    @contextmanager
    def using(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, for as long as the block runs: `close` from another
        thread meanwhile interrupts its statement instead of closing it under it."""
        connection = self.connection()
        # Taken under the same lock `close` holds while it closes connections: a connection
        # is either closed already here (its statements fail cleanly) or in use, never
        # closed by another thread while a statement runs on it (that crashed the process).
        with self._lock:
            lock = self._use_locks.get(connection)
            if lock is not None:
                lock.acquire()
        if lock is None:  # closed already (or in use further up this thread's stack)
            yield connection
            return
        try:
            yield connection
        finally:
            lock.release()
        with self._lock:
            dropped = connection in self._to_close
            self._to_close.discard(connection)
        if dropped:
            with suppress(sqlite3.Error):
                connection.close()

    def close(self) -> None:
        """Close every thread's connection. One that a thread is using right now has its
        statement interrupted (that thread gets IndexUnavailable or Cancelled) and is
        closed by that thread when it is done with it."""
        with self._lock:
            connections, self._connections = self._connections, []
            self._generation += 1
            for connection in connections:
                lock = self._use_locks.pop(connection, None)
                if lock is None or lock.acquire(blocking=False):
                    try:
                        with suppress(sqlite3.Error):
                            connection.close()
                    finally:
                        if lock is not None:
                            lock.release()
                    continue
                with suppress(sqlite3.Error):
                    connection.interrupt()  # safe from any thread while the connection is open
                self._to_close.add(connection)

    # -- writing --------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on this thread's connection, taken at once (BEGIN
        IMMEDIATE), so two writers queue instead of failing half-way."""
        with self.using() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                with suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # -- damage ---------------------------------------------------------------------------------

    @property
    def damaged(self) -> bool:
        """Whether the file was found damaged and not replaced yet."""
        return self._damaged_file is not None

    def mark_damaged(self) -> None:
        """Remember that this file was found damaged (a query failed on it): the next
        `replace_damaged` deletes it, unless another process has replaced it meanwhile."""
        self._damaged_file = _file_identity(self.path)

    def replace_damaged(self) -> None:
        """Delete the damaged file, under a lock, if it is still the file found damaged or
        is damaged itself (another process may have replaced it already: that one is
        left alone); the next connection makes a new one."""
        from filelock import FileLock  # only when a file has to be replaced

        self.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path) + ".lock", timeout=BUSY_TIMEOUT_MS / 1000):
            seen = self._damaged_file
            same_file = seen is not None and seen == _file_identity(self.path)
            if same_file or self._still_damaged():
                for suffix in ("", "-wal", "-shm", "-journal"):
                    with suppress(FileNotFoundError):
                        os.unlink(str(self.path) + suffix)
        self._damaged_file = None

    def _still_damaged(self) -> bool:
        # Connecting checks the version and that every table is there; quick_check the rest.
        try:
            connection = self._connect()
        except sqlite3.Error as error:
            return is_damage(error)
        try:
            rows = connection.execute("PRAGMA quick_check(1)").fetchall()
            return rows != [("ok",)]
        except sqlite3.Error as error:
            return is_damage(error)
        finally:
            connection.close()


def _file_identity(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _schema_complete(connection: sqlite3.Connection) -> bool:
    """Whether every table, index and trigger of the schema is in the file."""
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    return names >= _SCHEMA_NAMES


def _create_private(path: Path) -> None:
    """Create `path` readable by its owner only, if it is missing: the index holds the
    documents' text and the notes."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def _drop_everything(connection: sqlite3.Connection) -> None:
    rows = connection.execute(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master "
        "WHERE type IN ('table', 'trigger') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()

    # Triggers, then virtual tables (which drop their shadow tables), then the rest.
    def order(row: tuple[str, str, str]) -> int:
        if row[0] == "trigger":
            return 0
        return 1 if row[2].upper().startswith("CREATE VIRTUAL") else 2

    for kind, name, _sql in sorted(rows, key=order):
        quoted = name.replace('"', '""')
        connection.execute(f'DROP {kind.upper()} IF EXISTS "{quoted}"')


def _statements(script: str) -> list[str]:
    """The statements of `script` (triggers hold semicolons, so split with SQLite's help)."""
    statements: list[str] = []
    current = ""
    for line in script.strip().splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements
