"""The quote locator: hand-made cases, then properties over generated documents."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from readertui.core.locator import Hint, Placement, QuoteLocator, locate_quote
from tests.core.locator_cases import CASES, HINT, START, VOCABULARY, Case, document

# -- hand-made cases --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Case) -> None:
    text = case.unmarked()
    placement = locate_quote(
        text,
        case.exact,
        case.prefix,
        case.suffix,
        start=case.offset_of(START),
        hint=case.offset_of(HINT),
    )
    found = None if placement is None else (placement.start, placement.end)
    assert found == case.span(), (
        None if placement is None else (placement, text[placement.start : placement.end])
    )


def test_a_quote_at_its_offsets_with_a_short_context_is_placed_there_as_it_is() -> None:
    """Issue 9: with 10 characters of context (as another tool keeps) at the stored
    offsets, the answer is those offsets, with full confidence."""
    case = next(case for case in CASES if case.name.startswith("issue 9"))
    text = case.unmarked()
    start = case.offset_of(START)
    assert start is not None
    placement = locate_quote(text, case.exact, case.prefix, case.suffix, start=start)
    assert placement == Placement(start, start + len(case.exact), "offsets", 1.0)


def test_a_hint_may_be_a_range() -> None:
    """Between two placed neighbours' shifts: anywhere in the range is as near as can be."""
    text = document(1)
    start = text.index(" ", 2000) + 1
    exact = text[start : start + 40]
    placement = locate_quote(text, exact, hint=(start - 3000, start + 3000))
    assert placement is not None and (placement.start, placement.end) == (start, start + 40)


def test_a_quick_look_only_finds_a_sure_match_near_the_hint() -> None:
    text = document(2)
    start = text.index(" ", 1500) + 1
    exact, prefix, suffix = text[start : start + 30], text[start - 32 : start], ""
    locator = QuoteLocator(text)
    quick = locator.locate(exact, prefix, suffix, hint=start + 50, quick=True)
    assert quick is not None and quick.start == start
    # Without a hint there is nothing to look near; far from it, nothing is sure.
    assert locator.locate(exact, prefix, suffix, quick=True) is None
    moved = document(3) * 3 + text
    far = QuoteLocator(moved).locate(exact, prefix, suffix, hint=start, quick=True)
    assert far is None
    placement = QuoteLocator(moved).locate(exact, prefix, suffix, hint=start)
    assert placement is not None and placement.start == len(moved) - len(text) + start


def test_a_hint_outside_the_text_counts_as_its_nearest_end() -> None:
    """A hint before the start or past the end (an offset from a longer version of the
    text, a negative one from a broken export) is taken where the text ends that way."""
    copy = "The note said: we shall meet again at the bridge. That was all.\n\n"
    filler = document(5)
    text = copy + filler + copy
    first, last = 15, len(copy) + len(filler) + 15
    exact = "we shall meet again at the bridge"
    for hint, start in ((-(10**9), first), (-1, first), (len(text) + 5, last), (10**12, last)):
        placement = locate_quote(text, exact, "The note said: ", ". That was all.", hint=hint)
        assert placement is not None and placement.start == start, hint
        assert locate_quote(text, exact, start=hint) is not None
    unique = text.index("\n", 1000) + 1
    quote = text[unique : unique + 40]
    far_hints: tuple[Hint, ...] = (-(10**9), 10**12, (10**12, -(10**9)))
    for far in far_hints:
        placement = locate_quote(text, quote, text[unique - 10 : unique], hint=far)
        assert placement is not None and placement.start == unique, far


def test_nothing_to_look_for_or_in() -> None:
    assert locate_quote("", "anything") is None
    assert locate_quote("short text", "") is None
    assert locate_quote("short text", "short text and more") is None
    assert locate_quote("short text", "short text and more", hint=0, start=0) is None


def test_a_spent_scan_budget_leaves_a_quote_without_hint_unplaced() -> None:
    text = document(4)
    start = text.index(" ", 1000) + 1
    exact = text[start : start + 40]
    assert QuoteLocator(text, scan_chars=0).locate(exact) is None
    placement = QuoteLocator(text, scan_chars=len(text)).locate(exact)
    assert placement is not None and placement.start == start


# -- properties ---------------------------------------------------------------------------

texts = st.builds(document, st.integers(0, 100_000), st.integers(30, 80))


def plain(text: str) -> str:
    """`text` with the kinds of characters the generated documents use made one."""
    for variants, plain_char in (("\n", " "), ("’", "'"), ("“”", '"'), ("—–", "-")):
        for variant in variants:
            text = text.replace(variant, plain_char)
    return text


@st.composite
def quoted(
    draw: st.DrawFn, *, least: int = 12, holding: str = ""
) -> tuple[str, int, int, str, str]:
    """A text, a span of it (whole words or not), and some of the context either side:
    from none to a few hundred characters. With `holding`, the span holds one of those
    characters."""
    text = draw(texts)
    length = draw(st.integers(least, 150))
    if holding:
        places = [at for at, char in enumerate(text) if char in holding]
        assume(places)
        at = draw(st.sampled_from(places))
        start = draw(st.integers(max(0, at - length + 1), min(at, len(text) - length)))
    else:
        start = draw(st.integers(0, len(text) - length))
    end = start + length
    before = draw(st.one_of(st.just(0), st.integers(1, 300)))
    after = draw(st.one_of(st.just(0), st.integers(1, 300)))
    return text, start, end, text[max(0, start - before) : start], text[end : end + after]


def hints(start: int) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.just(start), st.integers(start - 3000, start + 3000))


def typo(draw: Callable[[st.SearchStrategy[Any]], Any], text: str, low: int, high: int) -> str:
    """`text` with one typo: a letter changed, dropped, doubled or two swapped, in low..high."""
    at: int = draw(st.integers(low, high - 2))
    kind: str = draw(st.sampled_from(("change", "drop", "double", "swap")))
    if kind == "change":
        other: str = draw(st.sampled_from("xqzjk"))
        assume(text[at] != other)
        return text[:at] + other + text[at + 1 :]
    if kind == "drop":
        return text[:at] + text[at + 1 :]
    if kind == "double":
        return text[: at + 1] + text[at:]
    assume(text[at] != text[at + 1])
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


@settings(max_examples=120, deadline=None, derandomize=True)
@given(case=quoted(), data=st.data())
def test_a_quote_with_its_true_context_is_found_at_its_place(
    case: tuple[str, int, int, str, str], data: st.DataObject
) -> None:
    text, start, end, prefix, suffix = case
    exact = text[start:end]
    # Where it occurs twice with nothing given to tell the two apart (line breaks and
    # spaces, curly and straight quotes are alike), it is rightly an orphan; that is
    # another property.
    assume(plain(text).count(plain(prefix + exact + suffix)) == 1)
    assume(plain(text).count(plain(exact)) == 1 or len(prefix) + len(suffix) >= 16)
    hint = data.draw(hints(start))
    placement = locate_quote(text, exact, prefix, suffix, hint=hint)
    assert placement is not None
    assert (placement.start, placement.end) == (start, end)
    assert placement.method == "exact"


@settings(max_examples=120, deadline=None, derandomize=True)
@given(case=quoted(least=24), data=st.data())
def test_a_quote_with_a_typo_is_still_found(
    case: tuple[str, int, int, str, str], data: st.DataObject
) -> None:
    """One typo in the quote, maybe one on each side of the context: still found, exactly,
    and never anywhere else.

    What it takes: the typo is inside the quote (not among its first or last two
    characters, where it could as well be the quote whose ends changed); without 16
    characters of context a quote under 32 characters is only recognised as it is (with a
    letter wrong it could as well be a look-alike). Beyond a few hundred characters from
    the hint, or with no hint, the search starts from exact pieces of 16 characters of
    context and quote, so enough of them must survive: a quote of 32 characters or more,
    or context of 16 on both sides, and no typo in the context. (With typos in quote and
    context and a hint thousands of characters off, it may be an orphan.)
    """
    text, start, end, prefix, suffix = case
    exact = text[start:end]
    assume(plain(text).count(plain(exact)) == 1)
    mistyped = typo(data.draw, exact, 2, len(exact) - 2)
    hint = data.draw(hints(start))
    context_typos = False
    if hint is not None:
        if len(prefix) >= 12 and data.draw(st.booleans()):
            prefix, context_typos = typo(data.draw, prefix, 0, len(prefix)), True
        if len(suffix) >= 12 and data.draw(st.booleans()):
            suffix, context_typos = typo(data.draw, suffix, 0, len(suffix)), True
    assume(len(prefix) + len(suffix) >= 16 or len(mistyped) >= 32)
    near = hint is not None and abs(hint - start) <= 200
    assume(near or len(mistyped) >= 32 or min(len(prefix), len(suffix)) >= 16)
    placement = locate_quote(text, mistyped, prefix, suffix, hint=hint)
    if near or not context_typos:
        assert placement is not None
    if placement is not None:
        assert (placement.start, placement.end) == (start, end)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    seeds=st.tuples(st.integers(0, 100_000), st.integers(0, 100_000), st.integers(0, 100_000)),
    words=st.lists(st.sampled_from(VOCABULARY), min_size=4, max_size=30),
    which=st.sampled_from((0, 1)),
    context=st.tuples(st.integers(10, 120), st.integers(10, 120)),
    hinted=st.sampled_from(("none", "right copy", "other copy")),
)
def test_of_two_copies_of_a_passage_the_context_finds_the_right_one(
    seeds: tuple[int, int, int],
    words: list[str],
    which: int,
    context: tuple[int, int],
    hinted: str,
) -> None:
    """The same passage twice, in different surroundings: the one whose context was given
    is found, whatever the hint says (a hint never outweighs a clearly better context)."""
    assume(len(set(seeds)) == len(seeds))  # different surroundings on both sides
    passage = " ".join(words)
    parts = [document(seed, 20) for seed in seeds]
    text = parts[0] + passage + " " + parts[1] + passage + " " + parts[2]
    copies = (len(parts[0]), len(parts[0]) + len(passage) + 1 + len(parts[1]))
    start = copies[which]
    end = start + len(passage)
    prefix, suffix = text[start - context[0] : start], text[end : end + context[1]]
    assume(text.count(prefix + passage + suffix) == 1)
    hint = {"none": None, "right copy": start, "other copy": copies[1 - which]}[hinted]
    placement = locate_quote(text, passage, prefix, suffix, hint=hint)
    assert placement is not None
    assert (placement.start, placement.end) == (start, end)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(case=quoted(), data=st.data())
def test_a_removed_passage_is_an_orphan(
    case: tuple[str, int, int, str, str], data: st.DataObject
) -> None:
    """The quote taken out of the text, with some of its context or none: it is not put
    anywhere else."""
    text, start, end, prefix, suffix = case
    exact = text[start:end]
    assume(plain(text).count(plain(exact)) == 1)
    low = start - data.draw(st.integers(0, len(prefix)))
    high = end + data.draw(st.integers(0, len(suffix)))
    removed = text[:low] + text[high:]
    hint = data.draw(hints(start))
    placement = locate_quote(removed, exact, prefix, suffix, hint=hint)
    assert placement is None, (placement, removed[placement.start : placement.end])


@settings(max_examples=80, deadline=None, derandomize=True)
@given(case=quoted(), data=st.data())
def test_only_as_much_text_as_the_context_given_is_compared(
    case: tuple[str, int, int, str, str], data: st.DataObject
) -> None:
    """Whatever stands beyond the context given (here: the same text in capitals) changes
    neither where the quote is placed nor how sure the locator is."""
    text, start, end, prefix, suffix = case
    exact = text[start:end]
    assume(plain(text).count(plain(exact)) == 1)
    hint = data.draw(hints(start))
    low, high = start - len(prefix), end + len(suffix)
    elsewhere = text[:low].upper() + text[low:high] + text[high:].upper()
    assume(plain(elsewhere).count(plain(exact)) == 1)
    placement = locate_quote(text, exact, prefix, suffix, hint=hint)
    assert placement is not None
    assert locate_quote(elsewhere, exact, prefix, suffix, hint=hint) == placement


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    seeds=st.tuples(st.integers(0, 100_000), st.integers(0, 100_000)),
    words=st.lists(st.sampled_from(VOCABULARY), min_size=4, max_size=30),
    which=st.sampled_from((0, 1)),
    context=st.tuples(st.integers(0, 40), st.integers(0, 18)),
    off=st.integers(-150, 150),
)
def test_where_the_context_cannot_tell_two_copies_apart_the_hint_does(
    seeds: tuple[int, int],
    words: list[str],
    which: int,
    context: tuple[int, int],
    off: int,
) -> None:
    """The same passage in the same surroundings twice, thousands of characters apart: a
    hint near one copy places it there; with no hint it is a coin flip, an orphan."""
    intro, outro = "\n\nAnd again the same words came back to him: ", ", and nothing else.\n\n"
    quoted = " ".join(words)
    filler = document(seeds[0], 40)
    assume(len(filler) > 3000)
    copy = intro + quoted + outro
    text = document(seeds[1], 5) + copy + filler + copy + document(seeds[1] + 1, 5)
    first = text.index(copy) + len(intro)
    copies = (first, first + len(copy) + len(filler))
    start = copies[which]
    end = start + len(quoted)
    assume(text.count(quoted) == 2)
    prefix, suffix = text[start - context[0] : start], text[end : end + context[1]]
    placement = locate_quote(text, quoted, prefix, suffix, hint=start + off)
    assert placement is not None
    assert (placement.start, placement.end) == (start, end)
    assert locate_quote(text, quoted, prefix, suffix) is None


@settings(max_examples=80, deadline=None, derandomize=True)
@given(case=quoted(holding="’“”—–\n"), data=st.data())
def test_line_ends_and_kinds_of_quotes_and_dashes_do_not_matter(
    case: tuple[str, int, int, str, str], data: st.DataObject
) -> None:
    """The text with CRLF line ends and the quote as copied from a plain page (LF, straight
    quotes, hyphens), or the reverse: found where it is, as if all were alike."""
    text, start, end, prefix, suffix = case
    exact = text[start:end]
    assume(exact == exact.strip())
    assume(plain(text).count(plain(exact)) == 1)
    hint = data.draw(hints(start))
    if data.draw(st.booleans()):
        # CRLF in the text, the quote as another tool copied it.
        crlf = text.replace("\n", "\r\n")
        moved = start + text.count("\n", 0, start), end + text.count("\n", 0, end)
        flat = [
            part.replace("’", "'").replace("“", '"').replace("”", '"')
            for part in (exact, prefix, suffix)
        ]
        flat = [part.replace("—", "-").replace("–", "-") for part in flat]
        crlf_hint = None if hint is None else hint + text.count("\n", 0, max(0, hint))
        placement = locate_quote(crlf, *flat, hint=crlf_hint)
    else:
        # LF in the text, the quote with CRLF line ends.
        moved = start, end
        parts = [part.replace("\n", "\r\n") for part in (exact, prefix, suffix)]
        placement = locate_quote(text, *parts, hint=hint)
    assert placement is not None
    assert (placement.start, placement.end) == moved
    assert placement.method == "exact"


def test_a_context_of_tens_of_thousands_of_characters_is_cheap() -> None:
    """A side of context far longer than anyone keeps (an export may carry anything) is
    compared by its nearest part: with a common quote and contexts that agree nowhere, all
    of it once took seconds for every candidate."""
    text = "".join(document(seed) for seed in range(30))
    word = "verpel"  # one of the commonest words of these documents: hundreds of places
    assert text.count(word) > 300
    start = text.index(f" {word} ", len(text) // 2) + 1
    end = start + len(word)
    prefix, suffix = text[start - 20_000 : start], text[end : end + 20_000]
    began = time.perf_counter()
    placement = locate_quote(text, word, prefix, suffix)
    wrong = locate_quote(text, word, prefix[::-1], suffix[::-1], hint=start)
    assert time.perf_counter() - began < 2.0
    assert placement is not None and (placement.start, placement.end) == (start, end)
    assert wrong is None


def test_a_long_quote_with_typos_is_found_in_well_under_a_second() -> None:
    """A chapter highlighted whole, a letter changed at each end: its spans are compared
    within a band of edits (compared whole, 100,000 characters took seconds)."""
    text = "".join(document(seed) for seed in range(60))
    start = text.index(" ", 50_000) + 1
    end = start + 100_000
    exact = "Q" + text[start + 1 : end - 1] + "Q"
    began = time.perf_counter()
    placement = locate_quote(text, exact, text[start - 32 : start], text[end : end + 32])
    hinted = locate_quote(text, exact, hint=start)
    assert time.perf_counter() - began < 2.0
    assert placement is not None and (placement.start, placement.end) == (start, end)
    # Without context, a mistyped first or last letter may as well be a letter less.
    assert hinted is not None
    assert abs(hinted.start - start) <= 1 and abs(hinted.end - end) <= 1
