"""What start-up leaves until after the first paint still reaches the screen: the status
line's position with the document's line count, and a highlight's colour once one is made."""

from __future__ import annotations

from textual.geometry import Region

from tests.ui.helpers import PROSE, AppFactory, wait_for_startup

SIZE = (100, 30)


async def test_the_status_line_shows_the_line_count_once_started(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.pause()
        lines = PROSE.count("\n") + 1
        assert f"line 1/{lines}" in str(app.status.render())


async def test_a_highlight_is_painted_in_its_colour(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        view = app.reader
        width = view.size.width
        plain = view.render_lines(Region(0, 0, width, 1))[0]
        await pilot.press("v", "w", "w", "enter")
        await pilot.pause()
        await pilot.press("j")  # the cursor leaves the highlight: only its colour is left
        await pilot.pause()
        painted = view.render_lines(Region(0, 0, width, 1))[0]
        before = {segment.style.bgcolor for segment in plain if segment.style}
        after = {segment.style.bgcolor for segment in painted if segment.style}
        # The text's background is still there and a new one is added: the highlight's (the
        # cursor's colour was in the row before and has left it).
        assert view.rich_style.bgcolor in after
        assert after - before
        assert painted.text == plain.text
