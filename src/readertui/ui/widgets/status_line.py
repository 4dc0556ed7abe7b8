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
    on is given too (`line 12/107, row 3/5`), so the position moves with every `j`. In a
    converted document the page or chapter at the cursor comes first (`p. 12`,
    `Chapter III`), and the line, a line of the converted text, is the first to go. While
    a document is converted (`converting…`), that is said too."""

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
        #: The page or chapter at the cursor in a converted document (`p. 12`).
        self.section = ""
        #: What the open document waits for (`converting…`), while it does.
        self.opening = ""

    def on_resize(self) -> None:
        self.show()  # the title takes what the new width leaves

    def show(self) -> None:
        # Each part with how readily it is left out when the row is too narrow (higher:
        # sooner). The mode, the position, find's count and whether everything is saved
        # always show; the title takes whatever room is left.
        parts: list[tuple[str, int]] = [(self.mode, 0)]
        if self.place:
            parts.append((self.place, 3))
        if self.position is not None:
            position = self.position
            parts.append((f"{position.percent}%", 0))
            if self.section:
                parts.append((self.section, 0))
            # Beside a page or chapter, the line of the converted text matters less.
            line_level = 2 if self.section else 0
            parts.append((f"line {position.line:,}/{position.lines:,}", line_level))
            if position.rows > 1:
                parts.append((f"row {position.row}/{position.rows}", 2))
            if self.counts:
                parts.append((self.counts, 4))
            if self.reflow:
                parts.append(("reflow", 5))
        if self.find_state:
            parts.append((self.find_state, 0))
        if self.opening:
            parts.append((self.opening, 0))
        if self.indexing:
            parts.append((self.indexing, 1))
        parts.append((self.saved_state, 0))
        width = self.size.width or 80
        for level in (5, 4, 3, 2, 1):
            if len(self._joined(parts)) <= width - 2:
                break
            parts = [part for part in parts if part[1] < level]
        shown = [text for text, _ in parts]
        if self.place and self.place in shown and self.title:
            room = width - 2 - len(self._joined(parts)) - 1
            if room >= 8:
                at = shown.index(self.place)
                shown[at] = f"{self.place} {one_line(self.title, room)}"
        # One row, whatever it says: no layout pass is needed.
        self.update(literal(" · ".join(shown)), layout=False)

    @staticmethod
    def _joined(parts: list[tuple[str, int]]) -> str:
        return " · ".join(text for text, _ in parts)
