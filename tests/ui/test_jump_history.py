"""The jump history in the app: every jump goes through one place, `ctrl+o` goes back and
`ctrl+n` forward, across documents, to the exact cursor and screen, and after a restart."""

from __future__ import annotations

from pathlib import Path

from readertui.config import Config
from readertui.ui.app import ReaderApp, make_app
from tests.ui.helpers import AppFactory, screen_text, wait_for_document, wait_for_startup

SIZE = (100, 30)


async def _settle(pilot: object, app: ReaderApp) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


def _where(app: ReaderApp) -> tuple[str, int, list[str]]:
    assert app.document is not None
    return app.document.rel_path, app.reader.cursor, screen_text(app)


async def test_back_and_forward_across_documents_restore_the_exact_place(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        start = _where(app)
        await pilot.press("G")
        await pilot.pause()
        end = _where(app)
        assert end[1] > start[1]
        await pilot.press("slash", *"word30_5", "enter", "escape")
        await _settle(pilot, app)
        match = _where(app)
        assert match[0] == "prose.txt" and "word30_5" in " ".join(match[2])
        await pilot.press("o", *"Heading", "enter")
        await _settle(pilot, app)
        other = _where(app)
        assert other[0] == "notes.md"
        back = []
        for _ in range(3):
            await pilot.press("ctrl+o")
            await _settle(pilot, app)
            back.append(_where(app))
        assert back == [match, end, start]
        forward = []
        for _ in range(3):
            await pilot.press("ctrl+n")
            await _settle(pilot, app)
            forward.append(_where(app))
        assert forward == [end, match, other]


async def test_outline_notes_and_highlight_jumps_are_recorded(make: AppFactory) -> None:
    app = make(open_name="notes.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await _settle(pilot, app)
        assert app.reader.cursor == 0
        second = app.outline[1].offset
        app.reading.go_to_offset(second)
        await pilot.pause()
        assert app.reader.cursor == second
        await pilot.press("g")
        await pilot.pause()
        assert app.reader.cursor == 0
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.reader.cursor == second
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.reader.cursor == 0
        await pilot.press("ctrl+o")  # nothing further back: the cursor stays, and it says so
        await pilot.pause()
        assert app.reader.cursor == 0


async def test_the_history_survives_quitting(library: Path, tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"

    def build() -> ReaderApp:
        return make_app(library, db, Config(), open_path=library / "prose.txt")

    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        for _ in range(3):
            await pilot.press("right_curly_bracket")
        middle = app.reader.cursor
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("q")
        await _settle(pilot, app)
    again = build()
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, again)
        await wait_for_startup(pilot, again)
        assert again.reader.cursor > middle  # reopened at the end, where it was left
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert again.reader.cursor == middle
