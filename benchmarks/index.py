"""Benchmark: the library index on a 1,000-document, ~100 MB library (issue 10, item 7).

    python benchmarks/index.py                  # a Markdown table; exit status 1 if a target
                                                # is missed
    python benchmarks/index.py --docs 100       # a tenth of the size, for a quick look
    python benchmarks/index.py --library DIR    # keep the generated library in DIR (reused
                                                # when it is already there: same seed, sizes)

The library is generated from the Gutenberg novels in ../shared/corpus/gutenberg (seeded
`random.Random(SEED)`): each document is hard-wrapped paragraphs (Gutenberg style, 70
columns) of 30-180 words, made of runs of 1-6 consecutive words taken from random places of
the novels, so vocabulary and word frequencies are the novels' but no paragraph repeats one
of theirs (a library of 16 copies of three novels would be all near-duplicates). Then
PLANTED near-copies are planted: a paragraph of one document, as a new paragraph of another,
re-wrapped to another width (or not wrapped at all), its curly quotes straightened and up to
one word in ten replaced by another word.

Measured, each in the same run:

- *cold build*: a new index of the whole library, in a child process (so its peak memory is
  the indexing's own), time and MB/s;
- *re-index one edited document*: a word changed in one document, `update` again;
- *search*: 200 mixed queries (one rare or common word, two words, a phrase, a prefix, a
  word with an excluded one), p50 and p95, beside a case-insensitive regular expression scan
  of every text already in memory for the same words (the `grep` a user has);
- *cross-references* (what the sidebar asks per cursor move): p50 and p95 over 200 passages;
- *same passage*: from each planted copy's source, is the copy found (and the other way
  round) — recall; of everything listed as the same passage for those, how much is a
  planted copy — precision;
- *peak RSS* of the process building the index.

Key-press latency while the index builds belongs with the UI (the sidebar issue), not here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from readertui.core.decoding import read_text_file
from readertui.core.library import scan_library
from readertui.index import LibraryIndex

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "gutenberg"
SEED = 1010
DOCS = 1_000
DOC_BYTES = 100_000
PLANTED = 500
QUERIES = 200
XREF_PASSAGES = 200
REGEX_QUERIES = 20  # a full regex scan costs seconds: time a sample of the words

TARGETS = {
    "build_s": 20.0,
    "reindex_s": 1.0,
    "search_p95_ms": 50.0,
    "search_vs_regex": 0.2,
    "xref_p95_ms": 100.0,
    "recall": 0.95,
    "precision": 0.95,
    "rss_mb": 500.0,
}


@dataclass(frozen=True)
class Plant:
    """A planted copy: the source paragraph's start in its document, the copy's in its."""

    source: str
    source_offset: int
    copy: str
    copy_offset: int


# -- the library ----------------------------------------------------------------------------


def corpus_words() -> list[str]:
    words: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        words += read_text_file(path, max_bytes=1 << 30).text.split()
    return words


def make_paragraph(rng: random.Random, words: list[str]) -> list[str]:
    target = rng.randint(30, 180)
    chosen: list[str] = []
    while len(chosen) < target:
        at = rng.randrange(len(words) - 6)
        chosen += words[at : at + rng.randint(1, 6)]
    return chosen[:target]


def wrap(words: list[str], width: int | None) -> str:
    if width is None:
        return " ".join(words)
    lines: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def near_copy(rng: random.Random, words: list[str], vocabulary: list[str]) -> str:
    changed = list(words)
    for index in rng.sample(range(len(changed)), rng.randint(0, len(changed) // 10)):
        changed[index] = rng.choice(vocabulary)
    text = wrap(changed, rng.choice([None, 50, 60, 66, 80, 90]))
    return text.translate(str.maketrans("“”‘’", "\"\"''"))


def generate(folder: Path, docs: int, doc_bytes: int, planted: int) -> list[Plant]:
    """Write the library into `folder`; the planted copies (also saved in .plants.json)."""
    rng = random.Random(SEED)
    words = corpus_words()
    vocabulary = sorted(set(words))
    paragraphs: list[list[list[str]]] = []
    for _ in range(docs):
        size = 0
        document: list[list[str]] = []
        while size < doc_bytes:
            paragraph = make_paragraph(rng, words)
            document.append(paragraph)
            size += sum(len(word) + 1 for word in paragraph) + 1
        paragraphs.append(document)
    originals = [[wrap(paragraph, 70) for paragraph in document] for document in paragraphs]
    texts = [list(document) for document in originals]
    # Paragraphs are told apart by identity (each is its own str object), so the offsets of
    # a source and of its copy are found once every copy is in place.
    pairs: list[tuple[int, str, int, str]] = []
    for _ in range(planted):
        doc = rng.randrange(docs)
        number = rng.randrange(len(paragraphs[doc]))
        other = rng.choice([d for d in range(docs) if d != doc] if docs > 1 else [doc])
        copy = near_copy(rng, paragraphs[doc][number], vocabulary)
        texts[other].insert(rng.randrange(len(texts[other]) + 1), copy)
        pairs.append((doc, originals[doc][number], other, copy))
    folder.mkdir(parents=True, exist_ok=True)
    offsets: list[dict[int, int]] = []
    for number, document in enumerate(texts):
        head = f"Document {number}\n\n"
        (folder / name(number)).write_text(head + "\n\n".join(document) + "\n", "utf-8")
        where: dict[int, int] = {}
        position = len(head)
        for paragraph in document:
            where[id(paragraph)] = position
            position += len(paragraph) + 2
        offsets.append(where)
    plants = [
        Plant(name(doc), offsets[doc][id(source)], name(other), offsets[other][id(copy)])
        for doc, source, other, copy in pairs
    ]
    (folder / ".plants.json").write_text(json.dumps([p.__dict__ for p in plants]))
    return plants


def name(number: int) -> str:
    return f"doc{number:04}.txt"


def library_folder(args: argparse.Namespace) -> tuple[Path, list[Plant]]:
    folder = args.library or Path(tempfile.mkdtemp(prefix="readertui-index-bench-"))
    stamp = folder / ".generated.json"
    wanted = {"seed": SEED, "docs": args.docs, "doc_bytes": DOC_BYTES, "planted": args.planted}
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        plants = [Plant(**p) for p in json.loads((folder / ".plants.json").read_text())]
        return folder, plants
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    plants = generate(folder, args.docs, DOC_BYTES, args.planted)
    stamp.write_text(json.dumps(wanted))
    print(f"generated the library in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return folder, plants


# -- measuring ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def tree_rss_mb() -> float:
    """The resident memory of this process and every process below it (the index's worker
    processes are children of multiprocessing's fork server, itself a child of this one)."""
    parents: dict[int, int] = {}
    rss: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip() or 0)
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
    me = os.getpid()

    def below(pid: int) -> bool:
        while pid > 1:
            if pid == me:
                return True
            pid = parents.get(pid, 0)
        return False

    return sum(value for pid, value in rss.items() if below(pid))


class MemoryWatch:
    """Samples `tree_rss_mb` in a thread; `peak` is the largest seen."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, tree_rss_mb())


def build_in_child(folder: Path, index_path: Path) -> dict[str, float]:
    """Build the index in a new process: its time and its peak memory."""
    done = subprocess.run(
        [sys.executable, __file__, "--build-only", str(folder), str(index_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def build_only(folder: Path, index_path: Path) -> None:
    library = scan_library(folder)
    with MemoryWatch() as memory:
        started = time.perf_counter()
        with LibraryIndex(library, path=index_path) as index:
            report = index.update()
        seconds = time.perf_counter() - started
    assert len(report.indexed) == len(library.entries), report.failed
    rss = max(memory.peak, peak_rss_mb())
    print(json.dumps({"seconds": seconds, "rss_mb": rss}))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def make_queries(rng: random.Random, texts: list[str]) -> list[tuple[str, list[str]]]:
    """(query, its plain words) of five kinds, in turn."""
    words = [w for w in re.findall(r"[A-Za-z]{4,}", " ".join(rng.sample(texts, 20)))]
    common = [w for w in words if w.lower() in {"there", "would", "which", "their", "before"}]
    queries: list[tuple[str, list[str]]] = []
    for number in range(QUERIES):
        first, second = rng.choice(words), rng.choice(words)
        kind = number % 5
        if kind == 0:
            choice = rng.choice(common or words) if number % 10 == 0 else first
            queries.append((choice, [choice]))
        elif kind == 1:
            queries.append((f"{first} {second}", [first, second]))
        elif kind == 2:
            queries.append((f'"{first} {second}"', [first]))
        elif kind == 3:
            queries.append((f"{first[:3]}*", [first[:3]]))
        else:
            queries.append((f"{first} -{second}", [first]))
    return queries


def measure(args: argparse.Namespace) -> dict[str, float]:
    folder, plants = library_folder(args)
    work = Path(tempfile.mkdtemp(prefix="readertui-index-cache-"))
    index_path = work / "index.sqlite3"
    try:
        total_bytes = sum(p.stat().st_size for p in folder.glob("*.txt"))
        built = build_in_child(folder, index_path)
        results: dict[str, float] = {
            "docs": float(len(list(folder.glob("*.txt")))),
            "mb": total_bytes / 1e6,
            "build_s": built["seconds"],
            "build_mb_s": total_bytes / 1e6 / built["seconds"],
            "rss_mb": built["rss_mb"],
            "index_mb": sum(f.stat().st_size for f in work.iterdir() if f.name.startswith("index"))
            / 1e6,
        }
        rng = random.Random(SEED + 1)
        edited = folder / name(rng.randrange(int(results["docs"])))
        original = edited.read_text(encoding="utf-8")
        try:
            edited.write_text(original.replace(" the ", " thee ", 1), encoding="utf-8")
            with LibraryIndex(scan_library(folder), path=index_path) as index:
                started = time.perf_counter()
                report = index.update()
                results["reindex_s"] = time.perf_counter() - started
                assert report.indexed == (edited.name,), report
        finally:
            edited.write_text(original, encoding="utf-8")
        with LibraryIndex(scan_library(folder), path=index_path) as index:
            index.update()
            results.update(measure_queries(index, folder, rng))
            results.update(measure_same_passage(index, plants))
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if args.library is None:
            shutil.rmtree(folder, ignore_errors=True)


def measure_queries(index: LibraryIndex, folder: Path, rng: random.Random) -> dict[str, float]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    queries = make_queries(rng, texts)
    index.search("warm up")
    timings = []
    for query, _ in queries:
        started = time.perf_counter()
        index.search(query, 20)
        timings.append((time.perf_counter() - started) * 1000)
    scans = []
    for _query, plain in queries[:: max(1, len(queries) // REGEX_QUERIES)][:REGEX_QUERIES]:
        pattern = re.compile(r"\b" + re.escape(plain[0]), re.IGNORECASE)
        started = time.perf_counter()
        for text in texts:
            pattern.findall(text)
        scans.append((time.perf_counter() - started) * 1000)
    passages = []
    for _ in range(XREF_PASSAGES):
        path = name(rng.randrange(len(texts)))
        passages.append((path, rng.randrange(len(texts[int(path[3:7])]))))
    xref_timings = []
    for path, offset in passages:
        started = time.perf_counter()
        index.cross_references(path, offset)
        xref_timings.append((time.perf_counter() - started) * 1000)
    return {
        "search_p50_ms": percentile(timings, 0.5),
        "search_p95_ms": percentile(timings, 0.95),
        "regex_ms": statistics.median(scans),
        "search_vs_regex": percentile(timings, 0.95) / statistics.median(scans),
        "xref_p50_ms": percentile(xref_timings, 0.5),
        "xref_p95_ms": percentile(xref_timings, 0.95),
    }


def measure_same_passage(index: LibraryIndex, plants: list[Plant]) -> dict[str, float]:
    found = 0
    listed = 0
    right = 0
    truth: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for plant in plants:
        source = index.passage_at(plant.source, plant.source_offset)
        copy = index.passage_at(plant.copy, plant.copy_offset)
        assert source is not None and copy is not None
        a = (source.place.path, source.place.start)
        b = (copy.place.path, copy.place.start)
        truth.setdefault(a, set()).add(b)
        truth.setdefault(b, set()).add(a)
    for (path, start), partners in truth.items():
        same = index.cross_references(path, start).same
        places = {(entry.place.path, entry.place.start) for entry in same}
        found += len(places & partners)
        listed += len(places)
        right += len(places & partners)
    wanted = sum(len(partners) for partners in truth.values())
    return {
        "recall": found / wanted if wanted else 1.0,
        "precision": right / listed if listed else 1.0,
        "planted": float(len(plants)),
    }


# -- the table ------------------------------------------------------------------------------


def table(results: dict[str, float]) -> tuple[str, bool]:
    def row(what: str, value: str, key: str | None, smaller: bool = True) -> tuple[str, bool]:
        if key is None:
            return f"| {what} | {value} | | |", True
        target = TARGETS[key]
        good = results[key] <= target if smaller else results[key] >= target
        shown = f"≤ {target:g}" if smaller else f"≥ {target:.0%}"
        return f"| {what} | {value} | {shown} | {'yes' if good else '**no**'} |", good

    rows = [
        row("library", f"{results['docs']:.0f} documents, {results['mb']:.1f} MB", None),
        row("cold index build (s)", f"{results['build_s']:.1f}", "build_s"),
        row("cold index build (MB/s)", f"{results['build_mb_s']:.1f}", None),
        row("index file (MB)", f"{results['index_mb']:.0f}", None),
        row("re-index one edited document (s)", f"{results['reindex_s']:.2f}", "reindex_s"),
        row("search p50 (ms)", f"{results['search_p50_ms']:.1f}", None),
        row("search p95 (ms)", f"{results['search_p95_ms']:.1f}", "search_p95_ms"),
        row("regex scan of all texts, median (ms)", f"{results['regex_ms']:.0f}", None),
        row("search p95 / regex scan", f"{results['search_vs_regex']:.3f}", "search_vs_regex"),
        row("cross-references p50 (ms)", f"{results['xref_p50_ms']:.1f}", None),
        row("cross-references p95 (ms)", f"{results['xref_p95_ms']:.1f}", "xref_p95_ms"),
        row(
            f"same passage recall ({results['planted']:.0f} planted)",
            f"{results['recall']:.1%}",
            "recall",
            smaller=False,
        ),
        row("same passage precision", f"{results['precision']:.1%}", "precision", smaller=False),
        row("peak RSS while indexing, workers too (MB)", f"{results['rss_mb']:.0f}", "rss_mb"),
    ]
    lines = ["| measure | value | target | met |", "|---|---|---|---|"]
    lines += [line for line, _ in rows]
    return "\n".join(lines), all(good for _, good in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=DOCS)
    parser.add_argument("--planted", type=int, default=PLANTED)
    parser.add_argument("--library", type=Path, help="generate (or reuse) the library here")
    parser.add_argument("--build-only", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build_only(*args.build_only)
        return 0
    if not CORPUS.is_dir():
        print(f"the corpus is missing: {CORPUS}", file=sys.stderr)
        return 2
    load = os.getloadavg()[0]
    results = measure(args)
    text, met = table(results)
    # Other work on the machine slows every figure (the regex scan too): say how much.
    print(
        f"Library index, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"load average {load:.1f} before the run, {os.getloadavg()[0]:.1f} after\n"
    )
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
