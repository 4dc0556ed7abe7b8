"""The fault run of issue 8: what happens to notes when things go wrong, with the installed
`readertui` in real terminals (tmux); prints a Markdown table.

    python benchmarks/faults.py            # the full run (about 17 minutes on 2 cores)
    python benchmarks/faults.py --short    # the CI form (about 1.5 minutes on 2 cores)
    python benchmarks/faults.py --only 1,4 --seed 3 --kill-cycles 50

Faults, one row each:

1. kill -9 at random moments (0-600 ms after a keypress) of highlights and notes made with
   keys, some in bursts, on a database kept from cycle to cycle;
2. kill -9 at random moments of `readertui import` of a few hundred annotations;
3. 2 and 4 writers at once on one database, TUIs and CLI imports mixed;
4. disk full, then freed (a small tmpfs; RLIMIT_FSIZE without root);
5. the database's folder, or the file, read-only during a session;
6. SIGHUP and SIGTERM at start-up, in the note editor, in a dialog, at quit;
7. the terminal closed (tmux kill-server) at the same moments;
8. keys sent in one burst through every dialog.

"lost" counts what a screen showed as `saved` (or a note typed, or a change the app had
accepted) that is missing from the database afterwards; "stalled" counts a status that stays
`saving…` or `NOT SAVED` after the fault has cleared. Every run starts from fresh temporary
folders (its own XDG folders, HOME, TMPDIR, library and databases) and ends with every process
it started gone: one still running is a failure (and is killed). The exit code is 0 only when
nothing was lost, stalled, left running or otherwise wrong. `--seed` makes the choices (keys,
moments, delays) repeatable; the timing of a real machine still varies from run to run.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from fault_bursts import bursts
from fault_disk import disk_full, read_only
from fault_edits import kill_nine_edits, kill_nine_imports, writers_at_once
from fault_endings import ending_plan, endings
from fault_world import READERTUI, Row, World


@dataclass(frozen=True)
class Counts:
    """How many times each fault is tried."""

    kill_cycles: int
    import_kills: int
    writer_rounds: int
    edits_per_writer: int
    disk_rounds: int
    read_only_rounds: int
    signal_repeats: int
    terminal_repeats: int
    burst_rounds: int


FULL = Counts(200, 40, 3, 5, 20, 4, 3, 4, 5)
SHORT = Counts(5, 6, 1, 2, 2, 2, 0, 0, 1)
COUNT_HELP = {
    "kill_cycles": "kill -9 cycles of TUI edits",
    "import_kills": "kill -9 of an import",
    "writer_rounds": "rounds of 2 and of 4 writers",
    "edits_per_writer": "notes each TUI writer makes",
    "disk_rounds": "disk-full rounds",
    "read_only_rounds": "read-only rounds (folder and file in turn)",
    "signal_repeats": "SIGHUP and SIGTERM at every moment, this many times (0: 4 tries)",
    "terminal_repeats": "closed terminal at every moment, this many times (0: 4 tries)",
    "burst_rounds": "rounds of a burst through every dialog",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--short", action="store_true", help="the short form for CI")
    parser.add_argument("--seed", type=int, default=8, help="seed of every random choice")
    parser.add_argument("--only", help="run only these faults, e.g. 1,4,6")
    for name, what in COUNT_HELP.items():
        full, short = getattr(FULL, name), getattr(SHORT, name)
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            metavar="N",
            help=f"{what} (full {full}, short {short})",
        )
    parser.add_argument(
        "--disk-fallback",
        action="store_true",
        help="play the full disk with RLIMIT_FSIZE even as root (the no-root path)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    return parser.parse_args(argv)


def counts_of(args: argparse.Namespace) -> Counts:
    base = SHORT if args.short else FULL
    chosen = {
        name: getattr(args, name) if getattr(args, name) is not None else getattr(base, name)
        for name in Counts.__dataclass_fields__
    }
    return Counts(**chosen)


def signal_plan(counts: Counts) -> list[tuple[str, str]]:
    if counts.signal_repeats:
        return ending_plan(["SIGHUP", "SIGTERM"], counts.signal_repeats)
    # The short form: start-up, an editor, a dialog and quit once, the signals taking turns.
    moments = ("start-up", "note editor", "palette", "quit")
    return [(moment, ("SIGHUP", "SIGTERM")[i % 2]) for i, moment in enumerate(moments)]


def closed_terminal_plan(counts: Counts) -> list[tuple[str, str]]:
    if counts.terminal_repeats:
        return ending_plan(["closed terminal"], counts.terminal_repeats)
    # The short form: the moments the signals' short form leaves out, and start-up and quit.
    return [(moment, "closed terminal") for moment in ("start-up", "tag editor", "help", "quit")]


def faults(
    counts: Counts, fallback: bool
) -> list[tuple[str, Callable[[World, random.Random, Row], None]]]:
    return [
        (
            "1. kill -9 during TUI edits",
            lambda w, r, row: kill_nine_edits(w, r, counts.kill_cycles, row),
        ),
        (
            "2. kill -9 during `readertui import`",
            lambda w, r, row: kill_nine_imports(w, r, counts.import_kills, row),
        ),
        (
            "3. writers at once (TUI + CLI)",
            lambda w, r, row: writers_at_once(
                w, r, counts.writer_rounds, row, counts.edits_per_writer
            ),
        ),
        (
            "4. disk full, then freed",
            lambda w, r, row: disk_full(w, r, counts.disk_rounds, row, fallback),
        ),
        (
            "5. read-only folder and file",
            lambda w, r, row: read_only(w, r, counts.read_only_rounds, row),
        ),
        (
            "6. SIGHUP / SIGTERM",
            lambda w, r, row: endings(w, r, signal_plan(counts), row),
        ),
        (
            "7. terminal closed (tmux kill-server)",
            lambda w, r, row: endings(w, r, closed_terminal_plan(counts), row),
        ),
        (
            "8. keys in one burst through every dialog",
            lambda w, r, row: bursts(w, r, counts.burst_rounds, row),
        ),
    ]


def run(args: argparse.Namespace) -> tuple[list[Row], list[str], float]:
    counts = counts_of(args)
    only = {int(n) for n in args.only.split(",")} if args.only else None
    rows: list[Row] = []
    world = World(keep=args.keep)
    started = time.monotonic()
    left: list[str] = []
    try:
        for number, (name, fault) in enumerate(faults(counts, args.disk_fallback), start=1):
            if only is not None and number not in only:
                continue
            row = Row(name)
            print(f"{name} …", file=sys.stderr, flush=True)
            began = time.monotonic()
            try:
                fault(world, random.Random(args.seed * 100 + number), row)
            except Exception as exc:  # a fault of the harness: say so, and go on
                row.fail(f"the run itself failed: {type(exc).__name__}: {exc}")
            survivors = world.survivors()
            if survivors:
                row.fail(f"left running (killed): {survivors}")
                world.kill_all()
            row.seconds = time.monotonic() - began
            print(
                f"  {row.seconds:.0f} s, lost {row.lost}, stalled {row.stalled}, "
                f"{len(row.failures)} other",
                file=sys.stderr,
                flush=True,
            )
            rows.append(row)
    finally:
        left = world.survivors()
        world.kill_all()
        world.close()
        if args.keep:
            print(f"kept: {world.root}", file=sys.stderr)
        if world.evidence is not None:
            print(f"what the failures left is kept in {world.evidence}", file=sys.stderr)
    return rows, left, time.monotonic() - started


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def failures_cell(row: Row, most: int = 3) -> str:
    if row.skipped is not None:
        return f"skipped: {row.skipped}"
    if not row.failures:
        return "none"
    shown = [f[:160] + ("…" if len(f) > 160 else "") for f in row.failures[:most]]
    more = len(row.failures) - most
    return "; ".join(shown) + (f"; … and {more} more" if more > 0 else "")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True, check=False)
    version = subprocess.run(
        [str(READERTUI), "--version"], capture_output=True, text=True, check=False
    )
    return (
        f"{cpu}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {tmux.stdout.strip()}, "
        f"{version.stdout.strip()}"
    )


def report(rows: list[Row], left: list[str], seconds: float, args: argparse.Namespace) -> None:
    form = "short" if args.short else "full"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Fault run ({form} form, seed {args.seed}): {seconds:.0f} s on {machine()}")
    print(f"Load average at the end (1, 5, 15 min): {load}\n")
    print("| fault | tries | what was checked | lost | stalled | other failures |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        lost = "–" if row.skipped else str(row.lost)
        stalled = "–" if row.skipped else str(row.stalled)
        fields = (row.fault, row.tries, row.checked, lost, stalled, failures_cell(row))
        print("| " + " | ".join(cell(f) for f in fields) + " |")
    print()
    print(
        "Time per fault: " + ", ".join(f"{r.fault.split('.')[0]}: {r.seconds:.0f} s" for r in rows)
    )
    print(f"Processes left running at the end: {', '.join(left) if left else 'none'}")
    detailed = [row for row in rows if row.failures]
    for row in detailed:
        print(f"\n{row.fault}:")
        for failure in row.failures:
            print(f"  - {failure}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("tmux") is None:
        print("the fault run needs tmux", file=sys.stderr)
        return 2
    if not READERTUI.exists():
        print(f"readertui is not installed beside {sys.executable}", file=sys.stderr)
        return 2
    rows, left, seconds = run(args)
    report(rows, left, seconds, args)
    return 0 if all(row.passed for row in rows) and not left else 1


if __name__ == "__main__":
    sys.exit(main())
