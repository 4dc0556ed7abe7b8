"""A document's outline: its headings, with the offset each one starts at in the text.

Each format finds its own headings (readertui.formats): Markdown its `#` lines, plain text
the lines that read as headings (`CHAPTER IV`, `BOOK TWO: 1806`, short title lines between
blank lines). `Document.outline()` asks the document's format, then `tidy_outline` leaves
out the lines its sidecar lists as site boilerplate (`skip_lines`) and any entry that only
repeats the one before it. `OutlineEntry` is kept here for the code that imports it from
this module.
"""

from collections.abc import Iterable

from readertui import formats
from readertui.formats.base import MAX_OUTLINE_ENTRIES, Format, OutlineEntry

__all__ = ["MAX_OUTLINE_ENTRIES", "OutlineEntry", "outline_for", "tidy_outline"]


def outline_for(text: str, fmt: Format | str) -> list[OutlineEntry]:
    """The outline of `text` read as format `fmt` (a Format, or a registered format's name)."""
    kind = formats.named(fmt) if isinstance(fmt, str) else fmt
    return kind.outline(text)


def tidy_outline(
    entries: Iterable[OutlineEntry], text: str, skip_lines: Iterable[str] = ()
) -> list[OutlineEntry]:
    """`entries` (of `text`) without those on a boilerplate line (one of `skip_lines`, blanks
    around it left out) and without one whose title repeats the entry before it."""
    skips = frozenset(line.strip() for line in skip_lines)
    kept: list[OutlineEntry] = []
    for entry in entries:
        if skips and _line_at(text, entry.offset).strip() in skips:
            continue
        if kept and kept[-1].title == entry.title:
            continue  # "Section Two" twice in a row is one place to go
        kept.append(entry)
    return kept


def _line_at(text: str, offset: int) -> str:
    end = text.find("\n", offset)
    return text[offset : len(text) if end == -1 else end]
