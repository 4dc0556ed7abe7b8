"""The open-document pipeline: load, place the annotations, build the outline, with an LRU."""

from __future__ import annotations

import os
from pathlib import Path

from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.library import scan_library
from readertui.core.workspace import Workspace

TEXT = "# Rivers\n\nThe Yellow River floods.\n\n## Deltas\n\nSilt builds the delta.\n"


def _library(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "rivers.md").write_text(TEXT, encoding="utf-8")
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(f"{name}\n", encoding="utf-8")
    return root


def test_open_places_annotations_in_changed_text_and_builds_the_outline(tmp_path: Path) -> None:
    root = _library(tmp_path)
    workspace = Workspace(scan_library(root))
    start = TEXT.index("Silt")
    note = new_annotation(TEXT, DocumentRef("rivers.md"), start, start + 4)
    (root / "rivers.md").write_text("Preface.\n\n" + TEXT, encoding="utf-8")
    opened = workspace.open("rivers.md", [note])
    placed = opened.annotations[note.id]
    assert opened.settled and not placed.orphaned
    assert opened.text[placed.start : placed.end] == "Silt"
    assert placed.doc.library == workspace.library.key  # a legacy note is claimed once placed
    assert [entry.title for entry in opened.outline] == ["Rivers", "Deltas"]
    assert opened.highlights() == [placed]


def test_documents_are_kept_in_memory_until_their_file_changes(tmp_path: Path) -> None:
    root = _library(tmp_path)
    workspace = Workspace(scan_library(root), cache_size=2)
    first = workspace.load("rivers.md")
    assert workspace.load("rivers.md") is first
    (root / "rivers.md").write_text(TEXT + "More.\n", encoding="utf-8")
    stat = (root / "rivers.md").stat()
    os.utime(root / "rivers.md", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    second = workspace.load("rivers.md")
    assert second is not first and second.text.endswith("More.\n")
    workspace.load("a.txt")
    workspace.load("b.txt")  # three documents in a cache of two: rivers.md goes
    assert workspace.loaded("rivers.md") is None
    assert workspace.loaded("b.txt") is not None


def test_a_document_not_in_the_library_is_one_clear_error(tmp_path: Path) -> None:
    import pytest

    from readertui.errors import DocumentError

    workspace = Workspace(scan_library(_library(tmp_path)))
    with pytest.raises(DocumentError, match="not in the library"):
        workspace.load("nowhere.txt")
