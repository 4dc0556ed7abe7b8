"""Finding text in a document: smart case, and which matches each screen row paints.

The basic moves (next, previous, wrapping, far-back search) are in test_motion_and_find.py.
"""

from __future__ import annotations

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


def occurrences(text: str, query: str) -> list[tuple[int, int]]:
    """Every place `query` occurs in `text` under smart case, by brute force."""
    exact = query != query.lower()
    folded = text if exact else text.lower()
    wanted = query if exact else query.lower()
    size = len(query)
    return [(i, i + size) for i in range(len(text) - size + 1) if folded[i : i + size] == wanted]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    text=st.text(alphabet="aAbB \n", max_size=40),
    query=st.text(alphabet="aAbB ", min_size=1, max_size=4),
    cut=st.integers(min_value=0, max_value=40),
)
@example(text="aaaa", query="aa", cut=2)
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
