"""Text cut to fit: one line, whole words where it can, and "…" wherever it was cut."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.shortening import (
    ELLIPSIS,
    cell_width,
    fit_lines,
    fit_parts,
    one_line,
    shorten,
)


def test_blanks_and_newlines_become_one_space() -> None:
    assert one_line("  two\n\nlines\tand  gaps ", 40) == "two lines and gaps"


def test_a_long_text_is_cut_with_an_ellipsis_within_the_limit() -> None:
    assert one_line("abcdefghij", 10) == "abcdefghij"
    assert one_line("abcdefghijk", 10) == "abcdefghi…"
    assert len(one_line("word " * 100, 70)) <= 70
    assert one_line("word " * 100, 70).endswith("word…")


def test_a_cut_falls_between_words_not_inside_one() -> None:
    note = "Read this with **post-solidarity** in mind, and the delegation's notes"
    assert one_line(note, 24) == "Read this with…"
    assert one_line(note, 40) == "Read this with **post-solidarity** in…"


def test_punctuation_before_the_cut_is_dropped() -> None:
    assert shorten("Alessandro Zancan, Sydney Loving, Callum Norris", 36) == (
        "Alessandro Zancan, Sydney Loving…"
    )


def test_one_long_word_is_cut_inside() -> None:
    assert shorten("https://example.org/a/very/long/path", 12) == "https://exa…"
    assert shorten("short https://example.org/a/very/long/path", 20) == "short https://examp…"


def test_wide_characters_count_two_cells() -> None:
    cut = shorten("嘉峪关的早晨之星报道", 9)
    assert cut.endswith(ELLIPSIS) and cell_width(cut) <= 9


def test_fit_lines_wraps_and_marks_the_cut_on_the_last_line() -> None:
    text = "China’s technology infrastructure is blazing a trail for humanity"
    assert fit_lines(text, 40, 2) == [
        "China’s technology infrastructure is",
        "blazing a trail for humanity",
    ]
    assert fit_lines(text, 20, 2) == ["China’s technology", "infrastructure is…"]
    assert fit_lines("short", 20, 2) == ["short"]


def test_fit_parts_gives_way_in_the_first_part_and_keeps_the_others() -> None:
    parts = (
        "Alessandro Zancan, Sydney Loving, Callum Norris, Twm Draper",
        "Friends of Socialist China",
        "2025-09-13",
    )
    assert fit_parts(parts, 70) == (
        "Alessandro Zancan, Sydney… · Friends of Socialist China · 2025-09-13"
    )
    assert fit_parts(parts, 200) == " · ".join(parts)
    assert fit_parts(("", "Publication", "2020"), 40) == "Publication · 2020"
    narrow = fit_parts(parts, 30)
    assert cell_width(narrow) <= 30 and narrow.endswith(ELLIPSIS)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.text(alphabet="ab 嘉,\n", max_size=60), cells=st.integers(1, 30))
def test_a_shortened_text_fits_and_says_when_it_was_cut(text: str, cells: int) -> None:
    line = one_line(text, cells)
    assert cell_width(line) <= cells
    whole = " ".join(text.split())
    assert line == whole or line.endswith(ELLIPSIS)
    if line != whole:
        assert whole.startswith(line[:-1].rstrip(" ,"))


def test_widths_agree_with_what_the_terminal_is_drawn_with() -> None:
    from rich.cells import cell_len

    for text in ("plain", "Natásha", "Nata\u0301sha", "嘉峪关", "ｆｕｌｌ", "“quoted” — dash"):
        assert cell_width(text) == cell_len(text), text
