"""End to end, as issue 9 walks it: War and Peace, `G`, `/Borodinó` enter, another document,
then `ctrl+o` three times lands on the match, the end and the start, each at its exact line
and with the same screen; `ctrl+n` retraces; after `q` and a restart (reopened at the match)
`ctrl+o` still goes back to the end and the start.
Needs the Gutenberg corpus beside the checkout (../shared/corpus)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, first_hit, require_tools, status_line

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


def _view(screen: str) -> tuple[str, list[str]] | None:
    """The position in the status line and the reader's rows, once a position shows."""
    found = LINE.findall(status_line(screen))
    return (found[-1][0], _reader_rows(screen)) if found else None


def _at_line(term: Terminal, key: str, line: int) -> str:
    """Type `key`; the screen once the status line shows `line` and the reader has been
    still for half a second (the scroll position comes with the frame after the cursor's)."""
    term.keys(key)
    return term.wait_until_steady(
        lambda s: (view := _view(s)) is not None and _line(s) == line and view,
        f"{key} lands on line {line}",
    )


def _still(term: Terminal, shows: Callable[[str], bool], what: str) -> str:
    """The screen once `shows(screen)` holds and the reader has been still for half a
    second."""
    return term.wait_until_steady(lambda s: shows(s) and _view(s), what)


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
        term.wait_until_ready()
        # The position comes a frame after the first screen of text (its lines are counted
        # then): wait for it rather than read it with the footer.
        start = _still(term, lambda s: True, "the position")
        assert _line(start) == 1
        term.keys("G")
        end = _still(term, lambda s: " · 100% · " in status_line(s), "G: the end")
        end_line = _line(end)
        term.keys("/", "Borodinó", "Enter")
        term.wait_for("find 2/108")  # enter went on from the first match to the second
        term.keys("Escape")
        match = _still(term, lambda s: status_line(s).startswith("NORMAL"), "escape: the match")
        match_line = _line(match)
        assert 1 < match_line < end_line and "Borodinó" in match
        term.keys("o")
        term.wait_for("Open a document")
        term.keys("Another")
        # The list is filtered after the field shows the query: enter takes the first hit
        # of the list as it is when enter comes.
        term.wait_until_steady(
            lambda s: (hit := first_hit(s)) and hit[0] == "Another" and hit[1], "Another picked"
        )
        assert (first_hit(term.screen()) or ("", ""))[1].startswith("Another document")
        term.keys("Enter")
        term.wait_until(lambda s: first_hit(s) is None and "Short." in s, "the other document")
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
        assert term.wait_until_closed()
        term.start(str(READERTUI), "--db", str(db), str(library / "war-and-peace.txt"))
        term.wait_until_ready()
        reopened = _still(term, lambda s: True, "the position")
        assert _line(reopened) == match_line  # where it was left
        # The match is where it is already: back goes to the end, then the start.
        _at_line(term, "C-o", end_line)
        _at_line(term, "C-o", 1)
    finally:
        term.close()
