"""Quotes and notes on one line for lists and dialogs."""

from __future__ import annotations

from readertui.core.shortening import one_line


def test_blanks_and_newlines_become_one_space() -> None:
    assert one_line("  two\n\nlines\tand  gaps ", 40) == "two lines and gaps"


def test_a_long_text_is_cut_with_an_ellipsis_within_the_limit() -> None:
    assert one_line("abcdefghij", 10) == "abcdefghij"
    assert one_line("abcdefghijk", 10) == "abcdefghi…"
    assert len(one_line("word " * 100, 70)) == 70
