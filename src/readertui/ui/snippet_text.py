"""A snippet of the library index (a line of a passage, its matches marked) as Rich text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from readertui.core.visible import visible_line

if TYPE_CHECKING:
    from readertui.index.snippets import Snippet


def snippet_text(snippet: Snippet, mark: Style | str) -> Text:
    """The snippet on one line, shown literally, its marked spans in the style `mark`."""
    # visible_line replaces each control with one code point: the spans stay in place.
    text = Text(visible_line(snippet.text))
    for start, end in snippet.marks:
        text.stylize(mark, start, end)
    return text
