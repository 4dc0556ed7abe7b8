"""How fast a 300-page text PDF is converted, whole and its first pages (issue 12).

    python benchmarks/pdf_conversion.py        # a Markdown table; exit status 1 if a
                                               # target is missed

The PDF is written here with fpdf2 (into a temporary folder): 300 A4 pages of 11-point
Helvetica, about 45 lines each, pseudo-random English-like paragraphs (seeded), a running
header with the page number, page numbers at the foot, a bookmarked chapter heading every
ten pages and a word hyphenated at a line end now and then, like a journal volume. Each
row is the median of five runs in this process (pypdfium2 loaded by a warm-up run first,
as the app's background worker would have it):

- whole: `PDF_CONVERTER.convert`, every page;
- first pages: `PDF_CONVERTER.convert_start`, the first ten pages the screen shows first;
- cold first pages: the same in a fresh interpreter, from before importing readertui's PDF
  module (and pypdfium2) to the first pages converted;
- text MB/s: megabytes of extracted text (UTF-8) per second of the whole conversion;
- file MB/s: megabytes of the PDF file per second of the whole conversion.

Targets (issue 12): the whole conversion in < 5 s, the first pages in < 1.5 s.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from readertui.formats.pdf import FIRST_PAGES, PDF_CONVERTER

PAGES = 300
RUNS = 5
WHOLE_TARGET = 5.0
START_TARGET = 1.5
MB = 1_000_000
_VOCABULARY = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when "
    "reading terminal annotation library document chapter evidence argument observation "
    "government population experiment circumstances nevertheless particularly"
)
WORDS = _VOCABULARY.split()


def write_volume(path: Path) -> None:
    """The 300-page journal volume described in the module docstring."""
    from fpdf import FPDF

    rng = random.Random(PAGES)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title("Journal of Benchmarks, volume 3")
    pdf.set_author("A. Writer and B. Reader")
    line_height, bottom = 5.5, 272.0
    y = bottom  # a new page first
    pending: list[str] = []
    while pdf.page_no() < PAGES or pending:
        if y >= bottom:
            if pdf.page_no() == PAGES:
                break
            pdf.add_page()
            number = pdf.page_no()
            pdf.set_font("Helvetica", size=9)
            pdf.text(70, 14, f"Journal of Benchmarks, vol. 3, p. {number + 100}")
            pdf.text(104, 287, str(number + 100))
            y = 28.0
            if number % 10 == 1:
                pdf.set_font("Helvetica", style="B", size=14)
                pdf.set_y(y - 6)
                pdf.start_section(f"Chapter {number // 10 + 1}")
                pdf.text(20, y, f"Chapter {number // 10 + 1}")
                y += 10
            pdf.set_font("Helvetica", size=11)
        if not pending:
            pending = paragraph_lines(pdf, rng)
            y += 3
        pdf.text(20, y, pending.pop(0))
        y += line_height
    pdf.output(str(path))


def paragraph_lines(pdf: Any, rng: random.Random) -> list[str]:
    words = [rng.choice(WORDS) for _ in range(rng.randint(50, 180))]
    words[0] = words[0].capitalize()
    lines, current = [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and pdf.get_string_width(candidate) > 170:
            if len(word) > 8 and rng.random() < 0.5:
                # Break the long word with a hyphen, as a typesetter would.
                lines.append(f"{current} {word[:4]}-")
                current = word[4:]
            else:
                lines.append(current)
                current = word
        else:
            current = candidate
    lines.append(current + ".")
    return lines


COLD = """
import sys, time
began = time.perf_counter()
from pathlib import Path
from readertui.formats.pdf import PDF_CONVERTER
PDF_CONVERTER.convert_start(Path(sys.argv[1]))
print(time.perf_counter() - began)
"""


def cold_start_seconds(path: Path) -> float:
    """The median time a fresh interpreter takes to import the converter and convert the
    first pages."""
    times = []
    for _ in range(RUNS):
        result = subprocess.run(
            [sys.executable, "-c", COLD, str(path)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        times.append(float(result.stdout))
    return statistics.median(times)


def median_seconds(action: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "volume.pdf"
        write_volume(path)
        conversion = PDF_CONVERTER.convert(path)  # warm-up: pypdfium2 loaded
        pages = len(conversion.sections)
        whole = median_seconds(lambda: PDF_CONVERTER.convert(path))
        start = median_seconds(lambda: PDF_CONVERTER.convert_start(path))
        cold = cold_start_seconds(path)
        file_bytes = path.stat().st_size
    text_bytes = len(conversion.text.encode("utf-8"))
    met = whole < WHOLE_TARGET and max(start, cold) < START_TARGET
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}, median of {RUNS} runs")
    print()
    print(
        f"| pages | file | text | whole | first {FIRST_PAGES} pages | cold first pages "
        f"| text MB/s | file MB/s | met (< {WHOLE_TARGET:.0f} s, < {START_TARGET} s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    print(
        f"| {pages} | {file_bytes / MB:.2f} MB | {text_bytes / MB:.2f} MB | {whole:.2f} s "
        f"| {start * 1000:.0f} ms | {cold * 1000:.0f} ms | {text_bytes / MB / whole:.2f} "
        f"| {file_bytes / MB / whole:.2f} | {'yes' if met else 'no'} |"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
