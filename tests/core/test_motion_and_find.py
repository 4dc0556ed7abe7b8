"""Word and paragraph motions, and finding text: where the cursor lands."""

from __future__ import annotations

from readertui.core.find import TextFinder, match_index
from readertui.core.motion import (
    next_paragraph_start,
    next_word_start,
    previous_paragraph_start,
    previous_word_start,
)

TEXT = "Hello, world. Foo\nbar\n\n\nSecond para here.\n\nThird.\n"


def test_w_and_b_visit_words_and_punctuation() -> None:
    starts = []
    offset = 0
    for _ in range(5):
        offset = next_word_start(TEXT, offset)
        starts.append(TEXT[offset])
    assert starts == [",", "w", ".", "F", "b"]
    assert previous_word_start(TEXT, TEXT.index("world") + 2) == TEXT.index("world")
    assert previous_word_start(TEXT, TEXT.index("world")) == TEXT.index(",")


def test_paragraph_motions() -> None:
    second = TEXT.index("Second")
    third = TEXT.index("Third")
    assert next_paragraph_start(TEXT, 0) == second
    assert next_paragraph_start(TEXT, second) == third
    assert previous_paragraph_start(TEXT, third) == second
    assert previous_paragraph_start(TEXT, second + 3) == second
    assert previous_paragraph_start(TEXT, second) == 0


def test_find_is_smart_case_and_wraps() -> None:
    text = "The cat. the dog. THE END"
    finder = TextFinder(text, "the")
    assert [m[0] for m in [finder.next_match(-1), finder.next_match(0), finder.next_match(9)]] == [
        0,
        9,
        18,
    ]
    assert finder.next_match(18) == (0, 3)  # wraps to the top
    assert finder.previous_match(0) == (18, 21)  # wraps to the bottom
    exact = TextFinder(text, "THE")
    assert list(exact.all_starts() or []) == [18]


def test_previous_match_far_back_in_a_long_text() -> None:
    text = "needle" + "x" * 300_000 + "needle" + "y" * 10
    finder = TextFinder(text, "needle")
    assert finder.previous_match(len(text) - 1) == (300_006, 300_012)
    assert finder.previous_match(300_006) == (0, 6)


def test_match_index_and_ranges() -> None:
    finder = TextFinder("aXa aXa aXa", "axa")
    starts = list(finder.all_starts() or [])
    assert starts == [0, 4, 8]
    assert match_index(starts, 4) == 1
    assert finder.matches_between(3, 6) == [(4, 7)]
