"""Where the word and paragraph motions land, as pure functions of the text and an offset."""

from __future__ import annotations

import re

_WORD_START = re.compile(r"(?<!\w)\w|(?<=[\w\s])[^\w\s]")
_LOOK_BACK = 4_096


def next_word_start(text: str, offset: int) -> int:
    """The start of the next word (or run of punctuation) after `offset`; the end if none."""
    found = _WORD_START.search(text, offset + 1)
    return found.start() if found else max(0, len(text) - (1 if text.endswith("\n") else 0))


def previous_word_start(text: str, offset: int) -> int:
    """The start of the word before `offset` (or of the word the cursor is inside)."""
    low = offset
    while low > 0:
        low = max(0, low - _LOOK_BACK)
        starts = [m.start() for m in _WORD_START.finditer(text, low, offset) if m.start() < offset]
        if low == 0 and not starts and _starts_word(text):
            return 0
        if starts:
            return starts[-1]
    return 0


def _starts_word(text: str) -> bool:
    return bool(text) and not text[0].isspace()


def next_paragraph_start(text: str, offset: int) -> int:
    """The first character of the next paragraph (after a blank line); the end if none."""
    gap = text.find("\n\n", offset)
    if gap == -1:
        return max(0, len(text) - (1 if text.endswith("\n") else 0))
    position = gap
    while position < len(text) and text[position] == "\n":
        position += 1
    if position >= len(text):
        return max(0, len(text) - 1)
    return position


def previous_paragraph_start(text: str, offset: int) -> int:
    """The first character of this paragraph, or of the previous one when already there."""
    position = offset
    # Step back over the blank lines (and the line break) just before the cursor.
    while position > 0 and text[position - 1] == "\n":
        position -= 1
    start = paragraph_start(text, position)
    if start < offset:
        return start
    if start == 0:
        return 0
    position = start
    while position > 0 and text[position - 1] == "\n":
        position -= 1
    return paragraph_start(text, position)


def paragraph_start(text: str, offset: int) -> int:
    """The first character of the paragraph holding `offset`."""
    gap = text.rfind("\n\n", 0, offset + 1)
    return 0 if gap == -1 else gap + 2


def paragraph_end(text: str, offset: int) -> int:
    """The offset just past the last character of the paragraph holding `offset`."""
    gap = text.find("\n\n", offset)
    if gap == -1:
        return len(text) - (1 if text.endswith("\n") else 0)
    return gap
