"""Plain text (`.txt`, `.text`): the decoded file as it is, heading-like lines as its outline.

Any encoding readertui detects is read (readertui.core.decoding); a file whose first bytes
look binary is refused. The outline is the lines that read as headings (`CHAPTER IV`, short
title lines between blank lines: readertui.formats.headings). Hard-wrapped paragraphs
(Project Gutenberg style) may be reflowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from readertui.core.decoding import decode_head, looks_binary, read_text_file
from readertui.core.metadata import metadata_and_problem
from readertui.formats.base import Format

if TYPE_CHECKING:
    from pathlib import Path

    from readertui.core.decoding import DecodedText
    from readertui.core.metadata import DocumentMetadata
    from readertui.formats.base import OutlineEntry


class PlainText(Format):
    """A text file in any encoding readertui detects; refused when its bytes are binary."""

    name = "text"
    suffixes = (".txt", ".text")
    reflows = True

    def refusal(self, head: bytes) -> str | None:
        return "binary file" if looks_binary(head) else None

    def metadata(self, path: Path, head: bytes) -> tuple[DocumentMetadata, str | None]:
        # From the head alone, for the scan and the loader alike: a title never changes when
        # a document is opened.
        return metadata_and_problem(path, decode_head(head))

    def read(self, path: Path, *, max_bytes: int) -> DecodedText:
        return read_text_file(path, max_bytes=max_bytes)

    def outline(self, text: str) -> list[OutlineEntry]:
        from readertui.formats.headings import plain_outline

        return plain_outline(text)


PLAIN_TEXT = PlainText()
