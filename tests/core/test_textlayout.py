"""Wrapping and row <-> offset mapping: every character is on exactly one row, in order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.textlayout import (
    MAX_BLOCK_CHARS,
    RowRef,
    TextLayout,
    cell_width,
    hard_wrap_column,
    looks_hard_wrapped,
)

WORDS = st.lists(
    st.sampled_from(
        ["a", "the", "reader", "x" * 30, "词语", "naïve", "é", "\n", "\n\n", " ", "\t"]
    ),
    max_size=80,
).map("".join)


def all_rows(layout: TextLayout) -> list:
    return layout.rows_from(RowRef(layout.block_at(0).start, 0), 10**6)


def assert_partition(layout: TextLayout) -> None:
    owned: list[int] = []
    for row in all_rows(layout):
        assert row.start <= row.end <= row.stop
        owned.extend(range(row.start, row.stop))
    assert owned == list(range(layout.max_offset + 1))


@settings(max_examples=300, deadline=None)
@given(text=WORDS, width=st.integers(min_value=1, max_value=50), reflow=st.booleans())
def test_rows_partition_the_text_and_fit_the_width(text: str, width: int, reflow: bool) -> None:
    layout = TextLayout(text, width, reflow=reflow)
    assert_partition(layout)
    for row in all_rows(layout):
        shown = layout.shown(row)
        assert "\n" not in shown
        # A single character wider than the row is the only thing allowed to overflow.
        assert cell_width(shown) <= width or len(shown) == 1


@settings(max_examples=200, deadline=None)
@given(text=WORDS, width=st.integers(min_value=2, max_value=40), data=st.data())
def test_locate_finds_the_row_that_owns_an_offset(
    text: str, width: int, data: st.DataObject
) -> None:
    layout = TextLayout(text, width, reflow=True)
    offset = data.draw(st.integers(min_value=0, max_value=layout.max_offset))
    row = layout.row(layout.locate(offset))
    assert row.start <= offset < row.stop
    column = layout.column_of(row, offset)
    if offset < row.end:
        assert layout.offset_at(row, column) == offset


def test_words_wrap_at_spaces() -> None:
    layout = TextLayout("the quick brown fox jumps", 10)
    assert [layout.shown(r) for r in all_rows(layout)] == ["the quick", "brown fox", "jumps"]


def test_reflow_joins_hard_wrapped_lines_but_keeps_verse() -> None:
    prose = "It was the best of times, it was the worst\nof times, it was the age of wisdom.\n\n"
    verse = "Roses are red,\nViolets are blue,\nSugar is sweet.\n"
    layout = TextLayout(prose + verse, 100, reflow=True, wrap_column=45)
    shown = [layout.shown(r) for r in all_rows(layout)]
    assert (
        shown[0] == "It was the best of times, it was the worst of times, it was the age of wisdom."
    )
    assert shown[2:] == ["Roses are red,", "Violets are blue,", "Sugar is sweet."]


def test_without_reflow_every_source_line_starts_a_row() -> None:
    text = "one line\nanother line\n"
    layout = TextLayout(text, 100, reflow=False)
    assert [layout.shown(r) for r in all_rows(layout)] == ["one line", "another line"]


def test_wide_characters_count_two_cells() -> None:
    layout = TextLayout("中文字符测试", 5)
    assert [layout.shown(r) for r in all_rows(layout)] == ["中文", "字符", "测试"]


def test_control_characters_are_shown_not_sent() -> None:
    layout = TextLayout("a\x1b[31mred\x07", 40)
    (row,) = all_rows(layout)
    assert layout.shown(row) == "a\u241b[31mred\u2407"


def test_step_moves_across_blocks_and_clamps() -> None:
    text = "\n".join(f"line {n}" for n in range(100))
    layout = TextLayout(text, 80)
    start = layout.locate(0)
    assert layout.row(layout.step(start, 10)).start == text.index("line 10")
    assert layout.step(start, -5) == start
    assert layout.row(layout.step(start, 1000)).start == text.index("line 99")


def test_an_enormous_line_is_wrapped_in_chunks() -> None:
    text = "word " * (MAX_BLOCK_CHARS // 2)
    layout = TextLayout(text, 60)
    near_end = layout.locate(len(text) - 3)
    assert layout.block_at(len(text) - 3).start > 0
    assert layout.row(near_end).start <= len(text) - 3 < layout.row(near_end).stop


def test_hard_wrap_detection() -> None:
    wrapped = ("This is a line of prose that has been wrapped at a steady width\n" * 4 + "\n") * 20
    assert looks_hard_wrapped(wrapped)
    assert hard_wrap_column(wrapped) == 63
    long_lines = ("A paragraph written on one single very long line. " * 10 + "\n\n") * 30
    assert not looks_hard_wrapped(long_lines)
    verse = ("Short line\nAnother short one\nAnd a third\n\n") * 30
    assert not looks_hard_wrapped(verse)
