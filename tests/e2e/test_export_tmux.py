"""End to end: notes made in the TUI come out of `readertui export`, `e` says where it wrote,
and a JSON export imported twice into a fresh database gives the same set."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, poll_until, require_tools, status_line

pytestmark = pytest.mark.e2e

TEXT = "\n\n".join(
    f"Paragraph {n} tells of the steel works of Jiayuguan and its people." for n in range(30)
)


def readertui(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [str(READERTUI), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def tags_in(db: Path) -> list[object]:
    if not db.exists():
        return []  # nothing saved yet: the database is made at the first save
    annotations = json.loads(db.read_text(encoding="utf-8")).get("annotations", {})
    return [annotation.get("tags") for annotation in annotations.values()]


def test_notes_from_the_tui_come_out_of_export_and_survive_a_json_round_trip(
    tmp_path: Path,
) -> None:
    require_tools()
    library = tmp_path / "library"
    library.mkdir()
    (library / "report.txt").write_text(TEXT + "\n", encoding="utf-8")
    db = tmp_path / "db.json"
    term = Terminal(tmp_path, 100, 30)
    try:
        term.start(str(READERTUI), "--db", str(db), str(library / "report.txt"))
        term.wait_until_ready()
        term.keys("}", "v", "w", "w", "Enter", "n")  # highlight "Paragraph 1", write a note
        term.wait_for("Markdown · ctrl+s")
        for word in ("Steel", "before", "everything"):
            term.keys(word, "Space")
        term.keys("C-s")
        # The editor closed and the note counted: `t` is for the highlight, not the editor.
        term.wait_until(
            lambda s: "Markdown · ctrl+s" not in s and "1 highlight, 1 note" in status_line(s),
            "the note editor closes on ctrl+s",
        )
        term.keys("t")
        term.wait_for("comma-separated")
        term.keys("place/Jiayuguan,", "Space", "industry", "Enter")
        # `saved` shows from the start; the tags, written, are what was waited for.
        poll_until(lambda: tags_in(db) == [["place/Jiayuguan", "industry"]], "the tags written")
        term.wait_until(
            lambda s: "comma-separated" not in s and status_line(s).endswith(" · saved"),
            "the tag editor closed and everything saved",
        )
        term.keys("e")
        screen = term.wait_for("Exported")
        assert "report.md" in screen.replace("\n", "")
        term.keys("q")
        assert term.wait_until_closed(), "q did not quit"
    finally:
        term.close()

    # Each library has a folder of its own in the export folder.
    (exported,) = (tmp_path / "data" / "readertui" / "exports").glob("library-*/report.md")
    assert "Steel before everything" in exported.read_text(encoding="utf-8")

    where = ("--library", str(library), "--db", str(db))
    markdown = readertui("export", "-o", "-", *where, home=tmp_path)
    assert markdown.returncode == 0, markdown.stderr
    assert "> Paragraph 1\n" in markdown.stdout
    assert "- **Note:** Steel before everything" in markdown.stdout
    assert "- **Tags:** #place/Jiayuguan #industry" in markdown.stdout

    backup = tmp_path / "backup.json"
    as_json = readertui("export", "--format", "json", "-o", str(backup), *where, home=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    fresh = ("--library", str(library), "--db", str(tmp_path / "fresh.json"))
    first = readertui("import", str(backup), *fresh, home=tmp_path)
    second = readertui("import", str(backup), *fresh, home=tmp_path)
    assert first.returncode == second.returncode == 0
    assert "1 added" in first.stdout
    assert "0 added, 0 updated, 1 unchanged" in second.stdout
    original = json.loads(db.read_text(encoding="utf-8"))["annotations"]
    imported = json.loads((tmp_path / "fresh.json").read_text(encoding="utf-8"))["annotations"]
    assert imported == original

    bogus = readertui("export", "--format", "bogus", *where, home=tmp_path)
    assert bogus.returncode == 2
    assert bogus.stderr.count("\n") == 1 and "bogus" in bogus.stderr
