"""End to end, attacks on the background index build (issue 10) in a real terminal.

A library big enough for the build to use worker processes (more than `POOL_BYTES`) is
opened in tmux, and while the index is being built the user quits, or types a search query
right after `ctrl+f`. Every process the app started (the forkserver, its worker processes,
the resource tracker) is followed by its id, and killed at the end so none outlives a test.

The app runs from this checkout's sources (`python -m readertui` with `src` first on the
path), not from whatever is installed beside the interpreter.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import library_key
from readertui.store.store import Store
from tests.e2e.terminal import Terminal, process_alive, require_tools

pytestmark = pytest.mark.e2e

SRC = Path(__file__).resolve().parents[2] / "src"
SAMPLE = Path(__file__).resolve().parents[2] / "library"
REPORT = "delegation-report-2025.txt"
CORPUS = Path("/work/shared/corpus/gutenberg")
BOOK = "pg2600.txt"  # 3.2 MB: each copy takes the workers seconds to cut up
COPIES = 6

#: How long `q` may take to end every process of the app (PRODUCT 4: `q` quits).
QUIT_WITHIN = 2.0


def command(db: Path, library: Path) -> tuple[str, ...]:
    return (
        "env",
        f"PYTHONPATH={SRC}",
        sys.executable,
        "-m",
        "readertui",
        "--db",
        str(db),
        str(library),
    )


@pytest.fixture
def big_library(tmp_path: Path) -> Path:
    book = CORPUS / BOOK
    if not book.exists():
        pytest.skip(f"the shared corpus is not here ({book})")
    folder = tmp_path / "big"
    folder.mkdir()
    text = book.read_bytes()  # Windows-1252, as the corpus has it
    for number in range(COPIES):
        # Each copy differs, so none is taken for a rename of another.
        (folder / f"copy{number}.txt").write_bytes(text + f"\nCopy {number}.\n".encode())
    return folder


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it, now."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(parent, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def _screen_or_none(term: Terminal) -> str:
    try:
        return term.screen()
    except subprocess.CalledProcessError:
        return "(the session has ended)"


def _dialog_rows(screen: str) -> list[str]:
    """The rows of a dialog drawn over the panes (between its `█` edges), stripped."""
    return [row.split("█")[1].strip() for row in screen.splitlines() if row.count("█") >= 2]


def _line(screen: str) -> int | None:
    """The line of the reader's cursor, from the status line (None before it shows)."""
    found = re.search(r"line ([\d,]+)/", screen.splitlines()[-2])
    return int(found.group(1).replace(",", "")) if found else None


def indexed_documents(index_file: Path) -> int:
    """How many documents the index file holds (0 while it cannot be read)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{index_file}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def _command_line(pid: int) -> str:
    """What process `pid` runs (for a failure's message)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"{pid}: (gone)"
    return f"{pid}: " + raw.replace(b"\0", b" ").decode(errors="replace").strip()[:200]


class Session:
    """The app in a terminal, and every process it started, all ended by `close`."""

    def __init__(self, term: Terminal) -> None:
        self.term = term
        self.pids: set[int] = set()

    def follow(self) -> None:
        for pid in self.term.pids:
            self.pids.update(descendants(pid))

    def wait_for_workers(self, timeout: float = 30) -> None:
        """Wait until the build runs in worker processes (the pane's shell, the app, the
        resource tracker, the forkserver and at least one worker)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.follow()
            if len([pid for pid in self.pids if process_alive(pid)]) >= 5:
                return
            time.sleep(0.1)
        raise AssertionError(f"the build never started its worker processes: {self.pids}")

    def alive(self) -> list[int]:
        return [pid for pid in self.pids if process_alive(pid)]

    def close(self) -> None:
        self.follow()
        self.term.kill_server()
        self.term.socket_path.unlink(missing_ok=True)
        for pid in self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    require_tools()
    running = Session(Terminal(tmp_path, 100, 30))
    yield running
    running.close()


def start_building(session: Session, tmp_path: Path, library: Path) -> None:
    term = session.term
    term.start(*command(tmp_path / "db.json", library))
    term.wait_until_ready(60)
    term.wait_for("indexing", 30)
    session.wait_for_workers()


def test_q_during_the_index_build_ends_every_process_promptly(
    session: Session, tmp_path: Path, big_library: Path
) -> None:
    start_building(session, tmp_path, big_library)
    time.sleep(0.5)
    session.follow()
    started = time.monotonic()
    session.term.burst("q")
    deadline = started + QUIT_WITHIN + 8
    while session.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    took = time.monotonic() - started
    left = session.alive()
    assert not left and took <= QUIT_WITHIN, (
        f"{len(left)} processes still ran {took:.1f} s after q (promise: {QUIT_WITHIN} s): "
        + "; ".join(_command_line(pid) for pid in left)
        + "\nthe screen:\n"
        + _screen_or_none(session.term)
    )


def test_a_query_typed_after_ctrl_f_during_the_build_never_runs_reader_commands(
    session: Session, tmp_path: Path, big_library: Path
) -> None:
    start_building(session, tmp_path, big_library)
    term = session.term
    term.burst("C-f")
    time.sleep(0.3)
    # Meant for the search field; in the reader, `G` jumps to the end of the document.
    term.burst("G", "o", "d")
    # Read once the keys have gone wherever they go: into the search field, or (the defect)
    # to the reader, which then leaves line 1.
    screen = term.wait_until(
        lambda s: "God" in _dialog_rows(s) or _line(s) not in (None, 1),
        "the query in the search field (or the reader moved)",
    )
    status = screen.splitlines()[-2]
    assert "indexing" in status, "the build ended before the hold limit: no test"
    assert "line 1/" in status, f"the query's keys moved the reader: {status!r}"


@pytest.fixture
def many_documents(tmp_path: Path) -> Path:
    """25 documents (a bulk build: `BULK_DOCUMENTS` is 20), small enough for no pool."""
    book = CORPUS / "pg2554.txt"
    if not book.exists():
        pytest.skip(f"the shared corpus is not here ({book})")
    folder = tmp_path / "many"
    folder.mkdir()
    text = book.read_bytes()[:300_000]
    for number in range(25):
        (folder / f"part{number:02d}.txt").write_bytes(text + f"\nPart {number}.\n".encode())
    return folder


def indexing_percent(term: Terminal) -> int | None:
    found = re.search(r"indexing (\d+)%", term.screen())
    return int(found.group(1)) if found else None


def test_a_build_cut_by_a_dropped_terminal_leaves_a_complete_index_after_the_next_start(
    session: Session, tmp_path: Path, many_documents: Path
) -> None:
    term = session.term
    db = tmp_path / "db.json"
    term.start(*command(db, many_documents))
    term.wait_until_ready(60)
    deadline = time.monotonic() + 60
    while (percent := indexing_percent(term)) is None or percent < 30:
        assert time.monotonic() < deadline, "the build never got to 30%"
        time.sleep(0.05)
    assert percent < 100
    session.follow()
    term.kill_server()  # the SSH connection drops
    ended_by = time.monotonic() + 30
    while session.alive() and time.monotonic() < ended_by:
        time.sleep(0.05)
    assert not session.alive()
    (index_file,) = (tmp_path / "cache" / "readertui" / "index").glob("*.sqlite3")
    listed = len([p for p in many_documents.iterdir() if p.suffix == ".txt"])
    # Start again; the rest of the library is indexed, then nothing is being done. (The
    # update starts just after the first paint: no `indexing` before it has begun.)
    term.start(*command(db, many_documents))
    term.wait_until_ready(60)
    term.wait_until(
        lambda s: indexed_documents(index_file) == listed and "indexing" not in s.splitlines()[-2],
        "the second build indexes the rest and ends",
        120,
    )
    # Every document is in the index, once, and the file is whole.
    with contextlib.closing(sqlite3.connect(index_file)) as connection:
        documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
    assert documents == listed, (documents, listed)
    assert check == "ok"


def seed_report_highlights(library: Path, db: Path) -> str:
    """Three highlights at the start of the report and one, noted "zebra quagga", on
    "molten salt" further on; the id of that one."""
    document = load_document(library / REPORT, library)
    ref = DocumentRef(REPORT, document.sha256, document.metadata.title, library_key(library))
    text = document.text
    spans = [(text.index(word), len(word)) for word in ("Report", "Delegation", "China")]
    annotations = [new_annotation(text, ref, at, at + size) for at, size in spans]
    at = text.index("molten salt")
    target = new_annotation(text, ref, at, at + len("molten salt"), note="zebra quagga")
    with Store(db) as store:
        store.save_annotations([*annotations, target])
    return target.id


def test_x_enter_ctrl_o_L_and_a_filter_in_one_burst_during_the_build_link_the_highlight(
    session: Session, tmp_path: Path
) -> None:
    book = CORPUS / BOOK
    if not book.exists():
        pytest.skip(f"the shared corpus is not here ({book})")
    library = tmp_path / "library"
    shutil.copytree(SAMPLE, library)
    for number in range(4):  # a build that lasts longer than the burst takes
        (library / f"zz{number}.txt").write_bytes(book.read_bytes() + f"{number}".encode())
    db = tmp_path / "db.json"
    target = seed_report_highlights(library, db)
    term = session.term
    term.start(*command(db, library / REPORT))
    term.wait_until_ready(60)
    term.wait_for("indexing", 30)
    term.burst("]")  # onto the first highlight
    time.sleep(0.3)
    term.burst("x", "Enter", "C-o", "L", *"zebra", "Enter")
    assert "indexing" in term.screen().splitlines()[-2], "the build had ended: no test"
    deadline = time.monotonic() + 60
    linked: list[str] = []
    while time.monotonic() < deadline and not linked:
        time.sleep(0.5)
        with Store(db) as store:
            linked = [a.id for a in store.annotations() if target in a.links]
    # Linked: every key of the burst has been taken. An export would be written in the
    # background: a moment for it to show.
    time.sleep(1.0)
    exports = list((tmp_path / "data").rglob("*.md"))
    assert not exports, f"a letter of the filter exported the document: {exports}"
    assert linked, "no highlight was linked to the one noted 'zebra quagga'"
