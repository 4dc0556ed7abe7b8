"""The styles of the kinds of styled text (Markdown's headings, emphasis, code, ..., and any
format's boilerplate lines) for the reader.

They live in a widget of their own that is never shown, mounted by the reader only once a
document whose text is styled is open (a Markdown one, or one whose sidecar lists boilerplate
lines): a plain text's first screen then neither parses nor resolves them (the reader's
start-up is measured in benchmarks/terminal_paint.py).
Colours come from the theme's variables, as everywhere else; dimmed kinds use `text-style:
dim`, since a colour with alpha (`$text-muted`, `$text-disabled`) cannot be blended with a
background in a component's partial style and would come out as plain white.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from textual.widget import Widget

#: The kinds of styled span a format may give (see readertui.formats.base.Styler).
KINDS = (
    "heading1",
    "heading2",
    "heading3",
    "emphasis",
    "strong",
    "code",
    "code-block",
    "quote",
    "list-marker",
    "link",
    "markup",
    "front-matter",
    "boilerplate",
)


class MarkdownStyles(Widget):
    """Holds the style of each kind of span as a component class (`md-heading1`, ...)."""

    DEFAULT_CSS = """
    MarkdownStyles {
        display: none;
    }

    MarkdownStyles > .md-heading1 {
        color: $primary;
        text-style: bold underline;
    }

    MarkdownStyles > .md-heading2 {
        color: $primary;
        text-style: bold;
    }

    MarkdownStyles > .md-heading3 {
        color: $secondary;
        text-style: bold;
    }

    MarkdownStyles > .md-emphasis {
        text-style: italic;
    }

    MarkdownStyles > .md-strong {
        text-style: bold;
    }

    MarkdownStyles > .md-code {
        color: $success;
    }

    MarkdownStyles > .md-code-block {
        color: $success;
    }

    MarkdownStyles > .md-quote {
        color: $text-muted;
        text-style: italic;
    }

    MarkdownStyles > .md-list-marker {
        color: $accent;
        text-style: bold;
    }

    MarkdownStyles > .md-link {
        color: $secondary;
        text-style: underline;
    }

    MarkdownStyles > .md-markup {
        text-style: dim;
    }

    MarkdownStyles > .md-front-matter {
        text-style: dim;
    }

    MarkdownStyles > .md-boilerplate {
        text-style: dim;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"md-{kind}" for kind in KINDS}

    def __init__(self) -> None:
        super().__init__()
        self._styles: dict[str, Style] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def style(self, kind: str) -> Style:
        """The style of spans of `kind` (a null style for a kind it does not know)."""
        style = self._styles.get(kind)
        if style is None:
            style = self.get_component_rich_style(f"md-{kind}", partial=True, default=Style())
            self._styles[kind] = style
        return style
