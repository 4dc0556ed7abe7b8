"""A real terminal for the end-to-end tests: the installed `readertui` in tmux, driven by keys.

Each `Terminal` is a tmux server of its own (a private socket, no config) at a fixed size.
It remembers the process of every session it starts, and `close` checks that each one has
ended once its terminal is gone: a `readertui` left running after its terminal closed is a
defect (a dropped SSH connection must never leave one behind), so the test fails, and the
process is killed so that nothing outlives the test run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

READERTUI = Path(sys.executable).with_name("readertui")
#: How long a readertui may take to end after its terminal is gone (issue 8: 2 s).
END_WITHIN = 2.0


def require_tools() -> None:
    """Fail under CI (where .ci/run installs tmux) and skip elsewhere, saying why."""
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is needed for the end-to-end tests (.ci/run installs it)")
        pytest.skip("tmux is not installed")
    if not READERTUI.exists():
        pytest.fail(f"the readertui command is not installed beside {sys.executable}")


def process_alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting to be reaped counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


def wait_until_ended(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(0.02)
    return not process_alive(pid)


def end_by_signal(pid: int, signal_number: int, within: float = END_WITHIN) -> None:
    """Send `signal_number` to `pid`; fail unless it has ended `within` seconds after (half a
    second more is allowed for the test's own polling on a loaded machine)."""
    os.kill(pid, signal_number)
    started = time.monotonic()
    ended = wait_until_ended(pid, within + 1)
    took = time.monotonic() - started
    name = signal.Signals(signal_number).name
    assert ended, f"readertui still ran {took:.1f} s after {name} (promise: {within} s)"
    assert took < within + 0.5, f"readertui took {took:.1f} s to end after {name}"


def poll_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Return once `condition()` holds (a file written, say); fail saying `what` never did.
    A long timeout costs nothing: the poll ends as soon as the condition holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened within {timeout} s: {what}")
        time.sleep(0.05)


def status_line(screen: str) -> str:
    """The status line: the row above the footer (`NORMAL · … · saved`)."""
    rows = screen.splitlines()
    return rows[-2].strip() if len(rows) >= 2 else ""


def find_state(screen: str) -> str | None:
    """What the status line says of find (`find 3/1,213`, `find counting…`), if anything."""
    found = re.search(r"find [^·]+", status_line(screen))
    return found.group().strip() if found else None


def finds(query: str) -> Callable[[str], str | None]:
    """For `Terminal.wait_until_steady`: find's count once the find bar holds `query` (the
    count of each shorter query, `n`, `na`, …, shows first while it is typed)."""

    def counted(screen: str) -> str | None:
        state = find_state(screen)
        if f"Find: {query} " not in screen or state is None or "/" not in state:
            return None
        return state

    return counted


def saved_with(counts: str) -> Callable[[str], bool]:
    """Whether a screen's status line shows `counts` (`1 highlight, 1 note`) and `saved`.

    A change of the annotations shows its new counts and `saving…` in the same frame (the
    app sets both before it paints), so `counts` beside `saved` can only be seen once that
    change is on disk: `saved` alone is on the screen before any change is made."""

    def shown(screen: str) -> bool:
        status = status_line(screen)
        return f" · {counts} · " in status and status.endswith(" · saved")

    return shown


def first_hit(screen: str) -> tuple[str, str] | None:
    """In a palette or the `o` picker: what is typed in its field (the row starting `🔎`) and
    its first hit (the next row that is not empty); None while no palette shows."""
    rows = [row.strip() for row in screen.splitlines()]
    typed = next((n for n, row in enumerate(rows) if row.startswith("🔎")), None)
    if typed is None:
        return None
    hit = next((row for row in rows[typed + 1 :] if row and set(row) != {"▁"}), "")
    return rows[typed].removeprefix("🔎").strip(), hit


class Terminal:
    """A tmux session on a private server: type keys, read the screen."""

    def __init__(self, home: Path, width: int, height: int) -> None:
        self.socket = f"readertui-test-{uuid.uuid4().hex[:8]}"
        self.home = home
        self.width = width
        self.height = height
        #: The process of every session started here.
        self.pids: list[int] = []

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        )
        return result.stdout

    def environment(self) -> dict[str, str]:
        return {
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "TEXTUAL_ANIMATIONS": "none",
        }

    def start(self, *command: str, session: str = "main") -> int:
        """Start `command` in a new session; its process id."""
        exports = " ".join(f"{key}={value}" for key, value in self.environment().items())
        # pytest's terminal size (COLUMNS, LINES) would reach the server's environment, and
        # Textual believes it over the pane's real size.
        line = f"env -u COLUMNS -u LINES {exports} {' '.join(command)}"
        self.tmux(
            "new-session", "-d", "-x", str(self.width), "-y", str(self.height), "-s", session, line
        )
        pid = int(self.tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip())
        self.pids.append(pid)
        return pid

    @property
    def pid(self) -> int:
        """The process of the session started last."""
        return self.pids[-1]

    def screen(self, session: str = "main") -> str:
        return self.tmux("capture-pane", "-p", "-t", session)

    def wait_for(self, text: str, timeout: float = 30, session: str = "main") -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            try:
                screen = self.screen(session)
            except subprocess.CalledProcessError:
                screen = "(the session has ended)"
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def wait_until(
        self,
        done: Callable[[str], bool],
        what: str,
        timeout: float = 30,
        session: str = "main",
    ) -> str:
        """The screen once `done(screen)` holds; fails saying `what` never happened."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen(session)
            if done(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"never happened: {what}; the screen was:\n{screen}")

    def wait_until_steady(
        self,
        part: Callable[[str], object],
        what: str,
        timeout: float = 30,
        steady: float = 0.5,
        session: str = "main",
    ) -> str:
        """The screen once `part(screen)` (the part of the screen a test reads) is truthy and
        has stayed the same for `steady` seconds; fails saying `what` never happened.

        For what the app shows in steps: a query typed letter by letter shows the count of
        each shorter query first, a list is filled after its field shows what was typed."""
        deadline = time.monotonic() + timeout
        screen = self.screen(session)
        seen, since = part(screen), time.monotonic()
        while time.monotonic() < deadline:
            if seen and time.monotonic() - since >= steady:
                return screen
            time.sleep(0.05)
            screen = self.screen(session)
            now = part(screen)
            if now != seen:
                seen, since = now, time.monotonic()
        raise AssertionError(
            f"never happened (or never settled): {what}; the screen was:\n{screen}"
        )

    def wait_until_saved(self, counts: str, timeout: float = 30, session: str = "main") -> str:
        """The screen once the status line shows `counts` and `saved` (see `saved_with`)."""
        return self.wait_until(
            saved_with(counts), f"{counts} saved (the status line)", timeout, session
        )

    def wait_until_ready(self, timeout: float = 60, session: str = "main") -> str:
        """Wait until start-up has finished: the footer is shown, and keys are taken at once
        (keys typed before that are held until it, see ui/key_order.py).

        The library list and the sidebar are filled just after the footer is mounted: wait
        for what is read of them, not for this."""
        return self.wait_for("q Quit", timeout, session)

    def pane_tty(self, session: str = "main") -> str:
        """The terminal device of the session's pane (`/dev/pts/N`)."""
        return self.tmux("display-message", "-p", "-t", session, "#{pane_tty}").strip()

    def wait_until_keys_read(self, timeout: float = 30, session: str = "main") -> None:
        """Wait until the program in the pane has read every key sent to it so far: nothing
        is waiting in its terminal's input queue. (A round trip through the tmux server comes
        first, so that the keys sent last have been written to the terminal.) For a terminal
        in raw mode, as readertui's is once started: a cooked one counts whole lines only."""
        tty = self.pane_tty(session)
        fd = os.open(tty, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            deadline = time.monotonic() + timeout
            while True:
                waiting = struct.unpack(
                    "i", fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
                )[0]
                if not waiting:
                    return
                if time.monotonic() > deadline:
                    raise AssertionError(f"{waiting} bytes of keys were never read from {tty}")
                time.sleep(0.005)
        finally:
            os.close(fd)

    def keys(self, *keys: str, session: str = "main") -> None:
        """Type `keys` one at a time, as a person does."""
        for key in keys:
            self.tmux("send-keys", "-t", session, key)
            time.sleep(0.05)

    def burst(self, *keys: str, session: str = "main") -> None:
        """Type `keys` in one go, as a fast typist or a laggy SSH link delivers them."""
        self.tmux("send-keys", "-t", session, *keys)

    def running(self, session: str = "main") -> bool:
        try:
            self.tmux("has-session", "-t", session)
        except subprocess.CalledProcessError:
            return False
        return True

    def wait_until_closed(self, timeout: float = 30, session: str = "main") -> bool:
        deadline = time.monotonic() + timeout
        while self.running(session) and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.running(session)

    @property
    def socket_path(self) -> Path:
        """Where tmux keeps this server's socket (removed by `close`: thousands piled up)."""
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        return folder / self.socket

    def kill_server(self) -> None:
        """Close every session at once, as a dropped connection does."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)

    def close(self) -> None:
        """End the terminal; fail if a readertui outlives it (and kill it, so none leaks)."""
        self.kill_server()
        self.socket_path.unlink(missing_ok=True)
        survivors = [pid for pid in self.pids if not wait_until_ended(pid, END_WITHIN + 1)]
        for pid in survivors:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.pids.clear()
        if survivors:
            raise AssertionError(f"readertui {survivors} still ran after its terminal closed")
