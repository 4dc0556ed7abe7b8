"""Strings from files and users on screen exactly as they are: never markup, never commands.

Textual reads a plain `str` given to most widgets (a `Static`, an option, a palette hit, a
notification) as markup, so a title `[reverse]X` would be drawn reversed and `[link=…` would
crash the app; and whatever control characters a string holds go to the terminal (PRODUCT 11).
Every title, author, file name, heading, tag, note or message that holds outside text is shown
through `literal`: made visible with `readertui.core.visible.visible_line` and wrapped in a Rich
`Text`, which is drawn literally. Palette entries are built the same way as Textual `Content`
(`ui.choices`); notifications take `visible_line(...)` with `markup=False`; the fields a user
types into keep their value visible (`ui.widgets.literal_fields`).
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text

from readertui.core.visible import visible_line


def literal(text: str, style: StyleType = "") -> Text:
    """`text` as one line of Rich `Text`: controls shown as symbols, `[` just a bracket."""
    return Text(visible_line(text), style=style)
