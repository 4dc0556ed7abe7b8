"""ctrl+f and * in the reader: the library index is built when first asked for, the screens
open over it, and choosing a result is a jump that ctrl+o comes back from."""

from __future__ import annotations

from pathlib import Path

from textual import events

from readertui.config import Config
from readertui.ui.app import make_app
from readertui.ui.library_lookup import word_at
from readertui.ui.screens.concordance import ConcordanceScreen
from readertui.ui.screens.library_search import LibrarySearchScreen
from tests.ui.helpers import wait_for_startup
from tests.ui.library_hosts import until

SAMPLE = Path(__file__).resolve().parents[2] / "library"
MORNING_STAR = "jiayuguan-morning-star.txt"
REPORT = "delegation-report-2025.txt"


def test_the_word_under_the_cursor_is_one_the_concordance_takes() -> None:
    """Letters and digits, as the index cuts words: on "Dunhuang’s" it is "Dunhuang" (the
    concordance refuses two words, and "Dunhuang’s" is two to the index)."""
    text = "Dunhuang’s molten-salt plant_site, 100MW."
    assert word_at(text, 3) == "Dunhuang"
    assert word_at(text, 8) == "Dunhuang"  # just after a word: that word
    assert word_at(text, 11) == "molten"
    assert word_at(text, 25) == "plant"
    assert word_at(text, 36) == "100MW"
    assert word_at("  ...  ", 3) == ""


async def test_ctrl_f_finds_molten_salt_in_the_report_and_ctrl_o_comes_back(
    tmp_path: Path,
) -> None:
    app = make_app(SAMPLE, tmp_path / "db.json", Config(), open_path=SAMPLE / MORNING_STAR)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        start = app.reader.cursor
        await pilot.press("ctrl+f")
        await until(pilot, lambda: isinstance(app.screen, LibrarySearchScreen), "search opens")
        await pilot.press(*"molten salt")
        screen = app.screen
        assert isinstance(screen, LibrarySearchScreen)
        await until(pilot, lambda: screen.up_to_date, "results for the query")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: app.document is not None and app.document.rel_path == REPORT,
            "the report opens",
        )
        await pilot.pause()
        text = app.document.text
        cursor = app.reader.cursor
        assert text[cursor : cursor + len("molten salt")].casefold() == "molten salt"
        assert app.focused is app.reader
        await pilot.press("ctrl+o")
        await until(
            pilot,
            lambda: app.document is not None and app.document.rel_path == MORNING_STAR,
            "back in the Morning Star piece",
        )
        assert app.reader.cursor == start


async def test_asterisk_lists_every_occurrence_of_the_word_under_the_cursor(
    tmp_path: Path,
) -> None:
    app = make_app(SAMPLE, tmp_path / "db.json", Config(), open_path=SAMPLE / MORNING_STAR)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        assert app.document is not None
        app.reader.move_cursor(app.document.text.index("Jiayuguan") + 2, jump=True)
        await pilot.press("asterisk")
        await until(pilot, lambda: isinstance(app.screen, ConcordanceScreen), "it opens")
        screen = app.screen
        assert isinstance(screen, ConcordanceScreen)
        assert screen.word == "Jiayuguan"
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ConcordanceScreen), "it closes")
        assert app.document.rel_path == MORNING_STAR


async def test_a_search_typed_in_one_burst_reaches_the_search_screen(tmp_path: Path) -> None:
    """ctrl+f, the query and enter typed at once, while the index is still being built: the
    keys wait for the search screen and go there, none of them to the reader (where `o`,
    `e` and `n` would open, export and annotate)."""
    app = make_app(SAMPLE, tmp_path / "db.json", Config(), open_path=SAMPLE / MORNING_STAR)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        # Posted at once, as a terminal hands over keys typed in one burst (pilot.press
        # would wait for each key to be handled).
        for key in ("ctrl+f", *"molten salt", "enter"):
            character = key if len(key) == 1 else ("\r" if key == "enter" else None)
            app.post_message(events.Key("space" if key == " " else key, character))
        await until(
            pilot,
            lambda: app.document is not None and app.document.rel_path == REPORT,
            "the report opens at the words typed",
        )
        await pilot.pause()
        cursor = app.reader.cursor
        assert app.document.text[cursor : cursor + 11].casefold() == "molten salt"
        assert app.screen is app.reading
        assert not app.reading.annotating.annotations
