"""Global options before or after the subcommand (issue 11 item 11).

`readertui --db F list docs` must do what `readertui list docs --db F` does, for every
subcommand, with the same output, the same one-line messages and the same exit codes.
Everything runs in-process on a small library in tmp_path.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.export.exporting import ExportRequest, export_text
from readertui.store.store import Store

TEXTS = {
    "a.txt": "Alpha\n\nThe quick brown fox jumps over the lazy dog.\n",
    "b.txt": "Beta\n\nIt was a bright cold day in April, and the fox was striking thirteen.\n",
}


_STAMP = re.compile(r'((?:exported: |"generated": )")[^"]*')


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Outcome:
    try:
        code = main(list(args))
    except SystemExit as exit_info:
        code = exit_info.code if isinstance(exit_info.code, int) else 1
    captured = capsys.readouterr()
    # The export's time stamp may tick between two runs: it is not what is compared.
    out = _STAMP.sub(r"\1…", captured.out)
    return Outcome(code, out, captured.err)


@pytest.fixture
def where(tmp_path: Path) -> list[str]:
    root = tmp_path / "library"
    root.mkdir()
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    db = tmp_path / "annotations.json"
    document = load_document(root / "a.txt", root)
    start = document.text.index("quick brown fox")
    ref = DocumentRef("a.txt", document.sha256, document.metadata.title)
    fox = new_annotation(document.text, ref, start, start + 15, note="sly", tags=("animal",))
    with Store(db) as store:
        store.save_annotations([fox])
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    return ["--library", str(root), "--db", str(db), "--config", str(config)]


def _export_file(tmp_path: Path, where: list[str]) -> str:
    """A JSON export of the fixture's database, for `import`."""
    root, db = Path(where[1]), Path(where[3])
    with Store(db) as store:
        text = export_text(scan_library(root), store, ExportRequest(format="json"))
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "command",
    [
        ["list", "docs"],
        ["list", "tags"],
        ["list", "annotations", "--tag", "animal"],
        ["export", "-o", "-"],
        ["export", "--format", "json", "-o", "-"],
        ["search", "fox"],
        ["xref", "a.txt"],
        ["list", "nothing"],  # a usage error: exit 2
        ["export", "--format", "bogus"],
        ["search", "-o", "fox"],
        ["xref", "missing.txt"],  # an error: exit 1
    ],
)
def test_global_options_work_before_and_after_the_subcommand(
    capsys: pytest.CaptureFixture[str], where: list[str], command: list[str]
) -> None:
    after = run(capsys, *command, *where)
    before = run(capsys, *where, *command)
    assert before == after
    # And shuffled: one option before, the others after.
    assert run(capsys, *where[:2], *command, *where[2:]) == after
    assert after.err.count("\n") <= 1 and "Traceback" not in after.err


def test_import_takes_the_global_options_before_it(
    capsys: pytest.CaptureFixture[str], where: list[str], tmp_path: Path
) -> None:
    exported = _export_file(tmp_path, where)
    empty = tmp_path / "empty.json"
    outcome = run(capsys, "--db", str(empty), *where[:2], "import", exported)
    assert outcome.code == 0, outcome.err
    assert "1 " in outcome.out
    listed = run(capsys, "--db", str(empty), *where[:2], "list", "annotations")
    assert "quick brown fox" in listed.out


def test_list_docs_after_db_lists_the_documents(
    capsys: pytest.CaptureFixture[str], where: list[str]
) -> None:
    """The issue's example: `readertui --db F list docs` said "unrecognized arguments: docs"."""
    outcome = run(capsys, "--db", where[3], "--library", where[1], "list", "docs")
    assert outcome.code == 0, outcome.err
    assert [line.split("\t")[0] for line in outcome.out.splitlines()] == ["a.txt", "b.txt"]


@pytest.mark.parametrize("spelling", [["--db=F"], ["--d", "F"], ["--db", "F", "--db=F"]])
def test_shortened_and_joined_options_go_to_the_subcommand_as_written(
    capsys: pytest.CaptureFixture[str], where: list[str], tmp_path: Path, spelling: list[str]
) -> None:
    spelled = [part.replace("F", str(tmp_path / "other.json")) for part in spelling]
    after = run(capsys, "list", "docs", *where[:2], *spelled)
    before = run(capsys, *spelled, *where[:2], "list", "docs")
    assert before == after


def test_a_missing_value_before_a_subcommand_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = run(capsys, "--db")
    assert outcome.code == 2
    assert "--db" in outcome.err and outcome.err.count("\n") == 1


def test_the_reader_option_theme_before_a_subcommand_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], where: list[str]
) -> None:
    outcome = run(capsys, "--theme", "textual-light", *where, "list", "docs")
    assert outcome.code == 2
    assert "list: --theme" in outcome.err
    assert outcome.out == "" and outcome.err.count("\n") == 1
    assert run(capsys, *where, "list", "docs", "--theme", "textual-light") == outcome


def test_the_reader_takes_library_as_well(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`--library` is global: the reader takes it too (as its PATH), before it fails here on
    a library that does not exist — the same message as for PATH."""
    missing = str(tmp_path / "nowhere")
    by_option = run(capsys, "--library", missing)
    by_path = run(capsys, missing)
    assert by_option == by_path
    assert by_option.code == 1
    both = run(capsys, "--library", missing, missing)
    assert both.code == 2 and both.err.count("\n") == 1


def test_help_names_every_subcommand_and_says_where_the_options_go(
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcome = run(capsys, "--help")
    assert outcome.code == 0
    for name in ("export", "import", "list", "search", "xref", "--library"):
        assert name in outcome.out
    assert "before or after" in outcome.out


def test_the_installed_command_takes_db_before_list(where: list[str]) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "readertui",
            "--db",
            where[3],
            "--library",
            where[1],
            "list",
            "docs",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[0].startswith("a.txt\t1\t")
