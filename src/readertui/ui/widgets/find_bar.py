"""The find bar under the reader: a query field and the match count.

xterm's modifyOtherKeys (and tmux's extended keys) send shift+enter as `ESC[27;2;13~`, which
Textual reads as the key `shift+\r`; the bar takes it as the `shift+enter` it is, through
whatever that key is bound to.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

#: What a query matches, in short (core/find.py says it in full).
PLACEHOLDER = "text to find (a matches A á Á unless you type A or á; ' \" - match ’ ” —)"

#: Key names Textual gives to modifyOtherKeys sequences, and the keys they are.
XTERM_KEY_NAMES: dict[str, str] = {"shift+\r": "shift+enter"}


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
        yield Input(placeholder=PLACEHOLDER, id="find-input")
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

    async def on_key(self, event: events.Key) -> None:
        key = XTERM_KEY_NAMES.get(event.key)
        if key is None:
            return
        # The bindings in force here (the user's keymap applied) say what the key does.
        bound = self.screen.active_bindings.get(key)
        if bound is None or not bound.enabled:
            return
        event.stop()
        event.prevent_default()
        await self.app.run_action(bound.binding.action, bound.node)

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
