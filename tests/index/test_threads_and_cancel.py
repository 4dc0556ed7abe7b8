"""The index from worker threads: queries while an update runs, and stale requests cancelled
(the UI cancels the previous search when the user types on)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from readertui.core.library import scan_library
from readertui.index import Cancelled, CancelToken, LibraryIndex, cancel
from tests.index.helpers import open_index, write_library

BIG = {
    f"doc{number:02}.txt": "\n\n".join(
        f"Paragraph {part} of {number}: the heron stood among the reeds by the mill."
        for part in range(300)
    )
    for number in range(12)
}


class CancelledWhileRunning(CancelToken):
    """Reads as not cancelled the first `calm` times, then as cancelled: a cancel that comes
    while the query runs, at a known moment."""

    def __init__(self, calm: int) -> None:
        super().__init__()
        self.reads = 0
        self.calm = calm

    @property
    def cancelled(self) -> bool:
        self.reads += 1
        return self.reads > self.calm


@pytest.fixture
def index(tmp_path: Path) -> LibraryIndex:
    root = write_library(tmp_path / "library", BIG)
    built = open_index(root, tmp_path / "index.sqlite3")
    built.update()
    return built


def test_a_cancelled_request_raises_cancelled(index: LibraryIndex) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        index.search("heron", cancel=token)
    with pytest.raises(Cancelled):
        index.cross_references("doc01.txt", 0, cancel=token)
    with pytest.raises(Cancelled):
        index.concordance("heron", cancel=token)
    index.close()


def test_a_request_cancelled_while_it_runs_stops_inside_sqlite(index: LibraryIndex) -> None:
    token = CancelledWhileRunning(calm=1)
    with pytest.raises(Cancelled) as raised:
        index.search("heron", limit=5000, cancel=token)
    # SQLite's progress handler asked, and the query was interrupted (not left to finish).
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    # The connection is usable afterwards.
    assert len(index.search("heron", limit=3)) == 3
    index.close()


def test_work_read_ahead_waits_at_a_closed_gate_while_a_key_is_answered(
    index: LibraryIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Cross-refs tab reads the next paragraphs ahead; while the screen answers a key the
    # gate is closed and that work pauses (inside SQLite too), instead of taking turns with
    # the screen's thread for the interpreter.
    monkeypatch.setattr(cancel, "GATE_WAIT_LIMIT", 10.0)
    gate = threading.Event()  # closed
    found: list[int] = []
    asking = threading.Thread(
        target=lambda: found.append(len(index.search("heron", limit=50, cancel=CancelToken(gate))))
    )
    asking.start()
    asking.join(0.5)
    assert asking.is_alive() and not found  # waiting at the gate
    gate.set()
    asking.join(10)
    assert found == [50]
    index.close()


def test_a_gate_left_closed_slows_work_down_but_never_stops_it() -> None:
    token = CancelToken(threading.Event())  # a gate nobody opens
    started = time.monotonic()
    assert not token.poll()
    assert cancel.GATE_WAIT_LIMIT - 0.05 <= time.monotonic() - started < 5


def test_cancelled_work_leaves_a_closed_gate_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cancel, "GATE_WAIT_LIMIT", 10.0)
    token = CancelToken(threading.Event())
    threading.Timer(0.1, token.cancel).start()
    started = time.monotonic()
    assert token.poll()
    assert time.monotonic() - started < 2


def test_queries_from_threads_while_another_thread_updates(tmp_path: Path) -> None:
    root = write_library(tmp_path / "library", BIG)
    index = open_index(root, tmp_path / "index.sqlite3")
    index.update()
    (root / "new.txt").write_text("A kingfisher flashed past.\n", encoding="utf-8")
    index.use_library(scan_library(root))
    problems: list[BaseException] = []

    def ask() -> None:
        try:
            for _ in range(20):
                assert index.search("heron", limit=5)
                index.cross_references("doc03.txt", 200)
        except BaseException as error:  # collected for the main thread
            problems.append(error)

    workers = [threading.Thread(target=ask) for _ in range(3)]
    updater = threading.Thread(target=index.update)
    for thread in [updater, *workers]:
        thread.start()
    for thread in [updater, *workers]:
        thread.join(timeout=60)
    assert problems == []
    assert [hit.place.path for hit in index.search("kingfisher")] == ["new.txt"]
    index.close()


def test_the_index_imports_neither_textual_nor_rich() -> None:
    code = (
        "import sys, readertui.index, readertui.index.library_index, readertui.cli.subcommands;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert out.strip() == "[]"


def test_a_file_emptied_while_threads_hold_connections_is_rebuilt_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readertui.index import cache

    # Without the check, the new thread's connection waits the whole busy timeout for this
    # process's own connections, then fails "database is locked".
    monkeypatch.setattr(cache, "BUSY_TIMEOUT_MS", 2000)
    root = write_library(tmp_path / "library", {"a.txt": "The heron by the mill.\n"})
    index = open_index(root, tmp_path / "index.sqlite3")
    index.update()
    assert [hit.place.path for hit in index.search("heron")] == ["a.txt"]  # this thread's
    (tmp_path / "index.sqlite3").write_bytes(b"")  # emptied: a full disk, a user's `: > file`
    outcome: list[object] = []

    def update_from_a_worker() -> None:
        try:
            outcome.append(index.update().indexed)
        except Exception as error:  # the assertion below shows it
            outcome.append(error)

    worker = threading.Thread(target=update_from_a_worker)
    worker.start()
    worker.join(timeout=60)
    assert outcome == [("a.txt",)]  # the whole library again: a new file
    assert [hit.place.path for hit in index.search("heron")] == ["a.txt"]
    index.close()


def test_a_file_emptied_under_the_thread_that_updates_it_is_rebuilt_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same thread updates again (the app's workers run on a pool's reused threads):
    its own open connection must not be used on the emptied file ("locking protocol")."""
    from readertui.index import cache

    monkeypatch.setattr(cache, "BUSY_TIMEOUT_MS", 2000)
    root = write_library(tmp_path / "library", {"a.txt": "The heron by the mill.\n"})
    index = open_index(root, tmp_path / "index.sqlite3")
    index.update()
    assert [hit.place.path for hit in index.search("heron")] == ["a.txt"]
    (tmp_path / "index.sqlite3").write_bytes(b"")  # emptied: a full disk, a user's `: > file`
    assert index.update().indexed == ("a.txt",)  # the whole library again: a new file
    assert [hit.place.path for hit in index.search("heron")] == ["a.txt"]
    index.close()


def test_an_emptied_file_left_with_its_wal_is_rebuilt_by_the_next_process(tmp_path: Path) -> None:
    root = write_library(tmp_path / "library", {"a.txt": "The heron by the mill.\n"})
    path = tmp_path / "index.sqlite3"
    index = open_index(root, path)
    index.update()
    wal = Path(str(path) + "-wal")
    index.search("heron")
    kept_wal = wal.read_bytes() if wal.exists() else b""
    index.close()
    path.write_bytes(b"")
    wal.write_bytes(kept_wal or b"\0" * 64)  # what a crash right after the truncation leaves
    again = open_index(root, path)
    assert again.update().indexed == ("a.txt",)
    assert [hit.place.path for hit in again.search("heron")] == ["a.txt"]
    again.close()


def test_closing_the_index_while_another_thread_queries_never_crashes(tmp_path: Path) -> None:
    """The app quits (closing the index) while a worker is inside a query: closing a SQLite
    connection under a statement running in another thread crashed the process (SIGSEGV).
    Now the statement is interrupted and the worker gets an error it can handle."""
    script = textwrap.dedent(
        f"""
        import sqlite3, sys, threading, time
        from pathlib import Path
        sys.path[:0] = {sys.path!r}
        from readertui.index.cache import IndexCache
        cache = IndexCache(Path({str(tmp_path / "index.sqlite3")!r}))
        cache.connection()  # this thread's
        outcome = []
        running = threading.Event()

        def query():
            try:
                with cache.using() as connection:
                    running.set()
                    connection.execute(
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                        "WHERE i < 200000000) SELECT count(*) FROM n"
                    ).fetchone()
                outcome.append("finished")
            except sqlite3.Error as error:
                outcome.append(type(error).__name__)

        worker = threading.Thread(target=query)
        worker.start()
        running.wait(10)
        time.sleep(0.2)  # inside the statement
        cache.close()
        worker.join(30)
        print(outcome)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['OperationalError']"


_CLOSE_WHILE_ASKED = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from tests.index.helpers import open_index, write_library

    home = Path(sys.argv[1])
    texts = {
        f"d{n}.txt": "\\n\\n".join(f"Heron {n} {k} by the mill." for k in range(50))
        for n in range(5)
    }
    index = open_index(write_library(home / "library", texts), home / "index.sqlite3")
    index.update()
    stop = time.monotonic() + 4

    def ask():
        while time.monotonic() < stop:
            try:
                index.cross_references("d1.txt", 100)
            except Exception:
                pass  # a closed index says so; only a crash counts here

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for asker in askers:
        asker.start()
    while time.monotonic() < stop:
        index.close()  # what quitting does while the Cross-refs tab reads ahead
    for asker in askers:
        asker.join()
    print("whole")
    """
)


def test_closing_the_index_while_threads_ask_it_never_crashes_the_process(
    tmp_path: Path,
) -> None:
    """The app's quit closes the index while the Cross-refs tab's thread asks it: a
    connection closed by one thread while another ran a statement on it ended the process
    with a segmentation fault (seen in CI)."""
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", _CLOSE_WHILE_ASKED, str(tmp_path)],
        cwd=repo,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(repo / "src"), str(repo)])},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert result.stdout.strip() == "whole"
