"""The hostile-input run of issue 8: every metadata source × every kind of hostile text, shown
by the installed `readertui` in tmux; prints Markdown tables for the README.

    python benchmarks/hostile.py            # one run (a control run beside it)
    python benchmarks/hostile.py --runs 3

It uses the library, the tmux session and the checks of `tests/e2e/test_hostile_tmux.py`:
a library whose titles, front matter, sidecars, headings, file names, imported notes, tags and
document titles carry OSC 0/2/8/52, CSI, DCS, ESC k, C1 controls, bidi controls and Rich markup,
visited screen by screen with the raw output captured (`pipe-pane`), beside a control run on a
harmless library of the same shape that tells which escape sequences Textual writes itself.

"tries" counts the screens on which a string was drawn (summed over runs), and the command-line
outputs (`list docs|annotations|tags`, `export -o -` as Markdown and JSON) that printed it.
An "escape" is a payload that reached the terminal as it is: its bytes in the raw output, the
pane title or window name it sets, a tmux paste buffer it fills, its markup drawn as styles,
or (command line) a line printing it with a control character raw. The goal is 0 everywhere.
The exit code is 0 only when nothing escaped.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# The same library, session and checks as the end-to-end test (imported once the repository
# is on the path).
suite = importlib.import_module("tests.e2e.test_hostile_tmux")

CLI_OUTPUTS: dict[str, list[str]] = {
    "list docs": ["list", "docs"],
    "list annotations": ["list", "annotations"],
    "list tags": ["list", "tags"],
    "export (Markdown)": ["export", "-o", "-"],
    "export (JSON)": ["export", "--format", "json", "-o", "-"],
}


class Tally:
    """Tries and escapes per hostile string (by id), on screen and on the command line."""

    def __init__(self) -> None:
        self.screens: Counter[str] = Counter()
        self.screen_escapes: Counter[str] = Counter()
        self.cli: Counter[str] = Counter()
        self.cli_escapes: Counter[str] = Counter()
        self.notes: list[str] = []
        #: Files in the library that are not documents, listed as skipped or not.
        self.skipped = 0
        self.not_skipped = 0

    def escapes(self) -> int:
        return sum(self.screen_escapes.values()) + sum(self.cli_escapes.values())


def one_run(home: Path, tally: Tally, run: int) -> None:
    runs = suite.control_and_hostile_runs(home / "control", home / "hostile")
    session, library = runs.hostile, runs.library
    allowed = suite.textual_s_own(runs.control.raw)
    for item in library.strings:
        tally.screens[item.ident] += sum(
            suite.was_drawn(item, {name: screen}) for name, screen in session.screens.items()
        )
        for sign in suite.escaped(item, session):
            tally.screen_escapes[item.ident] += 1
            tally.notes.append(f"run {run}: {item.ident} ({item.source}, {item.kind}): {sign}")
    foreign = suite.findings(session.raw, allowed)
    tally.notes += [f"run {run}: not Textual's own: {finding}" for finding in foreign[:10]]
    tally.screen_escapes["(unattributed)"] += len(foreign)
    if not session.quit_cleanly:
        tally.notes.append(f"run {run}: readertui did not end on q")
    for name in (suite.FIFO, suite.DEVICE, suite.LINK_OUT):
        if name in session.screens.get("library-end", ""):
            tally.skipped += 1
        else:
            tally.not_skipped += 1
            tally.notes.append(f"run {run}: {name} is not listed as skipped")
    for what, args in CLI_OUTPUTS.items():
        where = ("--library", str(library.root), "--db", str(runs.home / "annotations.json"))
        result = suite.readertui(*args, *where, home=runs.home)
        text = result.stdout.decode("utf-8", "surrogateescape")
        for item in library.strings:
            lines = [line for line in text.splitlines() if item.ident in line]
            if not lines:
                continue
            tally.cli[item.ident] += 1
            bad = sorted({char for line in lines for char in line if suite.drives_a_terminal(char)})
            if bad:
                tally.cli_escapes[item.ident] += 1
                tally.notes.append(f"run {run}: {what} prints {item.ident} with {bad!r} raw")
    tally.notes.append(
        f"run {run}: {len(suite.sequences(session.raw)):,} escape sequences in "
        f"{len(session.raw):,} bytes of output, {len(allowed)} kinds allowed (Textual's own); "
        f"{session.seconds:.0f} s"
    )


def not_files_rows(home: Path, tally: Tally) -> list[tuple[str, int, int]]:
    """Files that are not documents: in the library (the session showed them skipped) and
    as `--db` of each command."""
    rows = [
        (
            "a FIFO, a device, a link out, in the library (listed as skipped, not read)",
            tally.skipped + tally.not_skipped,
            tally.not_skipped,
        )
    ]
    not_files = suite.not_regular_files(home / "not-files")
    suite.refusal_world(home)
    for name, db in not_files.items():
        problems = [suite.refusal_problem(command, db, home) for command in suite.DB_COMMANDS]
        failed = sum(problem is not None for problem in problems)
        rows.append((f"`--db` a {name} ({', '.join(suite.DB_COMMANDS)})", len(problems), failed))
    refused = [kind for kind in suite.KINDS if kind not in suite.PATH_KINDS]
    failed = sum(suite.import_refusal_problem(kind, home) is not None for kind in refused)
    rows.append(("imported document path with C0/C1 controls (refused)", len(refused), failed))
    return rows


def table(
    title: str, keys: dict[str, str], match: Callable[[str, str], bool], tally: Tally
) -> list[str]:
    lines = [
        f"| {title} | strings | on screen | escaped | CLI outputs | escaped |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for code, label in keys.items():
        idents = {ident for ident in tally.screens if match(ident, code)}
        if not idents:
            continue
        lines.append(
            f"| {label} | {len(idents)} "
            f"| {sum(tally.screens[i] for i in idents)} "
            f"| {sum(tally.screen_escapes[i] for i in idents)} "
            f"| {sum(tally.cli[i] for i in idents)} "
            f"| {sum(tally.cli_escapes[i] for i in idents)} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="sessions to run (default 1)")
    arguments = parser.parse_args()
    if shutil.which("tmux") is None or not suite.READERTUI.exists():
        print(f"needs tmux and readertui installed beside {sys.executable}", file=sys.stderr)
        return 2
    if os.environ.get("TMUX"):
        print("note: the sessions run on private tmux servers, not this one", file=sys.stderr)
    tally = Tally()
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="readertui-hostile-") as folder:
        for run in range(1, arguments.runs + 1):
            one_run(Path(folder) / f"run{run}", tally, run)
        files = not_files_rows(Path(folder) / "not-files-home", tally)
    kinds = {**suite.KINDS, **suite.NAME_KINDS}
    tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True, check=False).stdout
    print(
        f"Hostile input: {arguments.runs} run(s) of the installed `readertui` at "
        f"{suite.SIZE[0]}×{suite.SIZE[1]} in {tmux.strip()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs; {time.monotonic() - began:.0f} s.\n"
    )
    print("\n".join(table("source", suite.SOURCES, lambda i, c: i[:2] == c, tally)))
    print()
    print("\n".join(table("payload", kinds, lambda i, c: i[2:] == c, tally)))
    print()
    print("| not a regular file | tries | not refused |\n|---|---:|---:|")
    for label, tries, failed in files:
        print(f"| {label} | {tries} | {failed} |")
    print()
    for note in tally.notes:
        print(f"- {note}")
    failures = tally.escapes() + sum(failed for _, _, failed in files)
    print(f"\n**Escapes reaching the terminal: {tally.escapes()}** (goal: 0)")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
