"""The sidebar: facts about the open document (title, authors, source, file, encoding)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from readertui.core.document import Document


class Sidebar(VerticalScroll, can_focus=True):
    """Shows the open document's metadata; annotations and cross-references come here too."""

    def compose(self) -> ComposeResult:
        yield Static(Text("No document open."), id="sidebar-info")

    def show_document(self, document: Document, reflow: bool) -> None:
        meta = document.metadata
        # Plain Text, not a Rich Table: measuring a table costs more than the whole reader.
        info = Text()
        rows = (
            ("Title", meta.title),
            ("Authors", ", ".join(meta.authors)),
            ("Publication", meta.publication),
            ("Date", meta.date),
            ("Source", meta.source),
            ("Tags", ", ".join(meta.tags)),
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
        self.query_one("#sidebar-info", Static).update(info)
