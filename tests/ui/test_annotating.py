"""The annotation keys of PRODUCT 4 in a running app: select, highlight, note, tag, colour,
delete, undo, jump, copy — and what ends up in the database."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, TextArea

from readertui.config import Config
from readertui.store.store import Store
from readertui.ui.app import ReaderApp, make_app
from readertui.ui.dialogs.note_editor import NoteEditor
from readertui.ui.dialogs.tag_editor import TagEditor
from tests.ui.helpers import PROSE, AppFactory, wait_for_document

SIZE = (130, 40)


async def settle(pilot: object, app: ReaderApp) -> None:
    """Let the writer thread put everything on disk."""
    assert app.saves is None or app.saves.flush(5)
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def stored(tmp_path: Path) -> list:
    with Store(tmp_path / "annotations.json") as store:
        return store.annotations()


async def select_words(pilot: object, count: int) -> None:
    """v, then w `count` times: up to the start of the next word."""
    await pilot.press("v")  # type: ignore[attr-defined]
    for _ in range(count):
        await pilot.press("w")  # type: ignore[attr-defined]


async def test_v_w_enter_highlights_and_saves(make: AppFactory, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await select_words(pilot, 3)
        assert app.reader.selection == (0, len("Paragraph 0. "))
        assert "VISUAL" in str(app.status.render())
        await pilot.press("enter")
        assert app.reader.selection is None
        (highlight,) = app.reader.highlights.annotations
        assert PROSE[highlight.start : highlight.end] == "Paragraph 0."
        await settle(pilot, app)
        assert "saved" in str(app.status.render())
    (saved,) = stored(tmp_path)
    assert saved.quote.exact == "Paragraph 0."
    assert saved.doc.path == "prose.txt"


async def test_V_selects_the_paragraph(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("right_curly_bracket", "w", "V")
        start = PROSE.index("Paragraph 1.")
        end = PROSE.index("\n\n", start)
        assert app.reader.selection == (start, end)
        await pilot.press("escape")
        assert app.reader.selection is None


async def test_n_writes_a_note_and_t_tags(make: AppFactory, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await select_words(pilot, 3)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        app.screen.query_one(TextArea).insert("A *first* note")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
        await pilot.press("t")  # on the highlight under the cursor
        await pilot.pause()
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"place/Jiayuguan, Steel")
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot, app)
        notes = app.sidebar.notes
        assert notes is not None
        assert any("A *first* note" in text for text in notes.option_texts())
        assert any("#place/Jiayuguan #Steel" in text for text in notes.option_texts())
    (saved,) = stored(tmp_path)
    assert saved.note == "A *first* note"
    assert saved.tags == ("place/Jiayuguan", "Steel")


async def test_escape_in_the_note_editor_saves_too(make: AppFactory, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await select_words(pilot, 1)
        await pilot.press("enter", "n")
        await pilot.pause()
        app.screen.query_one(TextArea).insert("kept")
        await pilot.press("escape")
        await pilot.pause()
        await settle(pilot, app)
    (saved,) = stored(tmp_path)
    assert saved.note == "kept"


async def test_tag_completion_from_existing_tags(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await select_words(pilot, 1)
        await pilot.press("t", *"Industry", "enter")
        await pilot.pause()
        await settle(pilot, app)
        await pilot.press("right_curly_bracket")
        await select_words(pilot, 1)
        await pilot.press("t", *"ind")
        await pilot.pause()
        field = app.screen.query_one(Input)
        await pilot.pause(0.2)
        await pilot.press("right")  # accept the suggestion
        assert field.value.endswith("Industry")
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot, app)
        assert app.reading.known_tag_counts() == {"Industry": 2}


async def test_c_cycles_colours_d_deletes_u_undoes(make: AppFactory, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await select_words(pilot, 3)
        await pilot.press("enter")
        await pilot.press("c")
        assert app.reader.highlights.annotations[0].color == "green"
        await pilot.press("c")
        assert app.reader.highlights.annotations[0].color == "blue"
        await pilot.press("d")
        assert len(app.reader.highlights) == 0
        await pilot.press("u")
        assert len(app.reader.highlights) == 1
        assert app.reader.highlights.annotations[0].color == "blue"
        await pilot.press("u")  # undo the second colour change
        assert app.reader.highlights.annotations[0].color == "green"
        await settle(pilot, app)
    (saved,) = stored(tmp_path)
    assert saved.color == "green"


async def test_undo_of_a_new_highlight_removes_it_from_disk(
    make: AppFactory, tmp_path: Path
) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await select_words(pilot, 3)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("u")
        await settle(pilot, app)
        assert len(app.reader.highlights) == 0
    assert stored(tmp_path) == []


async def test_square_brackets_jump_between_highlights(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        starts = []
        for _ in range(3):
            starts.append(app.reader.cursor)
            await select_words(pilot, 1)
            await pilot.press("enter", "right_curly_bracket")
        await pilot.press("g", "right_square_bracket")
        assert app.reader.cursor == starts[1]
        await pilot.press("right_square_bracket")
        assert app.reader.cursor == starts[2]
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.reader.cursor == starts[0]


async def test_y_copies_with_a_citation(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("right_curly_bracket")
        await select_words(pilot, 3)
        await pilot.press("y")
        assert app.clipboard.startswith("“Paragraph 1.”\n— Ann Writer, “Long Prose”, 2024")
        assert "(prose.txt, line 3)" in app.clipboard


async def test_notes_tab_lists_filters_and_jumps(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        for _ in range(2):
            await select_words(pilot, 2)
            await pilot.press("enter", "right_curly_bracket")
        await pilot.press("c")  # no highlight here: the next colour for new ones
        await select_words(pilot, 2)
        await pilot.press("enter")
        notes = app.sidebar.notes
        assert notes is not None
        assert len([t for t in notes.option_texts() if t.startswith("■")]) == 3
        notes.query_one(Input).value = "@green"
        await pilot.pause()
        (only,) = [t for t in notes.option_texts() if t.startswith("■")]
        assert "Paragraph 2" in only
        await pilot.press("3")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.reader
        assert PROSE[app.reader.cursor :].startswith("Paragraph 2")


async def test_highlights_come_back_after_a_restart(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await select_words(pilot, 3)
        await pilot.press("enter", "q")
    again = make()
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, again)
        assert len(again.reader.highlights) == 1


async def test_edited_document_keeps_highlights_and_orphans_the_lost(
    tmp_path: Path, library: Path
) -> None:
    def build() -> ReaderApp:
        return make_app(
            library, tmp_path / "annotations.json", Config(), open_path=library / "prose.txt"
        )

    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press(*"}}}}")
        await select_words(pilot, 3)
        await pilot.press("enter", *"}}}}")
        await select_words(pilot, 4)
        await pilot.press("enter", "q")
    text = (library / "prose.txt").read_text(encoding="utf-8")
    lost = text.index("Paragraph 8.")
    edited = "A new opening paragraph.\n\n" + text[:lost] + text[lost + 40 :]
    (library / "prose.txt").write_text(edited, encoding="utf-8")
    again = build()
    async with again.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, again)
        await again.workers.wait_for_complete()
        await pilot.pause()
        (kept,) = again.reader.highlights.annotations
        assert edited[kept.start : kept.end] == "Paragraph 4."
        notes = again.sidebar.notes
        assert notes is not None
        assert any(t.startswith("Orphaned (1)") for t in notes.option_texts())
        # Re-attach the orphan to a new selection.
        await pilot.press("g")
        await select_words(pilot, 1)
        await pilot.press("3")
        orphan_row = next(i for i, t in enumerate(notes.option_texts()) if "Paragraph 8" in t)
        notes.option_list.highlighted = orphan_row
        await pilot.press("enter")
        await pilot.pause()
        assert len(again.reader.highlights) == 2


async def test_t_with_nothing_selected_tags_the_document(make: AppFactory, tmp_path: Path) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_document(pilot, app)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"reports, 2024", "enter")
        await pilot.pause()
        await settle(pilot, app)
    with Store(tmp_path / "annotations.json") as store:
        assert store.document_tags("prose.txt", library=app.library.key) == ("reports", "2024")
