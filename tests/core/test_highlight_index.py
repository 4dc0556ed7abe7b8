"""An edit derives the next highlight index and the status line's highlight and note counts
from the last ones: they must answer exactly as ones built from scratch would, whatever was
added, moved, noted, orphaned or deleted."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import Document
from readertui.core.highlight_index import HighlightIndex
from readertui.core.metadata import DocumentMetadata
from readertui.core.open_document import OpenDocument
from readertui.core.undo import Change
from readertui.formats import PLAIN_TEXT

TEXT = "".join(f"Line {n} of the text, with words to highlight.\n" for n in range(40))
DOC = DocumentRef("t.txt", "hash", "T")

spans = st.tuples(st.integers(0, len(TEXT) - 2), st.integers(1, 40)).map(
    lambda s: (s[0], min(len(TEXT), s[0] + s[1]))
)


def _answers(index: HighlightIndex) -> tuple[object, ...]:
    probes = range(0, len(TEXT) + 1, 7)
    return (
        [a.id for a in index.annotations],
        [[a.id for a in index.overlapping(p, p + 5)] for p in probes],
        [getattr(index.next_after(p), "id", None) for p in probes],
        [getattr(index.previous_before(p), "id", None) for p in probes],
    )


@settings(max_examples=150, deadline=None)
@given(
    first=st.lists(spans, max_size=25),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["add", "move", "note", "orphan", "delete"]), st.integers(0, 99), spans
        ),
        max_size=12,
    ),
    settled=st.booleans(),
)
def test_an_index_changed_edit_by_edit_answers_as_one_built_anew(
    first: list[tuple[int, int]], edits: list[tuple[str, int, tuple[int, int]]], settled: bool
) -> None:
    annotations: list[Annotation] = [new_annotation(TEXT, DOC, a, b) for a, b in first]
    opened = OpenDocument(_document(), {a.id: a for a in annotations}, settled=settled)
    opened.highlight_index()  # built, so that edits derive from it
    opened.highlight_counts()
    for kind, pick, (start, end) in edits:
        current = list(opened.annotations.values())
        if kind == "add" or not current:
            change = Change(None, new_annotation(TEXT, DOC, start, end))
        else:
            before = current[pick % len(current)]
            if kind == "move":
                change = Change(before, replace(before, start=start, end=end))
            elif kind == "note":
                change = Change(before, replace(before, note="" if before.note else " a note "))
            elif kind == "orphan":
                change = Change(before, replace(before, orphaned=True))
            else:
                change = Change(before, None)
        opened = opened.with_changes([change])
        rebuilt = HighlightIndex(opened.highlights())
        assert _answers(opened.highlight_index()) == _answers(rebuilt)
        fresh = OpenDocument(opened.document, opened.annotations, settled=opened.settled)
        assert opened.highlight_counts() == fresh.highlight_counts()
        highlights = fresh.highlights()
        assert fresh.highlight_counts() == (
            len(highlights),
            sum(1 for a in highlights if a.note.strip()),
        )


def _document() -> Document:
    return Document(
        Path("t.txt"), "t.txt", TEXT, PLAIN_TEXT, "utf-8", DocumentMetadata("T", (), "", "", "", ())
    )
