"""The sidebar: the Notes tab (this document's annotations), the Cross-refs tab (what the
library holds about the passage at the cursor) and the Document tab (its facts).

Its widgets are mounted just after the first paint (`populate`), like the library list: the
text comes first. What it is asked to show before then is kept and shown once mounted.
The document's facts come from its file and its name: they are shown literally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical

from readertui.core.document import Document
from readertui.core.open_document import OpenDocument
from readertui.ui.literal import literal

if TYPE_CHECKING:
    from textual.widgets import Static

    from readertui.ui.widgets.notes_pane import NotesPane
    from readertui.ui.widgets.xref_pane import XrefPane


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
            info.append_text(literal(value))
            info.append("\n\n")
    info.rstrip()
    return info


class Sidebar(Vertical):
    """Notes, Cross-refs and Document tabs; `←` `→` go from tab to tab."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "step_tab(-1)", "Previous tab", show=False),
        Binding("right", "step_tab(1)", "Next tab", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.populated = False
        self._facts = Text("No document open.")
        self._opened: OpenDocument | None = None
        # Held from `populate` on: the tabs put them in place a moment after they are mounted,
        # and what is shown meanwhile must reach them.
        self._info: Static | None = None
        self._notes: NotesPane | None = None
        self._xref: XrefPane | None = None

    def populate(self) -> None:
        """Mount the tabs (after the first paint)."""
        if self.populated:
            return
        self.populated = True
        from textual.containers import VerticalScroll
        from textual.widgets import Static, TabbedContent, TabPane

        from readertui.ui.widgets.notes_pane import NotesPane
        from readertui.ui.widgets.xref_pane import XrefPane

        notes = self._notes = NotesPane(id="notes")
        xref = self._xref = XrefPane(id="xref")
        notes.opened = self._opened
        self._info = Static(self._facts, id="sidebar-info")
        facts = VerticalScroll(self._info, id="facts")
        tabs = TabbedContent(id="sidebar-tabs")
        # What `with TabbedContent(): yield TabPane(...)` does in a compose method.
        tabs.compose_add_child(TabPane("Notes", notes, id="tab-notes"))
        tabs.compose_add_child(TabPane("Cross-refs", xref, id="tab-xref"))
        tabs.compose_add_child(TabPane("Document", facts, id="tab-document"))
        self.mount(tabs)

    def action_step_tab(self, step: int) -> None:
        """The previous or next tab, its list focused (a text box keeps its own arrows)."""
        from textual.widgets import TabbedContent

        if not self.populated or not self.query("#sidebar-tabs"):
            return
        order = ("tab-notes", "tab-xref", "tab-document")
        tabs = self.query_one("#sidebar-tabs", TabbedContent)
        current = tabs.active if tabs.active in order else order[0]
        tabs.active = order[(order.index(current) + step) % len(order)]
        if tabs.active == "tab-xref":
            self.focus_xref()
        elif tabs.active == "tab-notes":
            self.focus_notes()
        else:
            self.query_one("#facts").focus()

    @property
    def notes(self) -> NotesPane | None:
        """The Notes tab's pane, once it is mounted."""
        return self._notes if self._notes is not None and self._notes.is_mounted else None

    @property
    def xref(self) -> XrefPane | None:
        """The Cross-refs tab's pane, when it is the tab shown (None otherwise)."""
        xref = self._xref
        if xref is None or not xref.is_mounted or not self.display:
            return None
        from textual.widgets import TabbedContent

        tabs = self.query_one("#sidebar-tabs", TabbedContent)
        return xref if tabs.active == "tab-xref" else None

    def focus_xref(self) -> None:
        """Show the Cross-refs tab and focus its list."""
        xref = self._xref
        if xref is None or not xref.is_mounted or not xref.query("#xref-list"):
            self.call_after_refresh(self.focus_xref)  # asked before the tabs are mounted
            return
        from textual.widgets import TabbedContent

        self.query_one("#sidebar-tabs", TabbedContent).active = "tab-xref"
        xref.focus_list()

    def show_document(self, document: Document, reflow: bool, tags: tuple[str, ...] = ()) -> None:
        self._facts = document_facts(document, reflow, tags)
        if self._info is not None:
            self._info.update(self._facts)

    def show_annotations(self, opened: OpenDocument) -> None:
        """List the open document's annotations in the Notes tab."""
        self._opened = opened
        notes = self._notes
        if notes is None:
            return
        if notes.is_mounted:
            notes.show(opened)
        else:
            notes.opened = opened  # listed when it is mounted

    def focus_active(self) -> None:
        """Focus the list of the tab shown (the Notes tab's, unless another was chosen)."""
        if self._xref is not None and self.xref is not None:
            self.focus_xref()
        else:
            self.focus_notes()

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
