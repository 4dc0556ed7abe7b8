"""End to end: the installed `readertui` command in a real terminal (tmux), driven by keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

READERTUI = Path(sys.executable).with_name("readertui")


def _require_tools() -> None:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is needed for the end-to-end tests (.ci/run installs it)")
        pytest.skip("tmux is not installed")
    if not READERTUI.exists():
        pytest.fail(f"the readertui command is not installed beside {sys.executable}")


class Terminal:
    """A tmux session on a private server: type keys, read the screen."""

    def __init__(self, home: Path, width: int, height: int) -> None:
        self.socket = f"readertui-test-{uuid.uuid4().hex[:8]}"
        self.home = home
        self.width = width
        self.height = height

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        )
        return result.stdout

    def start(self, *command: str) -> None:
        env = {
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "TEXTUAL_ANIMATIONS": "none",
        }
        exports = " ".join(f"{key}={value}" for key, value in env.items())
        line = f"env {exports} {' '.join(command)}"
        self.tmux(
            "new-session", "-d", "-x", str(self.width), "-y", str(self.height), "-s", "main", line
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "main")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            try:
                screen = self.screen()
            except subprocess.CalledProcessError:
                screen = "(the session has ended)"
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "main", key)
            time.sleep(0.05)

    def running(self) -> bool:
        try:
            self.tmux("has-session", "-t", "main")
        except subprocess.CalledProcessError:
            return False
        return True

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    _require_tools()
    term = Terminal(tmp_path, 80, 24)
    yield term
    term.close()


def test_sample_library_opens_at_80x24_and_keys_work(terminal: Terminal, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    terminal.start(str(READERTUI), "--db", str(db))
    screen = terminal.wait_for("NORMAL")
    # The first document (by title) opens, its title in the header.
    assert "China’s socialism succeeds" in screen or "Localising the Soviet" in screen
    terminal.keys("1")
    screen = terminal.wait_for("Documents (4)")
    for title in ("China’s socialism", "China’s technology", "Localising the Soviet", "Report:"):
        assert title in screen
    terminal.keys("2", "G")
    terminal.wait_for("100%")
    terminal.keys("g")
    terminal.wait_for("0%")
    terminal.keys("?")
    terminal.wait_for("Cursor down a line")
    terminal.keys("Escape")
    time.sleep(0.3)
    terminal.keys("q")
    deadline = time.monotonic() + 10
    while terminal.running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not terminal.running(), "q did not quit"
    assert db.exists(), "the reading position was not saved"


def test_gutenberg_novel_shows_curly_quotes(
    terminal: Terminal, tmp_path: Path, corpus: Path
) -> None:
    novel = tmp_path / "novel" / "pg2600.txt"
    novel.parent.mkdir()
    shutil.copy(corpus / "pg2600.txt", novel)
    terminal.start(str(READERTUI), "--db", str(tmp_path / "db.json"), str(novel))
    terminal.wait_for("NORMAL")
    terminal.keys("/")
    for char in "Well, Prince":
        terminal.keys("Space" if char == " " else char)
    screen = terminal.wait_for("“Well, Prince")
    assert "\ufffd" not in screen
    terminal.keys("Escape", "q")
