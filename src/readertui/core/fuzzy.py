"""Fuzzy matching for the pickers: whether a typed query matches a text, and how well, fast.

A query is words separated by blanks; each word must be found in the text, the words in any
order: as typed (a substring; better at the start of a word), or failing that with its letters
in order and a few others between each two of them (`mltn` finds "molten", `jygn`
"jiayuguan"). Case is ignored.

Textual's own `textual.fuzzy` tries every way the letters of a query can be placed in a text
and keeps the best: on paragraph-long quotes that is exponential (measured on 10,000
annotations: "molten salt" spent over 100 s on its first six). Here a word costs one substring
test and at most two regular expression searches, each one pass in C over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: How a word found as typed counts, a letter, against the same word found with gaps (≤ 1).
_WHOLE = 3.0
#: Extra for a word found as typed at the start of a word of the text.
_AT_WORD_START = 2.0
#: The most letters a word found with gaps may have between two of its letters: with no
#: bound, any long text would match any short word ("river" matches most English paragraphs).
MAX_GAP = 4


class FuzzyWord:
    """One word of a query, with the patterns that look for it (compiled once per query)."""

    __slots__ = ("after_space", "gapped", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.after_space = " " + text
        # Each letter, then at most MAX_GAP letters that are not the next one: the engine
        # finds it in one pass, with no backtracking to speak of.
        parts = [re.escape(text[0])]
        for letter in text[1:]:
            parts.append(f"[^{_in_class(letter)}]{{0,{MAX_GAP}}}{re.escape(letter)}")
        self.gapped = re.compile("".join(parts))

    def score(self, folded: str) -> float | None:
        """How well this word is found in `folded` (a case-folded text): as typed, `_WHOLE` a
        letter (and more at the start of a word); with gaps, at most 1 a letter, less the
        further apart its letters are. None when it is not found."""
        at = folded.find(self.text)
        if at >= 0:
            whole = _WHOLE * len(self.text)
            # At the start of a word: where it is first found, or anywhere after a space (a
            # regular expression for any word start costs ten times as much).
            if at == 0 or not folded[at - 1].isalnum() or self.after_space in folded:
                return whole + _AT_WORD_START
            return whole
        found = self.gapped.search(folded)
        if found is None:
            return None
        return len(self.text) * len(self.text) / (found.end() - found.start())


def _in_class(letter: str) -> str:
    """`letter` as it is written inside a character class."""
    return "\\" + letter if letter in "\\]^-[" else letter


@dataclass(frozen=True)
class FuzzyQuery:
    """A typed query, as the words it must find (case-folded)."""

    words: tuple[str, ...]

    @classmethod
    def parse(cls, typed: str) -> FuzzyQuery:
        return cls(tuple(typed.casefold().split()))

    @property
    def empty(self) -> bool:
        return not self.words

    def narrows(self, earlier: FuzzyQuery) -> bool:
        """Whether every text this query matches is matched by `earlier` too, so only what
        `earlier` matched needs looking at: each of its words is part of a word of this one.
        (A longer word found with gaps has its every part found with the same gaps or fewer.)"""
        return all(any(old in word for word in self.words) for old in earlier.words)

    def matcher(self) -> FuzzyMatcher:
        return FuzzyMatcher(self)


class FuzzyMatcher:
    """A query ready to score many texts (its patterns compiled once)."""

    def __init__(self, query: FuzzyQuery) -> None:
        self.query = query
        self._words = [FuzzyWord(word) for word in query.words]

    def score(self, folded: str) -> float | None:
        """How well the query matches `folded` (a case-folded text): None for not at all,
        higher for better; an empty query matches everything with 0."""
        total = 0.0
        for word in self._words:
            found = word.score(folded)
            if found is None:
                return None
            total += found
        return total
