"""Character folding: kinds made one, offsets kept, and the lazily folded text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.folding import (
    EVERY_KIND,
    KINDS,
    MARKS,
    FoldedText,
    Folding,
    fold,
    join_crlf,
    plain_line_ends,
)
from tests.core.locator_cases import document


def test_every_character_of_a_kind_folds_to_the_plain_one() -> None:
    for plain, variants in KINDS:
        assert fold(variants) == plain * len(variants)
    assert fold("“Don’t—wait,”\u00a0she said.\r\n") == '"Don\'t-wait," she said.  '
    assert fold("plain ASCII stays as it is") == "plain ASCII stays as it is"


def test_marks_leave_spaces_and_line_breaks_alone() -> None:
    assert MARKS.apply("‘a’\n–\u00a0b") == "'a'\n-\u00a0b"
    assert EVERY_KIND.apply("‘a’\n–\u00a0b") == "'a' - b"


def test_a_folding_of_other_rows() -> None:
    dashes = Folding.of((("-", "\u2013\u2014"),))
    assert dashes.apply("1850–1852 — “so”") == "1850-1852 - “so”"
    assert "\u2014" in dashes.of_a_kind and "\u201c" not in dashes.of_a_kind


def test_crlf_line_ends_are_joined_and_their_places_told() -> None:
    assert join_crlf("no line ends") == ("no line ends", [])
    assert join_crlf("a lone\rCR") == ("a lone\rCR", [])
    joined, places = join_crlf("one\r\ntwo\r\n\r\nthree")
    assert joined == "one\ntwo\n\nthree"
    # Each place is where the LF of a joined CRLF now stands.
    assert places == [3, 7, 8] and all(joined[place] == "\n" for place in places)
    assert plain_line_ends("a\r\nb\rc\n") == "a\nb\rc\n"


def look_alikes(seed: int) -> str:
    """Prose with characters of every kind, then the same prose with its spaces, and then
    its apostrophes, of another kind: runs of letters that agree, joined by characters that
    fold differently."""
    text = document(seed)
    return text + text.replace(" ", "-") + text.replace("’", '"') + text.replace("\n", "\u2014")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 10_000),
    copies=st.integers(1, 4),
    folding=st.sampled_from((EVERY_KIND, MARKS)),
    data=st.data(),
)
def test_a_folded_text_finds_what_the_text_folded_whole_does(
    seed: int, copies: int, folding: Folding, data: st.DataObject
) -> None:
    """Short stretches are folded as they are read, long ones searched by the needle's
    runs without quotes, dashes or spaces: either way, as if all were folded at once."""
    text = look_alikes(seed) * copies
    whole = folding.apply(text)
    assert len(whole) == len(text)
    for _ in range(4):
        start = data.draw(st.integers(0, len(text) - 1))
        needle = folding.apply(text[start : start + data.draw(st.integers(1, 60))])
        # Stretches of every length, most of them long enough to be searched by runs, and
        # some ending just short of the needle's end, at the edge of what is searched.
        low = data.draw(st.one_of(st.just(0), st.integers(0, start)))
        end = start + len(needle)
        high = data.draw(
            st.sampled_from((end - 1, end, len(text), data.draw(st.integers(start, len(text)))))
        )
        # A fresh one each time: once a scan has folded the whole text, all read that.
        assert FoldedText(text, folding).find(needle, low, high) == whole.find(needle, low, high)
        folded = FoldedText(text, folding)
        assert folded.startswith(needle, start) == whole.startswith(needle, start)
        assert folded[low:high] == whole[low:high]
