"""End to end, as issue 9 walks it: War and Peace, `G`, `/Borodinó` enter, another document,
then `ctrl+o` three times lands on the match, the end and the start, each at its exact line
and with the same screen; `ctrl+n` retraces; after `q` and a restart (reopened at the match)
`ctrl+o` still goes back to the end and the start.
Needs the Gutenberg corpus beside the checkout (../shared/corpus)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, require_tools

pytestmark = pytest.mark.e2e

LINE = re.compile(r"line ([\d,]+)/([\d,]+)")


def _line(screen: str) -> int:
    found = LINE.findall(screen)
    assert found, f"no line number on the screen:\n{screen}"
    return int(found[-1][0].replace(",", ""))


def _reader_rows(screen: str) -> list[str]:
    """The reader pane's rows: the middle of the three boxes (at 120 columns all show)."""
    rows = []
    for row in screen.splitlines()[:-2]:
        boxes = row.split("│")
        if len(boxes) >= 7:
            rows.append(boxes[3])
    return rows


def _at_line(term: Terminal, key: str, line: int) -> str:
    """Type `key`; the screen once the status line shows `line` and the screen is still."""
    term.keys(key)
    deadline = time.monotonic() + 20
    screen = term.screen()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        again = term.screen()
        if again == screen and LINE.findall(screen) and _line(screen) == line:
            return screen
        screen = again
    raise AssertionError(f"{key} did not land on line {line}; the screen was:\n{screen}")


def _still(term: Terminal, text: str) -> str:
    """The screen once it shows `text` and has not changed for 0.4 s."""
    screen = term.wait_for(text)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        time.sleep(0.4)
        again = term.screen()
        if again == screen and text in screen:
            return screen
        screen = again
    return screen


def test_back_forward_and_back_again_after_a_restart(tmp_path: Path, corpus: Path) -> None:
    require_tools()
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(corpus / "pg2600.txt", library / "war-and-peace.txt")
    (library / "zz-notes.md").write_text("# Another document\n\nShort.\n", encoding="utf-8")
    db = tmp_path / "db.json"
    term = Terminal(tmp_path, 120, 40)
    try:
        term.start(str(READERTUI), "--db", str(db), str(library / "war-and-peace.txt"))
        term.wait_until_ready(60)
        # The position comes a frame after the first screen of text (its lines are counted
        # then): wait for it rather than read it with the footer.
        start = term.wait_until(lambda screen: bool(LINE.findall(screen)), "the position", 30)
        assert _line(start) == 1
        term.keys("G")
        end = _still(term, "100%")
        end_line = _line(end)
        term.keys("/", "Borodinó", "Enter")
        term.wait_for("find 2/108")  # enter went on from the first match to the second
        term.keys("Escape")
        match = _still(term, "NORMAL")
        match_line = _line(match)
        assert 1 < match_line < end_line and "Borodinó" in match
        term.keys("o")
        term.wait_for("Open a document")
        term.keys("Another", "Enter")
        term.wait_for("Short.")
        back_at_match = _at_line(term, "C-o", match_line)
        # The same screen as before: the scroll position is restored, not just the cursor.
        assert _reader_rows(back_at_match)[:30] == _reader_rows(match)[:30]
        back_at_end = _at_line(term, "C-o", end_line)
        assert _reader_rows(back_at_end)[:30] == _reader_rows(end)[:30]
        _at_line(term, "C-o", 1)
        _at_line(term, "C-n", end_line)
        _at_line(term, "C-n", match_line)
        term.keys("C-n")
        term.wait_for("Short.")
        term.keys("q")
        assert term.wait_until_closed(15)
        term.start(str(READERTUI), "--db", str(db), str(library / "war-and-peace.txt"))
        term.wait_until_ready(60)
        reopened = term.wait_until(lambda screen: bool(LINE.findall(screen)), "the position", 30)
        assert _line(reopened) == match_line  # where it was left
        # The match is where it is already: back goes to the end, then the start.
        _at_line(term, "C-o", end_line)
        _at_line(term, "C-o", 1)
    finally:
        term.close()
