"""The find bar under the reader: a query field and the match count."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label


class FindBar(Horizontal):
    """`/` opens it; enter and shift+enter step through matches; escape closes it."""

    DEFAULT_CSS = """
    FindBar {
        height: 1;
        display: none;
        background: $surface;
    }

    #find-label {
        padding: 0 1;
        color: $accent;
    }

    #find-input {
        border: none;
        height: 1;
        width: 1fr;
        padding: 0;
    }

    #find-count {
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("shift+enter,up", "previous", "Previous match", id="find-previous"),
        Binding("down", "next", "Next match", show=False, id="find-next"),
        Binding("escape", "close", "Close find", id="find-close"),
    ]

    class Step(Message):
        """Go to the next (`forward`) or previous match."""

        def __init__(self, forward: bool) -> None:
            super().__init__()
            self.forward = forward

    class QueryChanged(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Closed(Message):
        """The find bar was closed with escape: the cursor stays on the match."""

    def compose(self) -> ComposeResult:
        yield Label("Find:", id="find-label")
        yield Input(placeholder="text to find (smart case)", id="find-input")
        yield Label("", id="find-count", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one("#find-input", Input)

    def open(self) -> None:
        self.display = True
        self.input.focus()
        self.input.select_all()

    def set_count(self, text: str) -> None:
        self.query_one("#find-count", Label).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Step(forward=True))

    def action_next(self) -> None:
        self.post_message(self.Step(forward=True))

    def action_previous(self) -> None:
        self.post_message(self.Step(forward=False))

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())
