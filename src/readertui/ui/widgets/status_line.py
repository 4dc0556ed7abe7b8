"""The status line: mode, position, counts and whether everything is saved.

It can hold what the user typed (the find query), so it is shown literally.
"""

from __future__ import annotations

from textual.widgets import Static

from readertui.ui.literal import literal
from readertui.ui.widgets.reader_view import ReaderPosition


class StatusLine(Static):
    """One line under the panes, e.g. ``NORMAL · 34% · line 120/610 · reflow · saved``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.mode = "NORMAL"
        self.position: ReaderPosition | None = None
        self.reflow = False
        self.saved_state = "saved"
        self.find_state = ""
        #: How far the library index is (`indexing 34%`), while it is being built.
        self.indexing = ""

    def show(self) -> None:
        parts = [self.mode]
        if self.position is not None:
            position = self.position
            parts.append(f"{position.percent}%")
            parts.append(f"line {position.line:,}/{position.lines:,}")
            if self.reflow:
                parts.append("reflow")
        if self.find_state:
            parts.append(self.find_state)
        if self.indexing:
            parts.append(self.indexing)
        parts.append(self.saved_state)
        # One row, whatever it says: no layout pass is needed.
        self.update(literal(" · ".join(parts)), layout=False)
