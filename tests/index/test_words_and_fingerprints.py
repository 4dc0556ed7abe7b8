"""Normalised words and passage fingerprints: a copy that was re-wrapped, re-cased, had its
quotes straightened or its words hyphenated at line ends is the same passage; a changed
word is marked."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.index.fingerprints import SHINGLE_WORDS, WINDOW, compare, fingerprint
from readertui.index.words import fingerprint_words, fold_term, located_words, terms

# Words with an inner hyphen or apostrophe but none at an end: "pre- and" re-wrapped as
# "pre-⏎and" cannot be told from hyphenation, which is what a hyphen at a line end is taken for.
WORD = st.from_regex(r"[a-zéßİ]{1,6}(?:[-'’][a-zé]{1,4})?", fullmatch=True)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
QUICK = settings(max_examples=150, deadline=None)


def rewrap(text: str, width: int) -> str:
    """`text` with its line breaks moved: words refilled to lines of about `width`."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def straighten(text: str) -> str:
    return text.translate(str.maketrans("“”‘’", "\"\"''"))


@QUICK
@given(TEXT)
def test_the_fast_words_are_the_located_ones(text: str) -> None:
    assert fingerprint_words(text) == [word.word for word in located_words(text)]


@QUICK
@given(TEXT)
def test_each_located_word_is_read_from_where_it_stands(text: str) -> None:
    for word in located_words(text):
        source = text[word.start : word.end]
        assert re.sub(r"[\W_]", "", source.casefold()) == re.sub(r"[\W_]", "", word.word)


@QUICK
@given(st.lists(WORD, min_size=1, max_size=60), st.integers(20, 90), st.integers(20, 90))
def test_wrapping_case_and_quotes_make_no_difference(
    words: list[str], first: int, second: int
) -> None:
    text = "“" + " ".join(words) + ",” he said."
    copy = straighten(rewrap(text, second)).upper()
    assert fingerprint_words(rewrap(text, first)) == fingerprint_words(copy)
    assert fingerprint(fingerprint_words(text)) == fingerprint(fingerprint_words(copy))


def test_a_word_hyphenated_at_a_line_end_is_one_word() -> None:
    assert fingerprint_words("the socia-\nlism of China’s") == ["the", "socialism", "of", "chinas"]
    assert fingerprint_words("the socialism of China's") == ["the", "socialism", "of", "chinas"]
    # A hyphen before a space is not a join: "pre- and post-war".
    assert fingerprint_words("pre- and post-war") == ["pre", "and", "postwar"]


@QUICK
@given(st.lists(WORD, min_size=SHINGLE_WORDS + WINDOW - 1, max_size=40), st.data())
def test_a_shared_run_long_enough_shares_a_fingerprint(
    words: list[str], data: st.DataObject
) -> None:
    # Winnowing's guarantee: a run of SHINGLE_WORDS + WINDOW - 1 words shared by two passages
    # gives them a fingerprint hash in common, whatever surrounds it.
    before = data.draw(st.lists(WORD, max_size=10))
    after = data.draw(st.lists(WORD, max_size=10))
    run = fingerprint_words(" ".join(words))
    if len(run) < SHINGLE_WORDS + WINDOW - 1:
        return  # hyphens and apostrophes joined some words
    left = fingerprint(fingerprint_words(" ".join(before)) + run)
    right = fingerprint(run + fingerprint_words(" ".join(after)))
    assert left & right


def test_fingerprints_are_the_same_in_every_process() -> None:
    # Stored hashes are compared with hashes made by later processes (and other Python
    # builds): no salted hash(). This value was computed once and must never change without
    # a new SCHEMA_VERSION.
    words = ["china", "saved", "socialism", "today", "and", "tomorrow", "again", "he", "said"]
    assert sorted(fingerprint(words)) == [14243200080581]
    assert all(0 <= value < 2**48 for value in fingerprint(fingerprint_words("a b c d e f g h")))


def test_compare_marks_the_changed_word() -> None:
    first = located_words("The quick brown fox jumps over the lazy dog")
    text = "The quick brown cat jumps over the lazy dog"
    likeness = compare(first, located_words(text))
    assert [text[start:end] for start, end in likeness.differing] == ["cat"]
    assert likeness.shared_words == 8
    assert likeness.similarity == 8 / 9
    assert likeness.coverage == 8 / 9


def test_compare_of_an_excerpt_covers_it_whole() -> None:
    short = located_words("China saved socialism, he said")
    long = located_words("And then: China saved socialism, he said to me, smiling at the sky.")
    likeness = compare(short, long)
    assert likeness.coverage == 1.0
    assert likeness.similarity < 0.7


def test_terms_fold_like_the_tokenizer() -> None:
    assert terms("Élan VITAL, naïve_one") == ["elan", "vital", "naive", "one"]
    assert fold_term("Ångström") == "angstrom"
