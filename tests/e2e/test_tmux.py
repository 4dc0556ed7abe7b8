"""End to end: the installed `readertui` command in a real terminal (tmux), driven by keys."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, require_tools, status_line

pytestmark = pytest.mark.e2e


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    require_tools()
    term = Terminal(tmp_path, 80, 24)
    yield term
    term.close()


def test_sample_library_opens_at_80x24_and_keys_work(terminal: Terminal, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    terminal.start(str(READERTUI), "--db", str(db))
    terminal.wait_until_ready()
    # The first document (by title) opens, its title in the header (a frame after the
    # footer may be the first).
    terminal.wait_until(
        lambda s: "China’s socialism succeeds" in s or "Localising the Soviet" in s,
        "the first document's title",
    )
    terminal.keys("1")
    screen = terminal.wait_for("Documents (4)")
    for title in ("China’s socialism", "China’s technology", "Localising the Soviet", "Report:"):
        assert title in screen
    terminal.keys("2", "G")
    terminal.wait_for("100%")
    terminal.keys("g")
    # Not "0%": "100%" holds it.
    terminal.wait_until(lambda s: " · 0% · " in status_line(s), "g: back at 0%")
    terminal.keys("?")
    terminal.wait_for("Cursor down a line")
    terminal.keys("Escape")
    # Help closed before q (an escape with a key right behind it reads as alt+key).
    terminal.wait_until(lambda s: "Cursor down a line" not in s, "escape closes help")
    terminal.keys("q")
    assert terminal.wait_until_closed(), "q did not quit"
    assert db.exists(), "the reading position was not saved"


def test_gutenberg_novel_shows_curly_quotes(
    terminal: Terminal, tmp_path: Path, corpus: Path
) -> None:
    novel = tmp_path / "novel" / "pg2600.txt"
    novel.parent.mkdir()
    shutil.copy(corpus / "pg2600.txt", novel)
    terminal.start(str(READERTUI), "--db", str(tmp_path / "db.json"), str(novel))
    terminal.wait_until_ready()
    terminal.keys("/")
    for char in "Well, Prince":
        terminal.keys("Space" if char == " " else char)
    screen = terminal.wait_for("“Well, Prince")
    assert "\ufffd" not in screen
    terminal.keys("Escape")
    terminal.wait_until(lambda s: status_line(s).startswith("NORMAL"), "escape closes find")
    terminal.keys("q")
    assert terminal.wait_until_closed(), "q did not quit"


def test_a_closed_terminal_leaves_no_tmux_socket_behind(tmp_path: Path) -> None:
    require_tools()
    term = Terminal(tmp_path, 80, 24)
    term.tmux("new-session", "-d", "-s", "main", "-x", "80", "-y", "24", "sleep 30")
    assert term.socket_path.exists()
    term.close()
    assert not term.socket_path.exists()
