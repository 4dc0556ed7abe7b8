"""The status line: mode, position, counts and whether everything is saved.

It can hold what the user typed (the find query), so it is shown literally.
"""

from __future__ import annotations

from textual.widgets import Static

from readertui.core.shortening import one_line
from readertui.ui.literal import literal
from readertui.ui.widgets.reader_view import ReaderPosition


class StatusLine(Static):
    """One line under the panes, e.g.
    ``NORMAL · 2/4 Morning Star piece · 34% · line 120/610 · 3 highlights, 1 note · saved``.

    In a line that wraps into several rows (or a reflowed paragraph), the row the cursor is
    on is given too (`line 12/107, row 3/5`), so the position moves with every `j`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.mode = "NORMAL"
        self.position: ReaderPosition | None = None
        self.reflow = False
        self.saved_state = "saved"
        self.find_state = ""
        #: Which document is open: its place in the library (`2/4`) and its title, shortened
        #: to what the width leaves.
        self.place = ""
        self.title = ""
        #: How many highlights and notes the open document has (`3 highlights, 1 note`).
        self.counts = ""
        #: How far the library index is (`indexing 34%`), while it is being built.
        self.indexing = ""

    def on_resize(self) -> None:
        self.show()  # the title takes what the new width leaves

    def show(self) -> None:
        parts = [self.mode]
        if self.position is not None:
            position = self.position
            parts.append(f"{position.percent}%")
            line = f"line {position.line:,}/{position.lines:,}"
            if position.rows > 1:
                line += f", row {position.row}/{position.rows}"
            parts.append(line)
            if self.counts:
                parts.append(self.counts)
            if self.reflow:
                parts.append("reflow")
        if self.find_state:
            parts.append(self.find_state)
        if self.indexing:
            parts.append(self.indexing)
        parts.append(self.saved_state)
        if self.place:
            # The title takes what the rest leaves (whether everything is saved must show).
            room = (self.size.width or 80) - len(" · ".join(parts)) - len(self.place) - 5
            document = self.place
            if room >= 8:
                document += " " + one_line(self.title, room)
            parts.insert(1, document)
        # One row, whatever it says: no layout pass is needed.
        self.update(literal(" · ".join(parts)), layout=False)
