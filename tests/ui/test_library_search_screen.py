"""The library search screen (`ctrl+f`), driven with the Pilot as a user would.

It is opened in a bare app over an index of the sample library (or of a made-up one), so
these tests need nothing of the reader; what they check is what the screen shows and what it
is dismissed with.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.index import CancelToken, LibraryIndex, SearchHit
from readertui.ui.screens.library_jump import LibraryJump
from readertui.ui.screens.library_search import LibrarySearchScreen
from tests.conftest import SAMPLE_LIBRARY
from tests.ui.helpers import rendered_text
from tests.ui.library_hosts import Host, built_index, until, write_texts

REPORT = "delegation-report-2025.txt"
REPORT_TITLE = "Report: Delegation to China, May-June 2025"


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibraryIndex]:
    cache = tmp_path_factory.mktemp("search-index") / "index.sqlite3"
    with built_index(SAMPLE_LIBRARY, cache) as index:
        yield index


def host(index: LibraryIndex, query: str = "") -> Host[LibraryJump]:
    return Host(lambda: LibrarySearchScreen(index, query))


def screen_of(pilot: Pilot[Any]) -> LibrarySearchScreen:
    screen = pilot.app.screen
    assert isinstance(screen, LibrarySearchScreen)
    return screen


async def settled(pilot: Pilot[Any]) -> LibrarySearchScreen:
    """Wait until the list answers what the field holds."""
    screen = screen_of(pilot)
    await until(pilot, lambda: screen.up_to_date, "the list answers the query")
    return screen


def lines(screen: LibrarySearchScreen) -> list[str]:
    """The result list as the user sees it."""
    return rendered_text(screen.query_one(OptionList)).splitlines()


def status(screen: LibrarySearchScreen) -> str:
    return str(screen.query_one("#library-search-status", Static).render())


def marked_words(screen: LibrarySearchScreen, row: int) -> set[str]:
    """The emphasised words of the snippet of result `row`, as drawn."""
    prompt = screen.query_one(OptionList).get_option_at_index(row).prompt
    mark = screen.get_component_rich_style("library-search--match")
    assert not isinstance(prompt, str)
    text = prompt.plain  # type: ignore[union-attr]
    return {
        text[span.start : span.end].casefold()
        for span in prompt.spans  # type: ignore[union-attr]
        if span.style == mark
    }


async def test_molten_salt_lists_the_reports_paragraph_first(sample_index: LibraryIndex) -> None:
    app = host(sample_index)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"molten salt")
        screen = await settled(pilot)
        shown = lines(screen)
        assert shown[0].startswith(REPORT_TITLE)
        assert "line " in shown[0]
        assert "molten salt" in shown[1].casefold()
        assert marked_words(screen, 0) == {"molten", "salt"}
        assert "result" in status(screen)


async def test_results_follow_the_typing(sample_index: LibraryIndex) -> None:
    app = host(sample_index)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"Dunhuang")
        screen = await settled(pilot)
        before = screen.hits
        assert before and all("dunhuang" in marked_words(screen, i) for i in range(len(before)))
        await pilot.press(*" solar")
        screen = await settled(pilot)
        assert screen.answered_query == "Dunhuang solar"
        assert screen.hits and screen.hits != before
        assert marked_words(screen, 0) >= {"dunhuang", "solar"}
        # Typing on to a word nowhere in the library says so in the list.
        await pilot.press(*" zzyzx")
        screen = await settled(pilot)
        assert screen.hits == ()
        assert "Nothing found." in rendered_text(screen.query_one(OptionList))


class SlowIndex(LibraryIndex):
    """Answers `slow` only once the test lets it, ignoring its cancel token (as a query past
    its last check would)."""

    slow = "molten"

    def __init__(self, *args: Any, **options: Any) -> None:
        super().__init__(*args, **options)
        self.entered = threading.Event()
        self.release = threading.Event()
        self.answered = threading.Event()

    def search(
        self, query: str, limit: int = 20, *, cancel: CancelToken | None = None
    ) -> list[SearchHit]:
        if query == self.slow:
            self.entered.set()
            assert self.release.wait(10)
            try:
                return super().search(query, limit)
            finally:
                self.answered.set()
        return super().search(query, limit, cancel=cancel)


async def test_a_slow_stale_query_never_overwrites_a_newer_one(tmp_path: Path) -> None:
    index = SlowIndex(scan_library(SAMPLE_LIBRARY), path=tmp_path / "index.sqlite3")
    index.update(workers=1)
    app = host(index)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"molten")
        await until(pilot, index.entered.is_set, "the slow search started")
        await pilot.press(*" salt")
        screen = await settled(pilot)
        newer = screen.hits
        assert screen.answered_query == "molten salt" and newer
        index.release.set()
        await until(pilot, index.answered.is_set, "the slow search answered")
        await pilot.pause(0.2)  # time for its message to arrive, were it sent
        assert screen.answered_query == "molten salt"
        assert screen.hits == newer
        assert marked_words(screen, 0) == {"molten", "salt"}
    index.close()


async def test_enter_returns_the_exact_offsets_of_the_match(sample_index: LibraryIndex) -> None:
    app = host(sample_index)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"molten salt")
        screen = await settled(pilot)
        first = screen.hits[0]
        await pilot.press("enter")
        await pilot.pause()
    assert app.dismissed == [LibraryJump(REPORT, *first.matches[0], REPORT_TITLE)]
    jump = app.dismissed[0]
    assert jump is not None
    text = (SAMPLE_LIBRARY / REPORT).read_text(encoding="utf-8")
    assert text[jump.start : jump.end].casefold() == "molten"


async def test_arrows_and_ctrl_n_p_move_while_typing_stays_in_the_field(
    sample_index: LibraryIndex,
) -> None:
    app = host(sample_index)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"Jiayuguan")
        screen = await settled(pilot)
        assert len(screen.hits) >= 3
        results = screen.query_one(OptionList)
        await pilot.press("down", "down", "ctrl+n", "up", "ctrl+p")
        assert results.highlighted == 1
        assert isinstance(app.focused, Input) and app.focused.value == "Jiayuguan"
        await pilot.press("up", "up")
        assert results.highlighted == len(screen.hits) - 1  # round to the last
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    second = screen.hits[1]
    assert app.dismissed == [LibraryJump(second.place.path, *second.matches[0], second.place.title)]


async def test_enter_typed_ahead_of_the_answer_chooses_from_it(sample_index: LibraryIndex) -> None:
    app = host(sample_index)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"molten salt", "enter")
        await until(pilot, lambda: bool(app.dismissed), "the screen closed")
    jump = app.dismissed[0]
    assert jump is not None and jump.path == REPORT


async def test_escape_returns_none(sample_index: LibraryIndex) -> None:
    app = host(sample_index, "molten salt")
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await settled(pilot)
        assert screen.hits  # the initial query was searched on opening
        await pilot.press("escape")
        await pilot.pause()
    assert app.dismissed == [None]


async def test_an_empty_or_bad_query_says_so_in_one_line(sample_index: LibraryIndex) -> None:
    app = host(sample_index)
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await settled(pilot)
        assert status(screen).startswith("nothing to search for")
        await pilot.press(*"-salt")
        screen = await settled(pilot)
        assert status(screen) == "the search only excludes words: give a word to look for too"
        assert "Traceback" not in status(screen) and screen.hits == ()
        # enter on a bad query does nothing; the screen stays.
        await pilot.press("enter")
        await pilot.pause()
        assert app.dismissed == [] and app.screen is screen
        hint = str(screen.query_one("#library-search-hint", Static).render())
        assert '"exact phrase"' in hint and "tag:name" in hint and "prefix*" in hint


async def test_no_index_yet_is_said_in_the_list(tmp_path: Path) -> None:
    with built_index(SAMPLE_LIBRARY, tmp_path / "index.sqlite3", update=False) as index:
        app = host(index, "molten")
        async with app.run_test(size=(110, 30)) as pilot:
            screen = await settled(pilot)
            assert "No index yet" in rendered_text(screen.query_one(OptionList))


async def test_hostile_text_is_shown_literally(tmp_path: Path) -> None:
    root = write_texts(
        tmp_path / "library",
        {
            "evil.txt": "Intro\n\nThe [b]molten[/b] \x1b[2J\x1b]0;owned\x07 salt [link=x]here.\n",
        },
    )
    (root / "evil.txt.meta.toml").write_text('title = "[red]Evil[/red] \\u001b[31m"\n')
    with built_index(root, tmp_path / "index.sqlite3") as index:
        app = host(index)
        async with app.run_test(size=(110, 30)) as pilot:
            await pilot.press(*"molten salt")
            screen = await settled(pilot)
            shown = lines(screen)
            assert shown[0].startswith("[red]Evil[/red] ␛[31m")
            assert "[b]molten[/b] ␛[2J␛]0;owned␇ salt [link=x]here." in shown[1]
            assert marked_words(screen, 0) == {"molten", "salt"}


async def test_hit_for_a_tag_search_names_the_highlight(tmp_path: Path) -> None:
    root = write_texts(tmp_path / "library", {"a.txt": "Title\n\nThe molten salt plant.\n"})
    document = load_document(root / "a.txt", root)
    start = document.text.index("molten")
    ref = DocumentRef("a.txt", document.sha256, document.metadata.title)
    annotation = new_annotation(document.text, ref, start, start + 11, tags=("energy",))
    with built_index(root, tmp_path / "index.sqlite3") as index:
        index.replace_annotations([annotation])
        app = host(index, "tag:energy")
        async with app.run_test(size=(110, 30)) as pilot:
            screen = await settled(pilot)
            assert "highlight" in lines(screen)[0]
            await pilot.press("enter")
            await pilot.pause()
        assert app.dismissed == [LibraryJump("a.txt", start, start + 11, "Title")]


def test_snapshot_of_molten_salt(snap_compare: Any, sample_index: LibraryIndex) -> None:
    async def search(pilot: Pilot[Any]) -> None:
        await pilot.press(*"molten salt")
        await settled(pilot)
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(host(sample_index), terminal_size=(100, 30), run_before=search)
