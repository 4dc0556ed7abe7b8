"""End to end, as issue 11's "Done when" walks it at 80×24: the first start shows the four
documents of the sample library, `tab` walks the panes, `escape` always gets back to the
reader, `o wargan` opens the Morning Star piece, and `/natasha` finds Natásha in War and
Peace. Needs the Gutenberg corpus beside the checkout for the last step (../shared/corpus)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, require_tools

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "library"
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
        screen = term.wait_until_ready(60)
        # The first start shows the library, its four documents, beside the first one.
        screen = term.wait_until(lambda s: "Documents (4)" in s, "the library is shown")
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
        term.wait_until(lambda s: "China’s socialism" in s, "wargan is found")
        time.sleep(0.3)
        term.keys("Enter")
        term.wait_until(
            lambda s: "Pawel Wargan" in s and "Open a document" not in s,
            "the Morning Star piece opens",
        )
        term.keys("q")
        assert term.wait_until_closed(15)

        # /natasha in War and Peace finds Natásha.
        novel = tmp_path / "novels" / "war-and-peace.txt"
        novel.parent.mkdir()
        shutil.copy(corpus / "pg2600.txt", novel)
        term.start(str(READERTUI), "--db", str(tmp_path / "db.json"), str(novel), session="novel")
        term.wait_until_ready(60, session="novel")
        term.keys("/", "natasha", session="novel")
        screen = term.wait_for("find 1/", session="novel")
        count = _status(screen).split("find 1/")[1].split()[0].replace(",", "")
        assert int(count) >= 1000, _status(screen)
        assert "Natásha" in screen
        term.keys("Escape", session="novel")
        time.sleep(0.5)
        term.keys("q", session="novel")
        assert term.wait_until_closed(15, session="novel")
    finally:
        term.close()
