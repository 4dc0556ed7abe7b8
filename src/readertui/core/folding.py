"""Character folding: a text with the kinds of a character made one, its offsets kept.

A quote copied from a web page or a word processor has curly quotes and dashes where a
plain text has straight ones (and the reverse), spaces where a hard-wrapped text breaks its
lines, CRLF line ends where a document has LF. Comparing such texts, these differences of
kind are not edits. A `Folding` replaces every character of some kinds with the plain one
of its kind, one character for one, so that an offset in the folded text is the same
offset in the text; joining CRLF line ends (`join_crlf`) is the one step that changes
lengths, and it says where.

- `fold(text)` folds every kind: spaces and line breaks, quotation marks, dashes;
  `EVERY_KIND` and `MARKS` (quotation marks and dashes, not spaces) are the foldings, and
  `Folding.of` makes another from rows like those of `KINDS`.
- `FoldedText` is a long text as a folding makes it, folded only where it is read.
- `join_crlf` and `plain_line_ends` make CRLF line ends LF.
- `base_letter` and `accented_forms` tell a letter with diacritics from its plain letter
  (for find, which matches `a` against `á` in the text as it is, offsets untouched).

Case and hyphenation at line ends are not folded here. Everything is pure.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

__all__ = [
    "EVERY_KIND",
    "KINDS",
    "MARKS",
    "FoldedText",
    "Folding",
    "accented_forms",
    "base_letter",
    "fold",
    "join_crlf",
    "plain_line_ends",
]

#: Each row: the plain character, then the characters that are the same thing of another
#: kind (spaces, single quotes, double quotes, dashes).
KINDS: tuple[tuple[str, str], ...] = (
    (
        " ",
        "\t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
        "\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
    ),
    ("'", "\u2018\u2019\u201a\u201b\u2032\u2039\u203a`\xb4"),
    ('"', "\u201c\u201d\u201e\u201f\u2033\xab\xbb"),
    ("-", "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043"),
)

# A scan of a FoldedText folds a stretch up to this long, and looks for the needle by a run
# of it at least _MIN_RUN_CHARS long in a longer one, unless it is found more often than
# _MAX_RUN_HITS times in one scan, or _MAX_RUN_FOLDS of those hits have to be folded to be
# compared (the needle's other runs are compared first).
_FOLD_STRETCH_CHARS = 1 << 14
_MIN_RUN_CHARS = 4
_MAX_RUN_HITS = 4096
_MAX_RUN_FOLDS = 64
# Up to this many runs are tried in turn; for this many needles is it remembered which
# runs were too common.
_MAX_ANCHORS = 3
_MAX_REMEMBERED = 4096
_COMMON_LETTERS = frozenset("etaoinshrdlETAOINSHRDL")


@dataclass(frozen=True)
class Folding:
    """Some rows of KINDS: how to fold them, and which characters belong to them."""

    folds: tuple[tuple[str, str], ...]
    ascii_folds: tuple[tuple[str, str], ...]
    of_a_kind: frozenset[str]

    @classmethod
    def of(cls, rows: tuple[tuple[str, str], ...]) -> Folding:
        folds = tuple((variant, plain) for plain, variants in rows for variant in variants)
        ascii_folds = tuple((variant, plain) for variant, plain in folds if variant.isascii())
        return cls(folds, ascii_folds, frozenset("".join(p + v for p, v in rows)))

    def apply(self, text: str) -> str:
        """`text` with every character of these rows replaced by the plain one of its row."""
        for variant, plain in self.ascii_folds if text.isascii() else self.folds:
            # A scan for one character is far cheaper than a replace that changes nothing.
            if variant in text:
                text = text.replace(variant, plain)
        return text


#: Every kind: spaces and line breaks, single and double quotes, dashes.
EVERY_KIND = Folding.of(KINDS)
#: Quotation marks and dashes, not spaces.
MARKS = Folding.of(KINDS[1:])


def fold(text: str) -> str:
    """`text` with every character of KINDS replaced by the plain one of its row."""
    return EVERY_KIND.apply(text)


class FoldedText:
    """A text as a folding makes it, folded only where it is read.

    It reads like a str for slices, `startswith` and `find` (for a folded needle). Folding
    all of War and Peace takes ~45 ms, as long as re-anchoring a thousand annotations in it
    when nothing moved far, and a search mostly reads a few stretches. A scan of a short
    stretch folds it; a longer one looks for a long run of the needle with no character of
    any kind in it (such a run reads the same folded or not), checks the needle's other
    runs where it occurs, and folds only there, to compare the whole needle. When no run is
    rare enough for that to pay (a needle of short words), the whole text is folded once.
    """

    def __init__(self, text: str, folding: Folding = EVERY_KIND) -> None:
        self.text = text
        self.folding = folding
        self._whole: str | None = None
        # The last short stretch folded (its start, and it folded).
        self._stretch: tuple[int, str] = (0, "")
        # For a needle, how many of its runs (in _plain_runs' order) were found too often.
        self._too_common: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.text)

    def __getitem__(self, key: slice, /) -> str:
        if self._whole is not None:
            return self._whole[key]
        return self.folding.apply(self.text[key])

    def startswith(self, prefix: str, start: int, /) -> bool:
        if self._whole is not None:
            return self._whole.startswith(prefix, start)
        return self.folding.apply(self.text[start : start + len(prefix)]) == prefix

    def find(self, sub: str, start: int, end: int, /) -> int:
        """Like str.find on the folded text, for a folded `sub`, with 0 <= start."""
        if self._whole is not None:
            return self._whole.find(sub, start, end)
        text = self.text
        if end - start <= _FOLD_STRETCH_CHARS:
            # A scan asks again from just after each occurrence: fold the stretch once.
            low, folded = self._stretch
            if not (low <= start and end <= low + len(folded)):
                low, folded = self._stretch = start, self.folding.apply(text[start:end])
            found = folded.find(sub, start - low, end - low)
            return found if found == -1 else low + found
        runs = _plain_runs(sub, self.folding)
        # Runs found too often by earlier scans for this needle are not tried again.
        for index in range(self._too_common.get(sub, 0), min(len(runs), _MAX_ANCHORS)):
            if len(runs[index][1]) < _MIN_RUN_CHARS:
                break
            by_run = self._find_by(sub, runs, index, start, end)
            if by_run is not None:
                return by_run
            if len(self._too_common) >= _MAX_REMEMBERED:
                self._too_common.clear()
            self._too_common[sub] = index + 1
        self._whole = self.folding.apply(text)
        return self._whole.find(sub, start, end)

    def _find_by(
        self, sub: str, runs: tuple[tuple[int, str], ...], index: int, start: int, end: int
    ) -> int | None:
        """find() by the run runs[index]; None when it is found too often to pay."""
        text = self.text
        offset, run = runs[index]
        if len(run) == len(sub):
            # Nothing in the needle has another kind (a seed without quotes or dashes).
            return text.find(sub, start, end)
        others = runs[:index] + runs[index + 1 :]
        # Where the run may occur for the whole needle to fit between start and end.
        low, high = start + offset, end - (len(sub) - offset - len(run))
        at = text.find(run, low, high)
        folds = 0
        for _ in range(_MAX_RUN_HITS):
            if at == -1:
                return -1
            begin = at - offset
            # The other runs are a cheap test; folding the stretch, the whole one.
            if all(text.startswith(other, begin + where) for where, other in others):
                folds += 1
                if folds > _MAX_RUN_FOLDS:
                    return None
                if self.folding.apply(text[begin : begin + len(sub)]) == sub:
                    return begin
            at = text.find(run, at + 1, high)
        return None


@functools.lru_cache(maxsize=1024)
def _plain_runs(sub: str, folding: Folding) -> tuple[tuple[int, str], ...]:
    """The stretches of `sub` with no character of the folding's kinds, each with where it
    starts, the likeliest to be rare first.

    (Cached: a scan asks about the same needle once for each occurrence it finds.)
    """
    runs: list[tuple[int, str]] = []
    at = 0
    for index, char in enumerate(sub):
        if char in folding.of_a_kind:
            if index > at:
                runs.append((at, sub[at:index]))
            at = index + 1
    if at < len(sub):
        runs.append((at, sub[at:]))
    # Longer runs first, then those with more of the rarer letters ("came" before "that").
    runs.sort(key=lambda run: (-len(run[1]), -sum(c not in _COMMON_LETTERS for c in run[1])))
    return tuple(runs)


#: Letters with a stroke or a bar, which Unicode does not decompose, and the letter under it.
_STROKED = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
    "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ı": "i",
}  # fmt: skip

#: The blocks whose letters carry diacritics: Latin (with its Extended Additional block),
#: Greek and Cyrillic. Scanning them once takes a few milliseconds; all of Unicode, a second.
_ACCENTED_BLOCKS = ((0xC0, 0x250), (0x370, 0x530), (0x1E00, 0x2000))


def base_letter(char: str) -> str:
    """The letter `char` is with its diacritics taken off (`á` -> `a`), else `char` itself."""
    if char.isascii():
        return char
    if char in _STROKED:
        return _STROKED[char]
    bare = "".join(
        part for part in unicodedata.normalize("NFD", char) if not unicodedata.combining(part)
    )
    # A character that decomposes into more than one letter (none do in these blocks) or
    # into marks alone has no plain letter of its own.
    return bare if len(bare) == 1 else char


@functools.cache
def accented_forms() -> dict[str, str]:
    """For each plain letter, the single characters that are it with diacritics, case kept
    (`"a"` -> `"àáâãäå…"`, `"A"` -> `"ÀÁÂ…"`)."""
    forms: dict[str, list[str]] = {}
    for low, high in _ACCENTED_BLOCKS:
        for code in range(low, high):
            char = chr(code)
            base = base_letter(char)
            if base != char:
                forms.setdefault(base, []).append(char)
    return {base: "".join(chars) for base, chars in forms.items()}


def plain_line_ends(text: str) -> str:
    """`text` with each CRLF made LF."""
    return text.replace("\r\n", "\n") if "\r" in text else text


def join_crlf(text: str) -> tuple[str, list[int]]:
    """`text` with each CRLF made LF, and where the joined line ends are in the result.

    A document's text has LF line ends already; a text from elsewhere may not. Lone CRs
    stay (they fold to spaces, as LFs do).
    """
    # A scan for one character is much cheaper than one for two.
    if "\r" not in text or "\r\n" not in text:
        return text, []
    joined: list[int] = []
    at = text.find("\r\n")
    while at != -1:
        joined.append(at - len(joined))
        at = text.find("\r\n", at + 2)
    return text.replace("\r\n", "\n"), joined
