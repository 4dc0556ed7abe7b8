"""Find the highlights of one document that touch a row, an offset, or come next.

The reader asks on every painted row which highlights overlap it; with thousands of
highlights a scan would be too slow. The highlights are kept sorted by start with a running
maximum of their ends, so a query looks only at highlights that can overlap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from readertui.core.annotations import Annotation


def _order(annotation: Annotation) -> tuple[int, int, str]:
    return annotation.start, annotation.end, annotation.id


def _shown(annotation: Annotation) -> bool:
    return not annotation.orphaned and annotation.end > annotation.start


class HighlightIndex:
    """The placed (not orphaned) highlights of one document, for span queries."""

    def __init__(self, annotations: Iterable[Annotation]) -> None:
        # Ordered by span, then id: one order however they came (an edited index agrees).
        placed = sorted(filter(_shown, annotations), key=_order)
        self.annotations: tuple[Annotation, ...] = tuple(placed)
        self._starts = [a.start for a in placed]
        # _reach[i]: the furthest end among highlights 0..i, so a backwards scan can stop
        # as soon as nothing earlier reaches the queried span.
        self._reach: list[int] = []
        self._reach_from(0)

    def _reach_from(self, index: int) -> None:
        del self._reach[index:]
        furthest = self._reach[-1] if self._reach else 0
        reach = self._reach
        for annotation in self.annotations[index:]:
            end = annotation.end
            if end > furthest:
                furthest = end
            reach.append(furthest)

    def changed(self, removed: Iterable[Annotation], added: Iterable[Annotation]) -> HighlightIndex:
        """A new index without `removed` and with `added` (this one is left as it is).

        What one edit costs: a few list insertions and the running maximum from the first
        place that changed, instead of sorting every highlight of the document again.
        """
        placed = list(self.annotations)
        starts = list(self._starts)
        first = len(placed)
        for annotation in removed:
            index = bisect_left(starts, annotation.start)
            while index < len(placed) and starts[index] == annotation.start:
                if placed[index].id == annotation.id:
                    del placed[index], starts[index]
                    first = min(first, index)
                    break
                index += 1
        for annotation in added:
            if not _shown(annotation):
                continue
            index = bisect_left(starts, annotation.start)
            key = _order(annotation)
            while (
                index < len(placed)
                and starts[index] == annotation.start
                and _order(placed[index]) < key
            ):
                index += 1
            placed.insert(index, annotation)
            starts.insert(index, annotation.start)
            first = min(first, index)
        result = HighlightIndex.__new__(HighlightIndex)
        result.annotations = tuple(placed)
        result._starts = starts
        result._reach = self._reach[:first]
        result._reach_from(first)
        return result

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
