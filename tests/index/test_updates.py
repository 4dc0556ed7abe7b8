"""Keeping the index up to date: only what changed is read again; a missing, damaged or
older cache is rebuilt without a word; progress is reported and building can be cancelled
between documents; two processes can update one cache at once."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from contextlib import closing
from pathlib import Path

import pytest

from readertui.core.library import scan_library
from readertui.index import CancelToken, IndexUnavailable, LibraryIndex
from readertui.index.cache import SCHEMA_VERSION
from tests.index.helpers import TEXTS, open_index, paths, write_library


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_library(tmp_path / "library")


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "index.sqlite3"


def counting_loads(index: LibraryIndex, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    loaded: list[str] = []
    real = index.workspace.load

    def load(rel_path: str):  # type: ignore[no-untyped-def]
        loaded.append(rel_path)
        return real(rel_path)

    monkeypatch.setattr(index.workspace, "load", load)
    return loaded


def test_a_second_update_reads_nothing(
    root: Path, index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_index(root, index_path) as index:
        first = index.update()
        assert sorted(first.indexed) == sorted(TEXTS)
    with open_index(root, index_path) as index:
        loaded = counting_loads(index, monkeypatch)
        second = index.update()
        assert loaded == []
        assert not second.changed and second.unchanged == len(TEXTS)
        assert sorted(paths(index.search("fox"))) == ["a.txt", "c.md"]


def test_an_edited_document_is_indexed_again(root: Path, index_path: Path) -> None:
    with open_index(root, index_path) as index:
        index.update()
    (root / "a.txt").write_text("Alpha\n\nThe slow grey wolf.\n", encoding="utf-8")
    with open_index(root, index_path) as index:
        report = index.update()
        assert report.indexed == ("a.txt",)
        assert paths(index.search("wolf")) == ["a.txt"]
        assert paths(index.search("quick")) == []


def test_a_touched_document_is_read_but_not_indexed_again(root: Path, index_path: Path) -> None:
    with open_index(root, index_path) as index:
        index.update()
    os.utime(root / "b.txt", ns=(1, 1))
    with open_index(root, index_path) as index:
        report = index.update()
        assert report.indexed == () and report.unchanged == len(TEXTS)


def test_added_removed_and_renamed_documents(
    root: Path, index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_index(root, index_path) as index:
        index.update()
    (root / "d.txt").write_text("Delta\n\nA heron stood in the reeds.\n", encoding="utf-8")
    (root / "b.txt").unlink()
    (root / "c.md").rename(root / "renamed.md")
    with open_index(root, index_path) as index:
        report = index.update()
        assert report.indexed == ("d.txt",)
        assert report.removed == ("b.txt",)
        assert report.renamed == (("c.md", "renamed.md"),)
        assert paths(index.search("heron")) == ["d.txt"]
        assert paths(index.search("clocks")) == []
        hit = index.search("highlighted")[0]
        assert hit.place.path == "renamed.md" and hit.place.heading == "Part one"
        assert index.document_count() == 3


def test_a_document_that_cannot_be_read_is_left_out(root: Path, index_path: Path) -> None:
    with open_index(root, index_path) as index:
        index.update()
    library = scan_library(root)
    (root / "b.txt").write_bytes(b"\x00\x01binary now" * 10)
    with LibraryIndex(library, path=index_path) as index:
        report = index.update()
        assert [path for path, _ in report.failed] == ["b.txt"]
        assert paths(index.search("clocks")) == []


def test_progress_counts_the_documents_read(root: Path, index_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with open_index(root, index_path) as index:
        index.update(progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_cancelling_stops_between_documents_and_the_next_update_goes_on(
    root: Path, index_path: Path
) -> None:
    cancel = CancelToken()

    def progress(done: int, total: int) -> None:
        if done == 1:
            cancel.cancel()

    with open_index(root, index_path) as index:
        report = index.update(progress=progress, cancel=cancel)
        assert report.cancelled and len(report.indexed) == 1
        rest = index.update()
        assert not rest.cancelled and len(rest.indexed) == 2
        assert index.document_count() == 3


def _build(root: Path, index_path: Path) -> list[str]:
    with open_index(root, index_path) as index:
        index.update()
        return sorted(paths(index.search("fox")))


def test_a_missing_cache_is_made(root: Path, index_path: Path) -> None:
    assert _build(root, index_path) == ["a.txt", "c.md"]
    assert index_path.stat().st_mode & 0o777 == 0o600  # it holds the texts and notes
    for suffix in ("", "-wal", "-shm"):
        Path(str(index_path) + suffix).unlink(missing_ok=True)
    assert _build(root, index_path) == ["a.txt", "c.md"]


@pytest.mark.parametrize(
    "damage",
    ["garbage", "empty", "truncated", "scribbled", "table-dropped", "fts-data-dropped"],
)
def test_a_damaged_cache_is_rebuilt_silently(root: Path, index_path: Path, damage: str) -> None:
    assert _build(root, index_path) == ["a.txt", "c.md"]
    with closing(sqlite3.connect(index_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = index_path.read_bytes()
    if damage == "garbage":
        index_path.write_bytes(b"this is not a database\n" * 100)
    elif damage == "empty":
        index_path.write_bytes(b"")
    elif damage == "truncated":
        index_path.write_bytes(data[: len(data) // 3])
    elif damage == "scribbled":
        # Every page after the first scribbled over: tables and FTS pages alike.
        page = 4096
        index_path.write_bytes(data[:page] + bytes(range(256)) * ((len(data) - page) // 256))
    elif damage == "table-dropped":
        with closing(sqlite3.connect(index_path)) as connection:
            connection.execute("DROP TABLE passages")
    else:
        # Damage that only a search meets (the schema looks whole).
        with closing(sqlite3.connect(index_path)) as connection:
            connection.execute("DROP TABLE passages_fts_data")
    with open_index(root, index_path) as index:
        try:
            index.update()
            found = sorted(paths(index.search("fox")))
        except IndexUnavailable:
            # Damage only a query could see: the index says so (never an sqlite error),
            # and the next update rebuilds it.
            index.update()
            found = sorted(paths(index.search("fox")))
        assert found == ["a.txt", "c.md"]


def test_a_cache_of_the_first_layout_is_rebuilt(root: Path, index_path: Path) -> None:
    # Schema 1 kept fingerprints in a table of their own and the FTS5 index in step with
    # the passages by triggers.
    index_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(index_path)) as connection:
        connection.executescript(
            """
            CREATE TABLE documents(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,
                sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                title TEXT NOT NULL, fp_low INTEGER NOT NULL, fp_high INTEGER NOT NULL);
            CREATE TABLE passages(id INTEGER PRIMARY KEY, doc INTEGER NOT NULL,
                start INTEGER NOT NULL, end INTEGER NOT NULL, line INTEGER NOT NULL,
                text TEXT NOT NULL);
            CREATE VIRTUAL TABLE passages_fts USING fts5(text, content='passages',
                content_rowid='id');
            CREATE TRIGGER passages_added AFTER INSERT ON passages BEGIN
                INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
            END;
            CREATE TABLE fingerprints(hash INTEGER NOT NULL, passage INTEGER NOT NULL);
            INSERT INTO documents VALUES (1, 'a.txt', 'x', 1, 1, 'Alpha', 1, 1);
            INSERT INTO passages VALUES (1, 1, 0, 5, 1, 'Alpha');
            PRAGMA user_version = 1;
            """
        )
    assert _build(root, index_path) == ["a.txt", "c.md"]
    with closing(sqlite3.connect(index_path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert "fingerprints" not in tables and "passages_added" not in tables


def test_the_full_text_index_stays_whole_as_documents_change(root: Path, index_path: Path) -> None:
    # The FTS5 index keeps no copy of the text: a document's rows are deleted with the
    # words they were indexed with, made again from the stored passages.
    with open_index(root, index_path) as index:
        index.update()
    (root / "a.txt").write_text("Alpha\n\nThe slow grey wolf.\n\nA wolf.\n", encoding="utf-8")
    (root / "b.txt").unlink()
    with open_index(root, index_path) as index:
        index.update()
        assert paths(index.search("wolf")) == ["a.txt", "a.txt"]
        assert paths(index.search("clocks OR quick")) == []
    with closing(sqlite3.connect(index_path)) as connection:
        connection.execute("INSERT INTO passages_fts(passages_fts) VALUES ('integrity-check')")
        vocabulary = dict(connection.execute("SELECT term, doc FROM passages_vocab"))
    assert "quick" not in vocabulary and "clocks" not in vocabulary
    assert vocabulary["wolf"] == 2 and vocabulary["alpha"] == 1


def test_an_older_schema_is_rebuilt(root: Path, index_path: Path) -> None:
    index_path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(index_path)) as connection:
        connection.execute("CREATE TABLE documents(name TEXT)")
        connection.execute("CREATE TABLE leftover(x)")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
        connection.commit()
    assert _build(root, index_path) == ["a.txt", "c.md"]
    with closing(sqlite3.connect(index_path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert "leftover" not in tables


_UPDATER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from readertui.core.library import scan_library
    from readertui.index import LibraryIndex
    root, index_path = Path(sys.argv[1]), Path(sys.argv[2])
    for _ in range(3):
        with LibraryIndex(scan_library(root), path=index_path) as index:
            index.update()
            assert index.search("heron"), "no heron"
    """
)


def test_two_processes_updating_one_cache_do_not_corrupt_it(tmp_path: Path) -> None:
    texts = {
        f"doc{number:03}.txt": "\n\n".join(
            f"Paragraph {number} {part}: a heron, the reeds, word{number}x{part} and more."
            for part in range(150)
        )
        for number in range(40)
    }
    root = write_library(tmp_path / "library", texts)
    index_path = tmp_path / "cache" / "index.sqlite3"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _UPDATER, str(root), str(index_path)],
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        errors = [worker.communicate(timeout=120)[1] for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    assert [worker.returncode for worker in workers] == [0, 0], errors
    with closing(sqlite3.connect(index_path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        connection.execute("INSERT INTO passages_fts(passages_fts) VALUES ('integrity-check')")
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 40
        assert connection.execute("SELECT count(*) FROM passages").fetchone()[0] == 40 * 150
    with open_index(root, index_path) as index:
        assert paths(index.search("word7x3")) == ["doc007.txt"]
        assert len(index.search("heron", limit=10_000)) == 40 * 150


_KILLED_MID_BUILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from readertui.core.library import scan_library
    from readertui.index import LibraryIndex, building
    building.BATCH_SECONDS = 0.0  # a commit after every document
    root, index_path = Path(sys.argv[1]), Path(sys.argv[2])
    index = LibraryIndex(scan_library(root), path=index_path)
    index.update(progress=lambda done, total: os._exit(9) if done == 20 else None)
    """
)


def test_a_build_killed_half_way_leaves_a_cache_the_next_update_finishes(tmp_path: Path) -> None:
    texts = {f"doc{n:02}.txt": f"Heron number {n} in the reeds.\n" for n in range(40)}
    root = write_library(tmp_path / "library", texts)
    index_path = tmp_path / "index.sqlite3"
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_BUILD, str(root), str(index_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr
    with open_index(root, index_path) as index:
        report = index.update()
        assert len(report.indexed) == 20 and not report.rebuilt
        assert len(index.search("heron", limit=100)) == 40
    with closing(sqlite3.connect(index_path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        connection.execute("INSERT INTO passages_fts(passages_fts) VALUES ('integrity-check')")


def _contents(index_path: Path) -> dict[str, list[tuple[object, ...]]]:
    with closing(sqlite3.connect(index_path)) as connection:
        return {
            "documents": connection.execute(
                "SELECT path, sha256, title FROM documents ORDER BY path"
            ).fetchall(),
            "passages": connection.execute(
                "SELECT d.path, p.start, p.end, p.line, p.text FROM passages p "
                "JOIN documents d ON d.id = p.doc ORDER BY d.path, p.start"
            ).fetchall(),
            # What the full-text index holds: each word, in how many passages, how often.
            "words": connection.execute(
                "SELECT term, doc, cnt FROM passages_vocab ORDER BY term"
            ).fetchall(),
            "headings": connection.execute(
                "SELECT d.path, h.offset, h.level, h.title FROM headings h "
                "JOIN documents d ON d.id = h.doc ORDER BY d.path, h.offset"
            ).fetchall(),
        }


def test_worker_processes_index_the_same_as_this_process(tmp_path: Path) -> None:
    texts = {
        f"doc{number:02}.md": f"# Title {number}\n\n"
        + "\n\n".join(f"Part {part} of {number}, a heron in the reeds." for part in range(30))
        for number in range(25)
    }
    root = write_library(tmp_path / "library", texts)
    (root / "broken.txt").write_bytes(b"readable at first")
    library = scan_library(root)
    (root / "broken.txt").write_bytes(b"\x00binary now\x00" * 50)
    here, pooled = tmp_path / "here.sqlite3", tmp_path / "pooled.sqlite3"
    with LibraryIndex(library, path=here) as index:
        report_here = index.update(workers=0)
    with LibraryIndex(library, path=pooled) as index:
        report_pooled = index.update(workers=2)
    assert multiprocessing.active_children() == []
    assert report_pooled == report_here
    assert [path for path, _ in report_pooled.failed] == ["broken.txt"]
    assert len(report_pooled.indexed) == 25
    assert _contents(pooled) == _contents(here)


def test_cancelling_a_build_in_worker_processes_ends_them(tmp_path: Path) -> None:
    texts = {f"doc{number:02}.txt": f"Heron number {number}.\n" for number in range(30)}
    root = write_library(tmp_path / "library", texts)
    cancel = CancelToken()

    def progress(done: int, total: int) -> None:
        if done == 3:
            cancel.cancel()

    with open_index(root, tmp_path / "index.sqlite3") as index:
        report = index.update(progress=progress, cancel=cancel, workers=2)
        assert multiprocessing.active_children() == []
        assert report.cancelled and len(report.indexed) == 3
        assert len(index.update(workers=2).indexed) == 27
        assert sorted(paths(index.search("heron", limit=100)))[:2] == ["doc00.txt", "doc01.txt"]


def test_a_build_cancelled_before_it_starts_leaves_the_index_whole(tmp_path: Path) -> None:
    texts = {f"doc{number:02}.txt": f"Heron number {number}.\n" for number in range(30)}
    root = write_library(tmp_path / "library", texts)
    index_path = tmp_path / "index.sqlite3"
    cancel = CancelToken()
    cancel.cancel()
    with open_index(root, index_path) as index:
        report = index.update(cancel=cancel)
        assert report.cancelled and report.indexed == ()
    with closing(sqlite3.connect(index_path)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    with open_index(root, index_path) as index:
        assert len(index.update().indexed) == 30


def test_a_broken_pool_of_workers_falls_back_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readertui.index import preparing

    monkeypatch.setattr(preparing, "prepare_file", _die)
    texts = {f"doc{number:02}.txt": f"Heron number {number}.\n" for number in range(12)}
    root = write_library(tmp_path / "library", texts)
    with open_index(root, tmp_path / "index.sqlite3") as index:
        report = index.update(workers=2)
        assert multiprocessing.active_children() == []
        assert len(report.indexed) == 12 and not report.failed
        assert len(index.search("heron")) == 12


def _die(*args: object) -> object:
    """A worker process's job that kills it (as if killed, or out of memory)."""
    os._exit(1)


def test_an_update_waits_for_another_ones_turn_and_can_be_cancelled_meanwhile(
    tmp_path: Path,
) -> None:
    """While another process updates the index, an update waits for it (taking turns for
    SQLite's write lock, a waiting process lost every turn under load), and `q` (cancel)
    still ends it at once."""
    from filelock import FileLock

    texts = {f"doc{number:02}.txt": f"Heron number {number}.\n" for number in range(5)}
    root = write_library(tmp_path / "library", texts)
    index_path = tmp_path / "index.sqlite3"
    other_process = FileLock(str(index_path) + ".update-lock")
    reports: list[object] = []
    with open_index(root, index_path) as index:
        for outcome in ("cancelled", "indexed"):
            cancel = CancelToken()
            other_process.acquire()
            updater = threading.Thread(
                target=lambda token=cancel: reports.append(index.update(cancel=token))
            )
            updater.start()
            updater.join(0.5)
            assert updater.is_alive(), "the update did not wait for the other one"
            if outcome == "cancelled":
                cancel.cancel()
                updater.join(2)
                assert not updater.is_alive(), "cancelling did not end the wait"
            other_process.release()
            updater.join(5)
            assert not updater.is_alive()
        cancelled, indexed = reports
        assert cancelled.cancelled and cancelled.indexed == ()  # type: ignore[attr-defined]
        assert len(indexed.indexed) == 5  # type: ignore[attr-defined]


def test_an_update_goes_on_where_its_lock_file_cannot_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder that takes the index but not the lock file beside it (a quota, a
    full disk at that moment): the update is not refused for the lock's sake."""
    import filelock

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "index.sqlite3.update-lock")

    monkeypatch.setattr(filelock.FileLock, "acquire", refused)
    root = write_library(tmp_path / "library")
    with open_index(root, tmp_path / "index.sqlite3") as index:
        assert len(index.update().indexed) == len(TEXTS)
        assert paths(index.search("heron")) == [] and paths(index.search("fox"))
