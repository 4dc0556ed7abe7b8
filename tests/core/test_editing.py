"""Annotation editing in the core: commands in, changes out, with undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from readertui.core.annotations import DocumentRef
from readertui.core.document import Document, load_document
from readertui.core.editing import AnnotationEditor, FollowUp
from readertui.core.open_document import OpenDocument

TEXT = "The molten salt plant stores heat.\n\nJISCO runs the steel works of Jiayuguan.\n"
REF = DocumentRef("plant.txt", "", "Plant", "lib")


@pytest.fixture
def document(tmp_path: Path) -> Document:
    (tmp_path / "plant.txt").write_text(TEXT, encoding="utf-8")
    return load_document(tmp_path / "plant.txt", tmp_path)


def test_highlighting_trims_blank_space_and_puts_the_cursor_on_it() -> None:
    editor = AnnotationEditor()
    edit = editor.annotate(TEXT, REF, (4, 16), None, FollowUp.NONE)
    (change,) = edit.changes
    assert change.before is None and change.after is not None
    assert change.after.quote.exact == "molten salt"
    assert (edit.cursor, edit.clear_selection) == (4, True)
    assert edit.open_editor is FollowUp.NONE


def test_n_on_a_selection_highlights_then_asks_for_the_note_editor() -> None:
    editor = AnnotationEditor()
    edit = editor.annotate(TEXT, REF, (0, 3), None, FollowUp.NOTE)
    assert len(edit.changes) == 1
    assert edit.open_editor is FollowUp.NOTE and edit.target == edit.changes[0].after


def test_t_with_nothing_selected_and_no_highlight_tags_the_document() -> None:
    edit = AnnotationEditor().annotate(TEXT, REF, None, None, FollowUp.TAGS)
    assert edit.changes == () and edit.open_editor is FollowUp.TAGS and edit.target is None


def test_blank_selection_and_no_selection_say_why() -> None:
    editor = AnnotationEditor()
    assert "blank" in editor.annotate(TEXT, REF, (34, 36), None, FollowUp.NONE).message
    assert "Select some text" in editor.annotate(TEXT, REF, None, None, FollowUp.NONE).message


def test_edits_apply_to_the_open_document_and_undo_takes_them_back_in_order(
    document: Document,
) -> None:
    editor = AnnotationEditor()
    opened = OpenDocument(document, {}, settled=True)
    created = editor.highlight(TEXT, REF, 0, 3)
    opened = opened.with_changes(created.changes)
    (highlight,) = opened.annotations.values()
    noted = editor.set_note(highlight, "a note")
    opened = opened.with_changes(noted.changes)
    recoloured = editor.cycle_color(opened.annotations[highlight.id])
    opened = opened.with_changes(recoloured.changes)
    assert opened.annotations[highlight.id].note == "a note"
    assert opened.annotations[highlight.id].color != highlight.color
    assert editor.set_note(opened.annotations[highlight.id], "a note").changes == ()
    for expected_note, expected_count in (("a note", 1), ("", 1), (None, 0)):
        undo = editor.undo(opened.annotations)
        opened = opened.with_changes(undo.changes)
        assert len(opened.annotations) == expected_count
        if expected_note is not None:
            assert opened.annotations[highlight.id].note == expected_note
    assert editor.undo(opened.annotations).message == "Nothing to undo."


def test_c_with_no_highlight_changes_the_colour_of_the_next_one() -> None:
    editor = AnnotationEditor()
    before = editor.color
    assert editor.cycle_color(None).changes == ()
    assert editor.color != before
    assert editor.highlight(TEXT, REF, 0, 3).changes[0].after.color == editor.color  # type: ignore[union-attr]


def test_delete_and_reattach() -> None:
    editor = AnnotationEditor()
    assert "No highlight" in editor.delete(None).message
    highlight = editor.highlight(TEXT, REF, 0, 3).target
    assert highlight is not None
    gone = editor.delete(highlight)
    assert gone.changes[0].after is None
    orphan = highlight.touched(orphaned=True, confidence=0.0)
    assert "select its new place" in editor.reattach(orphan, TEXT, REF, None).message
    moved = editor.reattach(orphan, TEXT, REF, (36, 41)).changes[0].after
    assert moved is not None and not moved.orphaned and moved.quote.exact == "JISCO"


def test_the_document_value_is_replaced_never_changed(document: Document) -> None:
    opened = OpenDocument(document, {}, settled=True)
    edit = AnnotationEditor().highlight(TEXT, REF, 0, 3)
    changed = opened.with_changes(edit.changes)
    assert len(opened.annotations) == 0 and len(changed.annotations) == 1
    assert changed.highlights() == [edit.target]
