"""Markdown (`.md`, `.markdown`): a text file shown as written, with light styling.

Its outline is the ATX headings (`#` to `######`) outside fenced code blocks and front matter
(readertui.formats.headings); its styling (readertui.core.markdown_spans) dims the markup and
styles the elements without changing a character; reflow never joins a list item, quote,
table row or fence to the line above it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from readertui.formats.plain_text import PlainText

if TYPE_CHECKING:
    from readertui.formats.base import OutlineEntry, Styler

# A line starting like this begins a new element: reflow never joins it to the line above.
# (Compiled and cached by `re` when first used, not on the reader's start-up path.)
_BLOCK_START = r"\s*(?:[-*+>|#]|\d+[.)]\s|```|~~~)"


class Markdown(PlainText):
    """A Markdown text file: read, checked and described like plain text."""

    name = "markdown"
    suffixes = (".md", ".markdown")
    reflows = True

    def outline(self, text: str) -> list[OutlineEntry]:
        from readertui.formats.headings import markdown_outline

        return markdown_outline(text)

    def styler(self, text: str) -> Styler:
        # Imported here: its regexes are compiled only once a Markdown document is shown.
        from readertui.core.markdown_spans import MarkdownStyler

        return MarkdownStyler(text)

    def keeps_line_breaks(self, lines: Sequence[str]) -> bool:
        if lines[0].startswith(("```", "~~~", "    ")):
            return True  # a code block
        return any(re.match(_BLOCK_START, line) for line in lines[1:])


MARKDOWN = Markdown()
