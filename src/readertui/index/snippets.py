"""Snippets: a line's worth of a passage around what matched, with the matched words marked.

Where the words of a query occur in a passage is found here, with the tokenizer's rules
(`readertui.index.words`), so marks fall exactly on the words FTS5 matched. A snippet keeps
the window of the passage that holds most of them, on one line (line breaks and tabs become
spaces, one character for one, so marks stay in place), with `…` where it was cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from readertui.index.query import Term
from readertui.index.words import located_terms

#: The width of a snippet in characters, ellipses aside.
SNIPPET_CHARS = 160
_ELLIPSIS = "…"
_ONE_LINE = str.maketrans({"\n": " ", "\t": " ", "\r": " "})

Span = tuple[int, int]


@dataclass(frozen=True)
class Snippet:
    """One line of text and the (start, end) spans in it to emphasise."""

    text: str
    marks: tuple[Span, ...] = ()


def find_terms(text: str, wanted: Sequence[Term]) -> list[Span]:
    """Where the words and phrases of `wanted` occur in `text`, in order, not overlapping."""
    if not wanted:
        return []
    located = located_terms(text)
    words = [word for word, _, _ in located]
    # The places each term's first word is at (a set lookup per word, not a comparison per
    # word and term); a prefix is looked for among the distinct words.
    places: dict[str, list[int]] = {}
    for index, word in enumerate(words):
        places.setdefault(word, []).append(index)
    spans: list[Span] = []
    for term in wanted:
        count = len(term.terms)
        if count == 1 and term.prefix:
            starts = [
                i for word, found in places.items() if word.startswith(term.terms[0]) for i in found
            ]
        else:
            starts = places.get(term.terms[0], [])
        for index in starts:
            if index + count <= len(words) and _matches(words, index, term):
                spans.append((located[index][1], located[index + count - 1][2]))
    return _merged(spans)


def make_snippet(
    text: str, marks: Sequence[Span], width: int = SNIPPET_CHARS, *, from_start: bool = False
) -> Snippet:
    """A snippet of `text` (a passage) showing as many of `marks` as fit in `width`, or,
    `from_start`, its beginning (a copy of a passage is recognised by how it starts)."""
    marks = sorted(marks)
    if len(text) <= width:
        return Snippet(text.translate(_ONE_LINE), tuple(marks))
    low = 0 if from_start else _best_window(text, marks, width)
    high = min(len(text), low + width)
    if high < len(text):
        # End at a space so the last word is whole.
        space = text.rfind(" ", low + width // 2, high)
        if space != -1:
            high = space
    shown = text[low:high].translate(_ONE_LINE)
    lead = _ELLIPSIS if low > 0 else ""
    tail = _ELLIPSIS if high < len(text) else ""
    shift = len(lead) - low
    inside = tuple(
        (max(start, low) + shift, min(end, high) + shift)
        for start, end in marks
        if start < high and end > low
    )
    return Snippet(lead + shown + tail, inside)


def _best_window(text: str, marks: Sequence[Span], width: int) -> int:
    """Where a window of `width` should start: a little before the mark that has the most
    marks after it within the window, at the start of a word."""
    if not marks:
        return 0
    best_start, best_count = marks[0][0], 0
    for index, (start, _end) in enumerate(marks):
        count = sum(1 for other, _ in marks[index:] if other < start + width * 3 // 4)
        if count > best_count:
            best_start, best_count = start, count
    low = max(0, best_start - width // 4)
    if low > 0:
        space = text.find(" ", low, best_start)
        low = space + 1 if space != -1 else low
    return min(low, max(0, len(text) - width))


def _matches(words: Sequence[str], index: int, term: Term) -> bool:
    last = len(term.terms) - 1
    for offset, wanted in enumerate(term.terms):
        word = words[index + offset]
        if offset == last and term.prefix:
            if not word.startswith(wanted):
                return False
        elif word != wanted:
            return False
    return True


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
