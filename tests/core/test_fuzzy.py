"""Fuzzy matching for the pickers: what a typed query finds, and how it ranks it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.fuzzy import MAX_GAP, FuzzyQuery


def score(query: str, text: str) -> float | None:
    return FuzzyQuery.parse(query).matcher().score(text.casefold())


def test_every_word_must_be_found_in_any_order() -> None:
    text = "China saved socialism, he told me"
    assert score("socialism china", text) is not None
    assert score("china capitalism", text) is None


def test_case_is_ignored() -> None:
    assert score("JIAYUGUAN", "the Jiayuguan steel works") is not None


def test_letters_in_order_with_a_few_between_are_found() -> None:
    assert score("mltn", "The molten salt plant") is not None
    assert score("jygn", "Jiayuguan") is not None
    # Letters further apart than MAX_GAP are not a match: a short word is not found in every
    # long paragraph.
    assert score("ab", "a" + "x" * (MAX_GAP + 1) + "b") is None
    assert score("ab", "a" + "x" * MAX_GAP + "b") is not None


def test_a_word_as_typed_ranks_above_the_same_letters_with_gaps() -> None:
    whole = score("salt", "molten salt")
    gapped = score("salt", "s a l t")
    assert whole is not None and gapped is not None and whole > gapped


def test_a_word_start_ranks_above_the_middle_of_a_word() -> None:
    start = score("salt", "molten salt")
    middle = score("salt", "basalts")
    assert start is not None and middle is not None and start > middle


def test_tighter_letters_rank_higher() -> None:
    near = score("mtn", "mxtn")
    far = score("mtn", "mxxxtxxxn")
    assert near is not None and far is not None and near > far


def test_an_empty_query_matches_everything() -> None:
    assert FuzzyQuery.parse("   ").empty
    assert score("", "anything") == 0


def test_characters_special_to_regular_expressions_are_plain_letters() -> None:
    assert score("[b]", "a [bold] b") is not None  # gapped: [ b ... ]
    assert score("^$.*", "x ^$.* y") is not None
    assert score("a]b", "a] b") is not None
    assert score("\\d", "a \\ d") is not None
    assert score("\\d", "a 1 b") is None


def test_a_longer_query_narrows_a_shorter_one() -> None:
    riv = FuzzyQuery.parse("riv")
    assert FuzzyQuery.parse("river").narrows(riv)
    assert FuzzyQuery.parse("riv sal").narrows(riv)
    assert not FuzzyQuery.parse("ri").narrows(riv)
    assert not FuzzyQuery.parse("salt").narrows(riv)


words = st.text(alphabet="abcx[] ", min_size=0, max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abcx[] \n", max_size=60), words, words, st.booleans())
def test_what_a_narrower_query_matches_the_wider_one_matched(
    text: str, first: str, second: str, typed_on: bool
) -> None:
    """The picker looks only at what the last query matched when the new one narrows it: that
    must never lose a match (`typed_on`: the second query is the first with more typed)."""
    wider = FuzzyQuery.parse(first)
    narrower = FuzzyQuery.parse(first + second if typed_on else second)
    if narrower.narrows(wider) and narrower.matcher().score(text) is not None:
        assert wider.matcher().score(text) is not None
