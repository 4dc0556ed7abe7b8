"""First paint of War and Peace as an EPUB, as a user sees it: cold (never opened: converted
first) and cached (opened before), beside the same book as a `.txt` and a bare Textual app,
all in the same run.

    python benchmarks/converted_paint.py            # 5 runs of each, medians, a table
    python benchmarks/converted_paint.py --runs 9 --verbose

Measured exactly as benchmarks/terminal_paint.py measures the `.txt` (read its docstring: a
private tmux server per run, `exec COMMAND` typed into a 120×40 pane, the screen read every
~5 ms until the book's first words are on it), with its Pane. The four commands alternate
(bare, .txt, EPUB cached, EPUB cold, bare, ...) so a slow spell hits all alike.

- *EPUB cached*: the conversion cache (in the run's own XDG cache folder) holds the book,
  as on every start after the first;
- *EPUB cold*: the conversion cache is emptied before the run, so the book is converted
  (in a worker; the first words come once it is).

Issue 12's targets: cached ≤ 1.5× the bare app, cold ≤ 2.5×. The exit status is 0 when both
are met, 1 when one is missed or the run failed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import terminal_paint as paint  # noqa: E402

EPUB = HERE.parent.parent / "shared" / "corpus" / "epub" / "pg2600.epub"
TARGETS = {"epub-cached": 1.5, "epub-cold": 2.5}
KINDS = ("bare", "txt", "epub-cached", "epub-cold")
LABELS = {
    "bare": "bare Textual app, first line",
    "txt": "War and Peace (.txt)",
    "epub-cached": "War and Peace (EPUB), cached",
    "epub-cold": "War and Peace (EPUB), first open",
}


def prepare(folder: Path, readertui: Path, python: Path) -> tuple[paint.Commands, list[str]]:
    """terminal_paint's library and commands, with the EPUB beside the `.txt`."""
    if not EPUB.exists():
        raise paint.BenchmarkError(f"War and Peace's EPUB is missing: {EPUB}")
    commands = paint.prepare(folder, readertui, python)
    book = folder / "library" / EPUB.name
    shutil.copyfile(EPUB, book)
    epub = [str(readertui), str(book), "--db", str(folder / "db" / "readertui.json")]
    return commands, epub


def run_once(
    commands: paint.Commands, epub: list[str], kind: str, poll_interval: float
) -> paint.Run:
    if kind == "epub-cold":
        shutil.rmtree(Path(commands.env["XDG_CACHE_HOME"]) / "readertui" / "conversions", True)
    with paint.Pane(commands.env, "C-q" if kind == "bare" else "q", poll_interval) as pane:
        if kind == "bare":
            return pane.launch(commands.bare, wait_ready=False)
        return pane.launch(commands.reader if kind == "txt" else epub, wait_ready=True)


def measure(runs: int, readertui: Path, poll_interval: float, verbose: bool) -> dict[str, list]:
    if shutil.which("tmux") is None:
        raise paint.BenchmarkError("tmux is not installed")
    python = paint.script_python(readertui)
    kept: dict[str, list[paint.Run]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory(prefix="readertui-epub-paint-") as tmp:
        commands, epub = prepare(Path(tmp), readertui, python)
        for kind in KINDS:  # warm-up: byte code, page cache, the database, the cache
            run_once(commands, epub, kind, poll_interval)
        for number in range(runs):
            for kind in KINDS:
                run = run_once(commands, epub, kind, poll_interval)
                kept[kind].append(run)
                if verbose:
                    print(
                        f"run {number + 1} {kind}: first words {run.paint * 1000:.0f} ms",
                        file=sys.stderr,
                    )
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median)")
    parser.add_argument("--readertui", type=Path, default=paint.default_readertui())
    parser.add_argument("--poll-ms", type=float, default=paint.POLL_INTERVAL * 1000)
    parser.add_argument("--verbose", action="store_true", help="print every run's figures")
    args = parser.parse_args(argv)
    load_before = paint.load_average()
    try:
        kept = measure(args.runs, args.readertui, args.poll_ms / 1000, args.verbose)
    except paint.BenchmarkError as error:
        print(f"converted_paint: {error}", file=sys.stderr)
        return 1
    bare = statistics.median(run.paint for run in kept["bare"])
    print(
        f"{args.readertui}; median of {args.runs} runs each; load average {load_before} "
        f"before, {paint.load_average()} after\n"
    )
    print("| terminal (tmux 120×40), first words | median | ratio to bare | target | met |")
    print("|---|---|---|---|---|")
    met = True
    for kind in KINDS:
        median = statistics.median(run.paint for run in kept[kind])
        ratio = median / bare
        target = TARGETS.get(kind)
        ok = target is None or ratio <= target
        met = met and ok
        shown = f"≤ {target}×" if target is not None else ""
        verdict = ("yes" if ok else "NO") if target is not None else ""
        print(f"| {LABELS[kind]} | {median * 1000:.0f} ms | {ratio:.2f}× | {shown} | {verdict} |")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
