"""A document's text cut into passages: its paragraphs, with long ones split at sentence ends.

A passage is what the index ranks, fingerprints and cross-references: a paragraph (lines
between blank lines), trimmed of the spaces around it, with its start and end offsets in the
text and the line it starts on. A paragraph longer than MAX_PASSAGE_CHARS (a Gutenberg text
whose paragraphs are not separated, a long speech) is split at the last sentence end before
the limit, else at a space, else anywhere, so a search result points near its match and no
passage costs much to compare.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_PASSAGE_CHARS = 1500
# Pieces shorter than this are not split off the end of a long paragraph: a sentence end
# in its first few characters is no better than a space further on.
_MIN_PIECE_CHARS = 200

_BLANK_LINES = re.compile(r"\n[ \t\f\v\r]*\n")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Passage:
    """text[start:end] of a document, starting on line `line` (1-based)."""

    start: int
    end: int
    line: int
    text: str


def split_passages(text: str) -> list[Passage]:
    """The passages of `text`, in order, none empty, none overlapping."""
    found: list[Passage] = []
    line = 1
    counted_to = 0
    for start, end in _paragraph_spans(text):
        for piece_start, piece_end in _pieces(text, start, end):
            line += text.count("\n", counted_to, piece_start)
            counted_to = piece_start
            found.append(Passage(piece_start, piece_end, line, text[piece_start:piece_end]))
    return found


def line_at(text: str, offset: int) -> int:
    """The 1-based line of `text` that `offset` is on."""
    return text.count("\n", 0, offset) + 1


def _paragraph_spans(text: str) -> Iterator[tuple[int, int]]:
    position = 0
    for gap in _BLANK_LINES.finditer(text):
        yield from _trimmed(text, position, gap.start())
        position = gap.end()
    yield from _trimmed(text, position, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > MAX_PASSAGE_CHARS:
        limit = start + MAX_PASSAGE_CHARS
        cut = _last_end(_SENTENCE_END, text, start + _MIN_PIECE_CHARS, limit)
        if cut is None:
            cut = _last_end(_SPACE, text, start + 1, limit)
        if cut is None:
            cut = limit
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        yield start, piece_end
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def _last_end(pattern: re.Pattern[str], text: str, low: int, high: int) -> int | None:
    """The end of the last match of `pattern` that starts in low..high and ends by high."""
    best = None
    for match in pattern.finditer(text, low, high):
        best = match.end()
    return best
