"""Passages: paragraphs with their offsets and lines, long ones split at sentence ends."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.index.passages import MAX_PASSAGE_CHARS, line_at, split_passages

QUICK = settings(max_examples=200, deadline=None)


def test_paragraphs_with_offsets_and_lines() -> None:
    text = "Title\n\n  First paragraph,\nwrapped.  \n \n\nSecond one.\n"
    passages = split_passages(text)
    assert [p.text for p in passages] == ["Title", "First paragraph,\nwrapped.", "Second one."]
    assert [p.line for p in passages] == [1, 3, 7]
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text


def test_a_long_paragraph_is_cut_at_sentence_ends() -> None:
    sentence = "This sentence has a few words in it and ends here. "
    text = sentence * 100
    passages = split_passages(text)
    assert len(passages) > 1
    for passage in passages:
        assert len(passage.text) <= MAX_PASSAGE_CHARS
        assert passage.text.endswith("ends here.")
    assert " ".join(p.text for p in passages) == text.strip()


def test_a_paragraph_with_no_space_is_cut_anyway() -> None:
    passages = split_passages("x" * (MAX_PASSAGE_CHARS * 2 + 5))
    assert [len(p.text) for p in passages] == [MAX_PASSAGE_CHARS, MAX_PASSAGE_CHARS, 5]


@QUICK
@given(st.text(alphabet="ab .!\n\t", max_size=4000))
def test_passages_cover_every_word_once_in_order(text: str) -> None:
    passages = split_passages(text)
    position = 0
    for passage in passages:
        assert passage.start >= position
        assert passage.text == text[passage.start : passage.end]
        assert passage.text.strip() == passage.text != ""
        assert passage.line == line_at(text, passage.start)
        assert text[position : passage.start].strip() == ""
        position = passage.end
    assert text[position:].strip() == ""
