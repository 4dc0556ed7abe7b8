"""First paint as a user sees it: from launch until War and Peace's first words are on a real
terminal's screen, beside a bare Textual app measured the same way.

    python benchmarks/terminal_paint.py               # 5 runs of each, medians, a table
    python benchmarks/terminal_paint.py --runs 9 --verbose

How a run is measured (the same for both commands):

- Each run has a tmux server of its own (a private socket, no config file) with one 120×40
  pane running a plain `sh`; COLUMNS and LINES are not in its environment.
- Once the shell's prompt is on the screen, the clock starts and `exec COMMAND` + Enter is
  typed into the pane, so the shell's own start-up is never counted and the command replaces
  the shell (the pane's process is the app itself).
- The screen is then read with `capture-pane -p` every ~5 ms until the expected words are on
  it. The reads go through a tmux control-mode client (`tmux -C`, with pane output turned
  off), as are the keys: each read costs the server a fraction of a millisecond instead of a
  `tmux` process started per read, which on a small machine would take CPU from the app
  being measured. A read shows the screen as tmux had it at that moment, so the words are
  taken to have appeared halfway between the last read without them and the first with them
  (within ± half the period between reads, printed with the results).
- The app is then quit with its own key (`q`, `ctrl+q`), the server is killed, and the app,
  the server and the control client must all have ended; anything still running after 5 s is
  killed and the benchmark fails, naming it.

The two commands, alternated (bare, readertui, bare, ...) so a slow spell hits both alike:

- a bare Textual app that paints one line, War and Peace's first, run by the same Python as
  readertui: the yardstick of what Textual itself costs;
- the installed `readertui` opening War and Peace (pg2600 from the corpus beside the repo),
  in a library of its own in a temporary folder, with its database there too (`--db`).

HOME and the XDG folders point into the temporary folder, and READERTUI_* and TEXTUAL_*
variables are dropped, so neither reads the user's settings. One warm-up run of each comes
first (byte-code caches, the page cache, readertui's database, which is then kept, as on a
user's second start). For readertui, "ready" is measured too: when its footer (`q Quit`)
appears, that is when start-up has finished and keys typed meanwhile are handled. So is the
CPU time each app had used when its words were seen (from /proc): it leaves out the time
spent waiting for a CPU while other work runs on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "gutenberg"
NOVEL = "pg2600.txt"  # War and Peace (cp1252, as on Gutenberg)
#: On the screen once the novel's first page is: its first line starts with these words.
FIRST_WORDS = "Well, Prince, so Genoa"
#: readertui's footer, mounted once start-up has finished.
READY_WORDS = "q Quit"
WIDTH, HEIGHT = 120, 40
POLL_INTERVAL = 0.005
#: Issue 9's goal: readertui's first words within this many times the bare app's.
TARGET_RATIO = 1.3
#: How long the words may take to appear before the run counts as failed.
PAINT_TIMEOUT = 30.0
#: How long the processes may take to end once asked to.
END_WITHIN = 5.0

#: The yardstick: as little as Textual needs to put one line of text on the screen.
BARE_APP = '''\
"""A bare Textual app painting War and Peace's first line: terminal_paint's yardstick."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class OneLine(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(
            "\\u201cWell, Prince, so Genoa and Lucca are now just family estates of the",
            markup=False,
        )


OneLine().run()
'''


class BenchmarkError(Exception):
    """A run could not be measured: tmux failed, the words never came, a process lived on."""


@dataclass(frozen=True)
class Run:
    """One launch: seconds from typing Enter until the first words (and `ready`) showed."""

    paint: float
    #: Until readertui's footer showed (None for the bare app).
    ready: float | None
    #: The mean time between two reads of the screen: `paint` is exact to half of it.
    poll_period: float
    #: The app's CPU time (user + system, all threads) when the first words were seen: less
    #: swayed than `paint` by other work on the machine, to a clock tick (usually 10 ms).
    cpu: float


@dataclass
class Figures:
    """Every measured run of both commands."""

    bare: list[Run] = field(default_factory=list)
    reader: list[Run] = field(default_factory=list)

    @property
    def bare_paint(self) -> float:
        return statistics.median(run.paint for run in self.bare)

    @property
    def reader_paint(self) -> float:
        return statistics.median(run.paint for run in self.reader)

    @property
    def reader_ready(self) -> float:
        return statistics.median(
            run.ready if run.ready is not None else run.paint for run in self.reader
        )

    @property
    def ratio(self) -> float:
        return self.reader_paint / self.bare_paint

    @property
    def poll_period(self) -> float:
        return statistics.median(run.poll_period for run in self.bare + self.reader)

    @property
    def bare_cpu(self) -> float:
        return statistics.median(run.cpu for run in self.bare)

    @property
    def reader_cpu(self) -> float:
        return statistics.median(run.cpu for run in self.reader)

    def round_ratios(self) -> list[float]:
        """readertui's time over the bare app's, per round (the two ran one after the other)."""
        pairs = zip(self.bare, self.reader, strict=True)
        return [reader.paint / bare.paint for bare, reader in pairs]


def process_alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting to be reaped counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def cpu_seconds(pid: int) -> float:
    """The CPU time `pid` has used so far (user + system, every thread); 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    # utime and stime: the 14th and 15th fields of the line, the 12th and 13th after the name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_ended(pids: Sequence[int], timeout: float) -> list[int]:
    """Wait until every process in `pids` has ended; those still running after `timeout`."""
    deadline = time.monotonic() + timeout
    alive = [pid for pid in pids if process_alive(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.01)
        alive = [pid for pid in alive if process_alive(pid)]
    return alive


def clean_environment(home: Path) -> dict[str, str]:
    """This process's environment without the terminal's size and the user's settings."""
    dropped = ("COLUMNS", "LINES", "TMUX", "TMUX_PANE", "PYTHONDONTWRITEBYTECODE", "ENV")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in dropped and not name.startswith(("READERTUI_", "TEXTUAL_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    return env


class ControlClient:
    """A `tmux -C` client: runs tmux commands over a pipe and returns what they print."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(env),
        )
        self._buffer = b""

    def _line(self, deadline: float, waiting_for: str = "") -> str:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise BenchmarkError(f"tmux's control client did not answer {waiting_for}")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise BenchmarkError("tmux's control client ended (is the pane gone?)")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", errors="replace")

    def attached(self, timeout: float = 10.0) -> None:
        """Wait until the client is attached: commands sent sooner may find no client."""
        deadline = time.monotonic() + timeout
        while not self._line(deadline, "attach-session").startswith("%session-changed"):
            pass

    def command(self, text: str, timeout: float = 10.0) -> list[str]:
        """Run one tmux command; the lines it printed. BenchmarkError if it failed."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(text.encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError as error:
            raise BenchmarkError("tmux's control client ended (is the pane gone?)") from error
        deadline = time.monotonic() + timeout
        # A reply is `%begin TIME NUMBER 1`, the output, then `%end` (or `%error`) with the
        # same numbers; flag 1 marks replies to this client's commands. Lines outside a
        # reply are notifications (%session-changed, %exit, ...) and are skipped.
        while True:
            line = self._line(deadline, text)
            if line.startswith("%exit"):
                raise BenchmarkError("tmux's control client was told to exit")
            if not (line.startswith("%begin ") and line.endswith(" 1")):
                continue
            closing = line.split(" ", 1)[1]
            output: list[str] = []
            while True:
                line = self._line(deadline, text)
                if line in (f"%end {closing}", f"%error {closing}"):
                    break
                output.append(line)
            if line.startswith("%error"):
                raise BenchmarkError(f"tmux {text.split()[0]}: {' '.join(output)}")
            return output

    def close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            self.process.wait(END_WITHIN)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Pane:
    """A private tmux server with one 120×40 pane whose `sh` waits for a command."""

    def __init__(
        self, env: Mapping[str, str], quit_key: str, poll_interval: float = POLL_INTERVAL
    ) -> None:
        self.socket = f"readertui-paint-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = dict(env)
        self.poll_interval = poll_interval
        #: The key that quits the app once it has started (tmux's name for it).
        self.quit_key = quit_key
        #: The pane's process (the shell, then the command it became) and the server's.
        self.pids: list[int] = []
        self.client: ControlClient | None = None
        #: The server's socket file, which tmux leaves behind: removed once the server ended.
        self.socket_path: Path | None = None

    def _tmux(self, *args: str) -> list[str]:
        return ["tmux", "-L", self.socket, "-f", "/dev/null", *args]

    def __enter__(self) -> Pane:
        # Now and then (1 start in ~30 on a loaded machine) the new control client never
        # answers: start again on a new server. The clock has not started yet.
        for attempt in range(3):
            try:
                self._start()
            except BenchmarkError as error:
                self.close()
                if attempt == 2:
                    raise
                print(f"terminal_paint: {error}; starting a new tmux server", file=sys.stderr)
                self.socket = f"readertui-paint-{os.getpid()}-{uuid.uuid4().hex[:8]}"
                self.client = None
                self.pids = []
            except BaseException:
                self.close()
                raise
            else:
                return self
        raise AssertionError("unreachable")

    def _start(self) -> None:
        size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
        started = subprocess.run(
            self._tmux("new-session", "-d", *size, "-s", "paint", "sh"),
            capture_output=True,
            text=True,
            check=False,
            timeout=20,
            env=self.env,
        )
        if started.returncode != 0:
            raise BenchmarkError(f"tmux new-session: {started.stderr.strip()}")
        shown = subprocess.run(
            self._tmux(
                "display-message",
                "-p",
                "-t",
                "paint",
                "#{pane_pid} #{pid} #{window_width}x#{window_height} #{socket_path}",
            ),
            capture_output=True,
            text=True,
            check=False,
            timeout=20,
            env=self.env,
        )
        try:
            pane_pid, server_pid, size_shown, socket_path = shown.stdout.rstrip("\n").split(" ", 3)
            self.pids = [int(pane_pid), int(server_pid)]
            self.socket_path = Path(socket_path)
        except ValueError as error:
            raise BenchmarkError(f"tmux display-message: {shown.stderr.strip()}") from error
        # The pane's output is not wanted (only the screen, when read), nor may this client
        # change the window's size.
        attach = ["attach-session", "-f", "no-output,ignore-size", "-t", "paint"]
        self.client = ControlClient(self._tmux("-C", *attach), self.env)
        self.client.attached()
        if size_shown != f"{WIDTH}x{HEIGHT}":
            raise BenchmarkError(f"the pane is {size_shown}, not {WIDTH}x{HEIGHT}")
        deadline = time.monotonic() + 10
        # Any text is the shell's prompt (dash ignores PS1 from the environment).
        while not self.screen().strip():
            if time.monotonic() > deadline:
                raise BenchmarkError("the shell's prompt never appeared")
            time.sleep(self.poll_interval)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def screen(self) -> str:
        assert self.client is not None
        return "\n".join(self.client.command("capture-pane -p -t paint"))

    def keys(self, *keys: str) -> None:
        assert self.client is not None
        self.client.command("send-keys -t paint " + " ".join(shlex.quote(key) for key in keys))

    def launch(self, command: Sequence[str], wait_ready: bool) -> Run:
        """Type `exec COMMAND` + Enter; the time until the first words (and the footer)."""
        wanted = [FIRST_WORDS, READY_WORDS] if wait_ready else [FIRST_WORDS]
        shown_at: list[float] = []
        cpu = 0.0
        reads: list[float] = []  # the middle of each read: when tmux took its picture
        started = time.perf_counter()
        self.keys("exec " + shlex.join(command), "Enter")
        while wanted:
            before = time.perf_counter()
            screen = self.screen()
            after = time.perf_counter()
            reads.append((before + after) / 2)
            while wanted and wanted[0] in screen:
                if wanted.pop(0) == FIRST_WORDS:
                    cpu = cpu_seconds(self.pids[0])
                previous = reads[-2] if len(reads) > 1 else started
                shown_at.append((previous + reads[-1]) / 2 - started)
            if wanted and after - started > PAINT_TIMEOUT:
                raise BenchmarkError(f"{wanted[0]!r} not on the screen after {PAINT_TIMEOUT} s")
            time.sleep(self.poll_interval)
        return Run(
            paint=shown_at[0],
            ready=shown_at[1] if wait_ready else None,
            poll_period=(reads[-1] - reads[0]) / max(1, len(reads) - 1),
            cpu=cpu,
        )

    def close(self) -> None:
        """Quit the app (if it still runs), end the server; every process must be gone."""
        if self.client is not None and self.pids and process_alive(self.pids[0]):
            try:
                self.keys(self.quit_key)
            except BenchmarkError:
                pass  # the pane is gone already
            else:
                wait_ended(self.pids[:1], END_WITHIN)
        subprocess.run(
            self._tmux("kill-server"), capture_output=True, check=False, timeout=20, env=self.env
        )
        if self.client is not None:
            self.client.close()
        alive = wait_ended(self.pids, END_WITHIN)
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.socket_path is not None and not (alive and self.pids[1] in alive):
            self.socket_path.unlink(missing_ok=True)
        if alive:
            raise BenchmarkError(
                f"processes {alive} still ran {END_WITHIN:.0f} s after their terminal closed "
                "(killed now)"
            )


@dataclass(frozen=True)
class Commands:
    """The two commands to compare, and the environment both run in."""

    bare: list[str]
    reader: list[str]
    env: dict[str, str]


def prepare(folder: Path, readertui: Path, python: Path) -> Commands:
    """The library, the database's folder, the bare app and a clean home in `folder`."""
    source = CORPUS / NOVEL
    if not source.exists():
        raise BenchmarkError(f"War and Peace is missing from the corpus: {source}")
    library = folder / "library"
    library.mkdir()
    novel = library / NOVEL
    shutil.copyfile(source, novel)
    (folder / "db").mkdir()
    home = folder / "home"
    home.mkdir()
    script = folder / "bare_app.py"
    script.write_text(BARE_APP, encoding="utf-8")
    return Commands(
        bare=[str(python), str(script)],
        reader=[str(readertui), str(novel), "--db", str(folder / "db" / "readertui.json")],
        env=clean_environment(home),
    )


def run_once(commands: Commands, which: str, poll_interval: float) -> Run:
    with Pane(commands.env, "C-q" if which == "bare" else "q", poll_interval) as pane:
        if which == "bare":
            return pane.launch(commands.bare, wait_ready=False)
        return pane.launch(commands.reader, wait_ready=True)


def default_readertui() -> Path:
    """The readertui command installed beside this Python."""
    return Path(sys.executable).with_name("readertui")


def measure(
    runs: int,
    readertui: Path | None = None,
    *,
    python: Path | None = None,
    poll_interval: float = POLL_INTERVAL,
    verbose: bool = False,
) -> Figures:
    """Alternate the bare app and readertui `runs` times each, after a warm-up of each.

    `python` runs the bare app; by default the Python that readertui's script names.
    """
    if shutil.which("tmux") is None:
        raise BenchmarkError("tmux is not installed")
    readertui = readertui or default_readertui()
    if not readertui.exists():
        raise BenchmarkError(f"no readertui command at {readertui}")
    python = python or script_python(readertui)
    figures = Figures()
    with tempfile.TemporaryDirectory(prefix="readertui-paint-") as tmp:
        commands = prepare(Path(tmp), readertui, python)
        run_once(commands, "bare", poll_interval)
        run_once(commands, "reader", poll_interval)
        for n in range(runs):
            for which, kept in (("bare", figures.bare), ("reader", figures.reader)):
                run = run_once(commands, which, poll_interval)
                kept.append(run)
                if verbose:
                    ready = f", ready {run.ready * 1000:.0f} ms" if run.ready is not None else ""
                    print(
                        f"run {n + 1} {which}: first words {run.paint * 1000:.0f} ms{ready}, "
                        f"CPU {run.cpu * 1000:.0f} ms "
                        f"(screen read every {run.poll_period * 1000:.1f} ms)",
                        file=sys.stderr,
                    )
    return figures


def script_python(script: Path) -> Path:
    """The interpreter a console script's `#!` line names (else this Python)."""
    try:
        with script.open("rb") as stream:
            first = stream.readline().decode("utf-8", errors="replace")
    except OSError:
        return Path(sys.executable)
    if first.startswith("#!") and first[2:].split():
        named = Path(first[2:].split()[0])
        if named.name != "env" and named.exists():
            return named
    return Path(sys.executable)


def rows(figures: Figures) -> list[tuple[str, str, str, str]]:
    """The Markdown table's rows: benchmark, result, target, met."""
    ratio = figures.ratio
    ready = figures.reader_ready
    return [
        (
            "terminal (tmux 120×40): bare Textual app, first line",
            f"{figures.bare_paint * 1000:.0f} ms",
            "yardstick",
            "",
        ),
        (
            "terminal (tmux 120×40): War and Peace's first words",
            f"{figures.reader_paint * 1000:.0f} ms ({ratio:.2f}× bare)",
            f"≤ {TARGET_RATIO}× bare",
            "yes" if ratio <= TARGET_RATIO else "NO",
        ),
        (
            "terminal (tmux 120×40): readertui ready (footer shown)",
            f"{ready * 1000:.0f} ms ({ready / figures.bare_paint:.2f}× bare)",
            "",
            "",
        ),
        (
            "terminal (tmux 120×40): CPU time to the first words",
            f"bare {figures.bare_cpu * 1000:.0f} ms, readertui {figures.reader_cpu * 1000:.0f} ms "
            f"({figures.reader_cpu / figures.bare_cpu:.2f}×)",
            "",
            "",
        ),
    ]


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="First paint in a real terminal (tmux): readertui beside a bare Textual app."
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median)")
    parser.add_argument(
        "--readertui",
        type=Path,
        default=default_readertui(),
        help="the installed readertui command (default: the one beside this Python)",
    )
    parser.add_argument(
        "--poll-ms", type=float, default=POLL_INTERVAL * 1000, help="ms between screen reads"
    )
    parser.add_argument("--verbose", action="store_true", help="print every run's figures")
    args = parser.parse_args(argv)
    load_before = load_average()
    try:
        figures = measure(
            args.runs, args.readertui, poll_interval=args.poll_ms / 1000, verbose=args.verbose
        )
    except BenchmarkError as error:
        print(f"terminal_paint: {error}", file=sys.stderr)
        return 1
    ratios = figures.round_ratios()
    print(
        f"{args.readertui}; median of {args.runs} runs each; load average {load_before} "
        f"before, {load_average()} after; screen read every "
        f"{figures.poll_period * 1000:.1f} ms; readertui/bare per round "
        f"{min(ratios):.2f}–{max(ratios):.2f}\n"
    )
    print("| benchmark | result | target | met |")
    print("|---|---|---|---|")
    for row in rows(figures):
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
