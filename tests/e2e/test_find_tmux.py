"""End to end, as issue 11 walks it: at 80×24 `/natasha` in War and Peace finds the 1,213
“Natásha”; enter steps on, and shift+enter sent as xterm's modifyOtherKeys sequence
`ESC[27;2;13~` steps back. Needs the Gutenberg corpus beside the checkout (../shared/corpus)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, finds, require_tools

pytestmark = pytest.mark.e2e


def test_natasha_is_found_and_shift_enter_as_modify_other_keys_goes_back(
    tmp_path: Path, corpus: Path
) -> None:
    require_tools()
    library = tmp_path / "library"
    library.mkdir()
    shutil.copy(corpus / "pg2600.txt", library / "war_and_peace.txt")
    term = Terminal(tmp_path, 80, 24)
    try:
        term.start(str(READERTUI), "--db", str(tmp_path / "db.json"), str(library))
        term.wait_until_ready()
        # Titled after its file, not its first sentence.
        term.wait_until(lambda s: "War and Peace" in s, "the title War and Peace")
        term.keys("/", "natasha")
        # The count of each shorter query (`n`, `na`, …) may show first: wait for the whole
        # query in the find bar and a count that stays.
        screen = term.wait_until_steady(finds("natasha"), "/natasha counted")
        assert "Natásha" in screen
        count = int(screen.split("find 1/", 1)[1].split()[0].replace(",", ""))
        assert count >= 1213
        term.keys("Enter", "Enter")
        term.wait_for(f"find 3/{count}")
        term.tmux("send-keys", "-t", "main", "-l", "\x1b[27;2;13~")
        term.wait_for(f"find 2/{count}")
    finally:
        term.close()
