"""The concordance screen (`*`), driven with the Pilot as a user would.

Opened in a bare app over an index of the sample library (or a made-up one): every
occurrence listed, the keyword in one column, `s` re-sorting, and what it is dismissed with.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from readertui.index import LibraryIndex
from readertui.ui.screens.concordance import ConcordanceScreen
from readertui.ui.screens.library_jump import LibraryJump
from tests.conftest import SAMPLE_LIBRARY
from tests.ui.helpers import rendered_text
from tests.ui.library_hosts import Host, built_index, until, write_texts

SIZE = (120, 40)


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibraryIndex]:
    cache = tmp_path_factory.mktemp("concordance-index") / "index.sqlite3"
    with built_index(SAMPLE_LIBRARY, cache) as index:
        yield index


def host(index: LibraryIndex, word: str, **options: Any) -> Host[LibraryJump]:
    return Host(lambda: ConcordanceScreen(index, word, **options))


async def answered(pilot: Pilot[Any]) -> ConcordanceScreen:
    screen = pilot.app.screen
    assert isinstance(screen, ConcordanceScreen)
    await until(pilot, lambda: screen.query_one(OptionList).option_count > 0, "an answer")
    await pilot.pause()
    return screen


def line_texts(screen: ConcordanceScreen) -> list[str]:
    """Every listed line's text (the list shows a screenful of them)."""
    lines = screen.query_one(OptionList)
    return [
        lines.get_option_at_index(i).prompt.plain  # type: ignore[union-attr]
        for i in range(lines.option_count)
    ]


def keyword_columns(line: str, word: str) -> set[int]:
    """The cell columns at which `word` starts in `line` (case-insensitively)."""
    folded = line.casefold()
    return {cell_len(line[:i]) for i in range(len(line)) if folded.startswith(word.casefold(), i)}


def header(screen: ConcordanceScreen) -> str:
    return str(screen.query_one("#concordance-header", Static).render())


def sample_count(word: str) -> int:
    return sum(p.read_text(encoding="utf-8").count(word) for p in SAMPLE_LIBRARY.glob("*.txt"))


async def test_jiayuguan_every_occurrence_in_one_column(sample_index: LibraryIndex) -> None:
    app = host(sample_index, "Jiayuguan")
    async with app.run_test(size=SIZE) as pilot:
        screen = await answered(pilot)
        total = sample_count("Jiayuguan")
        lines = line_texts(screen)
        assert len(lines) == total > 10
        documents = sum(
            "Jiayuguan" in p.read_text(encoding="utf-8") for p in SAMPLE_LIBRARY.glob("*.txt")
        )
        assert f"“Jiayuguan”: {total} occurrences in {documents} documents" in header(screen)
        assert "sorted by document" in header(screen)
        columns = set.intersection(*(keyword_columns(line, "Jiayuguan") for line in lines))
        assert len(columns) == 1
        # What is on screen is the same lines, in the same column.
        shown = rendered_text(screen.query_one(OptionList)).splitlines()
        assert shown[0].rstrip() == lines[0].rstrip()[: len(shown[0].rstrip())]
        titles = {o.place.title for o in screen.occurrences}
        assert any(line.startswith("Report: Delegatio") for line in lines), titles
        # By document: each document's lines together, in order of position.
        keys = [(o.place.title.casefold(), o.place.start) for o in screen.occurrences]
        assert keys == sorted(keys)


async def test_s_sorts_by_the_following_word_and_back(sample_index: LibraryIndex) -> None:
    app = host(sample_index, "Jiayuguan")
    async with app.run_test(size=SIZE) as pilot:
        screen = await answered(pilot)
        by_document = line_texts(screen)
        await pilot.press("s")
        await pilot.pause()
        assert "sorted by following word" in header(screen)
        following = [o.following for o in screen.occurrences]
        assert following == sorted(following) and len(set(following)) > 1
        by_word = line_texts(screen)
        assert by_word != by_document and sorted(by_word) == sorted(by_document)
        # Each line still shows its own occurrence: the text after the keyword starts with
        # the following word.
        column = next(iter(keyword_columns(by_word[0], "Jiayuguan")))
        for line, occurrence in zip(by_word, screen.occurrences, strict=True):
            after = line[column + len("Jiayuguan") :].casefold()
            assert occurrence.following in after[:40] or not occurrence.following
        await pilot.press("s")
        await pilot.pause()
        assert line_texts(screen) == by_document


async def test_enter_returns_the_occurrence_and_escape_none(sample_index: LibraryIndex) -> None:
    app = host(sample_index, "jiayuguan")
    async with app.run_test(size=SIZE) as pilot:
        screen = await answered(pilot)
        first = screen.chosen
        await pilot.press("s")
        # Re-sorting keeps the cursor on the occurrence it was on.
        at = screen.query_one(OptionList).highlighted
        assert at is not None and screen.occurrences[at] == first
        await pilot.press("up", "up")
        chosen = screen.occurrences[at - 2]
        await pilot.press("enter")
        await pilot.pause()
    place = chosen.place
    assert app.dismissed == [LibraryJump(place.path, place.start, place.end, place.title)]
    text = (SAMPLE_LIBRARY / place.path).read_text(encoding="utf-8")
    assert text[place.start : place.end] == "Jiayuguan"

    app = host(sample_index, "Jiayuguan")
    async with app.run_test(size=SIZE) as pilot:
        await answered(pilot)
        await pilot.press("escape")
        await pilot.pause()
    assert app.dismissed == [None]


async def test_the_header_says_when_only_the_first_are_shown(sample_index: LibraryIndex) -> None:
    app = host(sample_index, "Jiayuguan", limit=3)
    async with app.run_test(size=SIZE) as pilot:
        screen = await answered(pilot)
        assert len(line_texts(screen)) == 3
        assert "3 occurrences" in header(screen) and "(first 3 shown)" in header(screen)


async def test_not_one_word_no_index_and_nowhere_are_said(
    sample_index: LibraryIndex, tmp_path: Path
) -> None:
    for index, word, expected in (
        (sample_index, "two words", "a concordance is of one word"),
        (sample_index, "zzyzx", "Nowhere in the library."),
    ):
        app = host(index, word)
        async with app.run_test(size=SIZE) as pilot:
            screen = await answered(pilot)
            assert expected in rendered_text(screen.query_one(OptionList))
    with built_index(SAMPLE_LIBRARY, tmp_path / "index.sqlite3", update=False) as empty:
        app = host(empty, "Jiayuguan")
        async with app.run_test(size=SIZE) as pilot:
            screen = await answered(pilot)
            assert "No index yet" in rendered_text(screen.query_one(OptionList))


async def test_hostile_and_wide_text_is_literal_and_aligned(tmp_path: Path) -> None:
    root = write_texts(
        tmp_path / "library",
        {
            "evil.txt": "Intro\n\n[red]x[/red] \x1b[2J gansu [link=y]after\x07 it.\n",
            "wide.txt": "Wide\n\n嘉峪关市在甘肃 gansu 中文的文字 and more.\n\nGansu again.\n",
        },
    )
    (root / "evil.txt.meta.toml").write_text('title = "[b]Evil\\u001b]0;t"\n')
    with built_index(root, tmp_path / "index.sqlite3") as index:
        app = host(index, "Gansu")
        async with app.run_test(size=SIZE) as pilot:
            screen = await answered(pilot)
            lines = line_texts(screen)
            assert len(lines) == 3
            evil = next(line for line in lines if "[red]" in line)
            assert evil.startswith("[b]Evil␛]0;t")
            assert "[red]x[/red] ␛[2J gansu [link=y]after␇ it." in evil
            assert len(set.intersection(*(keyword_columns(line, "gansu") for line in lines))) == 1


def test_snapshot_of_jiayuguan(snap_compare: Any, sample_index: LibraryIndex) -> None:
    async def find(pilot: Pilot[Any]) -> None:
        await answered(pilot)
        await pilot.press("s")
        await pilot.pause()

    assert snap_compare(host(sample_index, "Jiayuguan"), terminal_size=(100, 30), run_before=find)
