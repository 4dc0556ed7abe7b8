"""`/` finds in the document: first match from the cursor, enter / shift+enter, escape."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual._xterm_parser import XTermParser

from readertui.ui.app import ReaderApp
from tests.ui.helpers import PROSE, AppFactory, wait_for_document

SIZE = (100, 30)


async def test_find_next_previous_and_escape(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        view = app.reader
        await pilot.press("slash")
        assert app.find_bar.display
        await pilot.press(*"word7_3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = PROSE.index("word7_3")
        assert view.cursor == first
        # word7_3 and word7_30..39: eleven matches.
        assert "1/11" in str(app.status.render())
        await pilot.press("enter")
        assert view.cursor == PROSE.index("word7_30")
        assert "2/11" in str(app.status.render())
        await pilot.press("shift+enter")
        assert view.cursor == first
        await pilot.press("shift+enter")  # wraps round to the last match
        assert view.cursor == PROSE.index("word7_39")
        await pilot.press("escape")
        assert not app.find_bar.display
        assert view.cursor == PROSE.index("word7_39")
        assert app.focused is view
        assert "NORMAL" in str(app.status.render())


async def test_find_with_no_match_says_so(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("slash", *"zebra")
        await pilot.pause()
        assert "no match" in str(app.status.render())
        assert app.reader.cursor == 0


async def test_find_is_case_insensitive_for_lowercase_queries(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("slash", *"paragraph 12")
        await pilot.pause()
        assert app.reader.cursor == PROSE.index("Paragraph 12")


STORY = (
    "“Well, Prince,” said Natásha. Natasha laughed.\n\n"
    + "\n\n".join(f"Paragraph {n}: Natásha and the prince talk again." for n in range(40))
    + "\n"
)


def story_app(make: AppFactory, tmp_path: Path) -> ReaderApp:
    root = tmp_path / "story"
    root.mkdir()
    (root / "story.txt").write_text(STORY, encoding="utf-8")
    return make(root=root, open_name="story.txt")


async def test_a_query_without_accents_finds_the_accented_name(
    make: AppFactory, tmp_path: Path
) -> None:
    app = story_app(make, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("slash", *"natasha")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.reader.cursor == STORY.index("Natásha")
        assert "1/42" in str(app.status.render())
        await pilot.press("enter")
        assert app.reader.cursor == STORY.index("Natasha")


def cell_styles(app: ReaderApp, y: int) -> list[tuple[str, Style]]:
    """Each character of row `y` with its style."""
    cells: list[tuple[str, Style]] = []
    for segment in app.reader.render_line(y):
        cells.extend((char, segment.style or Style()) for char in segment.text)
    return cells


def match_backgrounds(app: ReaderApp, y: int, word: str) -> list[object]:
    """The background of the first character of each `word` on row `y`."""
    cells = cell_styles(app, y)
    line = "".join(char for char, _ in cells)
    backgrounds = []
    at = line.find(word)
    while at != -1:
        backgrounds.append(cells[at + 1][1].bgcolor)  # the cursor sits on the first letter
        at = line.find(word, at + 1)
    return backgrounds


async def test_the_current_match_has_a_colour_of_its_own(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("slash", *"word0_1")
        await app.workers.wait_for_complete()
        await pilot.pause()
        plain = cell_styles(app, 0)[3][1].bgcolor  # a letter of "Paragraph"
        current, *others = match_backgrounds(app, 0, "word0_1") + match_backgrounds(
            app, 1, "word0_1"
        )
        assert others, "the first rows show several matches"
        assert current != plain
        assert all(other not in (plain, current) for other in others)
        assert len(set(others)) == 1


async def test_shift_enter_sent_as_xterm_modify_other_keys_goes_back(make: AppFactory) -> None:
    # xterm (and tmux with extended-keys) sends shift+enter as ESC[27;2;13~, which Textual's
    # parser reads as "shift+\r".
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("slash", *"word7_3")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        assert app.reader.cursor == PROSE.index("word7_30")
        for event in XTermParser().feed("\x1b[27;2;13~"):
            app.post_message(event)
        await pilot.pause()
        await pilot.pause()
        assert app.reader.cursor == PROSE.index("word7_3")
        assert app.find_bar.input.value == "word7_3"
