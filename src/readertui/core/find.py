"""Find a literal string in a document: next, previous, the matches in a range, the count.

Smart case, as in vim: a query with no capital letter matches any case; one with a capital
matches exactly. Every place the query occurs is a match, overlapping ones included ("aa"
occurs three times in "aaaa"), so stepping, counting and painting rows agree. Searching
forward and backward only reads as far as the nearest match, so a find in a 100 MB document
answers at once; counting every match is a separate call meant to run off the UI thread.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence


class TextFinder:
    """Matches of one query in one text."""

    def __init__(self, text: str, query: str) -> None:
        self.text = text
        self.query = query
        flags = 0 if any(char.isupper() for char in query) else re.IGNORECASE
        self.pattern = re.compile(re.escape(query), flags)
        # Whether one occurrence can overlap the next ("aa" in "aaaa"): finditer skips those.
        self._overlapping = _overlaps_itself(query, flags)

    def next_match(self, offset: int, *, wrap: bool = True) -> tuple[int, int] | None:
        """The first match starting after `offset` (from the top again when `wrap`)."""
        if not self.query:
            return None
        found = self.pattern.search(self.text, offset + 1)
        if found is None and wrap:
            found = self.pattern.search(self.text, 0)
        return found.span() if found else None

    def match_at_or_after(self, offset: int) -> tuple[int, int] | None:
        """The first match starting at `offset` or later, wrapping to the top."""
        return self.next_match(offset - 1)

    def previous_match(self, offset: int, *, wrap: bool = True) -> tuple[int, int] | None:
        """The last match starting before `offset` (from the bottom again when `wrap`)."""
        if not self.query:
            return None
        found = self._last_before(offset)
        if found is None and wrap:
            found = self._last_before(len(self.text) + 1)
        return found

    def _last_before(self, offset: int) -> tuple[int, int] | None:
        # Widen a window backwards from `offset` until it holds a match.
        window = 65_536
        end = min(len(self.text), offset - 1 + len(self.query))
        while True:
            low = max(0, offset - window)
            last = None
            for last in self._occurrences(low, end):  # noqa: B007
                pass
            if last is not None:
                return last
            if low == 0:
                return None
            window *= 4

    def matches_between(self, start: int, end: int) -> list[tuple[int, int]]:
        """Every match overlapping text[start:end]."""
        if not self.query:
            return []
        low = max(0, start - len(self.query) + 1)
        high = min(len(self.text), end + len(self.query) - 1)
        return list(self._occurrences(low, high))

    def all_starts(self, cancelled: Callable[[], bool] = lambda: False) -> array[int] | None:
        """Start offsets of every match, in order; None when `cancelled()` turned true."""
        starts: array[int] = array("q")
        if not self.query:
            return starts
        for count, (start, _) in enumerate(self._occurrences(0, len(self.text))):
            starts.append(start)
            if count % 4096 == 0 and cancelled():
                return None
        return starts

    def _occurrences(self, low: int, high: int) -> Iterator[tuple[int, int]]:
        """Every match lying within text[low:high], in order, overlapping ones included."""
        # Matching ignores case one character at a time, so a match is as long as the query.
        size = len(self.query)
        for match in self.pattern.finditer(self.text, low, high):
            start = match.start()
            yield start, start + size
            if self._overlapping:
                # finditer goes on after the end of this match; any match it skips starts
                # inside this one (one starting later would be finditer's next).
                for later in range(start + 1, min(start + size, high - size + 1)):
                    if self.pattern.match(self.text, later, high):
                        yield later, later + size


def _overlaps_itself(query: str, flags: int) -> bool:
    """Whether two occurrences of `query` can overlap: some tail of it matches its head."""
    return any(
        re.fullmatch(re.escape(query[: len(query) - shift]), query[shift:], flags)
        for shift in range(1, len(query))
    )


def match_index(starts: Sequence[int], offset: int) -> int:
    """Index (from 0) of the match starting at `offset` in the sorted `starts`."""
    return bisect_left(starts, offset)
