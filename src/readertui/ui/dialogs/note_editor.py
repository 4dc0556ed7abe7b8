"""The note editor: a modal text area; ctrl+s or escape saves and closes."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from readertui.core.shortening import one_line


class NoteEditor(ModalScreen[str]):
    """Edit a note (Markdown). Dismisses with the text; an empty note is allowed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save the note", id="note-save"),
        Binding("escape", "save", "Save and close", show=False, id="note-close"),
    ]

    def __init__(self, quote: str, note: str) -> None:
        super().__init__()
        self.quote = quote
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog"):
            yield Static(Text("Note", style="bold"), id="note-title")
            shown = one_line(self.quote, 240)
            yield Static(Text(f"“{shown}”", style="italic"), id="note-quote")
            yield TextArea(self.note, id="note-text", soft_wrap=True, show_line_numbers=False)
            yield Static(
                Text("Markdown · ctrl+s or escape saves and closes", style="dim"), id="note-help"
            )

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-text", TextArea).text)
