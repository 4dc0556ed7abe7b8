"""Find the highlights of one document that touch a row, an offset, or come next.

The reader asks on every painted row which highlights overlap it; with thousands of
highlights a scan would be too slow. The highlights are kept sorted by start with a running
maximum of their ends, so a query looks only at highlights that can overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from readertui.core.annotations import Annotation


class HighlightIndex:
    """The placed (not orphaned) highlights of one document, for span queries."""

    def __init__(self, annotations: Iterable[Annotation]) -> None:
        placed = sorted(
            (a for a in annotations if not a.orphaned and a.end > a.start),
            key=lambda a: (a.start, a.end),
        )
        self.annotations: tuple[Annotation, ...] = tuple(placed)
        self._starts = [a.start for a in placed]
        # _reach[i]: the furthest end among highlights 0..i, so a backwards scan can stop
        # as soon as nothing earlier reaches the queried span.
        self._reach: list[int] = []
        furthest = 0
        for annotation in placed:
            furthest = max(furthest, annotation.end)
            self._reach.append(furthest)

    def __len__(self) -> int:
        return len(self.annotations)

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Highlights sharing a character with start..end, longest first (so that, painted
        in order, a short highlight inside a long one stays visible)."""
        found: list[Annotation] = []
        index = bisect_left(self._starts, end) - 1
        while index >= 0 and self._reach[index] > start:
            annotation = self.annotations[index]
            if annotation.end > start:
                found.append(annotation)
            index -= 1
        found.sort(key=lambda a: (-(a.end - a.start), a.start))
        return found

    def at(self, offset: int) -> Annotation | None:
        """The innermost (shortest) highlight covering `offset`, if any."""
        covering = self.overlapping(offset, offset + 1)
        return covering[-1] if covering else None

    def next_after(self, offset: int) -> Annotation | None:
        """The first highlight starting after `offset`."""
        index = bisect_right(self._starts, offset)
        return self.annotations[index] if index < len(self.annotations) else None

    def previous_before(self, offset: int) -> Annotation | None:
        """The last highlight starting before `offset`."""
        index = bisect_left(self._starts, offset) - 1
        return self.annotations[index] if index >= 0 else None
