"""`L` in the core: linking a highlight to another annotation and unlinking it, with undo."""

from __future__ import annotations

from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.editing import AnnotationEditor, FollowUp

TEXT = "The molten salt plant stores heat.\n\nJISCO runs the steel works of Jiayuguan.\n"
REF = DocumentRef("plant.txt", "", "Plant", "lib")
OTHER = DocumentRef("report.txt", "", "Report", "lib")


def test_L_on_a_highlight_asks_for_the_link_picker_on_it() -> None:
    highlight = new_annotation(TEXT, REF, 4, 15)
    edit = AnnotationEditor().annotate(TEXT, REF, None, highlight, FollowUp.LINK)
    assert edit.changes == () and edit.open_editor is FollowUp.LINK and edit.target == highlight


def test_L_on_a_selection_highlights_it_then_asks_for_the_picker() -> None:
    edit = AnnotationEditor().annotate(TEXT, REF, (4, 16), None, FollowUp.LINK)
    (change,) = edit.changes
    assert change.before is None and change.after is not None
    assert change.after.quote.exact == "molten salt"
    assert edit.open_editor is FollowUp.LINK and edit.target == change.after


def test_L_with_no_highlight_and_no_selection_only_says_so() -> None:
    editor = AnnotationEditor()
    edit = editor.annotate(TEXT, REF, None, None, FollowUp.LINK)
    assert edit.changes == () and edit.open_editor is FollowUp.NONE
    assert "Nothing to link" in edit.message
    assert len(editor.undo_stack) == 0


def test_link_then_unlink_then_undo() -> None:
    editor = AnnotationEditor()
    source = new_annotation(TEXT, REF, 4, 15)
    target = new_annotation(TEXT, OTHER, 36, 41)
    linked_edit = editor.link(source, target)
    (change,) = linked_edit.changes
    linked = change.after
    assert linked is not None and linked.links == (target.id,)
    assert change.before == source
    assert linked_edit.message == "Linked to “JISCO” (u undoes)."

    unlinked_edit = editor.unlink(linked, target.id, target)
    unlinked = unlinked_edit.changes[0].after
    assert unlinked is not None and unlinked.links == ()
    assert unlinked_edit.message == "Link to “JISCO” removed (u undoes)."

    # u takes the unlinking back, then the linking.
    undone = editor.undo({source.id: unlinked}).changes[0].after
    assert undone is not None and undone.links == (target.id,)
    undone = editor.undo({source.id: undone}).changes[0].after
    assert undone is not None and undone.links == ()


def test_links_are_kept_in_the_order_made_and_never_doubled() -> None:
    editor = AnnotationEditor()
    source = new_annotation(TEXT, REF, 4, 15)
    first = new_annotation(TEXT, OTHER, 36, 41)
    second = new_annotation(TEXT, OTHER, 42, 46)
    after_first = editor.link(source, first).changes[0].after
    assert after_first is not None
    after_second = editor.link(after_first, second).changes[0].after
    assert after_second is not None and after_second.links == (first.id, second.id)
    again = editor.link(after_second, first)
    assert again.changes == () and "Already linked" in again.message


def test_a_highlight_is_not_linked_to_itself() -> None:
    source = new_annotation(TEXT, REF, 4, 15)
    edit = AnnotationEditor().link(source, source)
    assert edit.changes == () and "itself" in edit.message


def test_a_link_to_an_annotation_that_is_gone_can_be_removed() -> None:
    editor = AnnotationEditor()
    source = new_annotation(TEXT, REF, 4, 15).touched(links=("gone-id",))
    edit = editor.unlink(source, "gone-id", None)
    after = edit.changes[0].after
    assert after is not None and after.links == ()
    assert "no longer here" in edit.message


def test_unlinking_what_is_not_linked_changes_nothing() -> None:
    source = new_annotation(TEXT, REF, 4, 15)
    edit = AnnotationEditor().unlink(source, "other", None)
    assert edit.changes == () and "Not linked" in edit.message
