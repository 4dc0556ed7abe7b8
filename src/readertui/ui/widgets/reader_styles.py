"""The styles of what the reader marks in its text: highlights, notes, the selection, find's
matches and a jump's target.

They live in a widget of their own that is never shown, mounted by the reader the first time
one of them is painted: a document opened with no annotations has none of them on its first
screen, and Textual resolves every component class of a widget again on each of its style
passes (four before the first paint), so the reader's own classes are kept to the cursor
(start-up is measured in benchmarks/terminal_paint.py and benchmarks/callgrind_paint.py).
A component's partial style is its own rules only, so it is the same here as on the reader.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.widget import Widget

from readertui.core.annotations import COLORS


class ReaderStyles(Widget):
    """Holds the reader's marking styles as component classes (`reader-view--selection`, ...)."""

    # Highlight colours are translucent, so they sit on light and dark themes alike. Component
    # styles are painted without their alpha: every match colour is solid, the other matches a
    # muted amber and the current one (where the cursor is) the full one.
    DEFAULT_CSS = """
    ReaderStyles {
        display: none;
    }

    ReaderStyles > .reader-view--hl-yellow {
        background: rgb(240, 200, 40) 40%;
    }

    ReaderStyles > .reader-view--hl-green {
        background: rgb(80, 200, 100) 35%;
    }

    ReaderStyles > .reader-view--hl-blue {
        background: rgb(70, 140, 255) 38%;
    }

    ReaderStyles > .reader-view--hl-pink {
        background: rgb(255, 100, 170) 35%;
    }

    ReaderStyles > .reader-view--hl-purple {
        background: rgb(170, 110, 255) 38%;
    }

    ReaderStyles > .reader-view--noted {
        text-style: underline;
    }

    ReaderStyles > .reader-view--note-marker {
        color: $accent;
        text-style: bold;
    }

    ReaderStyles > .reader-view--selection {
        background: $primary 55%;
    }

    ReaderStyles > .reader-view--match {
        background: $warning-muted;
    }

    ReaderStyles > .reader-view--current-match {
        background: $warning;
        color: $background;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader-view--match",
        "reader-view--current-match",
        "reader-view--selection",
        "reader-view--noted",
        "reader-view--note-marker",
        *(f"reader-view--hl-{color}" for color in COLORS),
    }

    def __init__(self) -> None:
        super().__init__()
        self._styles: dict[str, Style] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def style(self, name: str) -> Style:
        """The partial style of the component class `name`."""
        style = self._styles.get(name)
        if style is None:
            style = self.get_component_rich_style(name, partial=True)
            self._styles[name] = style
        return style
