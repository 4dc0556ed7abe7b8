"""The made-up `.rev` format of tests/test_formats_made_up.py, in the app: with no change to
readertui, its file is listed, opened with its text and outline, highlighted with the keys,
and exported with `e`."""

from __future__ import annotations

from pathlib import Path

from readertui.config import Config, export_folder_for
from readertui.ui.app import make_app
from tests.test_formats_made_up import STORY, Reversed, reversed_format, write_reversed
from tests.ui.helpers import screen_text, wait_for_startup

__all__ = ["reversed_format"]  # the fixture, used by name below


async def test_a_made_up_format_opens_annotates_and_exports_in_the_app(
    tmp_path: Path, reversed_format: Reversed
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    write_reversed(library / "river.rev", STORY)
    exports = tmp_path / "exports"
    app = make_app(
        library, tmp_path / "db.json", Config(export_dir=exports), open_path=library / "river.rev"
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_startup(pilot, app)
        assert app.document is not None and app.document.kind is reversed_format
        assert any("The ferry left at dawn." in row for row in screen_text(app))
        assert [entry.title for entry in app.outline] == ["The river", "The far bank"]
        await pilot.press("right_curly_bracket", "v", "w", "w", "enter")
        await pilot.pause()
        assert app.saves is not None and app.saves.flush(5)
        (highlight,) = app.reading.annotating.annotations.values()
        assert highlight.quote.exact == "The ferry"
        await pilot.press("e")
        target = export_folder_for(app.config, app.library) / "river.md"
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if target.exists():
                break
    exported = target.read_text(encoding="utf-8")
    assert "> The ferry" in exported and "The river" in exported
