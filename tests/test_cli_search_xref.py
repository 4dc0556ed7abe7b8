"""`readertui search` and `readertui xref` (PRODUCT 9, issue 10 item 5), run as a script would.

The sample library (the repo's library/) for the issue's examples, made-up libraries for the
rest. The index goes to the test's own cache folder (the autouse `isolated_dirs`). Most tests
call the subcommand runner in-process; one runs `python -m readertui`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from readertui.cli import SUBCOMMANDS
from readertui.cli import subcommands as subcommand_module
from readertui.cli.subcommands import run_subcommand
from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.index.cache import default_index_path
from readertui.store.store import Store
from tests.conftest import SAMPLE_LIBRARY

REPORT = "delegation-report-2025.txt"
MORNING_STAR = "jiayuguan-morning-star.txt"
DIGEST = "technology-infrastructure.txt"
RAW_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cli(*args: str) -> int:
    """`readertui ARGS` in-process; the exit code (argparse's usage errors included)."""
    try:
        return run_subcommand(list(args))
    except SystemExit as exit_info:
        code = exit_info.code
        return code if isinstance(code, int) else 1


def one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


def sample(tmp_path: Path) -> list[str]:
    return ["--library", str(SAMPLE_LIBRARY), "--db", str(tmp_path / "db.json")]


def line_of(name: str, words: str) -> int:
    text = (SAMPLE_LIBRARY / name).read_text(encoding="utf-8")
    return text.count("\n", 0, text.index(words)) + 1


def write(root: Path, texts: dict[str, str]) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    return ["--library", str(root), "--db", str(root.parent / "db.json")]


# -- search --------------------------------------------------------------------------------------


def test_search_molten_salt_lists_the_reports_paragraph_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("search", "molten salt", *sample(tmp_path)) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines
    where, title, snippet = lines[0].split("\t")
    assert where.startswith(f"{REPORT}:")
    assert title == "Report: Delegation to China, May-June 2025"
    assert "molten salt" in snippet.lower()
    line = int(where.rpartition(":")[2])
    source = (SAMPLE_LIBRARY / REPORT).read_text(encoding="utf-8").split("\n")
    assert "molten salt" in source[line - 1].lower()
    # A paragraph about the plant, not its heading or the photo's caption (lines 98, 100).
    assert line in (105, 109), line
    for row in lines:
        assert len(row.split("\t")) == 3


def test_search_json_has_offsets_and_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("search", '"molten salt"', "--limit", "3", "--json", *sample(tmp_path)) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3
    for hit in hits:
        text = (SAMPLE_LIBRARY / hit["path"]).read_text(encoding="utf-8")
        assert hit["matches"]
        for start, end in hit["matches"]:
            assert text[start:end].lower() == "molten salt"
        assert hit["start"] <= hit["matches"][0][0] < hit["end"]
        snippet = hit["snippet"]
        assert [snippet["text"][a:b].lower() for a, b in snippet["marks"]] == ["molten salt"] * len(
            snippet["marks"]
        )
        assert hit["line"] <= hit["match_line"]


def test_search_with_nothing_found_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("search", "zzyzx", *sample(tmp_path)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nothing found" in one_line(captured.err)


@pytest.mark.parametrize(
    "arguments",
    [
        [
            "",
        ],
        ['"'],
        ["--", "-molten"],
        ["salt", "--limit", "0"],
        ["salt", "--limit", "many"],
        ["x" * 10_000],
    ],
)
def test_search_usage_errors_exit_2_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    assert cli("search", *arguments, *sample(tmp_path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err).startswith("readertui")


def test_search_sees_the_library_as_it_is_now(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = write(tmp_path / "library", {"a.txt": "A heron.\n"})
    assert cli("search", "heron", *where) == 0
    (tmp_path / "library" / "a.txt").write_text("A kingfisher.\n", encoding="utf-8")
    (tmp_path / "library" / "b.txt").write_text("Another heron.\n", encoding="utf-8")
    capsys.readouterr()
    assert cli("search", "heron", *where) == 0
    assert capsys.readouterr().out.splitlines() == ["b.txt:1\tB\tAnother heron."]
    assert cli("search", "kingfisher", *where) == 0


def test_search_rebuilds_an_index_a_query_finds_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = write(tmp_path / "library", {"a.txt": "A heron.\n", "b.txt": "A kingfisher.\n"})
    assert cli("search", "heron", *where) == 0
    index_path = default_index_path(scan_library(tmp_path / "library"))
    with closing(sqlite3.connect(index_path)) as connection:
        connection.execute("DROP TABLE passages_fts_data")  # the schema still looks whole
    capsys.readouterr()
    assert cli("search", "heron", *where) == 0
    captured = capsys.readouterr()
    assert captured.out == "a.txt:1\tA\tA heron.\n" and captured.err == ""


def test_search_tags_and_notes_of_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = write(tmp_path / "library", {"a.txt": "Title\n\nThe quick brown fox.\n"})
    fox = _highlight(tmp_path / "library", "a.txt", "brown fox", tags=("animal",), note="sly")
    with Store(tmp_path / "db.json") as store:
        store.save_annotations([fox])
    assert cli("search", "tag:animal", *where) == 0
    assert capsys.readouterr().out.splitlines() == ["a.txt:3\tTitle\tbrown fox — sly #animal"]
    assert cli("search", "note:sly", "--json", *where) == 0
    (hit,) = json.loads(capsys.readouterr().out)
    assert hit["annotation"] == fox.id and (hit["start"], hit["end"]) == (fox.start, fox.end)
    assert cli("search", "tag:plant", *where) == 1


def test_controls_in_documents_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = write(
        tmp_path / "library",
        {
            "evil.md": '---\ntitle: "\\e[31mRed\\a"\n---\n\n'
            "Heron \x1b]52;c;SGVsbG8=\x07 and \x9b2J\ttabs.\n\nHeron again, with the reeds.\n",
            "other.txt": "A heron in the reeds.\n",
        },
    )
    for arguments in (["search", "heron"], ["search", "heron", "--json"], ["xref", "evil.md"]):
        cli(*arguments, *where)
        captured = capsys.readouterr()
        assert captured.out
        assert not RAW_CONTROLS.search(captured.out.replace("\n", "")), captured.out
        assert not RAW_CONTROLS.search(captured.err.replace("\n", "")), captured.err
        if "--json" not in arguments:
            for row in captured.out.splitlines():
                assert len(row.split("\t")) in (3, 6)


def test_progress_is_shown_only_after_a_second(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = [100.0]
    monkeypatch.setattr(subcommand_module.time, "monotonic", lambda: clock[0])
    progress = subcommand_module._StderrProgress()
    progress(0, 50)
    clock[0] += 0.5
    progress(10, 50)
    assert capsys.readouterr().err == ""
    clock[0] += 1.0
    progress(20, 50)
    clock[0] += 0.1
    progress(21, 50)  # too soon after the last line
    clock[0] += 0.1
    progress(50, 50)  # the last one always
    progress.finish()
    assert capsys.readouterr().err.splitlines() == [
        "readertui: indexing the library: 20/50 documents",
        "readertui: indexing the library: 50/50 documents",
    ]


def test_search_waits_for_another_processes_update_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader is building the index of the same library: `search` waits for it (one
    line on stderr says why nothing happens), then answers."""
    import threading

    from filelock import FileLock

    index_path = default_index_path(scan_library(SAMPLE_LIBRARY))
    other_process = FileLock(str(index_path) + ".update-lock")
    index_path.parent.mkdir(parents=True, exist_ok=True)
    other_process.acquire()
    codes: list[int] = []
    searching = threading.Thread(
        target=lambda: codes.append(cli("search", "molten salt", *sample(tmp_path)))
    )
    searching.start()
    searching.join(1.0)
    assert searching.is_alive(), "search did not wait for the other update"
    other_process.release()
    searching.join(60)
    assert codes == [0]
    captured = capsys.readouterr()
    waited = "readertui: waiting for another readertui that is updating the library's index"
    assert captured.err.splitlines().count(waited) == 1, captured.err
    assert REPORT in captured.out.splitlines()[0]


# -- xref ----------------------------------------------------------------------------------------


def test_xref_of_the_teachers_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = line_of(MORNING_STAR, "China saved socialism.")
    assert cli("xref", f"{MORNING_STAR}:{line}", *sample(tmp_path)) == 0
    rows = [row.split("\t") for row in capsys.readouterr().out.splitlines()]
    assert all(len(row) == 6 and row[0] == f"{MORNING_STAR}:{line}" for row in rows)
    same = {row[2]: row[3] for row in rows if row[1] == "same passage"}
    assert f"{REPORT}:{line_of(REPORT, 'China saved socialism.')}" in same
    assert f"{DIGEST}:{line_of(DIGEST, 'China saved socialism.')}" in same
    assert all(re.fullmatch(r"\d+%", score) for score in same.values())
    groups = [row[1] for row in rows]
    assert groups == sorted(groups, key=["same passage", "related"].index)
    assert "related" in groups


def test_xref_of_a_whole_document_and_by_file_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(SAMPLE_LIBRARY)
    assert cli("xref", f"./{REPORT}", "--json", *sample(tmp_path)) == 0
    sections = json.loads(capsys.readouterr().out)
    assert len(sections) > 10
    starts = [section["passage"]["start"] for section in sections]
    assert starts == sorted(starts)
    digest_copies = [
        entry
        for section in sections
        for entry in section["same"]
        if entry["path"] == DIGEST and entry["score"] == 1.0
    ]
    assert len(digest_copies) >= 5
    for section in sections:
        assert set(section) == {"passage", "same", "related", "tag", "link", "backlink"}
        assert any(section[group] for group in ("same", "related", "tag", "link", "backlink"))


def test_xref_lists_shared_tags_links_and_backlinks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "library"
    where = write(
        root,
        {
            "a.txt": "Alpha\n\nThe quick brown fox jumps.\n",
            "b.txt": "Beta\n\nThe clocks were striking thirteen.\n",
        },
    )
    clocks = _highlight(root, "b.txt", "clocks", tags=("Time",))
    fox = _highlight(root, "a.txt", "brown fox", tags=("time",), links=(clocks.id,))
    with Store(tmp_path / "db.json") as store:
        store.save_annotations([fox, clocks])
    assert cli("xref", "a.txt:3", *where) == 0
    rows = [row.split("\t") for row in capsys.readouterr().out.splitlines()]
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("shared tag", "b.txt:3", "#Time"),
        ("link", "b.txt:3", "-"),
    ]
    assert cli("xref", "b.txt", *where) == 0
    rows = [row.split("\t") for row in capsys.readouterr().out.splitlines()]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("b.txt:3", "shared tag", "a.txt:3"),
        ("b.txt:3", "backlink", "a.txt:3"),
    ]


def test_xref_with_nothing_to_show_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = write(tmp_path / "library", {"a.txt": "Alone.\n", "b.txt": "Nothing shared here.\n"})
    assert cli("xref", "a.txt:1", *where) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no cross-references" in one_line(captured.err)


@pytest.mark.parametrize(
    ("passage", "code"),
    [
        (f"{MORNING_STAR}:0", 2),
        (f"{MORNING_STAR}:x", 2),
        (f"{MORNING_STAR}:", 2),
        (f"{MORNING_STAR}:99999", 2),
        ("", 2),
        ("missing.txt", 1),
        ("missing.txt:3", 1),
    ],
)
def test_xref_mistakes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], passage: str, code: int
) -> None:
    assert cli("xref", passage, *sample(tmp_path)) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err)


@pytest.mark.skipif(
    "search" not in SUBCOMMANDS,
    reason="readertui.cli.SUBCOMMANDS does not route `search` and `xref` yet",
)
def test_the_installed_command_runs_search_and_xref(tmp_path: Path) -> None:
    for arguments in (["search", "molten salt"], ["xref", f"{MORNING_STAR}:59"]):
        done = subprocess.run(
            [sys.executable, "-m", "readertui", *arguments, *sample(tmp_path)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode().count("\t") >= 2


def _highlight(
    root: Path,
    rel_path: str,
    words: str,
    *,
    note: str = "",
    tags: tuple[str, ...] = (),
    links: tuple[str, ...] = (),
) -> Annotation:
    document = load_document(root / rel_path, root)
    start = document.text.index(words)
    ref = DocumentRef(rel_path, document.sha256, document.metadata.title)
    made = new_annotation(document.text, ref, start, start + len(words), note=note, tags=tags)
    return Annotation(**{**made.__dict__, "links": links})
