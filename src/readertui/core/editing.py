"""Annotation editing as commands in, changes out: no screen, no store, no Textual.

The reader screen asks an `AnnotationEditor` to highlight, note, tag, recolour, delete, link,
unlink, undo or re-attach, and gets back an `Edit`: the changes to apply to the open document
and to queue for the store, what to tell the user, where to put the cursor, and which editor
(note, tags, or the picker of a link) to open next. Undo is kept here, so every change made
through the editor can be taken back with `u`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from readertui.core.annotations import (
    DEFAULT_COLOR,
    Annotation,
    DocumentRef,
    new_annotation,
    next_color,
    quote_at,
)
from readertui.core.citation import in_quotation_marks
from readertui.core.shortening import one_line
from readertui.core.undo import Change, UndoStack, reverted

#: Characters of a linked quote named in a message.
_QUOTE_IN_MESSAGE = 60


class FollowUp(Enum):
    """What the user asked to do with a highlight once it exists."""

    NONE = "none"
    NOTE = "note"
    TAGS = "tags"
    LINK = "link"  # pick another annotation to link it to (or unlink)


@dataclass(frozen=True)
class Edit:
    """The result of one command.

    `changes` are to be applied in order; `message` is said to the user ("" for nothing);
    `cursor` is where the cursor goes (None: it stays); `clear_selection` ends the selection;
    `open_editor` asks for the note or tag editor, or the link picker, on `target`.
    """

    changes: tuple[Change, ...] = ()
    message: str = ""
    cursor: int | None = None
    clear_selection: bool = False
    open_editor: FollowUp = FollowUp.NONE
    target: Annotation | None = None


class AnnotationEditor:
    """Turns the annotation keys into changes, and remembers them for undo."""

    def __init__(self) -> None:
        self.undo_stack = UndoStack()
        #: The colour of the next highlight (`c` with no highlight under the cursor cycles it).
        self.color = DEFAULT_COLOR

    def _recorded(self, before: Annotation | None, after: Annotation | None) -> tuple[Change]:
        """The change `before` -> `after`, remembered for undo."""
        self.undo_stack.record(before, after)
        return (Change(before, after),)

    def annotate(
        self,
        text: str,
        ref: DocumentRef,
        selection: tuple[int, int] | None,
        highlight: Annotation | None,
        follow_up: FollowUp,
    ) -> Edit:
        """`enter`, `n`, `t` or `L`: highlight the selection (then open the note or tag editor,
        or the link picker, on it), or open it on the highlight under the cursor."""
        if selection is not None:
            created = self.highlight(text, ref, *selection)
            if created.target is None or follow_up is FollowUp.NONE:
                return created
            return Edit(
                changes=created.changes,
                cursor=created.cursor,
                clear_selection=True,
                open_editor=follow_up,
                target=created.target,
            )
        if highlight is not None and follow_up is not FollowUp.NONE:
            return Edit(open_editor=follow_up, target=highlight)
        if follow_up is FollowUp.LINK:
            return Edit(
                message="Nothing to link: move onto a highlight, or select text (v or V) to "
                "highlight it and link it."
            )
        if follow_up is FollowUp.TAGS:
            return Edit(open_editor=FollowUp.TAGS)  # no highlight: the document's own tags
        if highlight is not None:
            return Edit(message="Already highlighted: c changes its colour, d deletes it.")
        return Edit(message="Select some text first: v, then move the cursor (or V).")

    def highlight(self, text: str, ref: DocumentRef, start: int, end: int) -> Edit:
        """A new highlight over `start`..`end`, blank space at either end left out."""
        # A selection made word by word ends with the space before the next word: trim it.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            return Edit(message="Only blank space is selected: nothing to highlight.")
        annotation = new_annotation(text, ref, start, end, color=self.color)
        # The cursor rests on the new highlight, so n, t, c and d act on it at once.
        return Edit(
            changes=self._recorded(None, annotation),
            cursor=start,
            clear_selection=True,
            target=annotation,
        )

    def set_note(self, current: Annotation, note: str) -> Edit:
        if note == current.note:
            return Edit()
        return Edit(changes=self._recorded(current, current.touched(note=note)))

    def set_tags(self, current: Annotation, tags: tuple[str, ...]) -> Edit:
        if tags == current.tags:
            return Edit()
        return Edit(changes=self._recorded(current, current.touched(tags=tags)))

    def link(self, source: Annotation, target: Annotation) -> Edit:
        """Link `source` to `target` (the link is kept on `source`)."""
        described = _described(target)
        if target.id == source.id:
            return Edit(message="A highlight cannot be linked to itself.")
        if target.id in source.links:
            return Edit(message=f"Already linked to {described}.")
        linked = source.touched(links=(*source.links, target.id))
        return Edit(
            changes=self._recorded(source, linked), message=f"Linked to {described} (u undoes)."
        )

    def unlink(self, source: Annotation, target_id: str, target: Annotation | None) -> Edit:
        """Remove the link of `source` to `target_id` (`target` that annotation, None when it
        no longer exists)."""
        described = _described(target) if target is not None else "a highlight no longer here"
        if target_id not in source.links:
            return Edit(message=f"Not linked to {described}.")
        unlinked = source.touched(links=tuple(i for i in source.links if i != target_id))
        return Edit(
            changes=self._recorded(source, unlinked),
            message=f"Link to {described} removed (u undoes).",
        )

    def cycle_color(self, highlight: Annotation | None) -> Edit:
        """`c`: the highlight's next colour, or (with none under the cursor) the next one's."""
        if highlight is not None:
            recoloured = highlight.touched(color=next_color(highlight.color))
            return Edit(changes=self._recorded(highlight, recoloured))
        self.color = next_color(self.color)
        return Edit(message=f"New highlights will be {self.color}.")

    def delete(self, highlight: Annotation | None) -> Edit:
        if highlight is None:
            return Edit(message="No highlight under the cursor to delete.")
        return Edit(
            changes=self._recorded(highlight, None), message="Highlight deleted (u undoes)."
        )

    def undo(self, annotations: Mapping[str, Annotation]) -> Edit:
        """`u`: take the last change back (against the annotation as it is now)."""
        change = self.undo_stack.pop()
        if change is None:
            return Edit(message="Nothing to undo.")
        current = annotations.get(change.annotation_id)
        return Edit(
            changes=(Change(current, reverted(change)),),
            message=f"Undid the {change.describe()}.",
        )

    def reattach(
        self,
        orphan: Annotation,
        text: str,
        ref: DocumentRef,
        selection: tuple[int, int] | None,
    ) -> Edit:
        """Give an orphaned annotation a new place: the selection."""
        if selection is None:
            return Edit(
                message="To re-attach it, select its new place in the reader (v or V), then "
                "press enter on it here."
            )
        start, end = selection
        moved = orphan.touched(
            start=start,
            end=end,
            quote=quote_at(text, start, end),
            doc=ref,
            orphaned=False,
            confidence=1.0,
        )
        return Edit(
            changes=self._recorded(orphan, moved), clear_selection=True, message="Re-attached."
        )


def _described(annotation: Annotation) -> str:
    """An annotation in a message: its quote, short, on one line."""
    return in_quotation_marks(one_line(annotation.quote.exact, _QUOTE_IN_MESSAGE))
