"""End to end: annotate in a real terminal, `kill -9` after `saved`, restart: all there.
Then edit the file above the highlight and reopen: still anchored. Two processes on one
database both keep their notes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, require_tools

pytestmark = pytest.mark.e2e

TEXT = "\n\n".join(
    f"Paragraph {n} tells of the steel works of Jiayuguan and its people." for n in range(40)
)


def start(term: Terminal, library: Path, db: Path) -> None:
    term.start(str(READERTUI), "--db", str(db), str(library / "report.txt"))
    term.wait_until_ready()


def annotations_in(db: Path) -> list[dict[str, object]]:
    data = json.loads(db.read_text(encoding="utf-8"))
    return list(data.get("annotations", {}).values())


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "report.txt").write_text(TEXT + "\n", encoding="utf-8")
    return folder


def test_annotate_kill_9_restart_everything_is_there(tmp_path: Path, library: Path) -> None:
    require_tools()
    db = tmp_path / "db.json"
    term = Terminal(tmp_path, 100, 30)
    try:
        start(term, library, db)
        term.keys("}", "v", "w", "w", "Enter")  # highlight "Paragraph 1"
        term.keys("n")
        term.wait_for("Markdown · ctrl+s")
        for word in ("A", "note", "that", "must", "survive"):
            term.keys(word, "Space")
        term.keys("C-s")
        time.sleep(0.3)
        term.keys("t")
        term.wait_for("comma-separated")
        term.keys("place/Jiayuguan,", "Space", "steel", "Enter")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (
            db.exists() and any(a.get("tags") for a in annotations_in(db))
        ):
            time.sleep(0.1)
        term.wait_for("· saved")
        os.kill(term.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while term.running() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        term.close()

    (saved,) = annotations_in(db)
    assert saved["quote"]["exact"] == "Paragraph 1"  # type: ignore[index]
    assert saved["note"] == "A note that must survive "
    assert saved["tags"] == ["place/Jiayuguan", "steel"]

    # Edit the file above the highlight, reopen: the highlight follows its text.
    original = (library / "report.txt").read_text(encoding="utf-8")
    (library / "report.txt").write_text("A new first line.\n\n" + original, encoding="utf-8")
    term = Terminal(tmp_path, 100, 30)
    moved_to = original.index("Paragraph 1") + len("A new first line.\n\n")
    try:
        start(term, library, db)
        # The highlight is placed in the edited text, and saved there, in the background.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and annotations_in(db)[0]["start"] != moved_to:
            time.sleep(0.1)
        term.keys("3")
        screen = term.wait_for("survive")
        assert "Orphaned" not in screen
        term.keys("Enter")
        term.wait_for("line 5/", timeout=15)  # the cursor is on "Paragraph 1" again
        term.keys("q")
    finally:
        term.close()
    (moved,) = annotations_in(db)
    assert moved["start"] == moved_to


def test_two_processes_on_one_database_keep_every_note(tmp_path: Path, library: Path) -> None:
    require_tools()
    db = tmp_path / "db.json"
    first = Terminal(tmp_path, 100, 30)
    second = Terminal(tmp_path, 100, 30)
    try:
        start(first, library, db)
        start(second, library, db)
        first.keys("v", "w", "Enter")
        first.wait_for("saved")
        second.keys("}", "}", "v", "w", "Enter")
        second.wait_for("saved")
        time.sleep(0.5)
        first.keys("}", "}", "}", "}", "v", "w", "Enter")
        first.wait_for("saved")
        for term in (first, second):
            term.keys("q")
        time.sleep(1)
    finally:
        first.close()
        second.close()
    quotes = sorted(str(a["quote"]["exact"]) for a in annotations_in(db))  # type: ignore[index]
    assert quotes == ["Paragraph", "Paragraph", "Paragraph"]
    starts = sorted(int(a["start"]) for a in annotations_in(db))  # type: ignore[arg-type]
    assert starts == [0, TEXT.index("Paragraph 2"), TEXT.index("Paragraph 4")]
    assert shutil.which("tmux")


@pytest.mark.parametrize("signal_number", [signal.SIGHUP, signal.SIGTERM])
def test_a_dropped_connection_still_saves(
    tmp_path: Path, library: Path, signal_number: signal.Signals
) -> None:
    """SIGHUP (the SSH connection dropped) or SIGTERM right after moving: the reading
    position, which is normally written half a second later, is saved all the same."""
    require_tools()
    db = tmp_path / "db.json"
    term = Terminal(tmp_path, 100, 30)
    try:
        start(term, library, db)
        term.keys("}", "}")
        time.sleep(0.1)
        os.kill(term.pid, signal_number)
        deadline = time.monotonic() + 10
        while term.running() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        term.close()
    term = Terminal(tmp_path, 100, 30)
    try:
        start(term, library, db)
        assert "line 5/" in term.wait_for("line ")
        term.keys("q")
    finally:
        term.close()
