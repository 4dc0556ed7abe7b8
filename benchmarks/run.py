"""Benchmarks of PRODUCT's speed and memory targets; prints a Markdown table.

    python benchmarks/run.py            # every benchmark, 5 runs each, median reported
    python benchmarks/run.py --no-terminal   # without the tmux rows (no tmux needed)

Each start-up is measured in a fresh process (benchmarks/first_paint.py), beside a bare
Textual app measured the same way in the same run, so the figures compare like with like.
The 100 MB text is built from the Gutenberg corpus beside the repo (../shared/corpus).
The "terminal" rows time the same start-up as a user sees it, in tmux, from the Enter to
War and Peace's first words on the screen (benchmarks/terminal_paint.py): the installed
`readertui` beside this Python, against a bare Textual app launched the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "gutenberg"
NOVELS = ("pg2600.txt", "pg1399.txt", "pg2554.txt")
MIB = 1024 * 1024
VERBOSE = False


def build_big_text(folder: Path, size: int = 100 * MIB) -> Path:
    """Concatenate the novels (their cp1252 bytes, as on Gutenberg) up to `size` bytes."""
    target = folder / "big" / "hundred-mb.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    novels = [(CORPUS / name).read_bytes() for name in NOVELS]
    written = 0
    with target.open("wb") as out:
        index = 0
        while written < size:
            chunk = novels[index % len(novels)][: size - written]
            out.write(chunk)
            written += len(chunk)
            index += 1
    return target


def measure(*args: str) -> dict[str, Any]:
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none")
    # Byte-code caching on, as on a normal install (pip compiles packages when installing);
    # a warm-up run below writes the cache for readertui's own modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run(
        [sys.executable, str(HERE / "first_paint.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise SystemExit(f"benchmark failed: {' '.join(args)}\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if VERBOSE:
        print(f"{' '.join(args)}: {figures}", file=sys.stderr)
    return figures


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def terminal_rows(runs: int) -> list[tuple[str, str, str, str]]:
    """The tmux rows (terminal_paint.py), or one row saying why they could not be measured."""
    from terminal_paint import BenchmarkError, load_average, measure, rows

    before = load_average()
    try:
        figures = measure(runs, verbose=VERBOSE)
    except BenchmarkError as error:
        return [("terminal (tmux 120×40): first words", f"not measured: {error}", "", "")]
    if VERBOSE:
        print(
            f"terminal rows: load average {before} before, {load_average()} after", file=sys.stderr
        )
    return rows(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per start-up benchmark")
    parser.add_argument("--verbose", action="store_true", help="print every run's figures")
    parser.add_argument(
        "--no-terminal", action="store_true", help="leave out the tmux rows (terminal_paint.py)"
    )
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    if not (CORPUS / NOVELS[0]).exists():
        raise SystemExit(f"the corpus is missing: {CORPUS}")
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        novel = folder / "novel" / NOVELS[0]
        novel.parent.mkdir()
        novel.write_bytes((CORPUS / NOVELS[0]).read_bytes())
        big = build_big_text(folder)
        big_mb = big.stat().st_size / MIB

        # Warm-up: byte-code caches and the page cache, for both apps alike.
        measure("bare")
        measure("reader", "--file", str(novel), "--db", str(folder / "warm.json"))

        # Bare and reader runs alternate, so a slow spell of the machine hits both alike.
        bare: list[dict[str, Any]] = []
        small: list[dict[str, Any]] = []
        for n in range(args.runs):
            bare.append(measure("bare"))
            small.append(
                measure("reader", "--file", str(novel), "--db", str(folder / f"db{n}.json"))
            )
        bare_paint = median_of(bare, "first_paint")
        rows.append(
            ("bare Textual app: first paint", f"{bare_paint * 1000:.0f} ms", "yardstick", "")
        )

        small_paint = median_of(small, "first_paint")
        ratio = small_paint / bare_paint
        rows.append(
            (
                "pg2600 (3.2 MB): first paint",
                f"{small_paint * 1000:.0f} ms ({ratio:.2f}× bare)",
                "≤ 1.5× bare",
                "yes" if ratio <= 1.5 else "NO",
            )
        )

        large = [
            measure(
                "reader", "--file", str(big), "--db", str(folder / f"big{n}.json"), "--pages", "60"
            )
            for n in range(args.runs)
        ]
        large_paint = median_of(large, "first_paint")
        rows.append(
            (
                f"{big_mb:.0f} MB text: first paint",
                f"{large_paint * 1000:.0f} ms",
                "< 1500 ms",
                "yes" if large_paint < 1.5 else "NO",
            )
        )
        page = median_of(large, "page_down_median")
        rows.append(
            (
                f"{big_mb:.0f} MB text: page-down at the end (median)",
                f"{page * 1000:.2f} ms",
                "< 16 ms",
                "yes" if page < 0.016 else "NO",
            )
        )
        rss = max(run["peak_rss_mb"] for run in large)
        rss_ratio = rss / big_mb
        rows.append(
            (
                f"{big_mb:.0f} MB text: peak RSS",
                f"{rss:.0f} MB ({rss_ratio:.2f}× file)",
                "< 3× file",
                "yes" if rss_ratio < 3 else "NO",
            )
        )
        indexed = measure("reader", "--file", str(big), "--db", str(folder / "idx.json"), "--index")
        rows.append(
            (
                f"{big_mb:.0f} MB text: peak RSS once the library index has read it too",
                f"{indexed['peak_rss_mb']:.0f} MB ({indexed['peak_rss_mb'] / big_mb:.2f}× file;"
                f" indexed {indexed['index_seconds']:.0f} s after start)",
                "",
                "",
            )
        )
        rows.append(
            ("bare Textual app: peak RSS", f"{median_of(bare, 'peak_rss_mb'):.0f} MB", "", "")
        )

    if not args.no_terminal:
        rows.extend(terminal_rows(args.runs))

    print(f"Machine: {machine()}; median of {args.runs} runs\n")
    print("| benchmark | result | target | met |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
