"""Find a string in a document: next, previous, the matches in a range, the count.

What a query matches, one rule per kind of difference (the plain form matches every variant,
a particular one only itself):

- Case, as vim's smart case: a query with no capital letter matches any case; one with a
  capital matches case exactly.
- Diacritics: a letter without one matches that letter with any (`natasha` finds
  `Natásha`, `Natasha` too); an accented letter in the query matches only that accent
  (`natásha` does not find `Natàsha` or `Natasha`). A letter followed by combining marks in
  the text (`a` + U+0301) counts as the precomposed letter.
- Quotation marks, dashes and spaces: `'` matches any single quote (’ ‘ …), `"` any double
  one (“ ” « » …), `-` any dash (– — …), a space any blank or line break (a hard-wrapped
  line end shows as a space); a curly quote or a dash typed in the query only itself.

Matching runs on the text as it is, so every match's offsets are those of the text (a
decomposed letter's mark is inside its match). Every place the query occurs is a match,
overlapping ones included ("aa" occurs three times in "aaaa"), so stepping, counting and
painting rows agree. Searching forward and backward only reads as far as the nearest match,
so a find in a 100 MB document answers at once; counting every match is a separate call
meant to run off the UI thread.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from readertui.core.folding import KINDS, accented_forms, base_letter

#: The most combining marks a match takes after one letter of the query.
_MAX_MARKS = 4
#: Combining marks: the common block and its supplements, as a regular expression.
_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_AFTER_A_LETTER = f"{_MARKS}{{0,{_MAX_MARKS}}}"
#: The plain character of each kind (space, ', ", -) and all the characters it matches.
_OF_THE_KIND = {plain: plain + variants for plain, variants in KINDS}
#: The particular characters of those kinds (curly quotes, dashes, blanks).
_PARTICULAR = frozenset("".join(variants for _, variants in KINDS))


class _Piece(NamedTuple):
    """What one character of the query matches: a pattern, how many characters of the text
    it takes at most, and the characters its match can start with."""

    pattern: str
    longest: int
    first: frozenset[str]


def _piece(char: str, any_case: bool) -> _Piece:
    if char in _OF_THE_KIND:
        return _Piece(_one_of(_OF_THE_KIND[char]), 1, frozenset(_OF_THE_KIND[char]))
    if char in _PARTICULAR or unicodedata.combining(char) or not char.isalpha():
        return _Piece(re.escape(char), 1, frozenset(char))
    cases = {char}
    if any_case:
        cases |= {other for other in (char.lower(), char.upper()) if len(other) == 1}
    if base_letter(char) == char:
        # A plain letter: the letter, with any diacritics, precomposed or followed by marks.
        forms = accented_forms()
        chars = "".join(sorted(cases)) + "".join(forms.get(case, "") for case in sorted(cases))
        return _Piece(_one_of(chars) + _AFTER_A_LETTER, 1 + _MAX_MARKS, frozenset(chars))
    # An accented letter: only that accent, precomposed or as a letter and its marks.
    decomposed = sorted(
        {unicodedata.normalize("NFD", case) for case in cases} - cases, key=len, reverse=True
    )
    pattern = "|".join([_one_of("".join(sorted(cases))), *map(re.escape, decomposed)])
    longest = max([1, *map(len, decomposed)]) + _MAX_MARKS
    first = frozenset(cases) | {form[0] for form in decomposed}
    return _Piece(f"(?:{pattern}){_AFTER_A_LETTER}", longest, first)


def _one_of(chars: str) -> str:
    if len(chars) == 1:
        return re.escape(chars)
    return "[" + "".join(re.escape(char) for char in chars) + "]"


class TextFinder:
    """Matches of one query in one text."""

    def __init__(self, text: str, query: str) -> None:
        self.text = text
        self.query = query
        any_case = not any(char.isupper() for char in query)
        pieces = [_piece(char, any_case) for char in unicodedata.normalize("NFC", query)]
        self.pattern = re.compile("".join(piece.pattern for piece in pieces))
        # A match is at most this long (a letter may bring its combining marks).
        self._longest = sum(piece.longest for piece in pieces)
        # Whether one occurrence can overlap the next ("aa" in "aaaa"): finditer skips those.
        self._overlapping = _overlaps_itself([piece.first for piece in pieces])

    def next_match(self, offset: int, *, wrap: bool = True) -> tuple[int, int] | None:
        """The first match starting after `offset` (from the top again when `wrap`)."""
        if not self.query:
            return None
        found = self.pattern.search(self.text, offset + 1)
        if found is None and wrap:
            # From the top, only as far as the matches not looked at yet can start.
            found = self.pattern.search(self.text, 0, min(len(self.text), offset + self._longest))
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
            # From the bottom, only back to where the matches looked at already start.
            found = self._last_before(len(self.text) + 1, floor=max(0, offset))
        return found

    def _last_before(self, offset: int, floor: int = 0) -> tuple[int, int] | None:
        """The last match starting in text[floor:offset]."""
        # Widen a window backwards from `offset` until it holds a match.
        window = 65_536
        end = min(len(self.text), offset - 1 + self._longest)
        while True:
            low = max(floor, offset - window)
            last = None
            for match in self._occurrences(low, end):
                if match[0] >= offset:
                    break
                last = match
            if last is not None:
                return last
            if low == floor:
                return None
            window *= 4

    def matches_between(self, start: int, end: int) -> list[tuple[int, int]]:
        """Every match overlapping text[start:end]."""
        if not self.query:
            return []
        low = max(0, start - self._longest + 1)
        high = min(len(self.text), end + self._longest - 1)
        return [
            (first, last)
            for first, last in self._occurrences(low, high)
            if first < end and last > start
        ]

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
        for match in self.pattern.finditer(self.text, low, high):
            start, end = match.span()
            yield start, end
            if self._overlapping:
                # finditer goes on after the end of this match; any match it skips starts
                # inside this one (one starting later would be finditer's next).
                for later in range(start + 1, end):
                    inner = self.pattern.match(self.text, later, high)
                    if inner is not None:
                        yield inner.span()


def _overlaps_itself(firsts: list[frozenset[str]]) -> bool:
    """Whether two occurrences of a query can overlap: for some shift, each character of
    its tail can match a character its head matches (erring towards yes)."""
    return any(
        all(firsts[shift + index] & firsts[index] for index in range(len(firsts) - shift))
        for shift in range(1, len(firsts))
    )


def match_index(starts: Sequence[int], offset: int) -> int:
    """Index (from 0) of the match starting at `offset` in the sorted `starts`."""
    return bisect_left(starts, offset)
