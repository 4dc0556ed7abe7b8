"""Issue 11, what a new user trips over in the first minutes: each test fails on the code
before its fix (the ✎ margin, counts that follow the filter, the status line, focus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.helpers import AppFactory, wait_for_startup


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (100, 30)])
async def test_the_note_mark_shows_at_every_size(make: AppFactory, size: tuple[int, int]) -> None:
    app = make()
    async with app.run_test(size=size) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("v", "w", "n", *"a note", "ctrl+s")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        view = app.reader
        rows = [view.render_line(y).text for y in range(3)]
        assert rows[0].lstrip().startswith("✎ Paragraph 0."), f"{size}: {rows[0]!r}"
        # Beside the text, in the margin: the text is where it is on the rows below.
        text_column = rows[0].index("Paragraph 0.")
        assert len(rows[1]) - len(rows[1].lstrip()) == text_column, rows
        assert view.note_marks_shown


async def test_the_tag_count_follows_the_filter(make: AppFactory, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = app.reading.library_pane
        pane.set_tags({"river": 2, "place/Jiayuguan": 1, "steel": 3})
        await pilot.pause()
        assert any(text.startswith("Tags (4)") for text in pane.option_texts())
        pane.filter_text = "jiay"
        pane.rebuild()
        await pilot.pause()
        texts = pane.option_texts()
        assert any(text.startswith("Tags (1)") for text in texts), texts
        assert not any(text.startswith("Tags (4)") for text in texts)


async def test_sidecar_tags_are_in_the_library_tag_list_and_choosing_one_lists_its_documents(
    make: AppFactory, library: Path
) -> None:
    (library / "prose.txt.meta.toml").write_text(
        'title = "Long Prose"\ntags = ["river/Volga", "essay"]\n', encoding="utf-8"
    )
    app = make()
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = app.reading.library_pane
        await pilot.pause()
        texts = pane.option_texts()
        assert any(text.startswith("#essay") for text in texts), texts
        assert any(text.strip().startswith("#Volga") for text in texts), texts
        # Given with t on the document itself: listed too.
        await pilot.press("t", *"homework", "enter")
        for _ in range(50):
            await pilot.pause()
            if any(text.startswith("#homework") for text in pane.option_texts()):
                break
        assert any(text.startswith("#homework") for text in pane.option_texts())
        pane.post_message(pane.TagChosen("river"))
        await pilot.pause()
        await pilot.pause()
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)
        await pilot.pause(0.3)
        hits = [str(hit) for hit in app.screen.query("CommandList").first().options]
        assert any("Long Prose" in hit for hit in hits), hits


SAMPLE = Path(__file__).resolve().parents[2] / "library"


async def test_the_status_line_names_the_document_counts_its_notes_and_moves_with_j(
    tmp_path: Path,
) -> None:
    from readertui.config import Config
    from readertui.ui.app import make_app

    app = make_app(
        SAMPLE, tmp_path / "db.json", Config(), open_path=SAMPLE / "jiayuguan-morning-star.txt"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_startup(pilot, app)
        status = str(app.reading.status.render())
        assert status.startswith("NORMAL · 1/4 China’s socialism"), status
        assert status.endswith("saved"), status
        assert "0 highlights" in status
        await pilot.press("v", "w", "n", *"why", "ctrl+s")
        await pilot.pause()
        await pilot.press("v", "w", "w", "enter")
        await pilot.pause()
        status = str(app.reading.status.render())
        assert "2 highlights, 1 note" in status, status
        # j moves the cursor down a row of a long wrapped line: the status line moves too.
        document = app.document
        assert document is not None
        app.reader.move_cursor(document.text.index("THOSE of us"), jump=True)
        await pilot.pause()
        seen = set()
        for _ in range(4):
            seen.add(str(app.reading.status.render()))
            await pilot.press("j")
            await pilot.pause()
        assert len(seen) == 4, seen
        assert any(" · row 2/" in text for text in seen), seen
        assert all(text.endswith("saved") or text.endswith("saving…") for text in seen), seen
        # However much there is to say, 80 columns keep the mode, the place, find's count
        # and whether everything is saved; the title and the counts give way first.
        status = app.reading.status
        status.find_state = "find 12,345/67,890"
        status.indexing = "indexing 42%"
        status.reflow = True
        status.show()
        shown = str(status.render())
        assert len(shown) <= 78, shown
        assert shown.startswith("NORMAL") and shown.endswith("saved"), shown
        assert "find 12,345/67,890" in shown and "line " in shown, shown


async def test_the_very_first_start_shows_the_library_at_80_columns(tmp_path: Path) -> None:
    from readertui.config import Config
    from readertui.ui.app import make_app

    app = make_app(SAMPLE, tmp_path / "db.json", Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.pause()
        pane = app.reading.library_pane
        assert pane.display, "the library pane is folded away"
        assert app.focused is app.reader  # keys typed at once are still the reader's
        texts = pane.option_texts()
        assert texts[0] == "Documents (4)"
        footer = " ".join(str(key) for key in app.screen.query("FooterKey"))
        bindings = {b.binding.key for b in app.active_bindings.values() if b.binding.show}
        assert "1" in bindings, (footer, bindings)
        # Reading on: the library folds away again, and the next start opens in the reader.
        await pilot.press("j")
        await pilot.pause()
        assert app.focused is app.reader
        assert not pane.display
    again = make_app(SAMPLE, tmp_path / "db.json", Config())
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for_startup(pilot, again)
        await pilot.pause()
        assert again.focused is again.reader
        assert not again.reading.library_pane.display


async def test_tab_walks_the_panes_at_80x24_and_escape_always_gets_back(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_startup(pilot, app)
        screen = app.reading
        assert app.focused is app.reader
        await pilot.press("tab")
        await pilot.pause()
        assert screen.sidebar.display and screen.sidebar in app.focused.ancestors_with_self
        await pilot.press("tab")
        await pilot.pause()
        assert screen.library_pane.display and not screen.sidebar.display
        assert screen.library_pane in app.focused.ancestors_with_self
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.reader
        assert not screen.library_pane.display and not screen.sidebar.display
        await pilot.press("shift+tab")
        await pilot.pause()
        assert screen.library_pane in app.focused.ancestors_with_self
        # Into the filter box: keys are its text; escape leaves it for the list, then the
        # list for the reader.
        await pilot.press("up", "up")  # on the list's top...
        screen.library_pane.query_one("#library-filter").focus()
        await pilot.pause()
        await pilot.press("1", "o", "q")
        await pilot.pause()
        assert screen.library_pane.query_one("#library-filter").value == "1oq"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is screen.library_pane.option_list
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.reader
        # The same in the notes filter.
        await pilot.press("3")
        await pilot.pause()
        notes = screen.sidebar.notes
        assert notes is not None
        notes.query_one("#notes-filter").focus()
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is notes.option_list
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.reader


async def _listed(pilot: object, app: object) -> str:
    from tests.ui.test_export_flows import palette_options

    for _ in range(20):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    return palette_options(app)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["wargan", "morning", "jiay", "jiayuguan-morning", "2025"])
async def test_o_finds_a_document_by_author_publication_file_name_and_date(
    tmp_path: Path, typed: str
) -> None:
    from readertui.config import Config
    from readertui.ui.app import make_app

    app = make_app(
        SAMPLE, tmp_path / "db.json", Config(), open_path=SAMPLE / "delegation-report-2025.txt"
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("o", *typed)
        listed = await _listed(pilot, app)
        assert "China’s socialism succeeds" in listed, listed
        await pilot.press("enter")
        await pilot.pause()
        await wait_for_startup(pilot, app)
        if typed != "2025":  # 2025 is every document's year: any may come first
            assert app.document is not None
            assert app.document.rel_path == "jiayuguan-morning-star.txt"


async def test_the_palette_lists_tags_and_annotations_and_help_names_ctrl_p_once(
    tmp_path: Path,
) -> None:
    from readertui.config import Config
    from readertui.ui.app import make_app
    from readertui.ui.screens.help import help_table

    app = make_app(
        SAMPLE, tmp_path / "db.json", Config(), open_path=SAMPLE / "jiayuguan-morning-star.txt"
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("v", "w", "w", "t", *"steelworks", "enter")
        await pilot.pause()
        await pilot.press("n", *"a remark on monotowns", "ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+p", *"steelworks")
        listed = await _listed(pilot, app)
        assert "Tag: #steelworks" in listed, listed
        assert "Note: “Skip to”" in listed, listed
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p", *"monotowns")
        listed = await _listed(pilot, app)
        assert "Note: “Skip to”" in listed, listed
        await pilot.press("enter")
        await pilot.pause()
    from rich.console import Console

    console = Console(width=100, record=True)
    console.print(help_table())
    assert console.export_text().count("ctrl+p") == 2  # Command palette, and the heading


async def test_slash_reaches_a_panes_filter_and_arrows_go_from_tab_to_tab(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for_startup(pilot, app)
        screen = app.reading
        await pilot.press("1", "slash")
        await pilot.pause()
        assert app.focused is screen.library_pane.query_one("#library-filter")
        await pilot.press("escape", "escape", "3")
        await pilot.pause()
        notes = screen.sidebar.notes
        assert notes is not None and app.focused is notes.option_list
        await pilot.press("slash")
        await pilot.pause()
        assert app.focused is notes.query_one("#notes-filter")
        await pilot.press("escape", "right")
        await pilot.pause()
        assert screen.sidebar.xref is not None  # the Cross-refs tab is the one shown
        await pilot.press("right")
        await pilot.pause()
        from textual.widgets import TabbedContent

        assert screen.sidebar.query_one(TabbedContent).active == "tab-document"
        await pilot.press("left", "left")
        await pilot.pause()
        assert screen.sidebar.query_one(TabbedContent).active == "tab-notes"
