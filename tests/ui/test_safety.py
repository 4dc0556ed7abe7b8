"""PRODUCT 11: document text is shown literally — no markup, no escape sequences."""

from __future__ import annotations

from pathlib import Path

from readertui.config import Config
from readertui.ui.app import make_app
from tests.ui.helpers import AppFactory, screen_text, wait_for_document


async def test_markup_and_escapes_in_a_document_are_shown_as_text(make: AppFactory) -> None:
    app = make(open_name="hostile.txt")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        lines = screen_text(app)
        assert lines[0] == "[red]not red[/red] and [b]not bold[/b]"
        assert lines[1] == "\u241b[2J\u241b]0;owned\u2407 after escapes"
        for y in range(3):
            for segment in app.reader.render_line(y):
                assert "\x1b" not in segment.text and "\x07" not in segment.text


async def test_markup_in_titles_is_shown_as_text(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "a.txt").write_text("Body.\n", encoding="utf-8")
    (root / "a.txt.meta.toml").write_text('title = "[bold red]Alarm[/]"\n', encoding="utf-8")
    app = make_app(root, tmp_path / "db.json", Config(), open_path=root / "a.txt")
    async with app.run_test(size=(130, 30)) as pilot:
        await wait_for_document(pilot, app)
        labels = app.library_pane.option_texts()
        assert any("[bold red]Alarm[/]" in label for label in labels)
        header = str(app.query_one("#doc-header").render())
        assert "[bold red]Alarm[/]" in header


async def test_wide_characters_keep_columns_aligned(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    text = ("中文字符" * 30 + "\n") + ("e\u0301" * 50 + "\n") + ("🙂" * 40 + "\n")
    (root / "wide.txt").write_text(text, encoding="utf-8")
    app = make_app(
        root, tmp_path / "db.json", Config(reading_width=40), open_path=root / "wide.txt"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        width = app.reader.size.width
        for y in range(8):
            strip = app.reader.render_line(y)
            assert strip.cell_length == width
