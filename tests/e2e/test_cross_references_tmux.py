"""End to end, as issue 10's "Done when" walks it, on the sample library in a real terminal:
open the Morning Star piece, go to "China saved socialism", `x` lists the delegation report's
and the digest's versions under *Same passage*; `enter` lands on the report's, `ctrl+o`
returns; `ctrl+f` "molten salt" lists the report's paragraph first; `*` on "Jiayuguan" lists
its occurrences across the documents; `readertui search` and `readertui xref` print the same.
The index is built in the background after start-up (`indexing N%` in the status line)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, finds, require_tools

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[2] / "library"
REPORT_TITLE = "Report: Delegation to China"
MORNING_STAR_HEADER = "China’s socialism succeeds"


def _sidebar(screen: str) -> str:
    """The right-hand pane's text (at 140 columns the three panes show)."""
    rows = []
    for row in screen.splitlines()[:-2]:
        boxes = row.split("│")
        if len(boxes) >= 7:
            rows.append(boxes[5].strip())
    return "\n".join(rows)


def _reader(screen: str) -> str:
    rows = []
    for row in screen.splitlines()[:-2]:
        boxes = row.split("│")
        if len(boxes) >= 7:
            rows.append(boxes[3])
    return "\n".join(rows)


def _status(screen: str) -> str:
    return screen.splitlines()[-2].strip()


def _find(term: Terminal, words: str) -> None:
    """`/words`, then `escape`: the cursor on the first match, the find bar closed. Each key
    waits for the screen to show the one before (an `escape` with a key right behind it is,
    to a terminal, that key with `alt`)."""
    term.keys("/", words)
    # The cursor goes to a match of each shorter query first: wait for the whole one.
    term.wait_until_steady(finds(words), f"/{words} finds")
    term.keys("Escape")
    term.wait_until(lambda s: _status(s).startswith("NORMAL"), "escape closes the find bar")


def _indexed(home: Path) -> int:
    """How many documents the library index holds (0 before it is made)."""
    found = list((home / "cache" / "readertui" / "index").glob("*.sqlite3"))
    if len(found) != 1:
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{found[0]}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.Error:  # not made yet, or being written
        return 0


def _search_results(query: str) -> Callable[[str], str | None]:
    """The search screen's rows, once its field holds `query` and it says how many results
    it found (the results of each shorter query show first while the query is typed)."""

    def shown(screen: str) -> str | None:
        # The screen's rows between the dialog's edges (`█`), over the panes.
        rows = [row.split("█")[1].strip() for row in screen.splitlines() if row.count("█") >= 2]
        if query not in rows or not any(re.fullmatch(r"[\d,]+ results?", row) for row in rows):
            return None
        return "\n".join(rows)

    return shown


def _cli(home: Path, library: Path, *args: str) -> str:
    environment = {
        **os.environ,
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    result = subprocess.run(
        [str(READERTUI), *args, "--library", str(library), "--db", str(home / "db.json")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_the_done_when_walk_of_cross_references(tmp_path: Path) -> None:
    require_tools()
    library = tmp_path / "library"
    shutil.copytree(SAMPLE, library)
    db = tmp_path / "db.json"
    term = Terminal(tmp_path, 140, 45)
    try:
        term.start(str(READERTUI), "--db", str(db), str(library / "jiayuguan-morning-star.txt"))
        term.wait_until_ready()
        # Built in the background, just after start-up: the status line says so until it is
        # done (and does not say so before it has begun: the index file says that).
        documents = len([p for p in library.iterdir() if not p.name.endswith(".meta.toml")])
        term.wait_until(
            lambda s: _indexed(tmp_path) == documents and "indexing" not in _status(s),
            "the index is built",
            120,
        )

        _find(term, "China saved")
        term.keys("x")
        screen = term.wait_until(
            lambda s: "Same passage" in _sidebar(s) and "Report: Deleg" in _sidebar(s),
            "the report under Same passage",
        )
        sidebar = _sidebar(screen)
        same = sidebar[sidebar.index("Same passage") : sidebar.index("Related")]
        assert "Report: Deleg" in same and "China’s technology" in same, sidebar
        assert "alike" in same

        # The first entry of Same passage is the report's (the list's cursor is on it).
        term.keys("Enter")
        screen = term.wait_until(
            lambda s: REPORT_TITLE in _reader(s) and "Jiayuguan told the delegation" in s,
            "the report's passage",
        )
        term.keys("C-o")
        screen = term.wait_until(
            lambda s: MORNING_STAR_HEADER in _reader(s) and "China saved socialism" in _reader(s),
            "back in the Morning Star piece",
        )

        term.keys("C-f")
        term.wait_for("search the library")
        term.keys("molten salt")
        screen = term.wait_until_steady(_search_results("molten salt"), "search results")
        lines = screen.splitlines()
        first = next(i for i, line in enumerate(lines) if REPORT_TITLE in line)
        first_hit = lines[first] + lines[first + 1]
        cli_first = _cli(tmp_path, library, "search", "molten salt", "--limit", "1")
        path_line, _title, snippet = cli_first.rstrip("\n").split("\t")
        assert path_line.startswith("delegation-report-2025.txt:")
        assert f"line {path_line.split(':')[1]}" in first_hit, (first_hit, cli_first)
        assert snippet[:40].lstrip("…") in screen.replace("\n", " ") or snippet[1:30] in screen
        term.keys("Escape")
        term.wait_until(lambda s: "Search: words" not in s, "the search screen closes")

        _find(term, "Jiayuguan")
        term.keys("*")
        # The heading comes a frame before the lines: wait for both.
        screen = term.wait_until(
            lambda s: "occurrences" in s.lower() and s.count("Jiayuguan") >= 8, "the concordance"
        )
        term.keys("Escape")
        term.wait_until(lambda s: "occurrences" not in s.lower(), "the concordance closes")
        term.keys("q")
        assert term.wait_until_closed()
    finally:
        term.close()

    xref = _cli(tmp_path, library, "xref", "jiayuguan-morning-star.txt:59")
    same_lines = [line.split("\t") for line in xref.splitlines() if "\tsame passage\t" in line]
    targets = {fields[2].split(":")[0] for fields in same_lines}
    assert {"delegation-report-2025.txt", "technology-infrastructure.txt"} <= targets
