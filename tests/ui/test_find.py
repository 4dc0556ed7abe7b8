"""`/` finds in the document: first match from the cursor, enter / shift+enter, escape."""

from __future__ import annotations

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
