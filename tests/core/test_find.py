"""Finding text in a document: smart case, and which matches each screen row paints.

The basic moves (next, previous, wrapping, far-back search) are in test_motion_and_find.py.
"""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from readertui.core.find import TextFinder, match_index

SENTENCE = "The cat. the dog. THE END. tHe last."


def every_start(finder: TextFinder) -> list[int]:
    return list(finder.all_starts() or [])


# --- smart case ---------------------------------------------------------------------------


def test_a_lower_case_query_matches_every_case() -> None:
    finder = TextFinder(SENTENCE, "the")
    assert every_start(finder) == [0, 9, 18, 27]
    assert [finder.next_match(offset) for offset in (0, 9, 18)] == [(9, 12), (18, 21), (27, 30)]


def test_a_mixed_case_query_matches_exactly_that_case() -> None:
    # One capital letter is enough to make the search exact: `The` is not `the` or `THE`.
    finder = TextFinder(SENTENCE, "The")
    assert every_start(finder) == [0]
    assert finder.next_match(0) == (0, 3)  # wraps round to the only match
    assert finder.previous_match(0) == (0, 3)
    assert finder.matches_between(0, len(SENTENCE)) == [(0, 3)]
    assert TextFinder(SENTENCE, "tHe").matches_between(0, len(SENTENCE)) == [(27, 30)]


def test_an_all_capitals_query_matches_exactly_that_case() -> None:
    assert every_start(TextFinder(SENTENCE, "THE")) == [18]


def test_a_capital_anywhere_in_the_query_makes_it_exact() -> None:
    text = "the end, the End, THE END"
    assert every_start(TextFinder(text, "the End")) == [9]
    assert every_start(TextFinder(text, "the end")) == [0, 9, 18]


def test_a_query_without_letters_matches_literally() -> None:
    text = "In 1984, (a+b)*c; then 1984 again."
    assert every_start(TextFinder(text, "1984")) == [3, 23]
    assert every_start(TextFinder(text, "(a+b)*")) == [9]


# --- the matches a row paints -------------------------------------------------------------

ROWS = "find the needle here"  # imagine rows of 11 cells: "find the ne" | "edle here"
NEEDLE = ROWS.index("needle")


def test_a_match_begun_on_the_previous_row_is_painted_on_this_one() -> None:
    finder = TextFinder(ROWS, "needle")
    second_row = (11, len(ROWS))
    assert NEEDLE < second_row[0] < NEEDLE + len("needle")
    assert finder.matches_between(*second_row) == [(NEEDLE, NEEDLE + 6)]
    assert finder.matches_between(0, 11) == [(NEEDLE, NEEDLE + 6)]


def test_a_match_covering_the_whole_range_is_returned() -> None:
    finder = TextFinder(ROWS, "needle")
    assert finder.matches_between(NEEDLE + 1, NEEDLE + 4) == [(NEEDLE, NEEDLE + 6)]
    assert finder.matches_between(NEEDLE, NEEDLE + 6) == [(NEEDLE, NEEDLE + 6)]


def test_matches_only_touching_the_range_are_not_returned() -> None:
    finder = TextFinder(ROWS, "needle")
    assert finder.matches_between(NEEDLE + 6, len(ROWS)) == []  # ends where the range starts
    assert finder.matches_between(0, NEEDLE) == []  # starts where the range ends


def test_matches_at_the_very_start_and_end_of_the_text() -> None:
    finder = TextFinder("abab", "ab")
    assert finder.matches_between(0, 1) == [(0, 2)]
    assert finder.matches_between(3, 4) == [(2, 4)]
    assert finder.matches_between(1, 3) == [(0, 2), (2, 4)]


def test_overlapping_matches_are_found_painted_and_counted_alike() -> None:
    # "aa" occurs at 0, 1 and 2 in "aaaa": stepping visits each, the count says 3, and each
    # row paints the occurrences it holds, wherever the rows break.
    finder = TextFinder("aaaa", "aa")
    assert every_start(finder) == [0, 1, 2]
    assert [finder.next_match(offset) for offset in (-1, 0, 1)] == [(0, 2), (1, 3), (2, 4)]
    assert finder.previous_match(2) == (1, 3)
    assert finder.matches_between(0, 4) == [(0, 2), (1, 3), (2, 4)]
    assert finder.matches_between(2, 4) == [(1, 3), (2, 4)]
    assert match_index(every_start(finder), 1) == 1


def same(char: str, wanted: str, any_case: bool) -> bool:
    """Whether `char` of the text matches `wanted` of the query, by the rules written out."""
    if any_case:
        char, wanted = char.lower(), wanted.lower()
    if wanted == " ":
        return char.isspace()
    if wanted == "'":
        return char in "'’"
    if wanted in "abAB":  # a plain letter: any accent
        return unicodedata.normalize("NFD", char)[0] == wanted
    return char == wanted


def occurrences(text: str, query: str) -> list[tuple[int, int]]:
    """Every place `query` occurs in `text`, by brute force (one character for one)."""
    any_case = query == query.lower()
    size = len(query)
    return [
        (i, i + size)
        for i in range(len(text) - size + 1)
        if all(same(text[i + k], query[k], any_case) for k in range(size))
    ]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    text=st.text(alphabet="aAbBáÁ \n’'", max_size=40),
    query=st.text(alphabet="aAbBá ’'", min_size=1, max_size=4),
    cut=st.integers(min_value=0, max_value=40),
)
@example(text="aaaa", query="aa", cut=2)
@example(text="áaÁ\na", query="a a", cut=3)
def test_matches_agree_with_brute_force_however_the_rows_break(
    text: str, query: str, cut: int
) -> None:
    finder = TextFinder(text, query)
    expected = occurrences(text, query)
    starts = [start for start, _ in expected]
    assert every_start(finder) == starts
    # Each of two rows, split at `cut`, paints exactly the matches that overlap it.
    cut = min(cut, len(text))
    for low, high in ((0, cut), (cut, len(text))):
        assert finder.matches_between(low, high) == [
            (start, end) for start, end in expected if start < high and end > low
        ]
    # Stepping forward and back visits each match once, in order.
    forward = [finder.next_match(start, wrap=False) for start in [-1, *starts]]
    assert forward == [*expected, None]
    backward = [finder.previous_match(start, wrap=False) for start in [*starts, len(text) + 1]]
    assert backward == [None, *expected]
    # Wrapping round: from any place, the next match is the first after it, else the first
    # of all; the previous is the last before it, else the last of all.
    for offset in range(len(text) + 1):
        after = [match for match in expected if match[0] > offset]
        before = [match for match in expected if match[0] < offset]
        assert finder.next_match(offset) == (after or expected or [None])[0]
        assert finder.previous_match(offset) == (before or expected or [None])[-1]


# --- folding: accents, quotation marks, dashes, line breaks -------------------------------

NAMES = "Natásha met NATÁSHA, then Natasha and natasha; Nata\u0301sha wrote."


def test_a_query_without_accents_matches_accented_letters() -> None:
    found = [
        NAMES[start:end]
        for start, end in TextFinder(NAMES, "natasha").matches_between(0, len(NAMES))
    ]
    assert found == ["Natásha", "NATÁSHA", "Natasha", "natasha", "Nata\u0301sha"]


def test_a_capital_keeps_the_case_exact_but_still_folds_accents() -> None:
    finder = TextFinder(NAMES, "Natasha")
    found = [NAMES[start:end] for start, end in finder.matches_between(0, len(NAMES))]
    assert found == ["Natásha", "Natasha", "Nata\u0301sha"]


def test_an_accented_letter_in_the_query_matches_only_that_accent() -> None:
    # The accented letter must be there (precomposed or as a letter and its combining mark);
    # the query's other letters still fold, and without a capital the case is free.
    finder = TextFinder(NAMES, "natásha")
    found = [NAMES[start:end] for start, end in finder.matches_between(0, len(NAMES))]
    assert found == ["Natásha", "NATÁSHA", "Nata\u0301sha"]
    assert every_start(TextFinder("Natàsha Natasha", "natásha")) == []


def test_offsets_are_those_of_the_text_when_a_letter_is_decomposed() -> None:
    # "a" + COMBINING ACUTE is two characters: the match covers both, and what follows
    # is found where it is.
    text = "Nata\u0301sha Natasha"
    finder = TextFinder(text, "natasha")
    assert every_start(finder) == [0, 9]
    assert finder.next_match(-1) == (0, 8)
    assert finder.next_match(0) == (9, 16)
    assert finder.previous_match(9) == (0, 8)
    assert finder.matches_between(7, 8) == [(0, 8)]  # the mark's own cell paints the match
    assert TextFinder(text, "sha").matches_between(0, len(text)) == [(5, 8), (13, 16)]


def test_straight_quotes_and_hyphens_match_curly_ones_and_dashes() -> None:
    text = "“Don’t,” she said—“don't.” A well-known \"don't\"."
    finder = TextFinder(text, "don't")
    assert [text[s:e] for s, e in finder.matches_between(0, len(text))] == [
        "Don’t",
        "don't",
        "don't",
    ]
    assert [text[s:e] for s, e in TextFinder(text, 'said-"').matches_between(0, len(text))] == [
        "said—“"
    ]
    # A curly quote or a dash typed in the query is meant: it matches only itself.
    assert [text[s:e] for s, e in TextFinder(text, "don’t").matches_between(0, len(text))] == [
        "Don’t"
    ]
    assert every_start(TextFinder(text, "well—known")) == []


def test_a_space_matches_a_line_break_of_hard_wrapped_text() -> None:
    # Reflowed text shows the line break as a space: the reader finds what it sees.
    text = "said Prince\nVasili, and\u00a0then"
    assert every_start(TextFinder(text, "prince vasili")) == [5]
    assert every_start(TextFinder(text, "and then")) == [20]


def test_natasha_is_found_in_war_and_peace_quickly(corpus: Path) -> None:
    from readertui.core.decoding import read_text_file

    text = read_text_file(corpus / "pg2600.txt", max_bytes=1 << 26).text
    accented = text.count("Natásha")
    assert accented > 1000
    began = time.perf_counter()
    finder = TextFinder(text, "natasha")
    first = finder.match_at_or_after(len(text) // 2)
    answered = time.perf_counter() - began
    assert first is not None and text[first[0] : first[1]] in ("Natásha", "Natasha", "NATÁSHA")
    starts = every_start(finder)
    assert len(starts) >= accented
    assert all(text[start : start + 7].lower() in ("natásha", "natasha") for start in starts)
    # The first match shows at once; counting them all is a worker's job but not slow either.
    assert answered < 0.1, f"the first match took {answered:.3f} s"


GRAPHEMES = ("a", "á", "a\u0301", "A\u0301", "b", " ", "\n")


def grapheme_matches(tokens: list[str], query: str) -> list[tuple[int, int]]:
    """Where `query` occurs in the text made of `tokens`, one query character per token."""
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token))

    def same(token: str, wanted: str) -> bool:
        token = token.lower()
        if wanted == " ":
            return token.isspace()
        if wanted == "á":  # accented: that accent only, precomposed or not
            return unicodedata.normalize("NFC", token) == "á"
        return unicodedata.normalize("NFD", token)[0] == wanted

    return [
        (starts[i], starts[i + len(query)])
        for i in range(len(tokens) - len(query) + 1)
        if all(same(tokens[i + k], query[k]) for k in range(len(query)))
    ]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    tokens=st.lists(st.sampled_from(GRAPHEMES), max_size=30),
    query=st.text(alphabet="abá ", min_size=1, max_size=3),
)
def test_decomposed_letters_match_whole_and_keep_their_offsets(
    tokens: list[str], query: str
) -> None:
    text = "".join(tokens)
    finder = TextFinder(text, query)
    expected = grapheme_matches(tokens, query)
    assert list(finder.all_starts() or []) == [start for start, _ in expected]
    assert finder.matches_between(0, len(text)) == expected
    forward = [finder.next_match(start, wrap=False) for start, _ in [(-1, 0), *expected]]
    assert forward == [*expected, None]
