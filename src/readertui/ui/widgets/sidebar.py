"""The sidebar: the Notes tab (this document's annotations) and the Document tab (its facts).

Its widgets are mounted just after the first paint (`populate`), like the library list: the
text comes first. What it is asked to show before then is kept and shown once mounted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Vertical

from readertui.core.annotations import Annotation
from readertui.core.document import Document

if TYPE_CHECKING:
    from readertui.ui.widgets.notes_pane import NotesPane


def document_facts(document: Document, reflow: bool, tags: tuple[str, ...]) -> Text:
    """The Document tab's text: metadata, file, encoding, length."""
    meta = document.metadata
    # Plain Text, not a Rich Table: measuring a table costs more than the whole reader.
    info = Text()
    rows = (
        ("Title", meta.title),
        ("Authors", ", ".join(meta.authors)),
        ("Publication", meta.publication),
        ("Date", meta.date),
        ("Source", meta.source),
        ("Tags", ", ".join(dict.fromkeys((*meta.tags, *tags)))),
        ("File", document.rel_path),
        ("Format", document.format),
        ("Encoding", document.encoding),
        ("Length", f"{len(document.text):,} characters, {document.line_count():,} lines"),
        ("Reflow", "on" if reflow else "off"),
    )
    for name, value in rows:
        if value:
            info.append(name + "\n", style="bold")
            info.append(value + "\n\n")
    info.rstrip()
    return info


class Sidebar(Vertical):
    """Notes and Document tabs."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.populated = False
        self._facts = Text("No document open.")
        self._annotations: list[Annotation] = []

    def populate(self) -> None:
        """Mount the tabs (after the first paint)."""
        if self.populated:
            return
        self.populated = True
        from textual.containers import VerticalScroll
        from textual.widgets import Static, TabbedContent, TabPane

        from readertui.ui.widgets.notes_pane import NotesPane

        notes = NotesPane(id="notes")
        notes.annotations = list(self._annotations)  # NotesPane.rebuild puts them in order
        facts = VerticalScroll(Static(self._facts, id="sidebar-info"), id="facts")
        tabs = TabbedContent(id="sidebar-tabs")
        # What `with TabbedContent(): yield TabPane(...)` does in a compose method.
        tabs.compose_add_child(TabPane("Notes", notes, id="tab-notes"))
        tabs.compose_add_child(TabPane("Document", facts, id="tab-document"))
        self.mount(tabs)

    @property
    def notes(self) -> NotesPane | None:
        from readertui.ui.widgets.notes_pane import NotesPane

        found = self.query(NotesPane)
        return found.first() if found else None

    def show_document(self, document: Document, reflow: bool, tags: tuple[str, ...] = ()) -> None:
        self._facts = document_facts(document, reflow, tags)
        if self.populated and self.query("#sidebar-info"):
            from textual.widgets import Static

            self.query_one("#sidebar-info", Static).update(self._facts)

    def show_annotations(self, annotations: list[Annotation]) -> None:
        self._annotations = annotations
        notes = self.notes
        if notes is not None:
            notes.show(annotations)

    def focus_notes(self) -> None:
        """Focus the Notes list, on its first annotation when none is highlighted yet."""
        notes = self.notes
        if notes is None or not notes.query("#notes-list"):
            # Asked before the tabs are mounted (just after start-up): try again once they are.
            self.call_after_refresh(self.focus_notes)
            return
        if notes.option_list.highlighted is None:
            notes.highlight_first()
        notes.option_list.focus()
