"""Key-press latency while the library index builds, and the Cross-refs tab's lag, as a user
sees them in a real terminal (issue 10, item 7).

    python benchmarks/live_index.py               # the 100 MB, 1,000-document library
    python benchmarks/live_index.py --quick       # a ~15 MB library, fewer keys: a try-out
    python benchmarks/live_index.py --library DIR # keep the generated library in DIR (reused
                                                  # when it is already there)
    python benchmarks/live_index.py --trace FILE  # every key's figures, as JSON lines (with
                                                  # its CLOCK_MONOTONIC time, to find it in
                                                  # `perf sched record -k mono`'s trace)

It prints a Markdown table; exit status 0 when the targets are met, 1 when one is missed,
2 when something could not be measured.

Measured in one run, each key timed from the moment it is sent to the terminal until the
screen shows its effect:

- *bare*: a bare Textual app moving a highlighted line on `j`, the yardstick of what
  Textual and the terminal cost on this machine;
- *bare beside a build*: the same app while the same library is indexed beside it, started
  from the same terminal's shell (`LibraryIndex.update` in a process of its own, with as
  many worker processes as readertui uses): what the build's load on the CPUs alone does
  to any Textual app's keys. From the same shell, because Linux shares the CPUs between
  sessions first (autogroups), then between the processes of a session: readertui's
  worker processes share its session;
- *building*: readertui, opened on a document of the library with an empty cache folder, so
  it indexes the whole library in the background after start-up (`indexing N%` in its
  status line); `j` is pressed over and over until the build is done, each timed until the
  reader's pane shows the cursor moved. The status line, whose percentage changes by
  itself, is not looked at;
- *built*: the same `j`, in the same app, once the index is built;
- *Cross-refs*: `x`, then `escape` back to the reader, the tab staying on screen; `}` moves
  the cursor to the next paragraph and is timed until the reader shows it and until the
  tab's first line (`¶ line N …`) names the new paragraph. The tab asks the index 60 ms
  after the cursor rests: those 60 ms are in the figure, a user waits for them too.

Keys are sent one at a time, each 50-150 ms (at random) after the previous one's effect was
seen, so they do not fall in step with anything periodic in the apps. The library is made
by benchmarks/index.py's generator (same seed, same planted near-copies).

The terminal is driven as in benchmarks/terminal_paint.py (read it for the details): a
private tmux server per app, one 120×40 pane, the screen read every ~5 ms and the keys sent
through a tmux control-mode client; a change is taken to have happened halfway between the
last read without it and the first with it. The cursor is a coloured cell, so the rows it is
on are read with their colours (`capture-pane -e`); only those rows: a whole screen with its
colours costs tmux ~1 ms per read, 15% of a CPU at this rate, which the apps would miss.
Before each key the whole screen is read (untimed) to find them again.

At the end every process the run started (the apps, their index worker processes,
multiprocessing's helpers, tmux) must have ended: each carries a marker in its environment,
and one still found with it after 5 s is killed and the benchmark fails, naming it. The
machine's other work skews such figures: the CPU time used outside this run while readertui
built its index is printed above the table (from /proc/stat and the run's processes).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# The library generator and the tmux driver of the two benchmarks this one stands beside.
from index import CORPUS, library_folder, percentile  # noqa: E402
from terminal_paint import (  # noqa: E402
    END_WITHIN,
    HEIGHT,
    WIDTH,
    BenchmarkError,
    Pane,
    clean_environment,
    default_readertui,
    load_average,
    process_alive,
    script_python,
)

#: The library of the real table (index.py's defaults) and of `--quick`.
DOCS, PLANTED = 1_000, 500
QUICK_DOCS, QUICK_PLANTED = 150, 75
#: Keys per measure: bare app, once built, Cross-refs moves. While a build runs, keys are
#: pressed from its start to its end (the reader's last lines are far: one `j` a line), so
#: its every stage is sampled: cutting up, writing, the final fingerprint index.
KEYS = (200, 200, 100)
QUICK_KEYS = (60, 60, 30)
BUILD_KEYS = 5_000
#: `j` presses before readertui is sent back to the document's top (its documents in the
#: generated library are ~1,700 lines long).
REWIND = 500
#: Targets (issue 10): key-press to screen while the index builds, the tab's update.
TARGET_BUILD_P95_MS = 50.0
TARGET_XREF_P95_MS = 100.0
#: Pause between a key's effect and the next key: at random in this range (seconds).
GAP = (0.05, 0.15)
#: A key whose effect has not shown after this long counts as lost.
KEY_TIMEOUT = 5.0
#: How long start-up and the first cross-references may take, and a build.
START_TIMEOUT = 60.0
BUILD_TIMEOUT = 900.0
#: The worker processes of readertui's background build (ui/index_keeper.py): the build
#: beside the bare app uses as many.
BUILD_WORKERS = 2
#: In every process the run starts: how the ones still running at the end are found.
MARKER = "LIVE_INDEX_BENCHMARK"

READY_WORDS = "q Quit"  # readertui's footer, there once start-up has finished
INDEXING = re.compile(r"indexing \d+%")
ABOUT = "¶"  # the first line of the Cross-refs tab names the passage: `¶ line N …`
#: Rows the Cross-refs tab's first line may be on, below the sidebar's top (tabs, rule).
ABOUT_ROWS = 6

#: The yardstick: one highlighted line among 30, moved down by `j` (and round again).
BARE_APP = '''\
"""A bare Textual app moving a highlighted line on `j`: live_index's yardstick."""

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

LINES = [f"line {n}: Well, Prince, so Genoa and Lucca are now family estates" for n in range(30)]


class MovingLine(App[None]):
    BINDINGS = [("j", "down", "Down")]

    def __init__(self) -> None:
        super().__init__()
        self.at = 0

    def compose(self) -> ComposeResult:
        yield Static(self.lines(), id="lines")

    def lines(self) -> Text:
        text = Text()
        for number, line in enumerate(LINES):
            text.append(line + "\\n", style="reverse" if number == self.at else "")
        return text

    def action_down(self) -> None:
        self.at = (self.at + 1) % len(LINES)
        self.query_one("#lines", Static).update(self.lines())


MovingLine().run()
'''

#: The build beside the bare app: the library (argv 1) indexed into a file (argv 2) by
#: worker processes (as many as argv 3 says).
HEADLESS_BUILD = """\
\"\"\"live_index's build beside the bare app.\"\"\"

import sys
from pathlib import Path
from readertui.core.library import scan_library
from readertui.index import LibraryIndex
if __name__ == "__main__":  # the worker processes import this module too
    with LibraryIndex(scan_library(Path(sys.argv[1])), path=Path(sys.argv[2])) as index:
        index.update(workers=int(sys.argv[3]))
"""


# -- the screen, cell by cell -----------------------------------------------------------------

_TOKENS = re.compile(r"\x1b\[([0-9;:]*)m|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|(.)", re.DOTALL)


@dataclass(frozen=True)
class Style:
    """What SGR sequences set: enough to tell two cells' looks apart."""

    fg: str = ""
    bg: str = ""
    flags: frozenset[int] = frozenset()


_PLAIN = Style()
_UNSET = {21: 1, 22: 1, 23: 3, 24: 4, 25: 5, 27: 7, 28: 8, 29: 9}
REVERSE = 7


def apply_sgr(style: Style, parameters: str) -> Style:
    """`style` after one `ESC [ parameters m`."""
    values = [int(p) if p.isdigit() else 0 for p in re.split("[;:]", parameters)] or [0]
    fg, bg, flags = style.fg, style.bg, set(style.flags)
    at = 0
    while at < len(values):
        value = values[at]
        if value == 0:
            fg, bg, flags = "", "", set()
        elif value in (38, 48, 58):
            # 38;5;N or 38;2;R;G;B (and the same for the background, 48, and underline, 58)
            width = 3 if at + 1 < len(values) and values[at + 1] == 5 else 5
            colour = ";".join(map(str, values[at : at + width]))
            if value == 38:
                fg = colour
            elif value == 48:
                bg = colour
            at += width - 1
        elif 30 <= value <= 37 or 90 <= value <= 97 or value == 39:
            fg = "" if value == 39 else str(value)
        elif 40 <= value <= 47 or 100 <= value <= 107 or value == 49:
            bg = "" if value == 49 else str(value)
        elif value in _UNSET:
            flags.discard(_UNSET[value])
            if value == 22:
                flags.discard(2)
        else:
            flags.add(value)
        at += 1
    return Style(fg, bg, frozenset(flags))


Cells = list[tuple[str, Style]]
#: Rows already read, by (their escape-coded text, the style they start in): most of the
#: screen is the same from one read to the next, and this process shares the CPUs with the
#: app it measures.
_ROWS: dict[tuple[str, Style], tuple[Cells, Style]] = {}


def screen_cells(lines: Sequence[str]) -> list[Cells]:
    """`capture-pane -e` lines as rows of (character, style) cells. tmux carries the style
    from one line to the next, so the lines are read in order."""
    if len(_ROWS) > 20_000:
        _ROWS.clear()
    style = _PLAIN
    rows: list[Cells] = []
    for line in lines:
        known = _ROWS.get((line, style))
        if known is None:
            row: Cells = []
            start = style
            for match in _TOKENS.finditer(line):
                if match.group(2) is not None:
                    row.append((match.group(2), style))
                elif match.group(1) is not None:
                    style = apply_sgr(style, match.group(1))
            known = _ROWS[(line, start)] = (row, style)
        rows.append(known[0])
        style = known[1]
    return rows


@dataclass(frozen=True)
class Box:
    """A rectangle of the screen: rows top..bottom-1, columns left..right-1."""

    top: int
    bottom: int
    left: int
    right: int

    def rows(self, top: int, bottom: int) -> Box:
        return Box(top, bottom, self.left, self.right)


def find_box(plain: Sequence[str], title: str) -> Box:
    """The inside of the bordered pane whose top border reads `╭─ TITLE`."""
    for top, line in enumerate(plain):
        left = line.find(f"╭─ {title}")
        if left < 0:
            continue
        right = line.find("╮", left)
        bottom = next(
            (y for y in range(top + 1, len(plain)) if plain[y][left : left + 1] == "╰"),
            len(plain),
        )
        return Box(top + 1, bottom, left + 1, right)
    raise BenchmarkError(f"no pane titled {title!r} on the screen:\n" + "\n".join(plain))


def cursor_rows(cells: Sequence[Cells], box: Box) -> Box:
    """The rows of `box` with the cursor: cells of another background than most of the box
    (or in reverse video). The box's last two columns (a scroll bar) are left out; the
    whole box when no row, or too many, stand out."""
    inside = [row[box.left : box.right - 2] for row in cells[box.top : box.bottom]]
    usual = Counter(style.bg for row in inside for _, style in row).most_common(1)
    if not usual:
        return box
    common = usual[0][0]
    marked = [
        box.top + number
        for number, row in enumerate(inside)
        if any(style.bg != common or REVERSE in style.flags for _, style in row)
    ]
    if not marked or marked[-1] - marked[0] > 5:
        return box
    return box.rows(marked[0], marked[-1] + 1)


# -- the terminal -----------------------------------------------------------------------------


class Screen:
    """One read of the pane, or of some of its rows (from `first`), with or without colours."""

    def __init__(self, at: float, lines: list[str], first: int, coded: bool) -> None:
        self.at = at  # the middle of the read: when tmux took its picture
        self.lines = lines
        self.first = first
        self.coded = coded
        self._cells: list[Cells] | None = None

    def cells(self) -> list[Cells]:
        """Every row's cells (rows not read are empty)."""
        if self._cells is None:
            if self.coded:
                read = screen_cells(self.lines)
            else:
                read = [[(char, _PLAIN) for char in line] for line in self.lines]
            self._cells = [[] for _ in range(self.first)] + read
        return self._cells

    @property
    def plain(self) -> list[str]:
        """The text rows (from `first`)."""
        if not self.coded:
            return self.lines
        return ["".join(char for char, _ in row) for row in self.cells()[self.first :]]

    def text(self, box: Box) -> list[str]:
        """What `box` shows, as text."""
        return ["".join(char for char, _ in row) for row in self.cut(box)]

    def cut(self, box: Box) -> tuple[tuple[tuple[str, Style], ...], ...]:
        """What `box` shows (it must be among the rows read)."""
        cells = self.cells()
        return tuple(tuple(row[box.left : box.right]) for row in cells[box.top : box.bottom])


class Terminal:
    """A tmux pane (terminal_paint's `Pane`) read and typed into for latencies."""

    def __init__(self, pane: Pane) -> None:
        self.pane = pane
        self.poll = pane.poll_interval
        self.reads = 0
        self.read_time = 0.0

    def read(self, rows: Box | None = None, *, coded: bool = False) -> Screen:
        """The screen now (only the rows of `rows`, if given), with colours if `coded`."""
        client = self.pane.client
        assert client is not None
        command = "capture-pane -p" + (" -e" if coded else "")
        if rows is not None:
            command += f" -S {rows.top} -E {rows.bottom - 1}"
        before = time.perf_counter()
        lines = client.command(command + " -t paint")
        after = time.perf_counter()
        self.reads += 1
        self.read_time += after - before
        return Screen((before + after) / 2, lines, rows.top if rows else 0, coded)

    def send(self, *keys: str) -> float:
        """Send `keys`; the time just before (the clock of the key's latency)."""
        sent = time.perf_counter()
        self.pane.keys(*keys)
        return sent

    def wait_for(self, shown: Callable[[Screen], bool], timeout: float, what: str) -> Screen:
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.read()
            if shown(screen):
                return screen
            if screen.at > deadline:
                raise BenchmarkError(f"{what} not on the screen after {timeout:.0f} s")
            time.sleep(self.poll)

    def time_key(
        self, key: str, box: Box, also: tuple[Box, Callable[[Screen], object]] | None = None
    ) -> Timed:
        """Send `key`; when (`perf_counter`), and the seconds until `box` showed something
        else (the rows with the cursor, read with colours), and until `also`'s look at its
        rows (read as text) did."""
        cursor = cursor_rows(self.read(coded=True).cells(), box)
        before = self.read(cursor, coded=True).cut(cursor)
        before_also = also[1](self.read(also[0])) if also is not None else None
        sent = self.send(key)
        previous = sent
        timed = Timed(sent)
        while timed.latency is None or (also is not None and timed.also is None):
            screen = self.read(cursor, coded=True) if timed.latency is None else None
            screen_also = self.read(also[0]) if also is not None and timed.also is None else None
            at = (screen or screen_also or Screen(time.perf_counter(), [], 0, False)).at
            if screen is not None and screen.cut(cursor) != before:
                timed.latency = (previous + at) / 2 - sent
            if also is not None and screen_also and also[1](screen_also) != before_also:
                timed.also = (previous + at) / 2 - sent
            if at - sent > KEY_TIMEOUT:
                break
            previous = at
            time.sleep(self.poll)
        return timed


@dataclass
class Timed:
    sent: float
    latency: float | None = None
    also: float | None = None


def status_line(screen: Screen) -> str:
    """readertui's status line: the line just above the footer."""
    return screen.plain[-2] if len(screen.plain) >= 2 else ""


# -- the measures -----------------------------------------------------------------------------


@dataclass
class Key:
    """One key: what it was, in which measure, and how long until its effect showed."""

    phase: str
    key: str
    sent: float  # seconds since the app was launched
    latency: float | None  # None: the effect never showed
    indexing: str = ""  # the status line's `indexing N%` when the key was sent
    #: When it was sent, on `time.perf_counter`'s clock (CLOCK_MONOTONIC on Linux, as
    #: `perf record -k mono`): to find it in a trace of the machine.
    clock: float = 0.0


@dataclass
class Results:
    library_mb: float = 0.0
    documents: int = 0
    keys: list[Key] = field(default_factory=list)
    build_seconds: float = 0.0  # readertui's, from `indexing` shown to gone
    headless_seconds: float = 0.0  # the build beside the bare app
    machine_cpu: float = 0.0  # CPU seconds the whole machine used while readertui built
    run_cpu: float = 0.0  # of which, this run's processes (this one, the app, tmux, ...)
    poll_period: float = 0.0
    trace: TextIO | None = None

    def add(self, key: Key) -> None:
        self.keys.append(key)
        if self.trace is not None:
            self.trace.write(json.dumps(asdict(key)) + "\n")
            self.trace.flush()

    def latencies(self, phase: str) -> list[float]:
        return [k.latency for k in self.keys if k.phase == phase and k.latency is not None]

    def lost(self, phase: str) -> int:
        return sum(1 for k in self.keys if k.phase == phase and k.latency is None)


def type_keys(
    terminal: Terminal,
    results: Results,
    phase: str,
    count: int,
    box: Box,
    rng: random.Random,
    launched: float,
    *,
    key: str = "j",
    while_true: Callable[[], str | None] | None = None,
    rewind: str | None = None,
) -> None:
    """Press `key` `count` times (or until `while_true` returns None), each timed until
    `box` changes. `while_true` returns what to note about the moment (the build's
    percentage). Every REWIND keys, `rewind` is pressed (not timed): readertui's `g`, back
    to the top before `j` reaches the document's end, where it would move nothing."""
    for number in range(count):
        if rewind is not None and number and number % REWIND == 0:
            terminal.time_key(rewind, box)
        time.sleep(rng.uniform(*GAP))
        noted = while_true() if while_true is not None else ""
        if noted is None:
            return
        timed = terminal.time_key(key, box)
        results.add(Key(phase, key, timed.sent - launched, timed.latency, noted, timed.sent))


def launch(terminal: Terminal, command: Sequence[str]) -> float:
    """Type `exec COMMAND` + Enter into the pane's shell; when."""
    return terminal.send("exec " + shlex.join(command), "Enter")


def measure_bare(commands: Commands, results: Results, count: int, rng: random.Random) -> None:
    """The bare app alone, then again beside a build of the library's index."""
    whole = Box(0, HEIGHT, 0, WIDTH)
    with Pane(commands.env, "C-q") as pane:
        terminal = Terminal(pane)
        launched = launch(terminal, commands.bare)
        terminal.wait_for(lambda s: "line 29:" in "\n".join(s.plain), START_TIMEOUT, "bare app")
        type_keys(terminal, results, "bare", count, whole, rng, launched)

    # The build is started by the pane's shell, the app replacing it: both are then in the
    # terminal's session, as readertui's worker processes are in readertui's. It matters:
    # Linux shares the CPUs fairly between sessions first (autogroups), then between the
    # processes of a session.
    folder = commands.folder
    status, errors = folder / "beside.status", folder / "beside.errors"
    build = f"({shlex.join(commands.headless)} 2>{errors}; echo $? >{status})"
    with Pane(commands.env, "C-q") as pane:
        terminal = Terminal(pane)
        launched = terminal.send(f"{build} & exec {shlex.join(commands.bare)}", "Enter")
        terminal.wait_for(lambda s: "line 29:" in "\n".join(s.plain), START_TIMEOUT, "bare app")
        time.sleep(1.0)  # the build's start-up: reading the library's folder, starting workers

        def building() -> str | None:
            return "" if not status.exists() else None

        type_keys(
            terminal, results, "bare-build", BUILD_KEYS, whole, rng, launched, while_true=building
        )
        deadline = time.monotonic() + BUILD_TIMEOUT
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        results.headless_seconds = time.perf_counter() - launched
        # Written a moment after the file is made: wait for the line.
        while status.exists() and not status.read_text().strip() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not status.exists() or status.read_text().strip() != "0":
            why = errors.read_text() if errors.exists() else "it did not end"
            raise BenchmarkError(f"the build beside the bare app failed: {why}")


def cpu_total() -> float:
    """CPU seconds the machine has used (every core; idle and I/O wait left out)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(value) for value in fields[:8]) - int(fields[3]) - int(fields[4])
    return busy / os.sysconf("SC_CLK_TCK")


def marked_processes(marker: str) -> list[int]:
    """The live processes carrying `marker` in their environment (this one left out)."""
    found = []
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and process_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def cpu_of(pid: int) -> float:
    """CPU seconds `pid` and the children it waited for have used (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, cutime, cstime: the 14th to 17th fields, the 12th to 15th after the name.
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class CpuWatch:
    """The machine's CPU time and the run's own, over a stretch of time; the run's processes
    are looked for as they come and go (the index's worker processes live for a build)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.machine_start = cpu_total()
        self.own_start = cpu_of(os.getpid())
        self.sampled = 0.0
        self.start: dict[int, float] = {}
        self.seen: dict[int, float] = {}
        self.sample()
        self.start = dict(self.seen)

    def sample(self, every: float = 0.0) -> None:
        """Note the run's processes' CPU times (not again within `every` seconds: a look
        through /proc costs this process a few milliseconds)."""
        now = time.monotonic()
        if now - self.sampled < every:
            return
        self.sampled = now
        for pid in marked_processes(self.marker):
            self.seen[pid] = max(self.seen.get(pid, 0.0), cpu_of(pid))

    def totals(self) -> tuple[float, float]:
        """(machine, this run) CPU seconds since the watch started."""
        self.sample()
        run = cpu_of(os.getpid()) - self.own_start
        run += sum(used - self.start.get(pid, 0.0) for pid, used in self.seen.items())
        return cpu_total() - self.machine_start, run


def measure_reader(
    commands: Commands, results: Results, counts: tuple[int, int], rng: random.Random
) -> None:
    after_count, xref_count = counts
    with Pane(commands.env, "q") as pane:
        terminal = Terminal(pane)
        launched = launch(terminal, commands.reader)
        first = terminal.wait_for(
            lambda s: READY_WORDS in "\n".join(s.plain), START_TIMEOUT, "readertui's footer"
        )
        reader = find_box(first.plain, "Reader")
        watch = CpuWatch(commands.marker)
        # The build starts just after start-up: its percentage may take a moment to show.
        terminal.wait_for(
            lambda s: bool(INDEXING.search(status_line(s))), START_TIMEOUT, "`indexing N%`"
        )
        build_started = time.perf_counter()

        def building() -> str | None:
            watch.sample(every=1.0)  # the worker processes, while they live
            found = INDEXING.search(status_line(terminal.read()))
            return found.group(0) if found else None

        type_keys(
            terminal,
            results,
            "building",
            BUILD_KEYS,
            reader,
            rng,
            launched,
            while_true=building,
            rewind="g",
        )
        terminal.wait_for(
            lambda s: not INDEXING.search(status_line(s)), BUILD_TIMEOUT, "the end of the build"
        )
        results.build_seconds = time.perf_counter() - build_started
        results.machine_cpu, results.run_cpu = watch.totals()
        time.sleep(1.0)  # the index's last writes, then a quiet app

        terminal.time_key("g", reader)  # back to the top, not counted
        type_keys(terminal, results, "built", after_count, reader, rng, launched)

        terminal.time_key("g", reader)
        terminal.send("x")
        sidebar = Box(reader.top, reader.top + ABOUT_ROWS, reader.right + 2, WIDTH - 1)

        def about(screen: Screen) -> str:
            return next((line for line in screen.text(sidebar) if ABOUT in line), "")

        terminal.wait_for(lambda s: bool(about(s)), START_TIMEOUT, "the Cross-refs tab")
        terminal.send("Escape")  # back to the reader; the tab stays on screen
        time.sleep(0.3)
        for _ in range(xref_count):
            time.sleep(rng.uniform(*GAP))
            timed = terminal.time_key("}", reader, also=(sidebar, about))
            sent = timed.sent - launched
            results.add(Key("xref-move", "}", sent, timed.latency, clock=timed.sent))
            results.add(Key("xref", "}", sent, timed.also, clock=timed.sent))
        results.poll_period = terminal.read_time / max(1, terminal.reads) + terminal.poll
        if not about(terminal.read()):
            raise BenchmarkError("the Cross-refs tab's first line was not where it was looked for")


# -- the run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commands:
    """The apps to measure, the build beside the bare one, the environment all run in."""

    bare: list[str]
    reader: list[str]
    headless: list[str]
    env: dict[str, str]
    marker: str
    folder: Path  # the run's own: home, database, the build beside the bare app


def prepare(folder: Path, library: Path, readertui: Path, python: Path) -> Commands:
    home = folder / "home"
    home.mkdir()
    (folder / "db").mkdir()
    script = folder / "bare_app.py"
    script.write_text(BARE_APP, encoding="utf-8")
    env = clean_environment(home)
    env[MARKER] = uuid.uuid4().hex
    document = sorted(library.glob("*.txt"))[0]
    builder = folder / "build_beside.py"
    builder.write_text(HEADLESS_BUILD, encoding="utf-8")
    headless = [str(python), str(builder), str(library), str(folder / "beside.sqlite3")]
    return Commands(
        bare=[str(python), str(script)],
        reader=[str(readertui), str(document), "--db", str(folder / "db" / "readertui.json")],
        headless=[*headless, str(BUILD_WORKERS)],
        env=env,
        marker=f"{MARKER}={env[MARKER]}",
        folder=folder,
    )


def end_everything(marker: str) -> None:
    """Every process of the run must have ended: the ones left are killed, and named."""
    deadline = time.monotonic() + END_WITHIN
    left = marked_processes(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = marked_processes(marker)
    if not left:
        return
    named = []
    for pid in left:
        with contextlib.suppress(OSError):
            named.append(f"{pid} ({Path(f'/proc/{pid}/cmdline').read_bytes()[:80]!r})")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    raise BenchmarkError(
        f"still running {END_WITHIN:.0f} s after the run (killed now): " + ", ".join(named)
    )


def measure(args: argparse.Namespace) -> Results:
    if shutil.which("tmux") is None:
        raise BenchmarkError("tmux is not installed")
    if not CORPUS.is_dir():
        raise BenchmarkError(f"the corpus is missing: {CORPUS}")
    readertui: Path = args.readertui
    if not readertui.exists():
        raise BenchmarkError(f"no readertui command at {readertui}")
    docs, planted = (QUICK_DOCS, QUICK_PLANTED) if args.quick else (DOCS, PLANTED)
    bare_count, after_count, xref_count = QUICK_KEYS if args.quick else KEYS
    library, _plants = library_folder(
        argparse.Namespace(library=args.library, docs=docs, planted=planted)
    )
    rng = random.Random(args.seed)
    results = Results(
        library_mb=sum(p.stat().st_size for p in library.glob("*.txt")) / 1e6,
        documents=len(list(library.glob("*.txt"))),
    )
    try:
        with contextlib.ExitStack() as stack:
            if args.trace:
                results.trace = stack.enter_context(args.trace.open("w", encoding="utf-8"))
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="readertui-live-"))
            commands = prepare(Path(tmp), library, readertui, script_python(readertui))
            try:
                measure_bare(commands, results, bare_count, rng)
                measure_reader(commands, results, (after_count, xref_count), rng)
            finally:
                end_everything(commands.marker)
    finally:
        results.trace = None
        if args.library is None:
            shutil.rmtree(library, ignore_errors=True)
    return results


def rows(results: Results) -> Iterator[str]:
    def ms(value: float) -> str:
        return f"{value * 1000:.0f}"

    size = f"{results.library_mb:.0f} MB"
    measures = [
        ("bare Textual app, `j` (yardstick)", "bare", None),
        (f"bare Textual app, `j`, while {size} are indexed beside it", "bare-build", None),
        (f"readertui `j` while its cold index of {size} builds", "building", TARGET_BUILD_P95_MS),
        ("readertui `j` once the index is built", "built", None),
        ("readertui `}` (Cross-refs tab shown): the cursor moved", "xref-move", None),
        ("Cross-refs tab update per `}` (`¶ line N` changed)", "xref", TARGET_XREF_P95_MS),
    ]
    yield "| key-press to screen | keys | p50 ms | p95 ms | max ms | target p95 | met |"
    yield "|---|---|---|---|---|---|---|"
    for what, phase, target in measures:
        values = results.latencies(phase)
        lost = results.lost(phase)
        if not values:
            yield f"| {what} | 0 (+{lost} lost) | | | | | |"
            continue
        p95 = percentile(values, 0.95)
        keys = f"{len(values)}" + (f" (+{lost} lost)" if lost else "")
        met = "" if target is None else ("yes" if p95 * 1000 < target and not lost else "**no**")
        shown = "" if target is None else f"< {target:.0f} ms"
        yield (
            f"| {what} | {keys} | {ms(percentile(values, 0.5))} | {ms(p95)} | "
            f"{ms(max(values))} | {shown} | {met} |"
        )


def _stopped(number: int, _frame: object) -> None:
    raise BenchmarkError(f"stopped by signal {number}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a ~15 MB library, fewer keys")
    parser.add_argument("--library", type=Path, help="generate (or reuse) the library here")
    parser.add_argument(
        "--readertui",
        type=Path,
        default=default_readertui(),
        help="the installed readertui command (default: the one beside this Python)",
    )
    parser.add_argument("--seed", type=int, default=10, help="for the gaps between keys")
    parser.add_argument("--trace", type=Path, help="write every key's figures here (JSON lines)")
    args = parser.parse_args(argv)
    # Stopped with `kill` (or SIGINT, which a shell leaves ignored in a background job):
    # end the run's processes and folders on the way out, as on an error.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _stopped)
    load_before = load_average()
    try:
        results = measure(args)
    except BenchmarkError as error:
        print(f"live_index: {error}", file=sys.stderr)
        return 2
    cpus = os.cpu_count() or 1
    build = results.build_seconds
    others = max(0.0, results.machine_cpu - results.run_cpu)
    print(
        f"{results.documents} documents, {results.library_mb:.0f} MB; {cpus} CPUs; "
        f"load average {load_before} before, {load_average()} after; screen read every "
        f"{results.poll_period * 1000:.1f} ms\n"
        f"readertui's cold build: {build:.1f} s in the app (the build beside the bare app: "
        f"{results.headless_seconds:.1f} s); CPU used during the app's build: this run "
        f"{results.run_cpu:.1f} s, other work on the machine {others:.1f} s, "
        f"of {build * cpus:.0f} s\n"
    )
    table = list(rows(results))
    for line in table:
        print(line)
    return 0 if all("**no**" not in line for line in table) else 1


if __name__ == "__main__":
    sys.exit(main())
