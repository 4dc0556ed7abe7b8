"""Where a library search or a concordance sends the reader: a span of one document.

The two library screens (`library_search`, `concordance`) are dismissed with a
`LibraryJump`; the reader turns it into a `Location` and goes there through its navigation,
so `ctrl+o` comes back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryJump:
    """text[start:end] of the document at `path` (its path in the library): the words that
    matched, or the highlight or passage when no word did. `title` is for messages."""

    path: str
    start: int
    end: int
    title: str = ""
