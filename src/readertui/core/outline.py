"""A document's outline: its headings, with the offset each one starts at in the text.

Each format finds its own headings (readertui.formats): Markdown its `#` lines, plain text
the lines that read as headings (`CHAPTER IV`, `BOOK TWO: 1806`, short title lines between
blank lines). `Document.outline()` asks the document's format; `OutlineEntry` is kept here
for the code that imports it from this module.
"""

from readertui import formats
from readertui.formats.base import MAX_OUTLINE_ENTRIES, Format, OutlineEntry

__all__ = ["MAX_OUTLINE_ENTRIES", "OutlineEntry", "outline_for"]


def outline_for(text: str, fmt: Format | str) -> list[OutlineEntry]:
    """The outline of `text` read as format `fmt` (a Format, or a registered format's name)."""
    kind = formats.named(fmt) if isinstance(fmt, str) else fmt
    return kind.outline(text)
