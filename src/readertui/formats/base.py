"""What a document format is: the one interface through which the library scan, the loader,
the reader's layout and the outline deal with a kind of file, so none of them tests a name.

A format recognises its files (by suffix, then by a look at their first bytes), reads their
metadata, turns a file into the reader's text, and from that text gives the outline, the
styled spans and the rule for reflowing paragraphs. Everything else in readertui (anchoring,
find, the index, exports) works on the text alone, so a new format needs nothing more.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from readertui.core.decoding import DecodedText
    from readertui.core.markdown_spans import Span
    from readertui.core.metadata import DocumentMetadata

# More headings than this are noise (or a document of one-line paragraphs), not an outline.
MAX_OUTLINE_ENTRIES = 5000


class OutlineEntry(NamedTuple):
    """A heading: its title, where its line starts in the text and its depth (1 to 6)."""

    title: str
    offset: int
    level: int


class Styler(Protocol):
    """Styled spans of one document's text, asked for a screenful at a time.

    The reader paints the kinds "heading1" to "heading3", "emphasis", "strong", "code",
    "code-block", "quote", "list-marker", "link", "markup", "front-matter" and
    "boilerplate" (a line the sidecar lists in `skip_lines`: readertui.core.boilerplate).
    """

    def spans_between(self, start: int, end: int) -> list[Span]:
        """Spans for every line overlapping text[start:end]."""
        ...


class Format(ABC):
    """One kind of document file. Subclass it once per format, in a module of its own, and
    register one instance (`readertui.formats.register`).

    The text a format produces is what every offset points into: newlines are "\\n", tabs
    are expanded (one character, one cell), and the same file always gives the same text.
    """

    #: The format's name, shown in the Document tab ("text", "markdown"); unique.
    name: str
    #: The file name suffixes it claims, lower case with the dot (".txt").
    suffixes: tuple[str, ...]
    #: Whether hard-wrapped paragraphs may be reflowed (text broken at ~70 columns).
    reflows: bool = False

    def refusal(self, head: bytes) -> str | None:
        """Why a file of this format's suffix, starting with `head` (its first bytes, up to
        8 KB), is not one of its documents after all ("binary file"); None if it is."""
        return None

    @abstractmethod
    def metadata(self, path: Path, head: bytes) -> tuple[DocumentMetadata, str | None]:
        """The metadata of the file at `path` (whose first bytes are `head`) and, when its
        sidecar is partly or wholly ignored, why (for the library's skipped list)."""

    @abstractmethod
    def read(self, path: Path, *, max_bytes: int) -> DecodedText:
        """The reader's text of the file at `path` and the encoding it was read with.

        Raises DocumentError (with a short reason) when the file cannot be read, is larger
        than `max_bytes` or is not of this format after all.
        """

    def outline(self, text: str) -> list[OutlineEntry]:
        """The headings of `text`, in order, at most MAX_OUTLINE_ENTRIES."""
        return []

    def styler(self, text: str) -> Styler | None:
        """What styles `text` on screen, or None when it is shown plain."""
        return None

    def keeps_line_breaks(self, lines: Sequence[str]) -> bool:
        """Whether the line breaks inside a paragraph (its `lines`) are structure the format
        gives them (a code block, a list) and stay when paragraphs are reflowed."""
        return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} format {self.name!r}>"
