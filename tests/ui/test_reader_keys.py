"""The movement keys of PRODUCT 4, pressed in a running app: where the cursor lands."""

from __future__ import annotations

from tests.ui.helpers import PROSE, AppFactory, screen_text, wait_for_document

SIZE = (100, 30)


async def test_j_k_and_arrows_move_a_row(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        view = app.reader
        first_row = view.screen_rows()[0]
        await pilot.press("j")
        assert view.cursor == view.screen_rows()[1].start
        await pilot.press("down", "down", "k", "up")
        assert view.cursor == view.screen_rows()[1].start
        await pilot.press("k")
        assert view.cursor == first_row.start


async def test_h_l_w_b_move_along_the_text(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        view = app.reader
        await pilot.press("l", "l", "right")
        assert view.cursor == 3
        await pilot.press("h", "left")
        assert view.cursor == 1
        await pilot.press("w")
        assert PROSE[view.cursor :].startswith(" 0.") is False
        assert PROSE[view.cursor :].startswith("0")
        await pilot.press("w", "w")
        assert PROSE[view.cursor :].startswith("word0_0")
        await pilot.press("b")
        assert PROSE[view.cursor :].startswith(".")


async def test_paragraph_keys(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        view = app.reader
        await pilot.press("right_curly_bracket")
        assert PROSE[view.cursor :].startswith("Paragraph 1.")
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        assert PROSE[view.cursor :].startswith("Paragraph 3.")
        await pilot.press("left_curly_bracket")
        assert PROSE[view.cursor :].startswith("Paragraph 2.")


async def test_g_and_G_jump_to_the_ends(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        view = app.reader
        await pilot.press("G")
        assert view.cursor == len(PROSE)
        assert any("word59_39" in line for line in screen_text(app))
        await pilot.press("g")
        assert view.cursor == 0
        assert screen_text(app)[0].startswith("Paragraph 0.")
        await pilot.press("end")
        assert view.cursor == len(PROSE)
        await pilot.press("home")
        assert view.cursor == 0


async def test_paging_keys_scroll_the_screen(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        view = app.reader
        height = view.size.height
        top_before = view.top_offset
        rows_before = view.screen_rows()
        await pilot.press("space")
        # A page keeps two rows of the previous screen for context.
        assert view.top_offset == rows_before[height - 2].start
        await pilot.press("pagedown")
        await pilot.press("pageup", "pageup")
        assert view.top_offset == top_before
        await pilot.press("ctrl+d")
        assert view.top_offset == rows_before[height // 2].start
        await pilot.press("ctrl+u")
        assert view.top_offset == top_before
        # The cursor always stays on screen.
        await pilot.press("pagedown", "pagedown")
        rows = view.screen_rows()
        assert rows[0].start <= view.cursor < rows[-1].stop


async def test_status_line_shows_position(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("G")
        await pilot.pause()
        status = str(app.status.render())
        assert "NORMAL" in status
        assert "100%" in status
        assert f"line {PROSE.count(chr(10)) + 1}/{PROSE.count(chr(10)) + 1}" in status
