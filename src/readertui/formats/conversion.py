"""What a converting format (EPUB, a saved web page, PDF) makes of a file, and the contract a
converter keeps.

A text or Markdown file is its own reader's text. A book, a web page or a paper is not: it is
turned once into a `Conversion` (the reader's text, the styled spans over it, the outline, the
sections a citation names, and the metadata), which the conversion cache keeps by the file's
hash and the converter's version. Everything else in readertui (anchoring, find, the index,
the exports) works on the conversion's text unchanged.

A converter module has no Textual import and loads its parsing library only when asked to
describe or convert a file, since the formats are registered on the start-up path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from readertui.core.markdown_spans import Span
    from readertui.formats.base import OutlineEntry


class UnreadableFile(Exception):
    """A file of a converter's suffix that it will not read, with the short reason the
    library's Skipped list shows ("DRM-protected", "no text layer (scanned)",
    "malformed EPUB: no package document", "unsafe entry name in archive")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# The longest reason a failing converter's exception gives the skipped list.
_REASON_CHARS = 120


def failure_reason(error: BaseException) -> str:
    """The skipped list's reason for a converter that failed with `error`: "cannot be read:"
    and the error's first line, shortened (it may quote the file: shown literally)."""
    message = " ".join(str(error).split()) or type(error).__name__
    if len(message) > _REASON_CHARS:
        message = message[: _REASON_CHARS - 1] + "…"
    return f"cannot be read: {message}"


class Section(NamedTuple):
    """A part of the text a citation names: an EPUB chapter or a PDF page.

    `label` is how a citation and the status line name it ("p. 12", "Chapter III"); an
    empty label means the section is unnamed (the nearest heading names it instead).
    `fragment` is where it is inside the file, as a W3C FragmentSelector value: an EPUB CFI
    to the chapter's spine item for an EPUB ("epubcfi(/6/8[chapter03]!)": the spine's 4th
    item, whose idref is "chapter03"), "page=12" for a PDF (RFC 8118, pages counted from 1).
    The exports tell the two apart by the "epubcfi(" prefix.
    """

    offset: int
    label: str
    fragment: str


class ConvertedMetadata(NamedTuple):
    """What a file says about itself (an EPUB's package, a page's meta tags, a PDF's
    document information). Empty strings and tuples where it says nothing."""

    title: str = ""
    authors: tuple[str, ...] = ()
    language: str = ""
    publisher: str = ""
    date: str = ""
    #: A web page's own address (its canonical link or og:url).
    url: str = ""
    #: A web page's site name ("The Morning Star").
    site: str = ""


class Conversion(NamedTuple):
    """A file as the reader shows it.

    `text` follows the reader's rules: newlines are "\\n", no tabs, no carriage returns;
    every other character is kept (an escape byte in a book is shown as a symbol by the
    reader, never sent to the terminal). `spans` are sorted by start and use the kinds of
    `readertui.formats.base.Styler`; `outline` entries and `sections` are sorted by offset.
    """

    text: str
    spans: tuple[Span, ...]
    outline: tuple[OutlineEntry, ...]
    sections: tuple[Section, ...]
    metadata: ConvertedMetadata


class Converter(Protocol):
    """One converting format's reading code."""

    #: The format's name ("epub", "html", "pdf"); unique among the formats.
    name: str
    #: The suffixes it claims, lower case with the dot (".epub").
    suffixes: tuple[str, ...]
    #: Raised whenever its output for the same file may change: cached conversions of an
    #: older version are converted again (and their annotations re-anchored).
    version: int

    def describe(self, path: Path) -> ConvertedMetadata:
        """The file's metadata, quickly (the library scan asks it of every file, so it reads
        no more of the file than it must). Raises UnreadableFile when the file is one the
        library should list under Skipped (DRM, malformed, hostile, no text)."""
        ...

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        """The file's whole conversion. `whole_page` asks a web page converter for all of
        the page's text instead of the extracted article; other converters ignore it.
        Raises UnreadableFile as `describe` does, and for what only a full read finds."""
        ...

    def convert_start(self, path: Path) -> Conversion | None:
        """A quick conversion of the file's beginning (a PDF's first pages), for the screen
        to show while `convert` runs in the background: its text is a prefix of `convert`'s
        and its spans, outline and sections agree with it. None when the converter has no
        quicker way to the beginning than the whole conversion."""
        ...
