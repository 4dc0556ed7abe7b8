"""More flows: reflow toggle, tiny terminals, skipped files, `o`, the palette, Markdown."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from readertui.config import Config
from readertui.ui.app import make_app
from tests.ui.helpers import AppFactory, rendered_text, screen_text, wait_for_document

HARD_WRAPPED = "\n\n".join(
    "\n".join(["This line of prose was wrapped by hand at a steady width of sixty"] * 4)
    for _ in range(30)
)


async def test_hard_wrapped_text_is_reflowed_and_r_switches_it(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "gutenberg.txt").write_text(HARD_WRAPPED, encoding="utf-8")
    app = make_app(root, tmp_path / "db.json", Config(), open_path=root / "gutenberg.txt")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for_document(pilot, app)
        assert app.reader.reflow
        # Source lines are joined: a row runs on from one line into the next.
        assert any("sixty This line" in row for row in screen_text(app))
        assert "reflow" in str(app.status.render())
        await pilot.press("r")
        assert not app.reader.reflow
        assert not any("sixty This line" in row for row in screen_text(app))


async def test_tiny_terminal_says_so_and_recovers(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(30, 8)) as pilot:
        await wait_for_document(pilot, app)
        assert app.screen.has_class("-too-small")
        assert "too small" in rendered_text(app.query_one("#too-small"))
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")
        assert screen_text(app)[0].startswith("Paragraph 0.")


async def test_binary_file_is_listed_as_skipped(library: Path, make: AppFactory) -> None:
    (library / "image.bin.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (library / "cover.png").write_bytes(b"\x89PNG\r\n")
    app = make()
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_document(pilot, app)
        await pilot.pause()
        texts = app.library_pane.option_texts()
        assert any(t.startswith("Skipped (2)") for t in texts)
        assert any("image.bin.txt" in t and "binary file" in t for t in texts)
        assert any("cover.png" in t and "not a supported format" in t for t in texts)


async def test_o_opens_a_document_by_fuzzy_name(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"hdng")  # fuzzy: "Heading One"
        await pilot.pause(0.3)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.document is not None and app.document.rel_path == "notes.md"


async def test_palette_lists_actions_and_documents(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"reflow")
        await pilot.pause(0.3)
        assert "Reflow on or off" in rendered_text(app.screen.query_one("CommandList"))
        await pilot.press("enter")
        await pilot.pause()
        assert app.reader.reflow  # prose.txt has no hard wraps: the command turned it on
        await pilot.press("ctrl+p")
        await pilot.press(*"Open: heading")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.document is not None and app.document.rel_path == "notes.md"


async def test_markdown_keeps_every_character_and_styles_headings(make: AppFactory) -> None:
    app = make(open_name="notes.md")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_document(pilot, app)
        lines = screen_text(app)
        assert lines[0] == "# Heading One"  # the markup is shown, dimmed, not removed
        assert lines[2] == "Some *emphasis* and `code`."
        heading = app.reader.render_line(0)
        styles = {segment.style for segment in heading if segment.text.strip()}
        assert any(style is not None and style.bold for style in styles)


async def test_reading_width_keys(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for_document(pilot, app)
        before = app.reader.text_width
        await pilot.press("minus", "minus")
        assert app.reader.text_width == before - 8
        await pilot.press("plus")
        assert app.reader.text_width == before - 4
