"""How fast saved web pages convert: the article (trafilatura) and the whole page, in MB/s.

    python benchmarks/html_conversion.py            # 3 runs each, median reported
    python benchmarks/html_conversion.py --runs 5

The pages are the Gutenberg novels of `../shared/corpus` (cp1252, decoded) cut to 1, 3 and
10 MB of HTML: each paragraph a `<p>`, each chapter title an `<h2>`, wrapped in a news site's
page (skip link, cookie banner, menu, share buttons, newsletter box, related stories,
comments, footer, scripts: tests/formats/page_builder.py), saved as UTF-8 files. Each row
times, in this process after a warm-up conversion:

- describe: the metadata, as the library scan asks it of every file (it reads the first
  METADATA_BYTES of the file);
- article: `convert(path)`, the extraction with its spans and outline;
- whole page: `convert(path, whole_page=True)`, every visible text of the page.

Apart, in fresh interpreters: how long importing trafilatura takes (the first page a
process describes or converts pays it once; the converter imports it only then), and the
peak memory (resident set) of a process that converts one page's article.
"""

from __future__ import annotations

import argparse
import html
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from readertui.formats.web_page import METADATA_BYTES, WEB_PAGE_CONVERTER  # noqa: E402
from tests.formats.page_builder import news_page  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "gutenberg"
NOVELS = ("pg2600.txt", "pg1399.txt", "pg2554.txt")
MB = 1_000_000
SIZES_MB = (1, 3, 10)
_CHAPTER = re.compile(r"(CHAPTER|BOOK|PART) [IVXLC0-9]+\b.*")


def build_page(folder: Path, size: int) -> Path:
    """A news article page of about `size` bytes of UTF-8 HTML made of the novels."""
    pieces: list[str] = []
    written = 0
    index = 0
    while written < size:
        novel = (CORPUS / NOVELS[index % len(NOVELS)]).read_text(encoding="cp1252")
        index += 1
        for paragraph in re.split(r"\n\s*\n", novel):
            line = " ".join(paragraph.split())
            if not line:
                continue
            if _CHAPTER.fullmatch(line):
                piece = f"<h2>{html.escape(line)}</h2>\n"
            else:
                piece = f"<p>{html.escape(line)}</p>\n"
            pieces.append(piece)
            written += len(piece.encode())
            if written >= size:
                break
    article = f"<article><h1>Long read</h1>\n{''.join(pieces)}</article>"
    path = folder / f"page-{size // MB}mb.html"
    path.write_text(news_page(article=article).html, encoding="utf-8")
    return path


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_seconds(module: str, runs: int) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(result.stdout))
    return statistics.median(times)


def peak_memory_mb(path: Path) -> float:
    """The peak resident memory of a fresh process converting the article of `path`."""
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from readertui.formats.web_page import WEB_PAGE_CONVERTER\n"
        "WEB_PAGE_CONVERTER.convert(Path(sys.argv[1]))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return int(result.stdout) / 1024  # Linux reports kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per row (median reported)")
    args = parser.parse_args()
    if not (CORPUS / NOVELS[0]).exists():
        sys.exit(f"the Gutenberg corpus is not at {CORPUS}")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, runs: {args.runs}")
    print(
        f"importing trafilatura (fresh process): {import_seconds('trafilatura', args.runs):.2f} s"
    )
    print()
    print(
        "| page | size | describe | article | MB/s | whole page | MB/s | article text "
        "| peak memory |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        pages = [build_page(Path(folder), size * MB) for size in SIZES_MB]
        WEB_PAGE_CONVERTER.convert(pages[0])  # warm-up: imports, caches
        for path in pages:
            size = path.stat().st_size
            describe = median_seconds(
                lambda path=path: WEB_PAGE_CONVERTER.describe(path), args.runs
            )
            article = median_seconds(lambda path=path: WEB_PAGE_CONVERTER.convert(path), args.runs)
            whole = median_seconds(
                lambda path=path: WEB_PAGE_CONVERTER.convert(path, whole_page=True), args.runs
            )
            text = WEB_PAGE_CONVERTER.convert(path).text
            print(
                f"| {path.name} | {size / MB:.1f} MB | {describe * 1000:.0f} ms "
                f"| {article:.2f} s | {size / MB / article:.1f} "
                f"| {whole:.2f} s | {size / MB / whole:.1f} | {len(text) / MB:.1f} M chars "
                f"| {peak_memory_mb(path):.0f} MB |"
            )
    print()
    print(f"describe reads at most the first {METADATA_BYTES // 1024} KB of a page.")


if __name__ == "__main__":
    main()
