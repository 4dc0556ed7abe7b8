"""The help screen: every key, grouped, generated from the keymap so it is never out of date.

Keys and descriptions are shown literally, ready for a keymap the user writes.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from readertui.ui.keymap import KEYS
from readertui.ui.literal import literal

FIND_BAR_KEYS = (
    ("enter  ↓", "Next match"),
    ("shift+enter  ↑", "Previous match"),
    ("escape", "Close, leaving the cursor on the match"),
)


def help_table() -> Table:
    """All keys as a table: group headings, then key and description rows."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=14)
    table.add_column()
    group = ""
    for spec in KEYS:
        if spec.group != group:
            group = spec.group
            table.add_row(Text(""), Text(""))
            table.add_row(literal(group, style="bold underline"), Text(""))
        table.add_row(literal(spec.label), literal(spec.description))
    table.add_row(Text(""), Text(""))
    table.add_row(Text("In the find bar", style="bold underline"), Text(""))
    for key, description in FIND_BAR_KEYS:
        table.add_row(Text(key), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every key; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help-close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text("readertui — keys", style="bold"), id="help-title")
            yield Static(help_table(), id="help-keys")
            yield Static(
                Text(
                    "Every action is also in the command palette (ctrl+p), with every document "
                    "and heading as a place to jump to. The mouse works too, but is never needed."
                    "\n\nThe status line says saved once every change is on disk. NOT SAVED "
                    "means a write failed (a full disk, a read-only file system): the changes "
                    "are kept and written as soon as it works again. q with unsaved changes "
                    "asks what to do; changes kept in a file when readertui last ended are "
                    "offered for merging at the next start. Keys typed ahead go to the dialog "
                    "or pane they were typed for."
                ),
                id="help-footer",
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
