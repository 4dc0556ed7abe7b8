"""How long exports and imports take with 1,000 and 10,000 annotations over three novels.

`python benchmarks/export.py` prints a Markdown table. The library is the three Gutenberg
novels of `../shared/corpus` (1-3 MB each, cp1252); annotations of 20-300 characters are
spread evenly over them, a third with a note, most with a tag. Each row times, in this
process (as `readertui export` and `import` would run, without their interpreter start-up):

- Markdown: one file per document, every document read and re-anchored first;
- again: the same export when nothing changed (every file compared, none written);
- JSON: every annotation to one W3C Web Annotation file;
- import: that file into an empty database, and a second time (nothing to add).

Target (ours): exporting or importing 10,000 annotations takes less than 2 s.
"""

from __future__ import annotations

import platform
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import Library, scan_library
from readertui.export.exporting import ExportRequest, export_to_file, export_to_folder
from readertui.export.importing import ImportResult, import_annotations, read_import_file
from readertui.store.store import Store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "gutenberg"
SIZES = (1_000, 10_000)
TARGET_SECONDS = 2.0
T = TypeVar("T")
TAGS = ("people", "place/Moscow", "place/Paris", "war", "method")


def fill(library: Library, db: Path, count: int) -> None:
    rng = random.Random(count)
    documents = [load_document(entry.path, library.root) for entry in library.entries]
    annotations = []
    for number in range(count):
        document = documents[number % len(documents)]
        length = rng.randint(20, 300)
        start = rng.randrange(0, len(document.text) - length)
        annotations.append(
            new_annotation(
                document.text,
                DocumentRef(document.rel_path, document.sha256, document.metadata.title),
                start,
                start + length,
                note=f"Note {number}: worth a second look." if number % 3 == 0 else "",
                tags=rng.sample(TAGS, rng.randint(0, 2)),
            )
        )
    with Store(db) as store:
        store.save_annotations(annotations)


def timed(action: Callable[[], T]) -> tuple[float, T]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def measure(count: int, work: Path) -> list[str]:
    library_root = work / "library"
    library = scan_library(library_root)
    db = work / f"db-{count}.json"
    fill(library, db, count)
    out = work / f"out-{count}"
    json_file = work / f"export-{count}.json"
    with Store(db) as store:
        markdown, _ = timed(lambda: export_to_folder(out, library, store, ExportRequest()))
        again, result = timed(lambda: export_to_folder(out, library, store, ExportRequest()))
        assert not result.written
        as_json, _ = timed(
            lambda: export_to_file(json_file, library, store, ExportRequest(format="json"))
        )
    fresh = work / f"fresh-{count}.json"

    def import_once() -> ImportResult:
        with Store(fresh) as store:
            return import_annotations(read_import_file(json_file), store, library)

    first_import, _ = timed(import_once)
    second_import, second = timed(import_once)
    assert second.added == 0
    slowest = max(markdown, as_json, first_import)
    met = "yes" if count != SIZES[-1] or slowest < TARGET_SECONDS else "no"
    cells = (markdown, again, as_json, first_import, second_import)
    return [
        f"| {count:,} | "
        + " | ".join(f"{seconds * 1000:.0f} ms" for seconds in cells)
        + f" | {met if count == SIZES[-1] else '—'} |"
    ]


def main() -> None:
    if not CORPUS.exists():
        raise SystemExit(f"the corpus is not at {CORPUS}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "library").mkdir()
        for novel in sorted(CORPUS.glob("*.txt")):
            shutil.copy(novel, work / "library" / novel.name)
        rows = [row for count in SIZES for row in measure(count, work)]
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}")
    print()
    print(
        "| annotations | Markdown export | again, unchanged | JSON export | import | "
        "import again | met (10k: < 2 s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
