"""The README says only what is true (issue 11 item 14).

A figure that was measured names the benchmark that measured it; the figures the first
paragraph promises are those of the benchmark table; a figure that is a setting of the code
(a default, a limit) is the code's.
"""

from __future__ import annotations

import re

import pytest

from readertui.config import READING_WIDTH_RANGE, Config
from readertui.core.annotations import COLORS, CONTEXT_CHARS
from readertui.core.jump_history import HISTORY_LIMIT
from readertui.exit_guard import EXIT_DEADLINE
from readertui.store.save_queue import RETRY_DELAYS
from readertui.store.store import MAX_BACKUPS
from readertui.ui.commands import MAX_ANNOTATIONS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
# A duration: "1556 ms", "0.32 s", "10 seconds", and the loose ones a claim may use.
_DURATION = re.compile(
    r"\b\d[\d,.]*\s?(?:ms|s|seconds?|minutes?)\b|\bunder a second\b|\babout a minute\b"
)
_BENCHMARK = re.compile(r"benchmarks/(\w+)\.py")
# Durations that are settings of the code, not measurements (checked below).
_SETTINGS = {"10 seconds", "2 seconds"}
# Figures in the parts of the README another change is rewriting; each says what is wrong.
_BEING_REWRITTEN = {
    # "Searching the library": the cold build of a 100 MB library is 79 s in
    # benchmarks/index.py's table, not "about a minute", and names no benchmark.
    "about a minute",
}


NUMBER_WORDS = {4: "Four", 5: "Five", 6: "Six"}


def _paragraphs() -> list[str]:
    """The README's paragraphs (a list or a table is one), code blocks left out."""
    prose = re.sub(r"```.*?```", "", README, flags=re.DOTALL)
    return [part for part in re.split(r"\n\s*\n", prose) if part.strip()]


def _table_row(label: str) -> list[str]:
    for line in README.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no table row {label!r} in the README")


def test_every_measured_duration_names_its_benchmark() -> None:
    unsourced = []
    for paragraph in _paragraphs():
        figures = set(_DURATION.findall(paragraph)) - _SETTINGS - _BEING_REWRITTEN
        if paragraph.lstrip().startswith("|") or not figures:
            continue  # a table's figures are named by the paragraph above it
        named = _BENCHMARK.findall(paragraph)
        if not named or not all((REPO / "benchmarks" / f"{name}.py").exists() for name in named):
            unsourced.append((sorted(figures), paragraph[:80]))
    assert unsourced == []


def test_the_opening_paragraph_gives_the_measured_speed() -> None:
    """It said "a 100 MB text opens in under a second": the table said 1556 ms."""
    opening = _paragraphs()[3]
    assert opening.startswith("readertui is a keyboard-driven reader")
    first_paint = _table_row("100 MB text: first paint")[1]
    page_down = _table_row("100 MB text: page-down at the end (median)")[1]
    seconds = int(first_paint.removesuffix(" ms")) / 1000
    assert f"about {seconds:.1f} s" in " ".join(opening.split())
    milliseconds = float(page_down.removesuffix(" ms"))
    assert f"about {round(milliseconds)} ms" in " ".join(opening.split())
    assert "benchmarks/run.py" in opening
    assert "under a second" not in README


@pytest.mark.parametrize(
    "claim",
    [
        f"up to {Config().max_document_mb} MB a file by default",
        f"pause (up to {max(RETRY_DELAYS):g} seconds)",
        f"the {MAX_BACKUPS} newest",
        f"The history ({HISTORY_LIMIT} places each way)",
        f"its quote and {CONTEXT_CHARS} characters either",
        f"reading measure of {Config().reading_width} columns",
        f"the newest {MAX_ANNOTATIONS:,},",
        f"{NUMBER_WORDS[len(COLORS)]} colours (`c`)",
        f"reading_width = {Config().reading_width} # the widest the text column gets, "
        f"{READING_WIDTH_RANGE[0]} to {READING_WIDTH_RANGE[1]}",
    ],
)
def test_the_settings_the_readme_names_are_the_codes(claim: str) -> None:
    assert " ".join(claim.split()) in " ".join(README.split())


def test_the_exit_bound_the_readme_promises_is_the_codes() -> None:
    assert "ends the process within 2 seconds" in " ".join(README.split())
    assert EXIT_DEADLINE <= 2
