"""Text cut down to fit, saying so: one line of so many cells, ending in "…" where it was cut.

Every place that shows a quote, a note, a title or a byline in less room than it needs cuts it
here, so a cut is always marked and falls between words when a word ends near the limit
(`**post-so` reads as a typo; `**post-solidarity…` does not). Widths are terminal cells, so
wide (CJK) characters count twice. Everything is pure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"

# A cut goes back to the end of a word when that keeps at least this share of the room;
# one long word (a URL, a name in a narrow column) is cut inside instead.
_WORD_CUT_SHARE = 0.6
# Punctuation that reads badly just before the ellipsis ("Loving,…").
_TRAILING = " \t,;:·—–-"


def char_width(char: str) -> int:
    """Cells a character takes: two for a wide (East Asian) one, none for a combining mark.

    (Measured here, not with Rich's tables: the CLI cuts text too, and never imports Rich.)
    """
    if char.isascii():
        return 1
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def cell_width(text: str) -> int:
    """Cells a line of text takes."""
    return len(text) if text.isascii() else sum(map(char_width, text))


def one_line(text: str, limit: int) -> str:
    """`text` with every run of blanks and newlines as one space, in at most `limit` cells,
    with "…" where it was cut."""
    return shorten(" ".join(text.split()), limit)


def shorten(line: str, cells: int) -> str:
    """`line` (one line already) in at most `cells` cells: as it is when it fits, else cut
    after the last whole word that leaves room for "…" (inside a word only when no word
    ends near the limit), the cut marked with "…"."""
    if cell_width(line) <= cells:
        return line
    if cells <= 1:
        return ELLIPSIS[:cells]
    room = cells - 1  # for the ellipsis
    end = 0
    used = 0
    for char in line:
        width = char_width(char)
        if used + width > room:
            break
        used += width
        end += 1
    kept = line[:end]
    # At a word's end already when the next character is a blank.
    if not line[end].isspace():
        word_start = kept.rfind(" ")
        if word_start != -1 and cell_width(kept[:word_start]) >= _WORD_CUT_SHARE * room:
            kept = kept[:word_start]
    return kept.rstrip(_TRAILING) + ELLIPSIS


def fit_lines(text: str, cells: int, lines: int) -> list[str]:
    """`text` wrapped at blanks into at most `lines` lines of at most `cells` cells each, the
    last one shortened (with "…") when the text does not fit."""
    words = text.split()
    result: list[str] = []
    while words and len(result) < lines - 1:
        line, taken = words[0], 1
        while taken < len(words) and cell_width(f"{line} {words[taken]}") <= cells:
            line, taken = f"{line} {words[taken]}", taken + 1
        if cell_width(line) > cells:
            break  # one word wider than a line: the last line cuts it
        result.append(line)
        words = words[taken:]
    if words:
        result.append(shorten(" ".join(words), cells))
    return result


def fit_parts(parts: Sequence[str], cells: int, separator: str = " · ") -> str:
    """The non-empty `parts` joined by `separator` in at most `cells` cells.

    The first part gives way first (a byline's list of authors), so that the short parts
    after it (publication, date) stay whole; when even those do not fit, the whole line is
    shortened from its end.
    """
    kept = [part for part in parts if part]
    line = separator.join(kept)
    if cell_width(line) <= cells or len(kept) < 2:
        return shorten(line, cells)
    rest = separator + separator.join(kept[1:])
    room = cells - cell_width(rest)
    # The first part keeps at least a word or so; less than that says nothing.
    if room >= 8:
        return shorten(kept[0], room) + rest
    return shorten(line, cells)
