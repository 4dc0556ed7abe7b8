"""A place in the library: a document, the cursor's offset in it, and what was on screen.

Every jump (opening a document, the outline, find, `g`/`G`, `]`/`[`, the notes list, the
palette, cross-references) goes to a `Location`, and the jump history keeps them.
"""

from __future__ import annotations

from typing import NamedTuple


class Location(NamedTuple):
    """Where the reader is: `offset` is the cursor in the text of `document` (its path in the
    library); `top` is the offset the first row on screen starts at, or None when the
    screen is to be placed around the cursor."""

    document: str
    offset: int
    top: int | None = None

    def same_place(self, other: Location) -> bool:
        """Whether both name the same cursor position (what was on screen aside)."""
        return self.document == other.document and self.offset == other.offset
