"""Words as the index compares them: search terms folded like SQLite's tokenizer, and the
normalised words that passage fingerprints are made of.

Two kinds of word, for two jobs:

- *terms* (`terms`, `fold_term`): runs of letters and digits, lower case, accents removed —
  what FTS5's `unicode61 remove_diacritics 2` tokenizer makes of a text, so the words a query
  names can be found again in a passage to mark them.
- *fingerprint words* (`fingerprint_words`, `located_words`): the same runs, but a word broken
  by an apostrophe (`China’s`), a hyphen (`well-known`) or a hyphen at a line end
  (`socia-⏎lism`) is one word, and case is folded. Curly or straight quotes, punctuation,
  line wrapping and hyphenation then make no difference to the sequence of words, which is
  what makes a re-wrapped or re-typed copy of a passage look the same.

`fingerprint_words` is the fast form used while indexing (no offsets); `located_words` gives
the same words with their places in the text (to mark the words that differ). They always
agree (a property test checks it).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

#: A search term as FTS5's unicode61 tokenizer sees one: letters and digits (not "_").
TERM = re.compile(r"[^\W_]+")

# What joins two runs of letters into one fingerprint word: an apostrophe (straight or curly),
# or a hyphen, possibly followed by a line break (hyphenation at a line end).
_JOINER = r"(?:['\u2018\u2019]|[-\u2010\u2011](?:[ \t]*\n[ \t]*)?)"
_JOIN = re.compile(rf"(?<=[^\W_]){_JOINER}(?=[^\W_])")
_WORD = re.compile(rf"[^\W_]+(?:{_JOINER}[^\W_]+)*")
# The same joins as _JOIN, found faster: a pattern that starts with the joiner's own
# characters lets the regex engine skip to them, and the letter before is checked only
# there (a lookbehind at the front is tried at every character of the text).
_JOINER_AHEAD = re.compile(rf"{_JOINER}(?=[^\W_])")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


class LocatedWord(NamedTuple):
    """A fingerprint word and where it stands in the text it was read from."""

    word: str
    start: int
    end: int


def fold_term(term: str) -> str:
    """`term` as the tokenizer stores it: lower case, without accents."""
    lowered = term.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFD", lowered)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def terms(text: str) -> list[str]:
    """The search terms of `text`, folded, in order."""
    return [fold_term(term) for term in TERM.findall(text)]


def located_terms(text: str) -> list[tuple[str, int, int]]:
    """The folded search terms of `text` with their start and end in it."""
    return [(fold_term(m.group()), m.start(), m.end()) for m in TERM.finditer(text)]


def fingerprint_words(text: str) -> list[str]:
    """The normalised words of `text`: joined across apostrophes, hyphens and hyphenated line
    ends, case folded, punctuation and spacing dropped."""
    runs = TERM.findall(_JOINER_AHEAD.sub(_join, text))
    if not runs:
        return []
    # One casefold for the whole passage: casefold never makes a space, so the words stay
    # apart and in step.
    return " ".join(runs).casefold().split(" ")


def _join(match: re.Match[str]) -> str:
    """A joiner is dropped (its words joined) when a letter or digit comes before it."""
    at = match.start()
    if at and _LETTER_OR_DIGIT.match(match.string, at - 1):
        return ""
    return match.group()


def located_words(text: str) -> list[LocatedWord]:
    """`fingerprint_words(text)` with where each word stands in `text`."""
    return [
        LocatedWord(_JOIN.sub("", match.group()).casefold(), match.start(), match.end())
        for match in _WORD.finditer(text)
    ]
