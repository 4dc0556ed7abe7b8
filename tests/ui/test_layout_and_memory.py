"""Panes at 80x24, resizing, reading positions remembered, help and palette."""

from __future__ import annotations

from pathlib import Path

from textual import events

from readertui.core.textlayout import RowRef
from readertui.ui.keymap import KEYS
from readertui.ui.screens.help import HelpScreen
from tests.ui.helpers import (
    PROSE,
    AppFactory,
    rendered_text,
    screen_text,
    wait_for_document,
    wait_for_startup,
)


async def test_narrow_terminal_folds_side_panes_and_1_2_3_unfold_them(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_document(pilot, app)
        assert not app.library_pane.display
        assert not app.sidebar.display
        assert app.reader.size.width >= 70  # the text keeps nearly the whole width
        await pilot.press("1")
        assert app.library_pane.display
        assert app.focused is app.library_pane.option_list
        await pilot.press("2")
        assert not app.library_pane.display
        assert app.focused is app.reader
        await pilot.press("3")
        assert app.sidebar.display
        await pilot.press("2")
        assert not app.sidebar.display


async def test_wide_terminal_shows_three_panes_and_f2_hides_the_library(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_document(pilot, app)
        assert app.library_pane.display and app.sidebar.display
        await pilot.press("f2")
        assert not app.library_pane.display
        await pilot.press("f2")
        assert app.library_pane.display


async def test_tab_moves_between_panes(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_document(pilot, app)
        assert app.focused is app.reader
        await pilot.press("tab")
        assert app.focused is not app.reader
        await pilot.press("shift+tab")
        assert app.focused is app.reader


async def test_resize_keeps_the_cursor_paragraph_in_view(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_document(pilot, app)
        view = app.reader
        target = PROSE.index("Paragraph 20.")
        view.move_cursor(target, jump=True)
        await pilot.pause()
        for size in ((60, 20), (200, 50), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert view.cursor == target
            assert any("Paragraph 20." in line for line in screen_text(app))


async def test_text_wraps_to_the_reading_measure(make: AppFactory) -> None:
    app = make(reading_width=60)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for_document(pilot, app)
        rows = app.reader.screen_rows()
        assert max(len(app.reader.text_layout.shown(r)) for r in rows) <= 60  # type: ignore[union-attr]
        assert app.reader.left_margin > 0


async def test_reading_position_is_remembered(make: AppFactory, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("right_curly_bracket", "right_curly_bracket", "w")
        position = app.reader.cursor
        await pilot.press("q")
    assert position > 0
    again = make()
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, again)
        assert again.reader.cursor == position
        assert "saved" in str(again.status.render())


async def test_last_document_reopens_when_none_is_named(make: AppFactory) -> None:
    app = make(open_name="notes.md")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        await app.workers.wait_for_complete()
        await pilot.press("q")
    again = make(open_name=None)
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, again)
        assert again.document is not None and again.document.rel_path == "notes.md"


async def test_help_lists_every_key(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 50)) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = rendered_text(app.screen.query_one("#help-keys"))
        for spec in KEYS:
            assert spec.description in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_outline_in_the_library_pane_jumps(make: AppFactory) -> None:
    app = make(open_name="notes.md")
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_startup(pilot, app)
        assert [e.title for e in app.outline] == ["Heading One", "Second heading"]
        labels = app.library_pane.option_texts()
        assert any("Second heading" in label for label in labels)
        app.reading.go_to_offset(app.outline[1].offset)
        assert app.document is not None
        assert app.document.text[app.reader.cursor :].startswith("## Second heading")


async def test_library_filter_and_enter_opens_a_document(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("1")
        app.library_pane.query_one("#library-filter").focus()
        await pilot.press(*"heading")
        await pilot.pause()
        labels = app.library_pane.option_texts()
        assert any("Heading One" in label for label in labels)
        assert not any("Long Prose" in label for label in labels)
        await pilot.press("enter")  # to the list, on the first match
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.document is not None and app.document.rel_path == "notes.md"
        assert app.focused is app.reader


async def test_mouse_wheel_scrolls(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        before = app.reader.top_offset
        view = app.reader
        view.post_message(events.MouseScrollDown(view, 10, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert app.reader.top_offset > before
        assert (
            app.reader.top_offset
            == app.reader.text_layout.row(  # type: ignore[union-attr]
                app.reader.text_layout.step(RowRef(0, 0), 3)  # type: ignore[union-attr]
            ).start
        )


async def test_keys_work_again_after_the_terminal_was_too_small_for_a_moment(
    make: AppFactory,
) -> None:
    """A window dragged too small and back (or an SSH link's size jumping): the reader had
    lost the focus, and `j` did nothing until `2` was pressed."""
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_startup(pilot, app)
        for small in ((39, 9), (60, 9)):
            before = app.reader.cursor
            await pilot.resize_terminal(*small)
            await pilot.pause()
            await pilot.resize_terminal(100, 30)
            await pilot.pause()
            await pilot.pause()
            assert app.focused is app.reader
            await pilot.press("j")
            assert app.reader.cursor > before
