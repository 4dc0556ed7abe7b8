"""End to end, as issue 11's "Done when" walks it at 80×24: the first start shows the four
documents of the sample library, `tab` walks the panes, `escape` always gets back to the
reader, `o wargan` opens the Morning Star piece, and `/natasha` finds Natásha in War and
Peace. Needs the Gutenberg corpus beside the checkout for the last step (../shared/corpus)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, finds, first_hit, require_tools

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "library"
MORNING_STAR = "China’s socialism succeeds where Eastern European failed"
TITLES = ("China’s socialism", "China’s technology", "Localising the Soviet", "Report:")


def _status(screen: str) -> str:
    return screen.splitlines()[-2].strip()


def _pane_titles(screen: str) -> list[str]:
    """The titles of the boxes on the top row (`Library`, `Reader`, `Notes`)."""
    top = screen.splitlines()[0]
    return [part.strip(" ─╮╭") for part in top.split("╭─") if part.strip(" ─╮╭")]


def test_the_first_minutes_at_80x24(tmp_path: Path, corpus: Path) -> None:
    require_tools()
    library = tmp_path / "library"
    shutil.copytree(SAMPLE, library)
    term = Terminal(tmp_path, 80, 24)
    try:
        term.start(str(READERTUI), "--db", str(tmp_path / "db.json"), str(library))
        term.wait_until_ready()
        # The first start shows the library, its four documents, beside the first one (the
        # list is filled, and the first document placed, just after the footer shows).
        screen = term.wait_until(
            lambda s: "Documents (4)" in s and _status(s).startswith("NORMAL · 1/4 "),
            "the library is shown beside the first document",
        )
        for title in TITLES:
            assert title in screen, screen
        assert _status(screen).startswith("NORMAL · 1/4 ")
        assert "1 Library" in screen.splitlines()[-1]

        # Reading folds the library away; tab walks the panes: reader -> sidebar -> library
        # -> reader; escape gets back.
        term.keys("j")
        screen = term.wait_until(lambda s: _pane_titles(s) == ["Reader"], "j: the reader alone")
        term.keys("Tab")
        screen = term.wait_until(lambda s: "Notes" in _pane_titles(s), "tab: the sidebar")
        term.keys("Escape")
        screen = term.wait_until(lambda s: _pane_titles(s) == ["Reader"], "escape: the reader")
        term.keys("1")
        term.wait_until(lambda s: "Library" in _pane_titles(s), "1: the library")
        term.keys("Down")
        time.sleep(0.2)
        term.keys("Escape")
        term.wait_until(lambda s: _pane_titles(s) == ["Reader"], "escape from the list")

        # o wargan: the Morning Star piece, found by its author.
        term.keys("o")
        term.wait_for("Open a document")
        term.keys("wargan")
        # The list is filtered after the field shows the query: enter takes the first hit
        # of the list as it is when enter comes.
        term.wait_until_steady(
            lambda s: (hit := first_hit(s)) and hit[0] == "wargan" and hit[1],
            "the picker's list for wargan",
        )
        assert first_hit(term.screen()) == ("wargan", MORNING_STAR)
        term.keys("Enter")
        term.wait_until(
            lambda s: first_hit(s) is None and "Pawel Wargan" in s,
            "the picker closes on the Morning Star piece",
        )
        term.keys("q")
        assert term.wait_until_closed()

        # /natasha in War and Peace finds Natásha.
        novel = tmp_path / "novels" / "war-and-peace.txt"
        novel.parent.mkdir()
        shutil.copy(corpus / "pg2600.txt", novel)
        term.start(str(READERTUI), "--db", str(tmp_path / "db.json"), str(novel), session="novel")
        term.wait_until_ready(session="novel")
        term.keys("/", "natasha", session="novel")
        # Each shorter query (`n`, `na`, …) is counted first: the count of the whole one.
        screen = term.wait_until_steady(finds("natasha"), "/natasha counted", session="novel")
        count = _status(screen).split("find 1/")[1].split()[0].replace(",", "")
        assert int(count) >= 1000, _status(screen)
        assert "Natásha" in screen
        term.keys("Escape", session="novel")
        # Find closed before q (an escape with a key right behind it reads as alt+key).
        term.wait_until(
            lambda s: _status(s).startswith("NORMAL"), "escape closes find", session="novel"
        )
        term.keys("q", session="novel")
        assert term.wait_until_closed(session="novel")
    finally:
        term.close()
