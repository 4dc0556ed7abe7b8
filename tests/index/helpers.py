"""Made-up libraries for the index tests: folders of small documents in tmp_path."""

from __future__ import annotations

from pathlib import Path

from readertui.core.library import scan_library
from readertui.index import LibraryIndex

TEXTS = {
    "a.txt": (
        "Alpha\n\n"
        "The quick brown fox jumps over the lazy dog, near the naïve old mill.\n\n"
        "A second paragraph, with more words in it, about the molten core.\n"
    ),
    "b.txt": (
        "Beta\n\nIt was a bright cold day in April, and the clocks were striking thirteen.\n"
    ),
    "c.md": "# Gamma\n\n## Part one\n\nNothing is highlighted in this one, said the fox.\n",
}


def write_library(root: Path, texts: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in (TEXTS if texts is None else texts).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def open_index(root: Path, index_path: Path) -> LibraryIndex:
    """A fresh scan of `root` and its index at `index_path` (not yet updated)."""
    return LibraryIndex(scan_library(root), path=index_path)


def paths(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [hit.place.path for hit in hits]
