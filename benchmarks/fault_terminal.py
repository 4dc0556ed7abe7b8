"""A terminal for the fault run: the installed `readertui` in a private tmux server, and what
its screen says.

Unlike the end-to-end tests' terminal (tests/e2e/terminal.py), nothing here raises when the
app does not do what is expected: the fault run counts what went wrong and goes on, so every
wait returns what it saw (or None) and the caller decides.

The screen is read the way a person reads it: the status line's last word (`saved`,
`saving…`, `NOT SAVED`) and the Notes pane's entries, a quote `■ “…”` with its note `✎ …` and
its tags `#…` on the rows below. A pane kept after its process ended (`keep_pane`) tells how
it ended: tmux's "Pane is dead (status N)" and any traceback printed on the way out.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fault_world import World, process_alive

#: The status line's words for the state of saving.
SAVED, SAVING, NOT_SAVED = "saved", "saving…", "NOT SAVED"
#: The footer once start-up is over (keys typed before it are held until then).
READY = "q Quit"
NOTE_EDITOR = "Markdown · ctrl+s"
TAG_EDITOR = "→ completes"
HELP = "readertui — keys"
PALETTE = "🔎"
UNSAVED_DIALOG = "Changes are not saved"
RECOVERED_DIALOG = "Changes kept from an earlier session"
#: Notifications that only appear when the reader obeyed a key as a command.
READER_OBEYED = (
    "Undid the",
    "Nothing to undo",
    "Select some text first",
    "Copied with its citation",
    "Nothing to copy",
    "New highlights will be",
    "Already highlighted",
    "Highlight deleted",
    "No highlight under the cursor",
    "Only blank space is selected",
    "Exported",
)


def key_list(text: str) -> list[str]:
    """The tmux keys that type `text` (one key per character)."""
    names = {" ": "Space", ";": "\\;"}
    return [names.get(char, char) for char in text]


class Terminal:
    """A tmux server of its own (a private socket under the world's TMPDIR), at a fixed size."""

    def __init__(self, world: World, name: str, width: int = 160, height: int = 50) -> None:
        self.world = world
        self.socket = f"{world.tag}-{name}"
        self.width = width
        self.height = height
        self._env = dict(world.environment())
        #: Why the last `start` returned None.
        self.failure = ""
        #: What the last tmux command that failed said.
        self.last_error = ""

    def tmux(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env=self._env,
        )
        if result.returncode != 0:
            self.last_error = f"tmux {args[0]}: {result.stderr.strip()}"
        return result

    def start(
        self, args: Sequence[str], session: str = "main", keep_pane: bool = False
    ) -> int | None:
        """Start `readertui args` in a new session; its process id (None: it did not start).

        With `keep_pane`, the pane stays once the process has ended, showing what it printed
        on the way out and its exit status (see `ending`).
        """
        line = shlex.join(self.world.readertui(*args))
        size = ["-x", str(self.width), "-y", str(self.height)]
        # The server stays when its last session ends (the next one would race its exit);
        # `kill_server` ends it. Set in the same tmux command as the session is made.
        options = [";", "set-option", "-s", "exit-empty", "off"]
        if keep_pane:
            options += [";", "set-option", "-g", "remain-on-exit", "on"]
        result = self.tmux("new-session", "-d", *size, "-s", session, line, *options)
        if result.returncode != 0:
            self.failure = f"tmux new-session: {result.stderr.strip()}"
            return None
        shown = self.tmux("display-message", "-p", "-t", session, "#{pane_pid} #{pid}")
        try:
            pane_pid, server_pid = (int(part) for part in shown.stdout.split())
        except ValueError:
            self.failure = f"tmux display-message: {shown.stderr.strip() or shown.stdout!r}"
            return None
        for pid in (pane_pid, server_pid):
            if pid not in self.world.pids:
                self.world.pids.append(pid)
        return pane_pid

    def start_ready(
        self, args: Sequence[str], session: str = "main", timeout: float = 30
    ) -> tuple[int | None, str]:
        """Start `readertui args` (its pane kept) and wait until start-up has finished: its
        process id (None if it did not start), and what went wrong ("" if nothing)."""
        pid = self.start(args, session, keep_pane=True)
        if pid is None:
            return None, f"readertui did not start ({self.failure})"
        if self.wait_ready(timeout, session) is None:
            state = "still starting" if process_alive(pid) else "ended"
            return pid, f"start-up never finished ({state}): {self.last_words(session)}"
        return pid, ""

    def screen(self, session: str = "main") -> str:
        """The screen's text ("" once the session has ended)."""
        result = self.tmux("capture-pane", "-p", "-t", session)
        return result.stdout if result.returncode == 0 else ""

    def send(self, *keys: str, session: str = "main") -> None:
        """Send `keys` in one go, as a fast typist or a laggy connection delivers them."""
        if keys:
            self.tmux("send-keys", "-t", session, *keys)

    def wait_for(
        self, found: Callable[[str], bool] | str, timeout: float, session: str = "main"
    ) -> str | None:
        """The first screen for which `found` holds (or that contains it); None at timeout."""
        test = (lambda screen: found in screen) if isinstance(found, str) else found
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(session)
            if test(screen):
                return screen
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def wait_ready(self, timeout: float = 30, session: str = "main") -> str | None:
        return self.wait_for(READY, timeout, session)

    def ending(self, session: str = "main", timeout: float = 2.0) -> Ending | None:
        """How the process of a kept pane ended (None: it has not, or the pane is gone)."""
        deadline = time.monotonic() + timeout
        settle = time.monotonic() + 0.3
        while True:
            text = self.tmux("capture-pane", "-p", "-t", session, "-S", "-300").stdout
            dead = _DEAD.search(text)
            status: int | None = None
            if dead is not None:
                status = int(dead[2]) if dead[1] == "status" else -int(dead[2])
            elif time.monotonic() >= settle and self._pane_closed(session):
                # tmux has seen the terminal close but not (yet) reaped the process, so it
                # cannot tell its status; what it printed is all there.
                status = None
            elif time.monotonic() >= deadline:
                return None
            else:
                time.sleep(0.05)
                continue
            return Ending(status, _traceback_in(text))

    def _pane_closed(self, session: str) -> bool:
        shown = self.tmux("display-message", "-p", "-t", session, "#{pane_dead}")
        return shown.stdout.strip() == "1"

    def last_words(self, session: str = "main") -> str:
        """The last lines a kept pane shows, with tmux's word on the process's end (for
        saying why a start-up never finished)."""
        text = self.tmux("capture-pane", "-p", "-t", session, "-S", "-300").stdout
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return " / ".join(lines[-4:]) or f"nothing shown ({self.last_error or 'no tmux error'})"

    def check_ending(self, session: str, expected: int | None) -> str | None:
        """What is wrong with how the process of a kept pane ended, if anything."""
        ending = self.ending(session)
        if ending is None:
            return "its pane shows no end"
        return ending.problem(expected)

    def kill_server(self) -> None:
        """Close every session at once, as a dropped connection does."""
        self.tmux("kill-server")


_DEAD = re.compile(r"Pane is dead \((status|signal) (\d+)")
_TRACEBACK = "Traceback (most recent call last)"


def _traceback_in(text: str) -> str:
    """The last line of a traceback printed in `text` ("" if none)."""
    if _TRACEBACK not in text:
        return ""
    after = [line.strip() for line in text[text.index(_TRACEBACK) :].splitlines()]
    return next(
        (line for line in reversed(after) if line and not line.startswith("Pane is dead")), ""
    )


@dataclass(frozen=True)
class Ending:
    """How a process ended: its exit status (minus the signal that killed it; None when tmux
    could not tell), and the last line of a traceback it printed ("" if none)."""

    status: int | None
    traceback: str

    def problem(self, expected: int | None) -> str | None:
        """What is wrong with this ending, when `expected` was the status to end with (None:
        any status, as long as there is no traceback)."""
        if self.traceback:
            return f"ended with a traceback ({self.traceback}), exit status {self.status}"
        if expected is not None and self.status is not None and self.status != expected:
            return f"exit status {self.status}, not {expected}"
        return None


# -- reading the screen ----------------------------------------------------------------------


def save_status(screen: str) -> str | None:
    """The status line's word for saving (`saved`, `saving…`, `NOT SAVED`), if it shows."""
    for line in reversed(screen.splitlines()):
        stripped = line.strip()
        if not stripped.startswith(("NORMAL ·", "VISUAL ·", "FIND ·")):
            continue
        # A notification may cover the right of the row: the status is left of a wide gap.
        status = stripped.split("  ", 1)[0]
        last = status.rsplit(" · ", 1)[-1].strip()
        for word in (NOT_SAVED, SAVING, SAVED):
            if last == word:
                return word
        return last
    return None


def mode(screen: str) -> str | None:
    for line in reversed(screen.splitlines()):
        stripped = line.strip()
        for name in ("NORMAL", "VISUAL", "FIND"):
            if stripped.startswith(name + " ·"):
                return name
    return None


@dataclass(frozen=True)
class Listed:
    """An annotation as the Notes pane lists it."""

    quote: str
    note: str
    tags: tuple[str, ...] = ()
    #: The note's row is full: the note may go on beyond what shows.
    note_cut: bool = False

    def shows_note(self, note: str) -> bool:
        """Whether `note` is what this entry shows (the pane puts a note on one line)."""
        shown = " ".join(note.split())
        return shown == self.note or (self.note_cut and shown.startswith(self.note))


def listed(screen: str) -> list[Listed]:
    """The Notes pane's entries that show whole on `screen`: a quote, then its note and its
    tags if it has them, each on a row of its own."""
    lines = screen.splitlines()
    if not lines:
        return []
    column = lines[0].find("╭─ Notes")
    if column < 0:
        return []
    rows = [_pane_row(line, column) for line in lines]
    found: list[Listed] = []
    for index, inner in enumerate(rows):
        if inner is None or not inner.startswith("■ “") or "”" not in inner:
            continue
        quote = inner[3 : inner.index("”")]
        note, cut = "", False
        tags: tuple[str, ...] = ()
        below = rows[index + 1 : index + 3]
        if below and below[0] is not None and below[0].startswith("✎ "):
            note = below[0][2:].strip()
            cut = len(below[0].rstrip()) >= len(below[0]) - 1
            below = below[1:]
        if below and below[0] is not None and below[0].startswith("#"):
            tags = tuple(tag.lstrip("#") for tag in below[0].split())
        found.append(Listed(quote, note, tags, cut))
    return found


def _pane_row(line: str, column: int) -> str | None:
    """The inside of the Notes pane on `line`, if the pane's left border is there."""
    if len(line) <= column or line[column] != "│":
        return None
    inside = line[column + 1 :]
    end = inside.rfind("│")
    return inside[:end] if end >= 0 else inside
