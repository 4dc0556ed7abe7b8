"""Passage fingerprints for finding the same passage elsewhere, and how alike two passages are.

A passage's fingerprint is a small set of its word n-grams (SHINGLE_WORDS words in a row)
chosen by *winnowing* (Schleimer, Wilkerson and Aiken, 2003): in every window of WINDOW
consecutive n-grams, the one with the smallest hash is kept (`winnowed`, `fingerprint`).
Every run of SHINGLE_WORDS + WINDOW - 1 words of the passage therefore holds a kept n-gram,
so another passage that shares such a run contains one of them, whatever surrounds the
run, and about 2 / (WINDOW + 1) n-grams per word are kept. The cross-references look the
kept n-grams up in the full-text index as phrases (`readertui.index.xref`): nothing is
stored for them when indexing.

Hashes must be the same in every process (they are stored), so words are hashed with
BLAKE2b, not Python's salted `hash`; an n-gram's hash combines its words' hashes (rotated
by their place in it, so word order counts) with XOR.

`compare` then aligns the words of two candidate passages (their longest common
subsequence, with rapidfuzz) to say how alike they are and which words of the other differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from operator import xor

from rapidfuzz.distance import LCSseq

from readertui.index.words import LocatedWord

SHINGLE_WORDS = 4
WINDOW = 5
# Hashes are 48 bits: plenty to tell n-grams apart, and SQLite stores them as small integers.
_BITS = 48
_MASK = (1 << _BITS) - 1
# A library has far fewer distinct words than this; a text of random tokens must not make
# the memory of word hashes grow without end.
_MAX_KNOWN_WORDS = 2_000_000


class _RotatedHashes(dict[str, int]):
    """Word → its hash rotated left by `rotation` bits, computed once per word."""

    def __init__(self, rotation: int) -> None:
        super().__init__()
        self.rotation = rotation

    def __missing__(self, word: str) -> int:
        if len(self) >= _MAX_KNOWN_WORDS:
            self.clear()
        digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=6).digest()
        value = int.from_bytes(digest, "big")
        if self.rotation:
            value = ((value << self.rotation) | (value >> (_BITS - self.rotation))) & _MASK
        self[word] = value
        return value


class WordHashes:
    """Hashes of words, remembered (one table per place in an n-gram), for fingerprinting
    many passages."""

    def __init__(self) -> None:
        self.tables = tuple(_RotatedHashes(11 * place) for place in range(SHINGLE_WORDS))


def fingerprint(words: Sequence[str], word_hashes: WordHashes | None = None) -> set[int]:
    """The winnowed n-gram hashes of a passage made of `words` (empty for no words)."""
    if not words:
        return set()
    if len(words) < SHINGLE_WORDS:
        # A short passage (a heading, a line of dialogue) is one n-gram of what it has.
        words = [*words, *[""] * (SHINGLE_WORDS - len(words))]
    shingles = _shingle_hashes(words, word_hashes or WordHashes())
    if len(shingles) <= WINDOW:
        return {min(shingles)}
    # The minimum of every window, in C: zip the list with itself shifted.
    shifted = [shingles[i:] for i in range(WINDOW)]
    return set(map(min, zip(*shifted, strict=False)))


def winnowed(words: Sequence[str], word_hashes: WordHashes | None = None) -> list[int]:
    """Where the n-grams `fingerprint` keeps start in `words`, in order (the leftmost of
    equal hashes in a window); a passage shorter than an n-gram is one, at 0."""
    if len(words) <= SHINGLE_WORDS:
        return [0] if words else []
    shingles = _shingle_hashes(words, word_hashes or WordHashes())
    windows = range(max(1, len(shingles) - WINDOW + 1))
    kept = {
        min(range(start, min(start + WINDOW, len(shingles))), key=shingles.__getitem__)
        for start in windows
    }
    return sorted(kept)


def _shingle_hashes(words: Sequence[str], word_hashes: WordHashes) -> list[int]:
    """The hash of each n-gram of `words`: its words' hashes, each rotated by its place,
    XORed together. All of it in C (map over lists)."""
    first, second, third, fourth = word_hashes.tables
    return list(
        map(
            xor,
            map(xor, map(first.__getitem__, words), map(second.__getitem__, words[1:])),
            map(xor, map(third.__getitem__, words[2:]), map(fourth.__getitem__, words[3:])),
        )
    )


@dataclass(frozen=True)
class Likeness:
    """How alike two passages are, word for word.

    `similarity`: twice the words they share in order over the words of both (1.0: the
    same words). `coverage`: the words shared over the words of the shorter one (1.0: one is
    contained in the other). `differing`: the words of the second passage that the first
    does not have there, as (start, end) in the second passage's text.
    """

    similarity: float
    coverage: float
    shared_words: int
    differing: tuple[tuple[int, int], ...]


def shared_words(first: Sequence[str], second: Sequence[str]) -> int:
    """How many words the two sequences share in order (their longest common subsequence)."""
    return int(LCSseq.similarity(first, second))


def compare(first: Sequence[LocatedWord], second: Sequence[LocatedWord]) -> Likeness:
    """How alike the passages whose words are `first` and `second` are."""
    if not first or not second:
        return Likeness(0.0, 0.0, 0, tuple((w.start, w.end) for w in second))
    first_words = [w.word for w in first]
    second_words = [w.word for w in second]
    shared = 0
    differing: list[tuple[int, int]] = []
    for operation in LCSseq.opcodes(first_words, second_words):
        if operation.tag == "equal":
            shared += operation.dest_end - operation.dest_start
        else:
            differing += [
                (w.start, w.end) for w in second[operation.dest_start : operation.dest_end]
            ]
    return Likeness(
        similarity=2 * shared / (len(first) + len(second)),
        coverage=shared / min(len(first), len(second)),
        shared_words=shared,
        differing=tuple(differing),
    )
