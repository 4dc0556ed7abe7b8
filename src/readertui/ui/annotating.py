"""Annotating the open document: the annotation keys, the editors, undo, saving, re-anchoring.

The app hands every `ReaderView.AnnotationKey` here. Changes apply to the in-memory
annotations at once (the reader repaints in the same frame) and are queued in the app's save
queue, which writes them in the background and keeps them until they are on disk; the status
line says `saved` once it has. When a document is opened its annotations are re-anchored in a
worker if its text changed. An editor that is open when the app must end (a signal) hands over
what it holds: `capture_open_editors`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from readertui.core.anchoring import reanchor_all
from readertui.core.annotations import (
    DEFAULT_COLOR,
    Annotation,
    DocumentRef,
    new_annotation,
    next_color,
    now_iso,
    quote_at,
)
from readertui.core.citation import quotation
from readertui.core.document import Document
from readertui.core.undo import UndoStack, reverted
from readertui.ui.clipboard import copy_text

if TYPE_CHECKING:
    from readertui.ui.app import ReaderApp
    from readertui.ui.widgets.reader_view import ReaderView


class Annotating:
    """The open document's annotations and everything that changes them."""

    def __init__(self, app: ReaderApp) -> None:
        self.app = app
        self.document: Document | None = None
        self.annotations: dict[str, Annotation] = {}
        self.undo_stack = UndoStack()
        self.color = DEFAULT_COLOR
        self._sha256 = ""
        # Open editors, each with the call that saves what it holds now (see capture).
        self._open_editors: dict[object, Callable[[], None]] = {}

    # -- opening ------------------------------------------------------------------------------

    def open(self, document: Document) -> None:
        """Show the annotations stored for `document`; re-anchor them if its text changed."""
        self.document = document
        self._sha256 = ""
        saves = self.app.saves
        library = self.app.library.key
        stored = saves.annotations(document.rel_path, library=library) if saves is not None else []
        self.annotations = {a.id: a for a in stored}
        text = document.text
        # Highlights whose quote is still at its offsets show at once; the rest wait for
        # the re-anchoring worker (it needs the text's hash, which takes a moment on 100 MB).
        in_place = [a for a in stored if not a.orphaned and text[a.start : a.end] == a.quote.exact]
        self._show(in_place_only=in_place)
        if stored:
            self.app.run_worker(
                lambda: self._reanchor(document, stored),
                thread=True,
                group="reanchor",
                exclusive=True,
                description="re-anchor annotations",
            )

    def _reanchor(self, document: Document, stored: list[Annotation]) -> None:
        sha256 = document.sha256
        placed = [
            _claimed(annotation, self.app.library.key)
            for annotation in reanchor_all(stored, document.text, sha256)
        ]
        changed = [new for old, new in zip(stored, placed, strict=True) if new != old]
        self.app.call_from_thread(self._reanchored, document, sha256, placed, changed)

    def _reanchored(
        self,
        document: Document,
        sha256: str,
        placed: list[Annotation],
        changed: list[Annotation],
    ) -> None:
        if document is not self.document:
            return
        self._sha256 = sha256
        for annotation in placed:
            # An edit made while the worker ran is newer than its re-anchored copy.
            current = self.annotations.get(annotation.id)
            if current is None or current.updated == annotation.updated:
                self.annotations[annotation.id] = annotation
        self._show()
        orphans = sum(1 for a in placed if a.orphaned)
        if changed and self.app.saves is not None:
            self.app.saves.save_annotations(changed)
        if orphans:
            self.app.notify(
                f"{orphans} annotation{'s' if orphans != 1 else ''} could not be placed in the "
                "changed text: see Orphaned in the Notes tab.",
                severity="warning",
                markup=False,
            )

    def document_ref(self) -> DocumentRef:
        assert self.document is not None
        if not self._sha256:
            self._sha256 = self.document.sha256
        return DocumentRef(
            self.document.rel_path,
            self._sha256,
            self.document.metadata.title,
            self.app.library.key,
        )

    # -- showing ------------------------------------------------------------------------------

    def _show(self, in_place_only: list[Annotation] | None = None) -> None:
        everything = list(self.annotations.values())
        placed = in_place_only if in_place_only is not None else everything
        self.app.reader.set_highlights(placed)
        self.app.sidebar.show_annotations(everything)

    # -- the keys -----------------------------------------------------------------------------

    def handle(self, event: ReaderView.AnnotationKey) -> None:
        if self.document is None:
            return
        action, selection, highlight = event.action, event.selection, event.highlight
        if action == "undo":
            self.undo()
        elif action == "copy":
            self.copy(selection, highlight)
        elif action in ("highlight", "note", "tags"):
            if selection is not None:
                created = self.create(*selection)
                if created is not None and action == "note":
                    self.edit_note(created)
                elif created is not None and action == "tags":
                    self.edit_tags(created)
            elif highlight is not None and action == "note":
                self.edit_note(highlight)
            elif highlight is not None and action == "tags":
                self.edit_tags(highlight)
            elif action == "tags":
                self.edit_document_tags()
            elif highlight is not None:
                self._tell("Already highlighted: c changes its colour, d deletes it.")
            else:
                self._tell("Select some text first: v, then move the cursor (or V).")
        elif action == "color":
            if highlight is not None:
                self.change(highlight, highlight.touched(color=next_color(highlight.color)))
            else:
                self.color = next_color(self.color)
                self._tell(f"New highlights will be {self.color}.")
        elif action == "delete":
            if highlight is not None:
                self.delete(highlight)
            else:
                self._tell("No highlight under the cursor to delete.")

    def _tell(self, message: str) -> None:
        self.app.notify(message, timeout=3, markup=False)

    # -- changes ------------------------------------------------------------------------------

    def create(self, start: int, end: int) -> Annotation | None:
        assert self.document is not None
        text = self.document.text
        # A selection made word by word ends with the space before the next word: trim it.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            self._tell("Only blank space is selected: nothing to highlight.")
            return None
        annotation = new_annotation(text, self.document_ref(), start, end, color=self.color)
        reader = self.app.reader
        reader.clear_selection()
        # The cursor rests on the new highlight, so n, t, c and d act on it at once.
        reader.move_cursor(start)
        self.change(None, annotation)
        return annotation

    def change(self, before: Annotation | None, after: Annotation | None) -> None:
        """Apply a change now, remember it for undo, and queue it for the store."""
        self.undo_stack.record(before, after)
        self._apply(before, after)

    def _apply(self, before: Annotation | None, after: Annotation | None) -> None:
        self.app.tags_changed(before, after)
        saves = self.app.saves
        if after is not None:
            self.annotations[after.id] = after
            if saves is not None:
                try:
                    saves.save_annotation(after)
                except ValueError as error:
                    self.app.notify(f"Cannot save this change: {error}", severity="error")
        elif before is not None:
            self.annotations.pop(before.id, None)
            if saves is not None:
                saves.delete_annotation(before.id, when=now_iso())
        self._show()

    def delete(self, annotation: Annotation) -> None:
        self.change(annotation, None)
        self._tell("Highlight deleted (u undoes).")

    def undo(self) -> None:
        change = self.undo_stack.pop()
        if change is None:
            self._tell("Nothing to undo.")
            return
        current = self.annotations.get(change.annotation_id)
        restored = reverted(change)
        self._apply(current, restored)
        self._tell(f"Undid the {change.describe()}.")

    def reattach(self, orphan: Annotation, selection: tuple[int, int] | None) -> None:
        """Give an orphaned annotation a new place: the reader's selection."""
        if self.document is None:
            return
        if selection is None:
            self._tell(
                "To re-attach it, select its new place in the reader (v or V), then press "
                "enter on it here."
            )
            return
        start, end = selection
        moved = orphan.touched(
            start=start,
            end=end,
            quote=quote_at(self.document.text, start, end),
            doc=self.document_ref(),
            orphaned=False,
            confidence=1.0,
        )
        self.app.reader.clear_selection()
        self.change(orphan, moved)
        self._tell("Re-attached.")

    # -- editors ------------------------------------------------------------------------------

    def edit_note(self, annotation: Annotation) -> None:
        from textual.widgets import TextArea

        from readertui.ui.dialogs.note_editor import NoteEditor

        editor = NoteEditor(annotation.quote.exact, annotation.note)

        def saved(note: str | None) -> None:
            self._open_editors.pop(editor, None)
            current = self.annotations.get(annotation.id)
            if note is None or current is None or note == current.note:
                return
            self.change(current, current.touched(note=note))

        def capture() -> None:
            saved(editor.query_one("#note-text", TextArea).text)

        self._open_editors[editor] = capture
        self.app.push_screen(editor, saved)

    def edit_tags(self, annotation: Annotation) -> None:
        from readertui.ui.dialogs.tag_editor import TagEditor

        known = sorted(self.app.known_tags(), key=str.casefold)
        editor = TagEditor("Tags", annotation.tags, known)

        def saved(tags: tuple[str, ...] | None) -> None:
            self._open_editors.pop(editor, None)
            current = self.annotations.get(annotation.id)
            if tags is None or current is None or tags == current.tags:
                return
            self.change(current, current.touched(tags=tags))

        self._open_editors[editor] = lambda: saved(_typed_tags(editor))
        self.app.push_screen(editor, saved)

    def capture_open_editors(self) -> None:
        """Save what every open editor holds now (the app is about to end)."""
        for capture in list(self._open_editors.values()):
            try:
                capture()
            except Exception:
                continue  # an editor half mounted holds nothing typed yet

    def edit_document_tags(self) -> None:
        """`t` with nothing selected and no highlight under the cursor: tag the document."""
        from readertui.ui.dialogs.tag_editor import TagEditor

        document, saves = self.document, self.app.saves
        if document is None or saves is None:
            return
        known = sorted(self.app.known_tags(), key=str.casefold)
        library = self.app.library.key
        current = saves.document_tags(document.rel_path, library=library)
        rel_path = document.rel_path
        editor = TagEditor(f"Tags of “{document.metadata.title}”", current, known)

        def saved(tags: tuple[str, ...] | None) -> None:
            self._open_editors.pop(editor, None)
            if tags is None or tags == current:
                return
            saves.set_document_tags(rel_path, tags, library=library)
            self.app.document_tags_changed(tags)

        self._open_editors[editor] = lambda: saved(_typed_tags(editor))
        self.app.push_screen(editor, saved)

    # -- copying ------------------------------------------------------------------------------

    def copy(self, selection: tuple[int, int] | None, highlight: Annotation | None) -> None:
        document = self.document
        if document is None:
            return
        if selection is not None:
            start, end = selection
        elif highlight is not None:
            start, end = highlight.start, highlight.end
        else:
            self._tell("Nothing to copy: select text with v, or move onto a highlight.")
            return
        line = document.text.count("\n", 0, start) + 1
        text = quotation(document.text[start:end], document.metadata, document.rel_path, line)
        how = copy_text(self.app, text)
        self.app.reader.clear_selection()
        self._tell(f"Copied with its citation ({how}).")


def _typed_tags(editor: object) -> tuple[str, ...]:
    """The tags typed in a tag editor so far."""
    from textual.widgets import Input

    from readertui.core.annotations import parse_tags
    from readertui.ui.dialogs.tag_editor import TagEditor

    assert isinstance(editor, TagEditor)
    return parse_tags(editor.query_one("#tags-input", Input).value)


def _claimed(annotation: Annotation, library: str) -> Annotation:
    """A legacy annotation (made before libraries had identities) placed in this library's
    text becomes this library's; one that could not be placed stays unclaimed, so it is never
    tied to a document of the same name that holds other text."""
    if annotation.doc.library or annotation.orphaned or not library:
        return annotation
    return dataclasses.replace(annotation, doc=dataclasses.replace(annotation.doc, library=library))
