"""The line above the text: the document's title and byline, fitted to the width it has.

At most two lines. Title and byline flow on as one text when the two lines hold it all; else
the title takes the first line (cut at its end) and the byline the second, its authors giving
way before its publication and date. Whatever is cut ends in "…" (`core.shortening`). It is
fitted again whenever its width changes.
"""

from __future__ import annotations

from rich.text import Text
from textual.visual import VisualType
from textual.widgets import Static

from readertui.core.metadata import DocumentMetadata
from readertui.core.shortening import fit_lines, fit_parts, shorten
from readertui.core.visible import visible_line

#: The most lines the header takes.
HEADER_LINES = 2


def header_lines(title: str, meta: DocumentMetadata, cells: int) -> list[str]:
    """The header's lines for `cells` cells."""
    title = visible_line(title)
    parts = [visible_line(part) for part in (", ".join(meta.authors), meta.publication, meta.date)]
    byline = " · ".join(part for part in parts if part)
    if not byline:
        return fit_lines(title, cells, HEADER_LINES)
    # Title and byline flow on as one text when the two lines hold all of it.
    whole = f"{title} — {byline}"
    lines = fit_lines(whole, cells, HEADER_LINES)
    if " ".join(lines) == " ".join(whole.split()):
        return lines
    # Else a line each, the title cut at its end and the byline in its authors.
    return [shorten(" ".join(title.split()), cells), fit_parts(parts, cells)]


class DocumentHeader(Static):
    """Shows a document's title and byline (`show`), or a message (`update`)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)
        self._document: tuple[str, DocumentMetadata] | None = None
        self._fitted_to = -1

    def show(self, title: str, meta: DocumentMetadata) -> None:
        """Show `title` and the byline of `meta`, fitted to the width."""
        self._document = (title, meta)
        self._fitted_to = -1
        self._fit()

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        """Show `content` (a message) instead of a document."""
        self._document = None
        super().update(content, layout=layout)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        if self._document is None:
            return
        cells = self.content_size.width
        if cells <= 0 or cells == self._fitted_to:
            return
        self._fitted_to = cells
        title, meta = self._document
        super().update(Text("\n".join(header_lines(title, meta, cells)), style="bold"))
