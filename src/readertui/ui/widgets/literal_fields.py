"""Input fields whose text is shown literally: what is typed, pasted or loaded into them never
holds a control character (PRODUCT 11).

Textual draws an `Input`'s value and a `TextArea`'s lines as they are, so a pasted escape
sequence, or an imported note or tag that holds one, would reach the terminal. These keep
each control as its visible symbol, one for one, so the cursor stays where it was.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea
from textual.widgets.text_area import Edit, EditResult

from readertui.core.visible import visible_line, visible_multiline


def editable_text(text: str) -> str:
    """`text` for an editor of several lines: controls shown, lines and tabs kept."""
    # The editor would read "\r\n" as one line break; a lone "\r" is shown as ␍.
    return visible_multiline(text.replace("\r\n", "\n"))


class LiteralInput(Input):
    """An `Input` whose value never holds a control character or bidi control."""

    def validate_value(self, value: str) -> str:
        return visible_line(value)


class LiteralTextArea(TextArea):
    """A `TextArea` that shows control characters as symbols, in its first text and in every
    edit; newlines and tabs are kept."""

    def __init__(self, text: str = "", **options: Any) -> None:
        super().__init__(editable_text(text), **options)

    def edit(self, edit: Edit) -> EditResult:
        # Typing, pasting, cutting and redo all come through here.
        edit.text = editable_text(edit.text)
        return super().edit(edit)
