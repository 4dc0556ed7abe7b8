"""How fast an EPUB is converted, and how fast its cached conversion comes back (issue 12).

    python benchmarks/epub_conversion.py      # a Markdown table

War and Peace as an EPUB (`../shared/corpus/epub/pg2600.epub`: 20 chapters, 3.2 M characters),
median of five runs in this process (selectolax loaded by a warm-up run first, as the app's
worker would have it):

- convert: `EPUB_CONVERTER.convert`, the whole book;
- cold convert: the same in a fresh interpreter, from before importing readertui's EPUB
  module (and selectolax) to the book converted;
- cache write / cache read: the conversion stored in and read back from the conversion cache
  (readertui.core.conversion_cache), as every open after the first reads it;
- text MB/s: megabytes of the book's text (UTF-8) per second of the whole conversion; file
  MB/s: megabytes of the EPUB file per second.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from readertui.core.conversion_cache import ConversionCache, StoredConversion
from readertui.formats.epub import EPUB_CONVERTER

BOOK = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "epub" / "pg2600.epub"
RUNS = 5


def median_seconds(action: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cold_seconds() -> float:
    script = (
        "import time; started = time.perf_counter()\n"
        "from pathlib import Path\n"
        "from readertui.formats.epub import EPUB_CONVERTER\n"
        f"EPUB_CONVERTER.convert(Path({str(BOOK)!r}))\n"
        "print(time.perf_counter() - started)\n"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", script], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(RUNS)
    ]
    return statistics.median(runs)


def main() -> int:
    if not BOOK.exists():
        print(f"the EPUB is missing: {BOOK}", file=sys.stderr)
        return 2
    conversion = EPUB_CONVERTER.convert(BOOK)  # warm-up
    convert = median_seconds(lambda: EPUB_CONVERTER.convert(BOOK))
    cold = cold_seconds()
    text_mb = len(conversion.text.encode("utf-8")) / 1e6
    file_mb = BOOK.stat().st_size / 1e6
    with tempfile.TemporaryDirectory(prefix="readertui-epub-bench-") as folder:
        cache = ConversionCache(Path(folder))
        stored = StoredConversion.of(conversion)
        write = median_seconds(lambda: cache.put("book", stored))
        read = median_seconds(lambda: cache.get("book"))
        assert cache.get("book") is not None
    print(
        f"{BOOK.name}: {file_mb:.2f} MB file, {text_mb:.2f} MB of text, "
        f"{len(conversion.spans)} spans; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
    )
    print("| EPUB (War and Peace) | median |")
    print("|---|---|")
    print(
        f"| convert | {convert * 1000:.0f} ms ({text_mb / convert:.1f} MB/s of text, "
        f"{file_mb / convert:.1f} MB/s of file) |"
    )
    print(f"| cold convert (fresh interpreter, imports included) | {cold * 1000:.0f} ms |")
    print(f"| conversion cache: write / read | {write * 1000:.0f} / {read * 1000:.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
