"""`readertui list`, `export` and `import` work on one library at a time (issue 8, item 9).

Two libraries, each with its own `a.txt` of different text, share one database: the notes of
one never show in the other (not even as orphans, which `enter` would re-attach to unrelated
text), and their exports never overwrite each other.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import library_key
from readertui.export.web_annotation import collection_json
from readertui.store.store import Store

HOME_TEXT = "Home\n\nThe quick brown fox jumps over the lazy dog.\n"
WORK_TEXT = "Work\n\nMinutes of the meeting: the budget, the roof, the quick brown vote.\n"
STAMP = "2026-01-02T03:04:05Z"


def cli(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_info:
        code = exit_info.code
        return code if isinstance(code, int) else 1


def write_library(root: Path, text: str) -> Path:
    root.mkdir(parents=True)
    (root / "a.txt").write_text(text, encoding="utf-8")
    return root


def highlight(root: Path, words: str, *, note: str, tags: tuple[str, ...] = ()) -> Annotation:
    """A highlight of `words` in the library's a.txt, of no library (as an export holds it)."""
    document = load_document(root / "a.txt", root)
    start = document.text.index(words)
    ref = DocumentRef("a.txt", document.sha256, document.metadata.title)
    return new_annotation(document.text, ref, start, start + len(words), note=note, tags=tags)


def export_file(path: Path, annotations: list[Annotation]) -> Path:
    path.write_text(collection_json(annotations, STAMP), encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return write_library(tmp_path / "home" / "notes", HOME_TEXT)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return write_library(tmp_path / "work" / "notes", WORK_TEXT)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "annotations.json"


def where(library: Path, db: Path) -> list[str]:
    return ["--library", str(library), "--db", str(db)]


def listed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli("list", *args) == 0
    return capsys.readouterr().out


def test_notes_of_one_library_never_show_in_another_with_a_file_of_that_name(
    home: Path, work: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fox = highlight(home, "quick brown fox", note="home's fox", tags=("animal",))
    assert cli("import", str(export_file(tmp_path / "fox.json", [fox])), *where(home, db)) == 0
    assert "1 added" in capsys.readouterr().out

    assert fox.id in listed(capsys, "annotations", *where(home, db))
    assert listed(capsys, "annotations", *where(work, db)) == ""
    assert listed(capsys, "tags", *where(home, db)) == "animal\t1\n"
    assert listed(capsys, "tags", *where(work, db)) == ""
    assert listed(capsys, "docs", *where(home, db)).startswith("a.txt\t1\t")
    assert listed(capsys, "docs", *where(work, db)).startswith("a.txt\t0\t")

    assert cli("export", "-o", "-", *where(work, db)) == 0
    exported = capsys.readouterr().out
    assert "home's fox" not in exported and "quick brown" not in exported
    assert cli("export", "--format", "json", "-o", "-", *where(work, db)) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0


def test_exports_of_two_libraries_never_overwrite_each_other(
    home: Path, work: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'export_dir = "{tmp_path / "exports"}"\n', encoding="utf-8")
    fox = highlight(home, "quick brown fox", note="home's fox")
    vote = highlight(work, "quick brown vote", note="work's vote")
    for library, note in ((home, fox), (work, vote)):
        file = export_file(tmp_path / f"{note.id}.json", [note])
        assert cli("import", str(file), *where(library, db)) == 0
    for library in (home, work):
        assert cli("export", "--config", str(config), *where(library, db)) == 0
    capsys.readouterr()

    files = sorted((tmp_path / "exports").glob("*/a.md"))
    assert len(files) == 2, files
    texts = {file.parent.name: file.read_text(encoding="utf-8") for file in files}
    assert sorted("home's fox" in text for text in texts.values()) == [False, True]
    assert sorted("work's vote" in text for text in texts.values()) == [False, True]
    # Both are named after the library's folder ("notes"), told apart by the key's hash.
    assert all(name.startswith("notes-") for name in texts)


def test_an_export_s_notes_become_the_notes_of_the_library_they_are_imported_into(
    home: Path, work: Path, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fox = highlight(home, "quick brown fox", note="home's fox")
    assert cli("import", str(export_file(tmp_path / "fox.json", [fox])), *where(home, db)) == 0
    with Store(db) as store:
        stored = store.annotation(fox.id)
        assert stored is not None and stored.doc.library == library_key(home)

    # The home library's notes, exported and imported into the work library, move there.
    backup = tmp_path / "home-notes.json"
    assert cli("export", "--format", "json", "-o", str(backup), *where(home, db)) == 0
    assert cli("import", str(backup), *where(work, db)) == 0
    assert "1 moved to this library" in capsys.readouterr().out
    assert listed(capsys, "annotations", *where(home, db)) == ""
    assert fox.id in listed(capsys, "annotations", *where(work, db))
    # Importing it again changes nothing.
    assert cli("import", str(backup), *where(work, db)) == 0
    assert "0 added, 0 updated, 1 unchanged" in capsys.readouterr().out


def test_a_note_made_before_libraries_had_identities_shows_in_each_library_with_its_path(
    home: Path, work: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    legacy = highlight(home, "quick brown fox", note="legacy")
    with Store(db) as store:
        store.save_annotation(legacy)
    assert "a.txt:3\t" in listed(capsys, "annotations", *where(home, db))
    # Its quote is not in the work library's a.txt: there it is an orphan, as before.
    assert "a.txt:orphaned\t" in listed(capsys, "annotations", *where(work, db))
