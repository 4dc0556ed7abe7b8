"""Each library is its own: two libraries with a file of the same name never share notes,
reading positions or export files (issue 8 item 9)."""

from __future__ import annotations

from pathlib import Path

from readertui.config import Config, export_folder_for
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.store.store import Store
from readertui.ui.app import ReaderApp, make_app
from tests.ui.helpers import wait_for_startup

SIZE = (130, 40)


def library(root: Path, text: str) -> Path:
    root.mkdir(parents=True)
    (root / "a.txt").write_text(text, encoding="utf-8")
    return root


def app_on(root: Path, db: Path, exports: Path) -> ReaderApp:
    return make_app(root, db, Config(export_dir=exports), open_path=root / "a.txt")


async def test_notes_of_one_library_are_not_shown_in_another(tmp_path: Path) -> None:
    first = library(tmp_path / "first", "Alpha beta gamma.\n\nDelta epsilon.\n")
    second = library(tmp_path / "second", "Something else entirely, in another library.\n")
    db, exports = tmp_path / "db.json", tmp_path / "exports"
    app = app_on(first, db, exports)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("v", "w", "enter", "e")
        await pilot.pause()
        assert app.saves is not None and app.saves.flush(5)
        await app.workers.wait_for_complete()
        assert len(app.reading.annotating.annotations) == 1
        first_export = export_folder_for(app.config, app.library) / "a.md"
    other = app_on(second, db, exports)
    async with other.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, other)
        # Not shown, not even as an orphan of the other library's a.txt.
        assert other.reading.annotating.annotations == {}
        assert other.reader.cursor == 0
        await pilot.press("e")
        await pilot.pause()
        await other.workers.wait_for_complete()
        second_export = export_folder_for(other.config, other.library) / "a.md"
    assert first_export != second_export
    assert "Alpha" in first_export.read_text(encoding="utf-8")
    assert "Alpha" not in second_export.read_text(encoding="utf-8")


async def test_a_note_made_before_libraries_had_names_is_claimed_where_it_is_placed(
    tmp_path: Path,
) -> None:
    text = "Alpha beta gamma.\n\nDelta epsilon.\n"
    root = library(tmp_path / "first", text)
    db = tmp_path / "db.json"
    legacy = new_annotation(text, DocumentRef("a.txt", "", "A"), 0, 5)
    assert legacy.doc.library == ""
    with Store(db) as store:
        store.save_annotation(legacy)
    app = app_on(root, db, tmp_path / "exports")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        assert list(app.reading.annotating.annotations) == [legacy.id]
        assert app.saves is not None and app.saves.flush(5)
        key = app.library.key
    with Store(db) as store:
        (claimed,) = store.annotations()
    assert claimed.doc.library == key
