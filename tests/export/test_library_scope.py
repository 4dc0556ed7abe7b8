"""Exports and imports are scoped to a library (issue 8, item 9).

An export holds the library's own annotations and the legacy ones; a JSON import gives every
annotation the importing library, moving one that was another library's; a changes file or a
database keeps each record's own library.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.library import Library, scan_library
from readertui.export.exporting import ExportRequest, export_text, export_to_folder
from readertui.export.importing import (
    StoreRecords,
    import_annotations,
    import_records,
    read_import,
)
from readertui.store.changes_file import write_changes_file
from readertui.store.layout import document_key, last_document_key
from readertui.store.merge import Snapshot
from readertui.store.store import Store

TEXT = "Title\n\nThe quick brown fox jumps over the lazy dog.\n"
OTHER = "/srv/another/library"


def library_at(root: Path, text: str = TEXT) -> Library:
    root.mkdir(parents=True)
    (root / "a.txt").write_text(text, encoding="utf-8")
    return scan_library(root)


def fox(library: str = "", **fields: object) -> Annotation:
    start = TEXT.index("quick")
    made = new_annotation(TEXT, DocumentRef("a.txt", "", "Title", library), start, start + 15)
    return replace(made, **fields)  # type: ignore[arg-type]


def test_an_export_holds_the_library_s_own_and_legacy_annotations_only(tmp_path: Path) -> None:
    library = library_at(tmp_path / "lib")
    own, legacy = fox(library.key, note="own"), fox(note="legacy")
    elsewhere = fox(OTHER, note="another library's")
    with Store(tmp_path / "db.json") as store:
        store.save_annotations([own, legacy, elsewhere])
        text = export_text(library, store, ExportRequest(), exported="2026-01-01T00:00:00Z")
        result = export_to_folder(tmp_path / "out", library, store, ExportRequest())
    assert "own" in text and "legacy" in text
    assert "another library's" not in text
    assert result.highlights == 2


def test_a_json_import_gives_every_annotation_the_importing_library(tmp_path: Path) -> None:
    library = library_at(tmp_path / "lib")
    with Store(tmp_path / "db.json") as store:
        result = import_annotations([fox(OTHER), fox()], store, library)
        assert result.added == 2
        assert {a.doc.library for a in store.annotations()} == {library.key}


def test_importing_another_library_s_annotation_moves_it_with_the_newer_content(
    tmp_path: Path,
) -> None:
    library = library_at(tmp_path / "lib")
    ours = fox(OTHER, note="edited later", updated="2025-06-02T00:00:00.000000Z")
    stale = replace(ours, note="first draft", updated="2025-06-01T00:00:00.000000Z")
    with Store(tmp_path / "db.json") as store:
        store.save_annotation(ours)
        result = import_annotations([stale], store, library)
        moved = store.annotation(ours.id)
    assert (result.moved, result.added, result.updated, result.unchanged) == (1, 0, 0, 0)
    assert moved is not None
    assert moved.doc.library == library.key
    assert moved.note == "edited later"
    # The move is an edit made now, so every other copy of the database takes it.
    assert moved.updated > ours.updated


def test_a_legacy_annotation_is_already_the_library_s_and_is_not_moved(tmp_path: Path) -> None:
    library = library_at(tmp_path / "lib")
    legacy = fox(updated="2025-06-01T00:00:00.000000Z")
    with Store(tmp_path / "db.json") as store:
        store.save_annotation(legacy)
        same = import_annotations([legacy], store, library)
        assert (same.unchanged, same.moved) == (1, 0)
        assert store.annotation(legacy.id) == legacy
        newer = replace(legacy, note="newer", updated="2025-06-03T00:00:00.000000Z")
        assert import_annotations([newer], store, library).updated == 1
        stored = store.annotation(legacy.id)
    assert stored is not None and (stored.note, stored.doc.library) == ("newer", library.key)


def test_a_changes_file_and_a_database_keep_each_record_s_library(tmp_path: Path) -> None:
    library = library_at(tmp_path / "lib")
    elsewhere = fox(OTHER)
    when = "2025-06-01T00:00:00.000000Z"
    position = {"library": OTHER, "path": "a.txt", "position": 7, "position_updated": when}
    read_last = {"key": last_document_key(OTHER), "value": "a.txt", "updated": when}
    changes = Snapshot(
        annotations={elsewhere.id: elsewhere.to_record()},
        documents={document_key(OTHER, "a.txt"): position},
        session={last_document_key(OTHER): read_last},
    )
    file = tmp_path / "changes.json"
    write_changes_file(file, changes, database=tmp_path / "db.json")
    source = read_import(file)
    assert isinstance(source, StoreRecords)
    with Store(tmp_path / "db.json") as store:
        result = import_records(source, store)
        assert (result.added, result.documents) == (1, 1)
        stored = store.annotation(elsewhere.id)
        assert stored is not None and stored.doc.library == OTHER
        assert store.reading_position("a.txt", library=OTHER) == 7
        assert store.reading_position("a.txt", library=library.key) is None
        assert store.annotations(library=library.key) == []

    # That database, imported into another one, brings its libraries' records along.
    source = read_import(tmp_path / "db.json")
    assert isinstance(source, StoreRecords)
    with Store(tmp_path / "second.json") as second:
        import_records(source, second)
        assert second.reading_position("a.txt", library=OTHER) == 7
        assert second.reading_position("a.txt", library=library.key) is None
        stored = second.annotation(elsewhere.id)
        assert stored is not None and stored.doc.library == OTHER
