"""Quitting with changes that could not be saved: say what and why, and ask what to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from readertui.ui.dialogs.frame import dialog_css
from readertui.ui.literal import literal


@dataclass(frozen=True)
class UnsavedChoice:
    """What the user chose: retry, write to `path`, or quit (keeping a changes file)."""

    action: Literal["retry", "write", "quit"]
    path: Path | None = None


class UnsavedChangesDialog(ModalScreen[UnsavedChoice | None]):
    """Retry, write the changes to another file, quit anyway, or go back (escape)."""

    DEFAULT_CSS = (
        dialog_css("UnsavedChangesDialog", "#unsaved-dialog", "$error")
        + """
    #unsaved-choices {
        height: auto;
        max-height: 8;
        margin: 1 0 0 0;
    }
    """
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "choose('retry')", "Retry", id="unsaved-retry"),
        Binding("w", "choose('write')", "Write to a file", id="unsaved-write"),
        Binding("q", "choose('quit')", "Quit anyway", id="unsaved-quit"),
        Binding("escape", "back", "Back to reading", id="unsaved-back"),
    ]

    def __init__(self, summary: str, reason: str, suggested_path: Path) -> None:
        super().__init__()
        self.summary = summary
        self.reason = reason
        self.suggested_path = suggested_path

    def compose(self) -> ComposeResult:
        with Vertical(id="unsaved-dialog"):
            yield Static(Text("Changes are not saved", style="bold"), id="unsaved-title")
            yield Static(literal(f"Not saved: {self.summary}."), id="unsaved-what")
            if self.reason:
                yield Static(literal(f"Why: {self.reason}"), id="unsaved-why")
            yield OptionList(
                Option(Text("r  Retry saving now"), id="retry"),
                Option(Text("w  Write them to another file…"), id="write"),
                Option(
                    Text(
                        "q  Quit anyway: they are kept in a changes file that the next start "
                        "offers to merge"
                    ),
                    id="quit",
                ),
                Option(Text("escape  Back to reading (saving is tried again)"), id="back"),
                id="unsaved-choices",
            )
            yield Input(
                str(self.suggested_path),
                placeholder="a file for the changes",
                id="unsaved-path",
            )

    def on_mount(self) -> None:
        self.query_one("#unsaved-path", Input).display = False
        self.query_one("#unsaved-choices", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == "back":
            self.action_back()
        else:
            self.action_choose(str(event.option.id))

    def action_choose(self, action: str) -> None:
        if action == "write":
            field = self.query_one("#unsaved-path", Input)
            field.display = True
            field.focus()
            return
        if action in ("retry", "quit"):
            self.dismiss(UnsavedChoice("retry" if action == "retry" else "quit"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        if typed:
            self.dismiss(UnsavedChoice("write", Path(typed).expanduser()))

    def action_back(self) -> None:
        field = self.query_one("#unsaved-path", Input)
        if field.display and field.has_focus:
            field.display = False
            self.query_one("#unsaved-choices", OptionList).focus()
            return
        self.dismiss(None)
