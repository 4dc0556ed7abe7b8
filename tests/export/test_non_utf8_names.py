"""A library file whose name is not UTF-8 no longer breaks every export (issue 8, item 16).

`caf\\xe9.txt` (Latin-1) is listed as `caf\\udce9.txt` (os.fsdecode holds the byte as a lone
surrogate), which UTF-8 cannot encode: every export failed with `UnicodeEncodeError …
surrogates not allowed`. Now Markdown shows the name readably (`caf\\xe9.txt`), JSON keeps it
exactly (`caf%E9.txt`, and `\\udce9` in strings) so an import finds the document again, and
the export file gets a name every file system takes (`caf%E9.md`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.export.importing import import_annotations, read_import_file
from readertui.store.store import Store

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or sys.platform == "darwin",
    reason="needs a file system that takes any bytes in a name",
)

NAME = b"caf\xe9.txt"
TEXT = "Caf\u00e9\n\nThe smell of coffee and of rain on the stones outside.\n"


def cli(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_info:
        return int(exit_info.code or 0)


@pytest.fixture
def shelf(tmp_path: Path) -> tuple[Path, Path, Annotation]:
    """A library holding caf\\xe9.txt and a plain file, a database with a note on each."""
    root = tmp_path / "library"
    root.mkdir()
    fd = os.open(os.fsencode(root) + b"/" + NAME, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, TEXT.encode("utf-8"))
    os.close(fd)
    (root / "plain.txt").write_text("Plain\n\nNothing odd about this one.\n", encoding="utf-8")
    rel_path = os.fsdecode(NAME)
    assert scan_library(root).find(rel_path) is not None
    document = load_document(root / rel_path, root)
    start = document.text.index("coffee")
    odd = new_annotation(
        document.text,
        DocumentRef(rel_path, document.sha256, document.metadata.title),
        start,
        start + len("coffee"),
        note="strong",
    )
    plain = load_document(root / "plain.txt", root)
    other = new_annotation(
        plain.text, DocumentRef("plain.txt", plain.sha256, "Plain"), 7, 14, note="ordinary"
    )
    db = tmp_path / "db.json"
    with Store(db) as store:
        store.save_annotations([odd, other])
    return root, db, odd


def where(root: Path, db: Path) -> list[str]:
    return ["--library", str(root), "--db", str(db)]


def test_markdown_to_a_folder_shows_the_name_readably(
    shelf: tuple[Path, Path, Annotation], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, db, _ = shelf
    out = tmp_path / "out"
    assert cli("export", *where(root, db), "-o", str(out)) == 0
    assert capsys.readouterr().err == ""
    names = sorted(os.listdir(out))
    assert names == ["caf%E9.md", "plain.md"]  # UTF-8 names, whatever the file system
    text = (out / "caf%E9.md").read_text(encoding="utf-8")
    assert "- **File:** caf\\\\xe9.txt" in text  # renders as caf\xe9.txt
    assert "> coffee" in text and "- **Note:** strong" in text
    assert "ordinary" in (out / "plain.md").read_text(encoding="utf-8")


def test_markdown_to_standard_output(
    shelf: tuple[Path, Path, Annotation], capsys: pytest.CaptureFixture[str]
) -> None:
    root, db, _ = shelf
    assert cli("export", *where(root, db), "-o", "-") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "caf\\\\xe9.txt" in captured.out and "> coffee" in captured.out
    assert "\ufffd" not in captured.out and "?" not in captured.out.split("coffee")[0][-200:]


@pytest.mark.parametrize("to_stdout", [False, True])
def test_json_keeps_the_exact_name_and_imports_back_to_the_same_document(
    to_stdout: bool,
    shelf: tuple[Path, Path, Annotation],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, db, odd = shelf
    exported = tmp_path / "export.json"
    if to_stdout:
        assert cli("export", *where(root, db), "--format", "json", "-o", "-") == 0
        exported.write_text(capsys.readouterr().out, encoding="utf-8")
    else:
        out = tmp_path / "out"
        assert cli("export", *where(root, db), "--format", "json", "-o", str(out)) == 0
        assert os.listdir(out) == ["library.json"]
        exported = out / "library.json"
    raw = exported.read_bytes()
    raw.decode("utf-8")  # valid UTF-8
    items = json.loads(raw)["first"]["items"]
    sources = {item["target"]["source"]["id"] for item in items}
    assert sources == {"caf%E9.txt", "plain.txt"}

    fresh = tmp_path / "fresh.json"
    with Store(fresh) as store:
        result = import_annotations(read_import_file(exported), store, scan_library(root))
        assert (result.added, result.not_in_library) == (2, 0)
        back = store.annotation(odd.id)
    assert back is not None
    assert back.doc.path == odd.doc.path == os.fsdecode(NAME)
    assert not back.orphaned


def test_one_document_by_its_name_exports_to_a_writable_file(
    shelf: tuple[Path, Path, Annotation], tmp_path: Path
) -> None:
    root, db, _ = shelf
    out = tmp_path / "one"
    doc = os.fsdecode(os.fsencode(root) + b"/" + NAME)
    assert cli("export", *where(root, db), "--format", "json", "--doc", doc, "-o", str(out)) == 0
    assert os.listdir(out) == ["caf%E9.json"]
