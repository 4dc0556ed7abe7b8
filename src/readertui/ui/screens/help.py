"""The help screen: every key, grouped, generated from the keymap so it is never out of date.

It shows the keys in effect: the defaults with the user's `[keys]` applied (`ui.keymap`).
Keys and descriptions are shown literally.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from readertui.ui.keymap import KEYS, REBINDABLE, effective_label, key_label
from readertui.ui.literal import literal

FIND_BAR_KEYS = (
    ("enter  ↓", "Next match"),
    ("shift+enter  ↑", "Previous match"),
    ("escape", "Close, leaving the cursor on the match"),
)

# Below the table; {palette} and {quit} are the keys in effect.
HELP_NOTES = (
    "Every action is also in the command palette ({palette}), with every document and heading "
    "as a place to jump to. The mouse works too, but is never needed."
    "\n\nThe status line says saved once every change is on disk. NOT SAVED means a write "
    "failed (a full disk, a read-only file system): the changes are kept and written as soon "
    "as it works again. {quit} with unsaved changes asks what to do; changes kept in a file "
    "when readertui last ended are offered for merging at the next start. Keys typed ahead go "
    "to the dialog or pane they were typed for."
    "\n\nEvery key can be changed in the [keys] table of config.toml, by the binding id the "
    "README's keys table gives it."
)


def help_table(keymap: Mapping[str, str] | None = None) -> Table:
    """All keys as a table: group headings, then key and description rows; `keymap` is the
    user's (binding id -> keys), as given to `App.set_keymap`."""
    keymap = keymap or {}
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=14)
    table.add_column()
    group = ""
    for spec in KEYS:
        if not spec.keys:
            continue  # a command of the palette only: listed together below
        if spec.group != group:
            group = spec.group
            table.add_row(Text(""), Text(""))
            table.add_row(literal(group, style="bold underline"), Text(""))
        table.add_row(literal(effective_label(spec, keymap)), literal(spec.description))
    palette_key = keymap.get("palette", "ctrl+p")
    table.add_row(Text(""), Text(""))
    table.add_row(
        Text("Palette", style="bold underline"),
        literal(f"commands with no key: {key_label(palette_key)}, then type their name"),
    )
    for spec in KEYS:
        if not spec.keys:
            table.add_row(Text(""), literal(spec.description))
    table.add_row(Text(""), Text(""))
    table.add_row(Text("In the find bar", style="bold underline"), Text(""))
    for key, description in FIND_BAR_KEYS:
        table.add_row(Text(key), Text(description))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every key; escape, the help key or the quit key closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }

    #help-body {
        width: 76;
        max-width: 100%;
        height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 2;
    }

    #help-title {
        text-align: center;
        padding: 1 0 0 0;
    }

    #help-footer {
        padding: 1 0;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close help", id="help-close"),
        # The ids of the app's help and quit keys: a user keymap moves these with them.
        Binding("question_mark", "dismiss", "Close help", show=False, id="help"),
        Binding("q", "dismiss", "Close help", show=False, id="quit"),
    ]

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        #: The user's keymap (binding id -> keys) the app was given, {} for the defaults.
        self.keymap = dict(keymap or {})

    def compose(self) -> ComposeResult:
        palette = effective_label(REBINDABLE["palette"], self.keymap)
        quit_key = effective_label(REBINDABLE["quit"], self.keymap)
        with VerticalScroll(id="help-body"):
            yield Static(Text("readertui — keys", style="bold"), id="help-title")
            yield Static(help_table(self.keymap), id="help-keys")
            yield Static(Text(HELP_NOTES.format(palette=palette, quit=quit_key)), id="help-footer")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
