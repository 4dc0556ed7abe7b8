"""At start-up: changes an earlier session could not save were kept in a file; merge them?"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from readertui.ui.dialogs.frame import dialog_css
from readertui.ui.literal import literal


class RecoveredChangesDialog(ModalScreen[bool]):
    """`m` merges the kept changes into the database; `l` (or escape) asks again next start."""

    DEFAULT_CSS = (
        dialog_css("RecoveredChangesDialog", "#recovered-dialog", "$warning")
        + """
    #recovered-choices {
        height: auto;
        max-height: 8;
        margin: 1 0 0 0;
    }
    """
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose(True)", "Merge", id="recovered-merge"),
        Binding("l,escape", "choose(False)", "Later", id="recovered-later"),
    ]

    def __init__(self, summary: str, paths: list[Path], written: str) -> None:
        super().__init__()
        self.summary = summary
        self.paths = paths
        self.written = written

    def compose(self) -> ComposeResult:
        files = Text("\n").join(literal(f"  {path}") for path in self.paths)
        when = self.written.replace("T", " ")[:16] + " UTC" if self.written else "earlier"
        with Vertical(id="recovered-dialog"):
            yield Static(Text("Changes kept from an earlier session", style="bold"))
            yield Static(
                literal(
                    f"When readertui last ended ({when}), {self.summary} could not be "
                    "saved. They were kept in:"
                )
            )
            yield Static(files)
            yield OptionList(
                Option(Text("m  Merge them into the database now"), id="merge"),
                Option(Text("l  Later: keep the file and ask at the next start"), id="later"),
                id="recovered-choices",
            )

    def on_mount(self) -> None:
        self.query_one("#recovered-choices", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id == "merge")

    def action_choose(self, merge: bool) -> None:
        self.dismiss(merge)
