"""Annotations in the index: `tag:` and `note:` searches, shared tags, links and backlinks,
updated as the caller hands changes over."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.index import LibraryIndex
from tests.index.helpers import open_index, write_library


def highlight(
    root: Path, rel_path: str, words: str, *, note: str = "", tags: tuple[str, ...] = ()
) -> Annotation:
    document = load_document(root / rel_path, root)
    start = document.text.index(words)
    ref = DocumentRef(rel_path, document.sha256, document.metadata.title)
    return new_annotation(document.text, ref, start, start + len(words), note=note, tags=tags)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[LibraryIndex, dict[str, Annotation]]]:
    root = write_library(tmp_path / "library")
    clocks = highlight(root, "b.txt", "clocks were striking", tags=("time", "Animal"))
    fox = highlight(
        root, "a.txt", "quick brown fox", note="a *sly* note", tags=("animal", "place/Xi'an")
    )
    fox = Annotation(**{**fox.__dict__, "links": (clocks.id,)})
    mill = highlight(root, "a.txt", "old mill", tags=("building",))
    said = highlight(root, "c.md", "said the fox", note="Who said it?", tags=("ANIMAL",))
    annotations = {"fox": fox, "clocks": clocks, "mill": mill, "said": said}
    with open_index(root, tmp_path / "index.sqlite3") as index:
        index.update()
        index.replace_annotations(annotations.values())
        yield index, annotations


def ids(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {hit.annotation_id for hit in hits}


def test_tag_and_note_searches(setup: tuple[LibraryIndex, dict[str, Annotation]]) -> None:
    index, notes = setup
    assert ids(index.search("tag:animal")) == {
        notes["fox"].id,
        notes["clocks"].id,
        notes["said"].id,
    }
    assert ids(index.search("tag:place")) == {notes["fox"].id}  # a tag below it
    assert ids(index.search("tag:#Place/Xi'an")) == {notes["fox"].id}
    assert ids(index.search("tag:pla")) == set()
    assert ids(index.search("note:sly")) == {notes["fox"].id}
    assert ids(index.search("tag:animal -sly")) == {notes["clocks"].id, notes["said"].id}
    assert ids(index.search("tag:animal -tag:time")) == {notes["fox"].id, notes["said"].id}
    assert ids(index.search("tag:animal striking")) == {notes["clocks"].id}
    (hit,) = index.search('note:"said it"')
    assert hit.place.path == "c.md" and hit.place.heading == "Part one"
    assert hit.place.line == 5
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.marks] == ["said it"]


def test_annotations_are_replaced_as_they_change(
    setup: tuple[LibraryIndex, dict[str, Annotation]],
) -> None:
    index, notes = setup
    fox = Annotation(**{**notes["fox"].__dict__, "tags": (), "note": "now a cunning note"})
    index.update_annotations([fox], removed=[notes["said"].id])
    assert ids(index.search("tag:animal")) == {notes["clocks"].id}
    assert ids(index.search("note:sly")) == set()
    assert ids(index.search("note:cunning")) == {fox.id}


def test_annotations_of_another_library_are_left_out(
    setup: tuple[LibraryIndex, dict[str, Annotation]],
) -> None:
    index, notes = setup
    foreign = Annotation(
        **{**notes["mill"].__dict__, "id": "other", "doc": DocumentRef("a.txt", library="/x")}
    )
    index.update_annotations([foreign])
    assert ids(index.search("tag:building")) == {notes["mill"].id}


def test_shared_tags_links_and_backlinks(
    setup: tuple[LibraryIndex, dict[str, Annotation]],
) -> None:
    index, notes = setup
    fox = notes["fox"]
    references = index.cross_references("a.txt", fox.start, highlight=fox)
    assert {r.annotation_id for r in references.shared_tags} == {
        notes["clocks"].id,
        notes["said"].id,
    }
    for entry in references.shared_tags:
        assert entry.group == "tag" and [t.lower() for t in entry.tags] == ["animal"]
        assert [entry.snippet.text[a:b].lower() for a, b in entry.snippet.marks] == ["#animal"]
    assert [(r.group, r.annotation_id) for r in references.links] == [("link", notes["clocks"].id)]
    (link,) = references.links
    assert link.place.where == "b.txt:3" and link.snippet.text == "clocks were striking"

    back = index.cross_references("b.txt", notes["clocks"].start, highlight=notes["clocks"])
    assert [(r.group, r.annotation_id) for r in back.links] == [("backlink", fox.id)]
    assert link.place.start == notes["clocks"].start

    tags, links = index.highlight_references(notes["mill"])
    assert tags == () and links == ()


def test_a_set_phrase_shared_by_many_passages_is_not_the_same_passage(tmp_path: Path) -> None:
    filler = "The same set phrase opens every one of these little notes today, as ever."
    texts = {
        f"note{number:02}.txt": f"{filler} Then: alpha{number} beta{number} gamma{number}.\n"
        for number in range(60)
    }
    texts["copy.txt"] = texts["note07.txt"]
    root = write_library(tmp_path / "library", texts)
    with open_index(root, tmp_path / "index.sqlite3") as index:
        index.update()
        same = index.cross_references("note07.txt", 0).same
        assert [(r.place.path, r.score) for r in same] == [("copy.txt", 1.0)]


def test_passages_by_line(tmp_path: Path) -> None:
    text = "Title\n\nFirst line of two,\nsecond line.\n\n\nLast.\n"
    root = write_library(tmp_path / "library", {"a.txt": text})
    with open_index(root, tmp_path / "index.sqlite3") as index:
        index.update()
        found = {
            line: (passage.text if (passage := index.passage_at_line("a.txt", line)) else None)
            for line in range(1, 10)
        }
        assert index.passage_at_line("missing.txt", 1) is None
    assert found == {
        1: "Title",
        2: "First line of two,\nsecond line.",  # a blank line: the passage after it
        3: "First line of two,\nsecond line.",
        4: "First line of two,\nsecond line.",
        5: "Last.",
        6: "Last.",
        7: "Last.",
        8: "Last.",  # past the end: the last one
        9: "Last.",
    }


def test_an_orphaned_highlight_is_found_but_has_no_place(
    setup: tuple[LibraryIndex, dict[str, Annotation]],
) -> None:
    index, notes = setup
    lost = Annotation(**{**notes["mill"].__dict__, "orphaned": True, "tags": ("lost",)})
    index.update_annotations([lost])
    (hit,) = index.search("tag:lost")
    assert hit.annotation_id == lost.id
    assert hit.place.line is None and hit.place.where == "a.txt:orphaned"
    assert hit.matches == () and hit.snippet.text.startswith("old mill")


def test_a_rewrapped_rehyphenated_copy_is_the_same_passage(tmp_path: Path) -> None:
    # The same passage is found by looking the passage's fingerprint phrases up in the
    # full-text index, whose words a hyphen at a line end splits ("indus-⏎trial"): the
    # phrases elsewhere in the copy still find it.
    original = (
        "The workers of the combine built the steel mill, the schools and the hospital "
        "of the industrial city in the desert, and the city grew around the mill while "
        "the railway brought ore from the mountains to the furnaces every single day."
    )
    copy = (
        "THE WORKERS of the combine built the steel mill, the schools and the hospital of\n"
        "the indus-\ntrial city in the desert, and the city grew around the mill while the\n"
        "railway brought ore from the moun-\ntains to the furnaces every single day."
    )
    filler = {f"other{n}.txt": f"Another text, number {n}, about the mill.\n" for n in range(5)}
    texts = {"a.txt": original + "\n", "b.txt": "Intro.\n\n" + copy + "\n", **filler}
    root = write_library(tmp_path / "library", texts)
    with open_index(root, tmp_path / "index.sqlite3") as index:
        index.update()
        same = index.cross_references("a.txt", 0).same
        assert [(r.place.path, r.place.line, r.score) for r in same] == [("b.txt", 3, 1.0)]
        back = index.cross_references("b.txt", len("Intro.\n\n")).same
        assert [(r.place.path, r.score) for r in back] == [("a.txt", 1.0)]
