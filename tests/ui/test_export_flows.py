"""Exporting from the app: `e` for this document, the palette for the library, a tag, JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.widgets import TextArea

from readertui.config import export_folder_for
from readertui.core.annotations import Annotation, DocumentRef, Quote
from readertui.store.store import Store
from readertui.ui.app import ReaderApp
from readertui.ui.dialogs.note_editor import NoteEditor
from readertui.ui.dialogs.tag_editor import TagEditor
from tests.ui.helpers import AppFactory, wait_for_startup

SIZE = (130, 40)


def notifications(app: ReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def palette_options(app: ReaderApp) -> str:
    """The text of every option the command palette lists."""
    options = app.screen.query_one(CommandList)
    return " ".join(
        str(options.get_option_at_index(index).prompt) for index in range(options.option_count)
    )


async def finish_export(pilot: object, app: ReaderApp) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def highlight_with_note(pilot: object, app: ReaderApp, note: str, tags: str = "") -> None:
    """v w w enter on the cursor's words, then a note and tags, as a user types them."""
    await pilot.press("v", "w", "w", "enter", "n")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, NoteEditor)
    app.screen.query_one(TextArea).insert(note)
    await pilot.press("ctrl+s")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    if tags:
        await pilot.press("t")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*tags, "enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]


async def run_palette_command(pilot: object, app: ReaderApp, words: str) -> None:
    await pilot.press("ctrl+p")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press(*words)  # type: ignore[attr-defined]
    for _ in range(20):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_e_exports_this_document_and_says_where(make: AppFactory, tmp_path: Path) -> None:
    app = make(export_dir=tmp_path / "exports")
    folder = export_folder_for(app.config, app.library)
    assert folder.parent == tmp_path / "exports"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await highlight_with_note(pilot, app, "Worth *remembering*", "place/Xi'an")
        # Straight after the keypresses: the export waits for the note to be saved.
        await pilot.press("e")
        await finish_export(pilot, app)
        exported = folder / "prose.md"
        assert exported.exists()
        assert any(str(exported) in message for message in notifications(app))
    text = exported.read_text(encoding="utf-8")
    assert 'title: "Long Prose"' in text
    assert "> Paragraph 0\n>\n> — Ann Writer, “Long Prose”, line 1\n" in text
    assert "- **Note:** Worth *remembering*" in text
    assert "#place/Xian" in text


async def test_e_with_nothing_open_says_so(make: AppFactory, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    app = make(open_name=None, root=empty, export_dir=tmp_path / "exports")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.document is None
        await pilot.press("e")
        await finish_export(pilot, app)
        assert any("Open a document first" in message for message in notifications(app))
    assert not (tmp_path / "exports").exists()


async def test_the_palette_exports_the_library_a_tag_and_json(
    make: AppFactory, tmp_path: Path
) -> None:
    app = make(export_dir=tmp_path / "exports")
    folder = export_folder_for(app.config, app.library)
    assert folder.parent == tmp_path / "exports"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await highlight_with_note(pilot, app, "first", "steel")
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        await highlight_with_note(pilot, app, "second", "coal")
        await run_palette_command(pilot, app, "Export the library")
        await finish_export(pilot, app)
        assert (folder / "prose.md").exists()

        await run_palette_command(pilot, app, "Export the notes with a tag")
        await pilot.press(*"coal")
        for _ in range(20):
            await pilot.pause(0.05)
        await pilot.press("enter")
        await finish_export(pilot, app)
        tagged = (folder / "tag-coal.md").read_text(encoding="utf-8")
        assert "second" in tagged and "first" not in tagged

        await run_palette_command(pilot, app, "Export all annotations as JSON")
        await finish_export(pilot, app)
    collection = json.loads((folder / "library.json").read_text(encoding="utf-8"))
    assert collection["type"] == "AnnotationCollection"
    assert collection["total"] == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
async def test_an_export_that_cannot_be_written_is_one_message(
    make: AppFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    app = make(export_dir=folder)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for_startup(pilot, app)
            await pilot.press("v", "w", "enter", "e")
            await finish_export(pilot, app)
            assert any("Not exported" in message for message in notifications(app))
            assert app.is_running
    finally:
        folder.chmod(0o700)


async def test_an_export_into_a_file_in_the_way_is_one_message(
    make: AppFactory, tmp_path: Path
) -> None:
    blocker = tmp_path / "exports"
    blocker.write_text("a file where the export folder should be", encoding="utf-8")
    app = make(export_dir=blocker)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("v", "w", "enter", "e")
        await finish_export(pilot, app)
        messages = notifications(app)
        assert any("Not exported" in message and str(blocker) in message for message in messages)
    assert blocker.read_text(encoding="utf-8").startswith("a file where")


async def test_annotations_of_documents_not_in_the_library_are_listed_as_orphaned(
    make: AppFactory, tmp_path: Path
) -> None:
    stray = Annotation(
        id="00000000-0000-4000-8000-000000000009",
        doc=DocumentRef("elsewhere/gone.txt", "", "A Book Not Here"),
        quote=Quote("words from a book that is not in this library"),
        start=10,
        end=55,
        note="imported from another machine",
        orphaned=True,
    )
    with Store(tmp_path / "annotations.json") as store:
        store.save_annotation(stray)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await run_palette_command(pilot, app, "List annotations of documents not")
        for _ in range(20):
            await pilot.pause(0.05)
        shown = palette_options(app)
        assert "words from a book that is not in this library" in shown
        assert "orphaned · A Book Not Here" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert any("not in this library" in message for message in notifications(app))
        assert app.document is not None and app.document.rel_path == "prose.txt"
