"""What `L` offers: every other annotation of the library, links first, filtered fuzzily."""

from __future__ import annotations

from readertui.core.annotations import Annotation, DocumentRef, Quote
from readertui.core.fuzzy import FuzzyQuery
from readertui.core.link_choices import GONE, link_choices, ranked


def made(
    id: str, exact: str, *, doc: str = "a.txt", updated: str = "2025-01-01", **fields: object
) -> Annotation:
    return Annotation(
        id=id,
        doc=DocumentRef(doc, "", f"stored title of {doc}", "lib"),
        quote=Quote(exact),
        start=0,
        end=len(exact),
        created=updated,
        updated=updated,
        **fields,  # type: ignore[arg-type]
    )


SOURCE = made("source", "the source highlight", links=("b", "gone"))
OTHERS = [
    made("a", "China saved socialism", doc="star.txt", updated="2025-01-03"),
    made("b", "learned from the Soviet Union", doc="report.txt", updated="2025-01-01"),
    made(
        "c", "molten salt", note="the plant near\nDunhuang", tags=("energy",), updated="2025-01-02"
    ),
    made("d", "lost words", orphaned=True, updated="2025-01-04"),
]
TITLES = {"star.txt": "Morning Star", "report.txt": "Delegation Report"}


def listed(query: str = "") -> list[str]:
    targets = link_choices(SOURCE, [SOURCE, *OTHERS], TITLES)
    found = ranked(targets, FuzzyQuery.parse(query).matcher())
    assert found is not None
    return [target.id for target in found]


def test_links_come_first_then_the_newest_and_the_highlight_itself_is_not_offered() -> None:
    assert listed() == ["b", "gone", "d", "a", "c"]


def test_rows_carry_the_title_the_note_start_tags_and_marks() -> None:
    by_id = {t.id: t for t in link_choices(SOURCE, [SOURCE, *OTHERS], TITLES)}
    assert by_id["a"].title == "Morning Star"  # the library's title of the document now
    assert by_id["c"].title == "stored title of a.txt"  # not in the library: the stored one
    assert by_id["c"].note_line == "the plant near Dunhuang"
    assert by_id["c"].tags == ("energy",)
    assert by_id["b"].linked and not by_id["a"].linked
    assert by_id["d"].orphaned
    assert by_id["gone"].annotation is None and by_id["gone"].quote_line == GONE


def test_the_filter_matches_quote_note_tags_and_title() -> None:
    assert listed("socialism") == ["a"]
    assert listed("dunhuang") == ["c"]  # the note
    assert listed("energy") == ["c"]  # a tag
    assert listed("morning star") == ["a"]  # the title
    assert listed("soviet") == ["b"]


def test_links_stay_first_among_matches_and_better_matches_come_before_worse() -> None:
    # "so" starts a word of both "socialism" (newer) and "Soviet" (linked): the link first.
    assert listed("so")[:2] == ["b", "a"]
    # "salt" as typed ranks above the same letters spread out in another quote.
    spread = made("e", "s a l t", updated="2025-01-09")
    targets = link_choices(SOURCE, [*OTHERS, spread], TITLES)
    found = ranked(targets, FuzzyQuery.parse("salt").matcher())
    assert found is not None and [t.id for t in found] == ["c", "e"]


def test_a_long_quote_is_one_shortened_line() -> None:
    long = made("long", "word\n" * 200)
    (target,) = link_choices(made("s", "source"), [long], {})
    assert "\n" not in target.quote_line and target.quote_line.endswith("…")
    assert len(target.quote_line) <= 120


def test_matching_stops_when_told() -> None:
    targets = link_choices(SOURCE, OTHERS * 300, TITLES)
    assert ranked(targets, FuzzyQuery.parse("salt").matcher(), lambda: True) is None
