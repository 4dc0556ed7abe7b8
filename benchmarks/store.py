"""How long the annotation store takes to say `saved`, and to open, at 1k, 10k and 50k annotations.

`python benchmarks/store.py` prints a Markdown table. For each size a database is filled with
generated annotations of realistic sizes (quotes of 20-300 characters with 32 characters of
context each side, a note on a third of them, up to three tags, forty documents), then:

- open: `Store(path)` (the first open in a process also copies the file to a backup);
- save: `save_annotation` of one new highlight, which returns once the file is replaced and
  fsynced: the time until the status line may say `saved`. The first save after opening
  encodes every record; later ones re-encode only what changed (store/encoding.py);
- save after a merge: the same, when another process has written meanwhile, so the save
  re-reads the file and merges it first;
- first read: `annotations(doc)` of one document and `tags()` right after opening, when their
  records are first turned into Annotation objects.

Target: saving one highlight takes less than 1 s at 10k annotations.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from readertui.core.annotations import Annotation, DocumentRef, Quote, new_annotation, now_iso
from readertui.store.store import Store

SIZES = (1_000, 10_000, 50_000)
TARGET_SIZE = 10_000
TARGET_SECONDS = 1.0
DOCUMENTS = 40
TAGS = ("todo", "people/Marx", "people/Engels", "place/Jiayuguan", "place/Xi'an", "quote", "method")
# Common English words and a few from the sample library, for text of plausible shape.
_VOCABULARY = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there had been one all we their has would when "
    "history labour capital commodity value river wall desert garrison letter"
)
WORDS = tuple(_VOCABULARY.split())


@dataclass(frozen=True)
class Figures:
    """One size's measurements, in seconds and bytes."""

    annotations: int
    file_bytes: int
    first_open: float
    open: float
    first_save: float
    save: float
    save_max: float
    save_after_merge: float
    first_document_read: float
    first_tags: float


def words(rng: random.Random, length: int) -> str:
    """Text of exactly `length` characters made of words."""
    parts: list[str] = []
    total = 0
    while total < length:
        word = rng.choice(WORDS)
        parts.append(word)
        total += len(word) + 1
    return " ".join(parts)[:length]


def generated(count: int, seed: int = 2600) -> list[Annotation]:
    """`count` annotations spread over DOCUMENTS documents, as a year of reading might leave."""
    rng = random.Random(seed)
    documents = [
        DocumentRef(
            f"books/volume-{n:02d}.txt",
            hashlib.sha256(str(n).encode()).hexdigest(),
            f"Volume {n}: {words(rng, 30)}",
        )
        for n in range(DOCUMENTS)
    ]
    made: list[Annotation] = []
    for n in range(count):
        stamp = now_iso()
        start = rng.randrange(0, 3_000_000)
        quote = words(rng, rng.randint(20, 300))
        made.append(
            Annotation(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                doc=documents[n % DOCUMENTS],
                quote=Quote(quote, words(rng, 32), words(rng, 32)),
                start=start,
                end=start + len(quote),
                color=rng.choice(("yellow", "green", "blue", "pink", "purple")),
                note=words(rng, rng.randint(20, 600)) if rng.random() < 1 / 3 else "",
                tags=tuple(rng.sample(TAGS, rng.randint(0, 3))),
                created=stamp,
                updated=stamp,
            )
        )
    return made


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(count: int, folder: Path, repeats: int) -> Figures:
    """Fill a database with `count` annotations in `folder`, then time the operations."""
    path = folder / f"annotations-{count}.json"
    existing = generated(count)
    with Store(path) as store:
        store.save_annotations(existing)

    first_open = timed(lambda: Store(path).close())  # the process's first open: makes a backup
    opens = [timed(lambda: Store(path).close()) for _ in range(repeats)]

    text = words(random.Random(count), 5_000)
    doc = existing[0].doc
    store = Store(path)
    first_document_read = timed(lambda: store.annotations(doc.path))
    first_tags = timed(store.tags)
    first_save = timed(lambda: store.save_annotation(new_annotation(text, doc, 0, 60)))
    saves: list[float] = []
    merged_saves: list[float] = []
    with Store(path) as other_process:
        for n in range(repeats):
            highlight = new_annotation(text, doc, n * 10, n * 10 + 60)
            saves.append(timed(lambda highlight=highlight: store.save_annotation(highlight)))
            other_process.set_reading_position(f"elsewhere-{n}.txt", n)
            highlight = new_annotation(text, doc, n * 10 + 100, n * 10 + 160)
            merged_saves.append(timed(lambda highlight=highlight: store.save_annotation(highlight)))
    assert len(store.annotations()) == count + 1 + 2 * repeats
    store.close()
    return Figures(
        annotations=count,
        file_bytes=path.stat().st_size,
        first_open=first_open,
        open=statistics.median(opens),
        first_save=first_save,
        save=statistics.median(saves),
        save_max=max(saves),
        save_after_merge=statistics.median(merged_saves),
        first_document_read=first_document_read,
        first_tags=first_tags,
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def table(results: list[Figures], repeats: int) -> list[str]:
    lines = [
        "| annotations | file | open (first, with backup) | open | first save after opening "
        f"| save one highlight (median of {repeats}, max) | save after another process wrote "
        "| first `annotations(doc)` | first `tags()` |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for figures in results:
        lines.append(
            f"| {figures.annotations:,} | {figures.file_bytes / 1e6:.1f} MB "
            f"| {ms(figures.first_open)} | {ms(figures.open)} | {ms(figures.first_save)} "
            f"| {ms(figures.save)} (max {ms(figures.save_max)}) "
            f"| {ms(figures.save_after_merge)} | {ms(figures.first_document_read)} "
            f"| {ms(figures.first_tags)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> list[Figures]:
    """Run the benchmark, print the Markdown table, return the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeats", type=int, default=7, help="saves and opens per size")
    parser.add_argument("--dir", type=Path, help="where to put the databases (default: a temp dir)")
    args = parser.parse_args(argv)

    results: list[Figures] = []
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for count in args.sizes:
            results.append(measure(count, Path(folder), args.repeats))
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}; fsync included\n")
    print("\n".join(table(results, args.repeats)))
    for figures in results:
        if figures.annotations == TARGET_SIZE:
            slowest = max(figures.first_save, figures.save_max, figures.save_after_merge)
            met = slowest < TARGET_SECONDS
            print(
                f"\nTarget: `saved` within {TARGET_SECONDS:g} s at {TARGET_SIZE:,} annotations: "
                f"median {ms(figures.save)}, slowest case {ms(slowest)}: "
                f"{'met' if met else 'NOT met'}."
            )
    return results


if __name__ == "__main__":
    main()
