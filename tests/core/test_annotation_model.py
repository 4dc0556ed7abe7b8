"""The annotation model, tags, the highlight index, undo and citations."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readertui.core.annotations import (
    COLORS,
    Annotation,
    DocumentRef,
    Quote,
    clean_tag,
    has_tag,
    new_annotation,
    next_color,
    normalise_tags,
    parse_tags,
    quote_at,
)
from readertui.core.citation import citation, quotation
from readertui.core.highlight_index import HighlightIndex
from readertui.core.metadata import DocumentMetadata
from readertui.core.undo import UndoStack, reverted

TEXT = "The quick brown fox jumps over the lazy dog. " * 4
DOC = DocumentRef("animals.txt", "abc", "Animals")


def make(start: int, end: int) -> Annotation:
    return new_annotation(TEXT, DOC, start, end)


def test_new_annotation_keeps_the_quote_and_32_characters_of_context() -> None:
    start = TEXT.index("fox", 60)
    annotation = new_annotation(TEXT, DOC, start, start + 3)
    assert annotation.quote == Quote("fox", TEXT[start - 32 : start], TEXT[start + 3 : start + 35])
    assert uuid.UUID(annotation.id).version == 4
    assert annotation.created == annotation.updated
    assert annotation.color == "yellow"


@given(
    note=st.text(),
    tags=st.lists(st.text(min_size=1), max_size=5),
    color=st.sampled_from(COLORS),
    orphaned=st.booleans(),
)
def test_record_round_trip(note: str, tags: list[str], color: str, orphaned: bool) -> None:
    annotation = make(4, 9).touched(
        note=note, tags=normalise_tags(tags), color=color, orphaned=orphaned
    )
    assert Annotation.from_record(annotation.to_record()) == annotation


def test_the_document_s_library_is_kept_and_a_legacy_record_has_none() -> None:
    legacy = make(4, 9)
    assert "library" not in legacy.to_record()["doc"]
    assert Annotation.from_record(legacy.to_record()).doc.library == ""
    keyed = replace(legacy, doc=DocumentRef("animals.txt", "abc", "Animals", "/home/me/zoo"))
    record = keyed.to_record()
    assert record["doc"] == {
        "library": "/home/me/zoo",
        "path": "animals.txt",
        "sha256": "abc",
        "title": "Animals",
    }
    assert Annotation.from_record(record) == keyed
    record["doc"]["library"] = 5
    with pytest.raises(ValueError, match="library"):
        Annotation.from_record(record)


def test_a_document_belongs_to_its_own_library_and_a_legacy_one_to_every_library() -> None:
    keyed = DocumentRef("a.txt", library="/home/me/zoo")
    legacy = DocumentRef("a.txt")
    assert keyed.belongs_to("/home/me/zoo", "a.txt")
    assert not keyed.belongs_to("/srv/other", "a.txt")
    assert not keyed.belongs_to("/home/me/zoo", "b.txt")
    assert legacy.belongs_to("/srv/other", "a.txt") and legacy.belongs_to("", "a.txt")
    assert keyed.in_library("/home/me/zoo") and not keyed.in_library("")


def test_colours_cycle_through_five() -> None:
    seen = ["yellow"]
    for _ in range(5):
        seen.append(next_color(seen[-1]))
    assert seen == ["yellow", "green", "blue", "pink", "purple", "yellow"]


def test_tags_are_cleaned_case_insensitive_and_hierarchical() -> None:
    assert parse_tags(" place / Jiayuguan , steel,, STEEL, #people ") == (
        "place/Jiayuguan",
        "steel",
        "people",
    )
    annotation = make(0, 3).touched(tags=("Place/Jiayuguan",))
    assert has_tag(annotation, "place")
    assert has_tag(annotation, "PLACE/jiayuguan")
    assert not has_tag(annotation, "plac")


def test_highlight_index_finds_overlaps_innermost_and_neighbours() -> None:
    outer = make(0, 40)
    inner = make(10, 15)
    later = make(100, 110)
    index = HighlightIndex([later, outer, inner])
    assert index.overlapping(12, 13) == [outer, inner]  # longest first, painted first
    assert index.at(12) == inner
    assert index.at(30) == outer
    assert index.at(50) is None
    assert index.next_after(10) == later
    assert index.previous_before(100) == inner
    assert index.previous_before(0) is None


def test_highlight_index_ignores_orphans() -> None:
    index = HighlightIndex([make(0, 5).touched(orphaned=True)])
    assert len(index) == 0
    assert index.at(2) is None


def test_undo_restores_what_was_there_with_a_newer_stamp() -> None:
    stack = UndoStack()
    first = make(0, 3)
    changed = first.touched(color="green")
    stack.record(None, first)
    stack.record(first, changed)
    change = stack.pop()
    assert change is not None
    restored = reverted(change)
    assert restored is not None and restored.color == "yellow"
    assert restored.updated >= changed.updated
    creation = stack.pop()
    assert creation is not None and reverted(creation) is None
    assert stack.pop() is None


def test_citation_names_what_is_known() -> None:
    meta = DocumentMetadata("War and Peace", ("Leo Tolstoy",), "Project Gutenberg", "1869")
    assert citation(meta, "novels/wp.txt", 12) == (
        "Leo Tolstoy, “War and Peace”, Project Gutenberg, 1869 (novels/wp.txt, line 12)"
    )
    assert citation(DocumentMetadata(""), "a.txt", 1) == "a.txt, line 1"
    assert quotation("one\n two ", meta, "wp.txt", 3).startswith("“one\n two”\n— Leo Tolstoy")
    assert quotation(" one  two ", meta, "wp.txt", 3).startswith("“one two”")


def test_quote_at_edges() -> None:
    assert quote_at("abc", 0, 3) == Quote("abc", "", "")


@given(st.text(alphabet=st.sampled_from(" #/\ta\u00e9\u3000"), max_size=12))
def test_cleaning_a_tag_twice_changes_nothing(tag: str) -> None:
    # An import cleans tags again: a stored tag must come back as it is.
    assert clean_tag(clean_tag(tag)) == clean_tag(tag)
    assert clean_tag(" # #a ") == "a"
