"""`readertui export`, `import` and `list` (PRODUCT 8 and 9), run as a user would run them.

Each test builds a small library and a database in tmp_path and passes both with `--library`
and `--db`, so nothing depends on the user's config or files. Most tests call
`readertui.cli.main` in-process; a few run `python -m readertui` to prove that a user's mistake
ends in one line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core.annotations import Annotation, DocumentRef, new_annotation, now_iso
from readertui.core.document import load_document
from readertui.export.web_annotation import collection_json
from readertui.store.changes_file import write_changes_file
from readertui.store.merge import Snapshot
from readertui.store.store import Store, backup_folder

TEXTS = {
    "a.txt": (
        "Alpha\n\n"
        "The quick brown fox jumps over the lazy dog.\n"
        "A second line, with more words in it.\n"
    ),
    "b.txt": (
        "Beta\n\nIt was a bright cold day in April, and the clocks were striking thirteen.\n"
    ),
    "c.txt": (
        "---\ntitle: Gamma\nauthor: Ada Example\ndate: 1901\n---\n\n"
        "Nothing is highlighted in this one.\n"
    ),
}
# Raw terminal controls: colour (CSI), the C1 CSI, a bell, an OSC 52 clipboard write.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Shelf:
    """A library folder and a database with a highlight in a.txt and one in b.txt."""

    root: Path
    db: Path
    fox: Annotation
    clocks: Annotation

    @property
    def where(self) -> list[str]:
        return ["--library", str(self.root), "--db", str(self.db)]


def highlight(
    root: Path, rel_path: str, words: str, *, note: str = "", tags: tuple[str, ...] = ()
) -> Annotation:
    """A new highlight of the first occurrence of `words` in the document."""
    document = load_document(root / rel_path, root)
    start = document.text.index(words)
    ref = DocumentRef(rel_path, document.sha256, document.metadata.title)
    return new_annotation(document.text, ref, start, start + len(words), note=note, tags=tags)


def write_library(root: Path, texts: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def shelf(tmp_path: Path) -> Shelf:
    root = write_library(tmp_path / "library", TEXTS)
    fox = highlight(
        root, "a.txt", "quick brown fox", note="a *sly* note", tags=("animal", "place/Xi'an")
    )
    clocks = highlight(root, "b.txt", "clocks were striking", tags=("time",))
    db = tmp_path / "data" / "annotations.json"
    with Store(db) as store:
        store.save_annotations([fox, clocks])
    return Shelf(root, db, fox, clocks)


def cli(*args: str) -> int:
    """`readertui ARGS` in-process; the exit code (argparse's usage errors included)."""
    try:
        return main(list(args))
    except SystemExit as exit_info:
        code = exit_info.code
        return code if isinstance(code, int) else 1


def one_line(err: str) -> str:
    """The single line of a problem report (and no traceback)."""
    assert err.count("\n") == 1, err
    assert err.endswith("\n")
    assert "Traceback" not in err
    return err.strip()


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "readertui", *args],
        capture_output=True,
        timeout=60,
        check=False,
        env=env,
    )


def file_state(path: Path) -> tuple[int, int, bytes]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns, path.read_bytes()


# --- export to standard output --------------------------------------------------------------


def test_export_to_stdout_prints_markdown_with_quotes_notes_and_tags(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("export", *shelf.where, "-o", "-") == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    out = captured.out
    assert out.startswith("---\n")
    assert "> quick brown fox" in out
    assert "> clocks were striking" in out
    assert "- **Note:** a *sly* note" in out
    assert "- **Tags:** #animal #place/Xian" in out
    assert "#time" in out
    # Document order: a.txt (Alpha) before b.txt (Beta); the quote before its note.
    assert out.index("quick brown fox") < out.index("a *sly* note") < out.index("clocks were")


def test_export_json_to_stdout_is_valid_json(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("export", *shelf.where, "--format", "json", "-o", "-") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    assert [item["id"] for item in items] == [
        f"urn:uuid:{shelf.fox.id}",
        f"urn:uuid:{shelf.clocks.id}",
    ]


def test_an_unknown_format_is_a_usage_error_in_one_line(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("export", *shelf.where, "--format", "bogus", "-o", "-") == 2
    captured = capsys.readouterr()
    assert "bogus" in one_line(captured.err)
    assert captured.out == ""


# --- export to files ------------------------------------------------------------------------


def test_export_to_a_folder_writes_one_markdown_file_per_annotated_document(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notes"
    assert cli("export", *shelf.where, "-o", str(out)) == 0
    summary = capsys.readouterr().out
    assert summary.count("\n") == 1
    assert "2 highlights from 2 documents" in summary and str(out) in summary
    assert sorted(path.name for path in out.iterdir()) == ["a.md", "b.md"]
    a_md = (out / "a.md").read_text(encoding="utf-8")
    assert "quick brown fox" in a_md and "clocks were" not in a_md
    assert 'title: "Alpha"' in a_md
    assert "clocks were striking" in (out / "b.md").read_text(encoding="utf-8")


def test_exporting_again_leaves_the_files_untouched_and_says_so(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notes"
    assert cli("export", *shelf.where, "-o", str(out)) == 0
    capsys.readouterr()
    before = {name: file_state(out / name) for name in ("a.md", "b.md")}

    assert cli("export", *shelf.where, "-o", str(out)) == 0
    summary = capsys.readouterr().out
    assert summary.count("\n") == 1
    assert "up to date" in summary
    assert {name: file_state(out / name) for name in ("a.md", "b.md")} == before
    assert sorted(path.name for path in out.iterdir()) == ["a.md", "b.md"]


def test_changing_a_note_rewrites_only_that_documents_file(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notes"
    assert cli("export", *shelf.where, "-o", str(out)) == 0
    capsys.readouterr()
    a_before, b_before = file_state(out / "a.md"), file_state(out / "b.md")
    with Store(shelf.db) as store:
        store.save_annotation(shelf.clocks.touched(note="thirteen, not twelve"))

    assert cli("export", *shelf.where, "-o", str(out)) == 0
    summary = capsys.readouterr().out
    assert "wrote 1 changed of 2 files" in summary
    assert file_state(out / "a.md") == a_before
    b_after = file_state(out / "b.md")
    assert b_after[2] != b_before[2]
    assert "thirteen, not twelve" in b_after[2].decode("utf-8")


def test_export_to_a_markdown_file_writes_one_file(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "export"
    out.mkdir()
    target = out / "notes.md"
    assert cli("export", *shelf.where, "-o", str(target)) == 0
    assert str(target) in capsys.readouterr().out
    assert [path.name for path in out.iterdir()] == ["notes.md"]
    text = target.read_text(encoding="utf-8")
    assert "quick brown fox" in text and "clocks were striking" in text
    assert "highlights: 2" in text


def test_export_json_to_a_json_file(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.json"
    assert cli("export", *shelf.where, "--format", "json", "-o", str(target)) == 0
    assert str(target) in capsys.readouterr().out
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["total"] == 2


def test_json_into_a_markdown_file_name_is_a_usage_error(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.md"
    assert cli("export", *shelf.where, "--format", "json", "-o", str(target)) == 2
    assert "notes.md" in one_line(capsys.readouterr().err)
    assert not target.exists()


# --- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["library path", "absolute file path", "relative file path"])
def test_doc_limits_the_export_to_one_document(
    spelling: str,
    shelf: Shelf,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    doc = {
        "library path": "b.txt",
        "absolute file path": str(shelf.root / "b.txt"),
        "relative file path": os.path.join("library", "b.txt"),
    }[spelling]
    assert cli("export", *shelf.where, "--doc", doc, "-o", "-") == 0
    out = capsys.readouterr().out
    assert "clocks were striking" in out
    assert "quick brown fox" not in out
    assert 'title: "Beta"' in out


def test_an_unknown_document_exits_1_in_one_line(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("export", *shelf.where, "--doc", "nope.txt", "-o", "-") == 1
    captured = capsys.readouterr()
    assert "nope.txt" in one_line(captured.err)
    assert captured.out == ""


@pytest.mark.parametrize("tag", ["animal", "#animal", "place", "PLACE/xi'an"])
def test_tag_limits_the_export_to_highlights_with_it(
    tag: str, shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("export", *shelf.where, "--tag", tag, "-o", "-") == 0
    out = capsys.readouterr().out
    assert "quick brown fox" in out
    assert "clocks were striking" not in out


def test_an_unknown_tag_exits_1_naming_it(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notes"
    assert cli("export", *shelf.where, "--tag", "unknown", "-o", str(out)) == 1
    captured = capsys.readouterr()
    assert "'unknown'" in one_line(captured.err)
    assert captured.out == ""
    assert not out.exists()


# --- import ---------------------------------------------------------------------------------


def test_import_prints_a_summary_and_the_annotations_are_listed(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "export.json"
    assert cli("export", *shelf.where, "--format", "json", "-o", str(exported)) == 0
    fresh = ["--library", str(shelf.root), "--db", str(tmp_path / "fresh.json")]
    capsys.readouterr()

    assert cli("import", *fresh, str(exported)) == 0
    summary = capsys.readouterr().out
    assert summary == f"imported {exported}: 2 added, 0 updated, 0 unchanged\n"
    assert cli("import", *fresh, str(exported)) == 0
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out

    assert cli("list", "annotations", *fresh) == 0
    ids = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    assert ids == [shelf.fox.id, shelf.clocks.id]


def test_import_of_a_missing_file_exits_1_in_one_line(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    before = shelf.db.read_bytes()
    assert cli("import", *shelf.where, str(missing)) == 1
    err = one_line(capsys.readouterr().err)
    assert str(missing) in err and "no such file" in err
    assert shelf.db.read_bytes() == before


def test_import_without_a_file_is_a_usage_error(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("import", *shelf.where) == 2
    assert "the following arguments are required: FILE" in one_line(capsys.readouterr().err)


# --- list -----------------------------------------------------------------------------------


def rows(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()]


def test_list_docs_gives_path_count_title_byline_and_format(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("list", "docs", *shelf.where) == 0
    assert rows(capsys.readouterr().out) == [
        ["a.txt", "1", "Alpha", "", "text"],
        ["b.txt", "1", "Beta", "", "text"],
        ["c.txt", "0", "Gamma", "Ada Example · 1901", "text"],
    ]


def test_list_tags_gives_each_tag_and_its_count(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store(shelf.db) as store:
        store.save_annotation(highlight(shelf.root, "a.txt", "lazy dog", tags=("Animal",)))
    assert cli("list", "tags", *shelf.where) == 0
    assert rows(capsys.readouterr().out) == [
        ["animal", "2"],
        ["place/Xi'an", "1"],
        ["time", "1"],
    ]


def test_list_annotations_gives_place_id_quote_tags_and_note(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("list", "annotations", *shelf.where) == 0
    assert rows(capsys.readouterr().out) == [
        ["a.txt:3", shelf.fox.id, "“quick brown fox”", "#animal #place/Xi'an", "a *sly* note"],
        ["b.txt:3", shelf.clocks.id, "“clocks were striking”", "#time", ""],
    ]


def test_list_annotations_filters_by_document_and_tag(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("list", "annotations", *shelf.where, "--doc", "b.txt") == 0
    assert [row[1] for row in rows(capsys.readouterr().out)] == [shelf.clocks.id]
    assert cli("list", "annotations", *shelf.where, "--tag", "place") == 0
    assert [row[1] for row in rows(capsys.readouterr().out)] == [shelf.fox.id]


@pytest.mark.parametrize(
    "args", [("list", "bogus"), ("list", "docs", "--tag", "x"), ("list", "tags", "--doc", "a.txt")]
)
def test_list_usage_errors_exit_2_in_one_line(
    args: tuple[str, ...], shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(*args, *shelf.where) == 2
    captured = capsys.readouterr()
    one_line(captured.err)
    assert captured.out == ""


# --- what must never happen -----------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("export", "-o", "-"),
        ("export", "--format", "json", "-o", "OUT"),
        ("list", "annotations"),
        ("import", "IMPORT"),
    ],
)
def test_a_corrupt_database_is_reported_in_one_line_and_left_untouched(
    command: tuple[str, ...], shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "valid.json"
    assert cli("export", *shelf.where, "--format", "json", "-o", str(exported)) == 0
    shelf.db.write_bytes(b"{not json")
    out = tmp_path / "out.json"
    capsys.readouterr()
    args = [
        str(out) if arg == "OUT" else str(exported) if arg == "IMPORT" else arg for arg in command
    ]

    assert cli(*args, *shelf.where) == 1
    captured = capsys.readouterr()
    assert str(shelf.db) in one_line(captured.err)
    assert captured.out == ""
    assert shelf.db.read_bytes() == b"{not json"
    assert not out.exists()


def test_control_characters_in_a_document_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_library(
        tmp_path / "library",
        {"evil.txt": "Evil\n\nred \x1b[31mDANGER\x1b[0m then \x9b2J and a bell\x07 here.\n"},
    )
    start, end = "red ", " here"
    document = load_document(root / "evil.txt", root)
    marked = new_annotation(
        document.text,
        DocumentRef("evil.txt", document.sha256, document.metadata.title),
        document.text.index(start),
        document.text.index(end),
        note="see \x1b]52;c;aGVsbG8=\x07 this",
        tags=("t\x1bag",),
    )
    db = tmp_path / "db.json"
    with Store(db) as store:
        store.save_annotation(marked)
    where = ["--library", str(root), "--db", str(db)]

    assert cli("list", "annotations", *where) == 0
    listed = capsys.readouterr().out
    assert marked.id in listed and "DANGER" in listed
    assert not RAW_CONTROLS.search(listed), repr(listed)

    assert cli("export", *where, "-o", "-") == 0
    markdown = capsys.readouterr().out
    assert "DANGER" in markdown and "aGVsbG8=" in markdown
    assert not RAW_CONTROLS.search(markdown.replace("\t", " ")), repr(markdown)


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write to any folder"
)
def test_export_to_an_unwritable_folder_exits_1_in_one_line(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert cli("export", *shelf.where, "-o", str(out)) == 1
        captured = capsys.readouterr()
        assert str(out) in one_line(captured.err)
        assert captured.out == ""
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o700)


def test_mistakes_end_in_one_line_and_an_exit_code_never_a_traceback(
    shelf: Shelf, tmp_path: Path
) -> None:
    not_an_export = tmp_path / "notes.json"
    not_an_export.write_text('{"type": "Annotation", "target": 3}', encoding="utf-8")
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_bytes(b"{not json")
    mistakes = [
        (("export", *shelf.where, "--format", "bogus"), 2),
        (("export", *shelf.where, "--doc", "nope.txt", "-o", "-"), 1),
        (("import", *shelf.where, str(not_an_export)), 1),
        (("list", "annotations", "--library", str(shelf.root), "--db", str(corrupt)), 1),
    ]
    for args, code in mistakes:
        result = run(*args)
        err = result.stderr.decode("utf-8")
        assert result.returncode == code, (args, err)
        assert err.count("\n") == 1, (args, err)
        assert "Traceback" not in err
        assert result.stdout == b""


def test_output_is_utf8_whatever_the_locale(shelf: Shelf) -> None:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"}
    result = run("list", "annotations", *shelf.where, env=env)
    assert result.returncode == 0, result.stderr
    assert "“quick brown fox”" in result.stdout.decode("utf-8")


# --- a database path that is not a regular file (PRODUCT 6) ---------------------------------


def _special_paths(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, a folder, a symlink to a FIFO and (as root) a null device, in tmp_path."""
    folder = tmp_path / "special"
    folder.mkdir()
    paths = {"fifo": folder / "fifo.json", "folder": folder / "folder.json"}
    os.mkfifo(paths["fifo"])
    paths["folder"].mkdir()
    paths["link"] = folder / "link.json"
    paths["link"].symlink_to(paths["fifo"])
    if os.geteuid() == 0:
        # Never the real /dev/null: a node of the same device, made here.
        paths["null device"] = folder / "null.json"
        os.mknod(paths["null device"], 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return paths


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and device nodes")
def test_a_database_that_is_not_a_regular_file_is_refused_in_one_line(
    shelf: Shelf, tmp_path: Path
) -> None:
    exported = tmp_path / "export.json"
    assert cli("export", *shelf.where, "--format", "json", "-o", str(exported)) == 0
    for kind, path in _special_paths(tmp_path).items():
        before = os.lstat(path), os.stat(path)
        for command in (
            ("import", str(exported)),
            ("list", "annotations"),
            ("export", "-o", "-"),
            ("list", "problems"),
        ):
            # In a child process with a timeout: a FIFO once made it hang for ever.
            result = run(*command, "--library", str(shelf.root), "--db", str(path))
            err = result.stderr.decode("utf-8")
            assert result.returncode == 1, (kind, command, err)
            assert err.count("\n") == 1 and "Traceback" not in err, err
            assert str(path) in err and "not a regular file" in err, err
            assert result.stdout == b""
        after = os.lstat(path), os.stat(path)
        assert [(s.st_mode, s.st_ino) for s in after] == [(s.st_mode, s.st_ino) for s in before]
    assert not (tmp_path / "special" / "backups").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs")
def test_the_reader_refuses_such_a_database_before_starting(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = _special_paths(tmp_path)["fifo"]
    assert cli(str(shelf.root), "--db", str(fifo)) == 1
    err = one_line(capsys.readouterr().err)
    assert str(fifo) in err and "a FIFO (named pipe), not a regular file" in err


# --- records that do not validate (PRODUCT 6) ------------------------------------------------


def _spoil_database(shelf: Shelf, change: dict[str, object]) -> dict[str, object]:
    """The fox's record in the database with `change` applied; the spoiled record."""
    data = json.loads(shelf.db.read_text(encoding="utf-8"))
    rows = data["annotations"]
    doc_id = next(key for key, row in rows.items() if row["id"] == shelf.fox.id)
    rows[doc_id].update(change)
    shelf.db.write_text(json.dumps(data), encoding="utf-8")
    spoiled: dict[str, object] = rows[doc_id]
    return spoiled


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"tags": "notalist"}, "its 'tags' is 'notalist', not a list of text"),
        ({"start": "abc"}, "its 'start' is 'abc', not a whole number"),
        ({"quote": None}, "its 'quote' is null, not an object"),
        ({"end": -5}, "its 'end' is -5"),
        ({"color": "chartreuse"}, "its colour 'chartreuse' is not one of"),
    ],
)
def test_a_record_that_does_not_validate_is_listed_with_why_and_counted(
    change: dict[str, object],
    why: str,
    shelf: Shelf,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spoiled = _spoil_database(shelf, change)
    notice = f"readertui: warning: 1 record in {shelf.db} cannot be used"

    assert cli("list", "annotations", *shelf.where) == 0
    captured = capsys.readouterr()
    assert [row.split("\t")[1] for row in captured.out.splitlines()] == [shelf.clocks.id]
    assert "#n #o #t" not in captured.out
    assert one_line(captured.err).startswith(notice)
    assert "readertui list problems" in captured.err

    assert cli("list", "problems", *shelf.where) == 0
    captured = capsys.readouterr()
    assert captured.out == f"annotations\t{shelf.fox.id}\t{captured.out.split(chr(9))[2]}"
    assert why in captured.out
    assert captured.err == ""

    assert cli("export", *shelf.where, "-o", "-") == 0
    captured = capsys.readouterr()
    assert one_line(captured.err).startswith(notice)
    assert "quick brown fox" not in captured.out and "clocks were striking" in captured.out

    exported = tmp_path / "other.json"
    exported.write_text(collection_json([], "2025-01-01T00:00:00Z"), encoding="utf-8")
    assert cli("import", *shelf.where, str(exported)) == 0
    assert one_line(capsys.readouterr().err).startswith(notice)
    # After all that (the import wrote the file), the record is as it was.
    data = json.loads(shelf.db.read_text(encoding="utf-8"))
    assert spoiled in data["annotations"].values()


def test_list_problems_is_empty_for_a_sound_database(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("list", "problems", *shelf.where) == 0
    assert capsys.readouterr() == ("", "")


# --- an empty database file -------------------------------------------------------------------


def test_an_empty_database_without_a_backup_starts_anew_and_says_so(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "empty" / "annotations.json"
    db.parent.mkdir()
    db.write_bytes(b"")
    where = ["--library", str(shelf.root), "--db", str(db)]
    assert cli("list", "annotations", *where) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err) == (
        f"readertui: warning: {db} was empty; a new database was started"
    )


def test_an_empty_database_beside_a_backup_is_refused_naming_the_backup(
    shelf: Shelf, capsys: pytest.CaptureFixture[str]
) -> None:
    # As the first open of each process leaves it: a backup with the annotations.
    backup = backup_folder(shelf.db) / f"{shelf.db.stem}-20250101-000000.json"
    backup.parent.mkdir()
    backup.write_bytes(shelf.db.read_bytes())
    shelf.db.write_bytes(b"  \n")
    capsys.readouterr()
    assert cli("list", "annotations", *shelf.where) == 1
    err = one_line(capsys.readouterr().err)
    assert str(shelf.db) in err and "the file is empty" in err and str(backup) in err
    assert shelf.db.read_bytes() == b"  \n"


# --- importing a changes file or another database ---------------------------------------------


def test_import_merges_a_changes_file_and_reports_counts(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = highlight(shelf.root, "c.txt", "Nothing is highlighted", note="kept aside")
    when = now_iso()
    changes = Snapshot(
        annotations={later.id: later.to_record()},
        tombstones={shelf.fox.id: {"id": shelf.fox.id, "deleted": when}},
        documents={"a.txt": {"path": "a.txt", "position": 21, "position_updated": when}},
    )
    file = tmp_path / "somewhere" / "unsaved.json"
    write_changes_file(file, changes, database=shelf.db)

    assert cli("import", *shelf.where, str(file)) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == (
        f"imported {file}: 1 added, 0 updated, 0 unchanged, 1 deleted; "
        "the reading position or tags of 1 document\n"
    )
    with Store(shelf.db) as store:
        assert {a.id for a in store.annotations()} == {shelf.clocks.id, later.id}
        assert store.reading_position("a.txt") == 21

    assert cli("import", *shelf.where, str(file)) == 0
    assert capsys.readouterr().out == f"imported {file}: 0 added, 0 updated, 1 unchanged\n"


def test_import_merges_another_database(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "laptop" / "annotations.json"
    extra = highlight(shelf.root, "b.txt", "bright cold day", note="from the laptop")
    with Store(other) as store:
        store.save_annotations([shelf.clocks, extra])
        store.delete_annotation(shelf.clocks.id)
        store.set_document_tags("b.txt", ["orwell"])
        store.set_last_document("b.txt")

    assert cli("import", *shelf.where, str(other)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"imported {other}: 1 added, 0 updated, 0 unchanged, 1 deleted")
    with Store(shelf.db) as store:
        assert {a.id for a in store.annotations()} == {shelf.fox.id, extra.id}
        assert store.document_tags("b.txt") == ("orwell",)
        assert store.last_document() is None  # the other machine's session stays there


def test_a_damaged_changes_file_is_refused_in_one_line(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "unsaved.json"
    write_changes_file(file, Snapshot(), database=shelf.db)
    data = json.loads(file.read_text(encoding="utf-8"))
    data["annotations"] = {"1": {"id": "x", "quote": None}}
    file.write_text(json.dumps(data), encoding="utf-8")
    before = shelf.db.read_bytes()
    assert cli("import", *shelf.where, str(file)) == 1
    err = one_line(capsys.readouterr().err)
    assert str(file) in err and "annotations 'x': it has no 'doc'" in err
    assert shelf.db.read_bytes() == before


def test_list_annotations_does_not_double_a_quote_s_own_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    speech = "“Well, Prince, so Genoa and Lucca are now just family estates.”"
    root = write_library(tmp_path / "library", {"d.txt": f"{speech}\n\nHe said it.\n"})
    db = tmp_path / "annotations.json"
    with Store(db) as store:
        store.save_annotations([highlight(root, "d.txt", speech), highlight(root, "d.txt", "said")])
    assert cli("list", "annotations", "--library", str(root), "--db", str(db)) == 0
    quotes = [row[2] for row in rows(capsys.readouterr().out)]
    assert quotes == [speech, "“said”"]
