"""The note editor: a modal text area; ctrl+s or escape saves and closes.

The quote and the note (which may be imported) are shown literally: a control character is
shown as its symbol, and the note is left as it was unless it is edited.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from readertui.core.citation import in_quotation_marks
from readertui.core.shortening import one_line
from readertui.ui.dialogs.frame import dialog_css
from readertui.ui.literal import literal
from readertui.ui.widgets.literal_fields import LiteralTextArea, editable_text


class NoteEditor(ModalScreen[str]):
    """Edit a note (Markdown). Dismisses with the text; an empty note is allowed."""

    DEFAULT_CSS = (
        dialog_css("NoteEditor", "#note-dialog", "$accent")
        + """
    #note-text {
        height: 12;
        min-height: 4;
    }

    #note-quote {
        color: $text-muted;
        padding: 0 0 1 0;
    }

    #note-help {
        padding: 0;
    }
    """
    )

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
            yield Static(literal(in_quotation_marks(shown), style="italic"), id="note-quote")
            yield LiteralTextArea(
                self.note, id="note-text", soft_wrap=True, show_line_numbers=False
            )
            yield Static(
                Text("Markdown · ctrl+s or escape saves and closes", style="dim"), id="note-help"
            )

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        text = self.query_one("#note-text", TextArea).text
        # Not edited: the note as it was, not as it was shown.
        self.dismiss(self.note if text == editable_text(self.note) else text)
