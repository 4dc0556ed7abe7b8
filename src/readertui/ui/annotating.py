"""The annotation keys on screen: ask the core editor, apply what it returns, open editors.

`AnnotationEditor` (core) turns each key into changes; this applies them to the screen's
open document as one new value (the reader repaints in the same frame), queues them in the
save queue (written in the background, kept until they are on disk: the status line says
`saved` once they are), and opens the note and tag editors and the link picker (`L`, over
every annotation of the library; the link is kept on the highlight it is made from). When a
document is opened its annotations are placed in a worker if its text changed. An editor that
is open when the app must end (a signal) hands over what it holds: `capture_open_editors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from readertui.core.annotations import Annotation, DocumentRef, now_iso
from readertui.core.citation import quotation
from readertui.core.editing import AnnotationEditor, Edit, FollowUp
from readertui.core.open_document import OpenDocument
from readertui.core.undo import Change
from readertui.core.workspace import Placement, Workspace
from readertui.ui.clipboard import copy_text

if TYPE_CHECKING:
    from textual.app import App

    from readertui.core.library import Library
    from readertui.core.link_choices import LinkChoice
    from readertui.store.save_queue import SaveQueue
    from readertui.ui.widgets.reader_view import ReaderView


class AnnotationHost(Protocol):
    """What annotating needs of the screen that holds the open document."""

    app: App[None]

    @property
    def opened(self) -> OpenDocument | None: ...

    def replace_opened(
        self, opened: OpenDocument, changes: Sequence[Change] | None = None
    ) -> None: ...

    @property
    def saves(self) -> SaveQueue | None: ...

    @property
    def library_key(self) -> str: ...

    @property
    def library(self) -> Library: ...

    @property
    def reader(self) -> ReaderView: ...

    @property
    def workspace(self) -> Workspace: ...

    def known_tags(self) -> list[str]: ...

    def tags_changed(self, before: Annotation | None, after: Annotation | None) -> None: ...

    def document_tags_changed(self, tags: tuple[str, ...]) -> None: ...


class Annotating:
    """Applies annotation edits to the open document, the store and the screen."""

    def __init__(self, host: AnnotationHost) -> None:
        self.host = host
        self.editor = AnnotationEditor()
        # Open editors, each with the call that saves what it holds now (see capture).
        self._open_editors: dict[object, Callable[[], None]] = {}

    @property
    def annotations(self) -> dict[str, Annotation]:
        """The open document's annotations by id (a copy, for reading)."""
        opened = self.host.opened
        return dict(opened.annotations) if opened is not None else {}

    # -- placing them in the text ---------------------------------------------------------------

    def place(self, opened: OpenDocument) -> None:
        """Place the stored annotations of a just opened document in its text, in a worker."""
        if not opened.annotations:
            self.host.replace_opened(
                OpenDocument(opened.document, {}, opened.outline, settled=True)
            )
            return
        stored = list(opened.annotations.values())
        self.host.app.run_worker(
            lambda: self._place(opened, stored),
            thread=True,
            group="reanchor",
            exclusive=True,
            description="re-anchor annotations",
        )

    def _place(self, opened: OpenDocument, stored: list[Annotation]) -> None:
        placement = self.host.workspace.place(opened.document, stored)
        self.host.app.call_from_thread(self._placed, opened, placement)

    def _placed(self, opened: OpenDocument, placement: Placement) -> None:
        current = self.host.opened
        if current is None or current.document is not opened.document:
            return
        settled = current.with_placed(placement.annotations, placement.sha256)
        self.host.replace_opened(settled)
        saves = self.host.saves
        # Only what moved and is still there (not deleted, not edited meanwhile) is saved.
        moved = [a for a in placement.changed if settled.annotations.get(a.id) == a]
        if moved and saves is not None:
            saves.save_annotations(moved)
        orphans = sum(1 for a in settled.annotations.values() if a.orphaned)
        if orphans:
            self.host.app.notify(
                f"{orphans} annotation{'s' if orphans != 1 else ''} could not be placed in the "
                "changed text: see Orphaned in the Notes tab.",
                severity="warning",
                markup=False,
            )

    def document_ref(self) -> DocumentRef:
        opened = self.host.opened
        assert opened is not None
        document = opened.document
        return DocumentRef(
            document.rel_path,
            opened.sha256 or document.sha256,
            document.metadata.title,
            self.host.library_key,
        )

    # -- the keys -------------------------------------------------------------------------------

    def annotate(
        self, selection: tuple[int, int] | None, highlight: Annotation | None, follow: FollowUp
    ) -> None:
        """`enter`, `n`, `t`."""
        opened = self.host.opened
        if opened is None:
            return
        self.carry_out(
            self.editor.annotate(opened.text, self.document_ref(), selection, highlight, follow)
        )

    def cycle_color(self, highlight: Annotation | None) -> None:
        self.carry_out(self.editor.cycle_color(highlight))

    def delete(self, highlight: Annotation | None) -> None:
        self.carry_out(self.editor.delete(highlight))

    def undo(self) -> None:
        self.carry_out(self.editor.undo(self.annotations))

    def reattach(self, orphan: Annotation, selection: tuple[int, int] | None) -> None:
        """Give an orphaned annotation a new place: the reader's selection."""
        opened = self.host.opened
        if opened is None:
            return
        self.carry_out(self.editor.reattach(orphan, opened.text, self.document_ref(), selection))

    def carry_out(self, edit: Edit) -> None:
        """Apply an edit: the changes, the cursor, the message, the editor it asks for."""
        reader = self.host.reader
        if edit.clear_selection:
            reader.clear_selection()
        if edit.cursor is not None:
            reader.move_cursor(edit.cursor)
        self.apply(edit.changes)
        if edit.message:
            self._tell(edit.message)
        if edit.open_editor is FollowUp.NOTE and edit.target is not None:
            self.edit_note(edit.target)
        elif edit.open_editor is FollowUp.TAGS:
            if edit.target is not None:
                self.edit_tags(edit.target)
            else:
                self.edit_document_tags()
        elif edit.open_editor is FollowUp.LINK and edit.target is not None:
            self.pick_link(edit.target)

    def apply(self, changes: Iterable[Change]) -> None:
        """Apply changes now (the screen repaints them) and queue them for the store."""
        changes = tuple(changes)
        opened = self.host.opened
        if not changes or opened is None:
            return
        saves = self.host.saves
        if saves is not None:
            # Written once the screen shows it: the write holds the GIL for a while.
            saves.hold_for_paint()
            self.host.app.call_after_refresh(saves.painted)
        for change in changes:
            self.host.tags_changed(change.before, change.after)
            if saves is None:
                continue
            if change.after is not None:
                try:
                    saves.save_annotation(change.after)
                except ValueError as error:
                    self.host.app.notify(f"Cannot save this change: {error}", severity="error")
            elif change.before is not None:
                saves.delete_annotation(change.before.id, when=now_iso())
        self.host.replace_opened(opened.with_changes(changes), changes)

    def _tell(self, message: str) -> None:
        self.host.app.notify(message, timeout=3, markup=False)

    # -- editors --------------------------------------------------------------------------------

    def edit_note(self, annotation: Annotation) -> None:
        from textual.widgets import TextArea

        from readertui.ui.dialogs.note_editor import NoteEditor

        editor = NoteEditor(annotation.quote.exact, annotation.note)

        def saved(note: str | None) -> None:
            self._open_editors.pop(editor, None)
            current = self.annotations.get(annotation.id)
            if note is not None and current is not None:
                self.carry_out(self.editor.set_note(current, note))

        def capture() -> None:
            saved(editor.query_one("#note-text", TextArea).text)

        self._open_editors[editor] = capture
        self.host.app.push_screen(editor, saved)

    def edit_tags(self, annotation: Annotation) -> None:
        from readertui.ui.dialogs.tag_editor import TagEditor

        known = sorted(self.host.known_tags(), key=str.casefold)
        editor = TagEditor("Tags", annotation.tags, known)

        def saved(tags: tuple[str, ...] | None) -> None:
            self._open_editors.pop(editor, None)
            current = self.annotations.get(annotation.id)
            if tags is not None and current is not None:
                self.carry_out(self.editor.set_tags(current, tags))

        self._open_editors[editor] = lambda: saved(_typed_tags(editor))
        self.host.app.push_screen(editor, saved)

    def edit_document_tags(self) -> None:
        """`t` with nothing selected and no highlight under the cursor: tag the document."""
        from readertui.ui.dialogs.tag_editor import TagEditor

        opened, saves = self.host.opened, self.host.saves
        if opened is None or saves is None:
            return
        known = sorted(self.host.known_tags(), key=str.casefold)
        library = self.host.library_key
        rel_path = opened.rel_path
        current = saves.document_tags(rel_path, library=library)
        editor = TagEditor(f"Tags of “{opened.document.metadata.title}”", current, known)

        def saved(tags: tuple[str, ...] | None) -> None:
            self._open_editors.pop(editor, None)
            if tags is None or tags == current:
                return
            saves.set_document_tags(rel_path, tags, library=library)
            self.host.document_tags_changed(tags)

        self._open_editors[editor] = lambda: saved(_typed_tags(editor))
        self.host.app.push_screen(editor, saved)

    def pick_link(self, source: Annotation) -> None:
        """`L`: pick an annotation of the library to link `source` to; picking one it is
        linked to already removes that link."""
        from readertui.ui.screens.link_picker import LinkPicker

        saves = self.host.saves
        stored = saves.annotations(library=self.host.library_key) if saves is not None else []
        everything = {annotation.id: annotation for annotation in stored}
        # The open document's as they are placed and edited now (the store may lag behind).
        everything.update(self.annotations)
        everything.pop(source.id, None)
        if not everything and not source.links:
            self._tell("There is no other annotation in this library to link to yet.")
            return
        titles = {entry.rel_path: entry.metadata.title for entry in self.host.library.entries}

        def chosen(choice: LinkChoice | None) -> None:
            current = self.annotations.get(source.id)
            if choice is None or current is None:
                return
            if choice.id in current.links:
                self.carry_out(self.editor.unlink(current, choice.id, choice.annotation))
            elif choice.annotation is not None:
                self.carry_out(self.editor.link(current, choice.annotation))

        # The picker builds its list in a worker: opening it waits for nothing but the store.
        picker = LinkPicker(source, list(everything.values()), titles)
        self.host.app.push_screen(picker, chosen)

    def capture_open_editors(self) -> None:
        """Save what every open editor holds now (the app is about to end)."""
        for capture in list(self._open_editors.values()):
            try:
                capture()
            except Exception:
                continue  # an editor half mounted holds nothing typed yet

    # -- copying --------------------------------------------------------------------------------

    def copy(self, selection: tuple[int, int] | None, highlight: Annotation | None) -> None:
        opened = self.host.opened
        if opened is None:
            return
        if selection is not None:
            start, end = selection
        elif highlight is not None:
            start, end = highlight.start, highlight.end
        else:
            self._tell("Nothing to copy: select text with v, or move onto a highlight.")
            return
        document = opened.document
        line = document.text.count("\n", 0, start) + 1
        section = document.section_at(start)
        text = quotation(
            document.text[start:end],
            document.metadata,
            document.rel_path,
            line,
            section=section.label if section is not None else "",
        )
        how = copy_text(self.host.app, text)
        self.host.reader.clear_selection()
        self._tell(f"Copied with its citation ({how}).")


def _typed_tags(editor: object) -> tuple[str, ...]:
    """The tags typed in a tag editor so far."""
    from textual.widgets import Input

    from readertui.core.annotations import parse_tags
    from readertui.ui.dialogs.tag_editor import TagEditor

    assert isinstance(editor, TagEditor)
    return parse_tags(editor.query_one("#tags-input", Input).value)
