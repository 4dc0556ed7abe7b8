"""End to end: annotate in a real terminal, `kill -9` after `saved`, restart: all there.
Then edit the file above the highlight and reopen: still anchored. Two processes on one
database both keep their notes."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
from pathlib import Path

import pytest

from tests.e2e.terminal import (
    READERTUI,
    Terminal,
    poll_until,
    require_tools,
    status_line,
    wait_until_ended,
)

pytestmark = pytest.mark.e2e

TEXT = "\n\n".join(
    f"Paragraph {n} tells of the steel works of Jiayuguan and its people." for n in range(40)
)


def start(term: Terminal, library: Path, db: Path) -> None:
    term.start(str(READERTUI), "--db", str(db), str(library / "report.txt"))
    term.wait_until_ready()


def annotations_in(db: Path) -> list[dict[str, object]]:
    if not db.exists():
        return []  # nothing saved yet: the database is made at the first save
    data = json.loads(db.read_text(encoding="utf-8"))
    return list(data.get("annotations", {}).values())


def position(screen: str) -> str | None:
    """The status line's `line N/M`, once it shows one."""
    found = re.search(r"line [\d,]+/[\d,]+", status_line(screen))
    return found.group() if found else None


def starts_in(db: Path) -> list[int]:
    return sorted(int(a["start"]) for a in annotations_in(db))  # type: ignore[arg-type]


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
        # The editor closed and the note counted: `t` is for the highlight, not the editor.
        term.wait_until(
            lambda s: "Markdown · ctrl+s" not in s and "1 highlight, 1 note" in status_line(s),
            "the note editor closes on ctrl+s",
        )
        term.keys("t")
        term.wait_for("comma-separated")
        term.keys("place/Jiayuguan,", "Space", "steel", "Enter")
        poll_until(lambda: any(a.get("tags") for a in annotations_in(db)), "the tags written")
        # Written, and said so (the tags do not change the counts: the file shows the write).
        term.wait_until(
            lambda s: "comma-separated" not in s and status_line(s).endswith(" · saved"),
            "the status line says saved",
        )
        os.kill(term.pid, signal.SIGKILL)
        assert wait_until_ended(term.pid, 10)
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
        poll_until(lambda: starts_in(db) == [moved_to], "the highlight saved where it moved")
        term.keys("3")
        screen = term.wait_for("survive")
        assert "Orphaned" not in screen
        term.keys("Enter")
        term.wait_for("line 5/")  # the cursor is on "Paragraph 1" again
        term.keys("q")
        assert term.wait_until_closed()
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
        # Each highlight is in the file, and its process says saved, before the next is made.
        first.keys("v", "w", "Enter")
        poll_until(lambda: starts_in(db) == [0], "the first highlight written")
        first.wait_until_saved("1 highlight")
        second.keys("}", "}", "v", "w", "Enter")
        poll_until(lambda: len(starts_in(db)) == 2, "the second highlight written")
        second.wait_until_saved("1 highlight")
        first.keys("}", "}", "}", "}", "v", "w", "Enter")
        poll_until(lambda: len(starts_in(db)) == 3, "the third highlight written")
        first.wait_until_saved("2 highlights")
        for term in (first, second):
            term.keys("q")
        for term in (first, second):
            assert term.wait_until_closed(), "q did not quit"
    finally:
        first.close()
        second.close()
    quotes = sorted(str(a["quote"]["exact"]) for a in annotations_in(db))  # type: ignore[index]
    assert quotes == ["Paragraph", "Paragraph", "Paragraph"]
    assert starts_in(db) == [0, TEXT.index("Paragraph 2"), TEXT.index("Paragraph 4")]
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
        # On screen first: the keys had to be taken before the signal, not written.
        term.wait_until(lambda s: "line 5/" in status_line(s), "the cursor moved to line 5")
        os.kill(term.pid, signal_number)
        assert wait_until_ended(term.pid, 10)
    finally:
        term.close()
    term = Terminal(tmp_path, 100, 30)
    try:
        start(term, library, db)
        # The position comes a frame after the first screen of text: read it once it stays.
        screen = term.wait_until_steady(position, "the reading position")
        assert (position(screen) or "").startswith("line 5/"), status_line(screen)
        term.keys("q")
    finally:
        term.close()
