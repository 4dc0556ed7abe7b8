"""The library export is titled after the library (issue 11, item 10): the folder's own name,
and the sample library as such, never the package's folder inside the installation."""

from __future__ import annotations

from pathlib import Path

import pytest

from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.library import scan_library
from readertui.export.exporting import ExportRequest, export_text
from readertui.locations import sample_library_path
from readertui.store.store import Store

TEXT = "“Well, Prince, so Genoa and Lucca are now just family estates of the\nBuonapartes.\n"


def titled(text: str) -> str:
    return text.split('title: "', 1)[1].split('"', 1)[0]


def test_the_sample_library_export_is_titled_as_the_sample_library(tmp_path: Path) -> None:
    library = scan_library(sample_library_path())
    with Store(tmp_path / "db.json") as store:
        text = export_text(library, store, ExportRequest(), exported="2026-01-01T00:00:00Z")
    assert titled(text) == "Highlights from the sample library"
    assert "sample_library" not in text


def test_a_library_opened_as_dot_is_titled_after_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "reading-group"
    root.mkdir()
    (root / "war_and_peace.txt").write_text(TEXT, encoding="utf-8")
    monkeypatch.chdir(root)
    library = scan_library(Path("."))
    document = library.entries[0]
    assert document.metadata.title == "War and Peace"
    ref = DocumentRef(document.rel_path, "", document.metadata.title, library.key)
    with Store(tmp_path / "db.json") as store:
        store.save_annotations([new_annotation(TEXT, ref, 1, 15)])
        text = export_text(library, store, ExportRequest(), exported="2026-01-01T00:00:00Z")
    assert titled(text) == "Highlights from reading-group"
    # The document's section is named by its title, never by its first sentence.
    assert "War and Peace" in text
    assert "Well, Prince, so Genoa and Lucca are now" not in text.split("\n> ", 1)[0]
