"""A document: one file of the library loaded as normalised text, with its format and metadata.

The loader asks the registered formats (readertui.formats) which one the file is, and that
format reads it; the document then answers for its format (outline, styling). A converted
document (an EPUB, a web page, a PDF) also carries its conversion, whose spans, outline and
sections (the chapters or pages a citation names) are used as they are, never re-parsed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from readertui import formats
from readertui.core.decoding import (
    HEAD_BYTES,
    _not_regular_reason,
    _os_error_reason,
    _too_large_reason,
)
from readertui.core.metadata import DocumentMetadata
from readertui.errors import DocumentError
from readertui.formats.base import Format, OutlineEntry, Styler
from readertui.formats.conversion import UnreadableFile
from readertui.formats.converted import ConvertedFormat

if TYPE_CHECKING:
    from readertui.core.conversion_cache import StoredConversion
    from readertui.formats.conversion import Section

DEFAULT_MAX_BYTES = 256 * 1024 * 1024

# Hashing encodes this many characters at a time, so a 100 MB text needs no 100 MB copy.
_HASH_CHUNK_CHARS = 1024 * 1024


@dataclass(frozen=True, eq=False)
class Document:
    """A loaded document. `text` is what every offset (annotations, outline, search) indexes.

    Compared by identity: two loads of a file are different objects, and comparing 100 MB
    texts field by field would be slow for no use.
    """

    path: Path
    rel_path: str
    text: str
    kind: Format
    encoding: str
    metadata: DocumentMetadata
    #: The conversion the text comes from (None for a text or Markdown file).
    converted: StoredConversion | None = None
    #: Whether this is only the beginning of the conversion (a PDF's first pages, shown
    #: while the rest is converted): its annotations beyond it are not placed in it.
    partial: bool = False

    @property
    def format(self) -> str:
        """The name of the document's format ("text", "markdown"), as the Document tab shows."""
        return self.kind.name

    def outline(self) -> list[OutlineEntry]:
        """The headings of the text, as its format finds them, but for the lines its sidecar
        lists as boilerplate (slow on a 100 MB text: it reads the whole of it, so call it
        from a worker)."""
        from readertui.core.outline import tidy_outline

        found = (
            list(self.converted.outline)
            if self.converted is not None
            else self.kind.outline(self.text)
        )
        return tidy_outline(found, self.text, self.metadata.skip_lines)

    def styler(self) -> Styler | None:
        """What styles the text on screen (Markdown's markup, a conversion's spans, the
        sidecar's boilerplate lines dim), or None to show it plain."""
        inner = self.converted if self.converted is not None else self.kind.styler(self.text)
        if not self.metadata.skip_lines:
            return inner
        # Imported here: only a document whose sidecar lists boilerplate needs it.
        from readertui.core.boilerplate import BoilerplateStyler

        return BoilerplateStyler(self.text, self.metadata.skip_lines, inner)

    @cached_property
    def sha256(self) -> str:
        """Hex SHA-256 of the text encoded as UTF-8: tells whether a file's text changed."""
        import hashlib  # only when an annotation needs the hash

        digest = hashlib.sha256()
        for start in range(0, len(self.text), _HASH_CHUNK_CHARS):
            # A str slice never splits a code point, so chunked encoding equals encoding once.
            # surrogatepass: a Document built by hand may hold lone surrogates; never crash.
            chunk = self.text[start : start + _HASH_CHUNK_CHARS]
            digest.update(chunk.encode("utf-8", errors="surrogatepass"))
        return digest.hexdigest()

    @property
    def sections(self) -> tuple[Section, ...]:
        """The chapters or pages a citation names (a converted document's), by offset."""
        return self.converted.sections if self.converted is not None else ()

    def section_at(self, offset: int) -> Section | None:
        """The section `offset` lies in, or None (before the first, or no sections)."""
        return self.converted.section_at(offset) if self.converted is not None else None

    def line_count(self) -> int:
        """The number of lines: newlines plus one, or 0 for an empty text."""
        return self._line_count

    @cached_property
    def _line_count(self) -> int:
        return self.text.count("\n") + 1 if self.text else 0


def load_document(
    path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, whole_page: bool | None = None
) -> Document:
    """Load the document at `path`, which lives in the library folder `root`.

    Raises DocumentError for a file no format claims, a missing, unreadable or too large
    file, or one its format refuses (a binary file named `.txt`). `whole_page` overrides
    the sidecar's setting of that name for a web page (`r` in the reader).
    """
    kind, head = _recognised(path, max_bytes)
    metadata = _metadata(kind, path, head)
    if whole_page is not None:
        metadata = metadata._replace(whole_page=whole_page)
    if isinstance(kind, ConvertedFormat):
        converted = kind.conversion(path, max_bytes=max_bytes, whole_page=metadata.whole_page)
        return Document(
            path=path,
            rel_path=_relative_path(path, root),
            text=converted.text,
            kind=kind,
            encoding=kind.encoding,
            metadata=metadata,
            converted=converted,
        )
    read = kind.read(path, max_bytes=max_bytes)
    return Document(
        path=path,
        rel_path=_relative_path(path, root),
        text=read.text,
        kind=kind,
        encoding=read.encoding,
        metadata=metadata,
    )


def needs_converting(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    """Whether loading the document at `path` means converting it (a book, web page or paper
    not in the conversion cache yet). Raises DocumentError as `load_document` does."""
    kind, head = _recognised(path, max_bytes)
    if not isinstance(kind, ConvertedFormat):
        return False
    whole_page = _metadata(kind, path, head).whole_page
    return kind.needs_converting(path, max_bytes=max_bytes, whole_page=whole_page)


def load_document_start(
    path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document | None:
    """The beginning of a long converted document (a PDF's first pages), quickly, to show
    while `load_document` converts the whole of it; None when its format has no quicker way
    (or it is no converted document). Its `partial` is True. Raises DocumentError as
    `load_document` does."""
    kind, head = _recognised(path, max_bytes)
    if not isinstance(kind, ConvertedFormat):
        return None
    metadata = _metadata(kind, path, head)
    start = kind.conversion_start(path)
    if start is None:
        return None
    return Document(
        path=path,
        rel_path=_relative_path(path, root),
        text=start.text,
        kind=kind,
        encoding=kind.encoding,
        metadata=metadata,
        converted=start,
        partial=True,
    )


def _recognised(path: Path, max_bytes: int) -> tuple[Format, bytes]:
    if formats.for_path(path) is None:
        raise DocumentError(str(path), formats.unsupported_reason(path))
    head = _read_head(path, max_bytes)
    kind = formats.recognise(path, head)
    if isinstance(kind, str):
        raise DocumentError(str(path), kind)
    return kind, head


def _metadata(kind: Format, path: Path, head: bytes) -> DocumentMetadata:
    """The file's metadata; a converter's refusal or failure is a DocumentError."""
    try:
        return kind.metadata(path, head)[0]
    except UnreadableFile as refusal:
        raise DocumentError(str(path), refusal.reason) from refusal


def _read_head(path: Path, max_bytes: int) -> bytes:
    """The first HEAD_BYTES of the regular file at `path`, if it is no larger than
    `max_bytes`; else DocumentError with the reason."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # Opening a FIFO would block forever; folders and devices are not documents.
            raise DocumentError(str(path), _not_regular_reason(info.st_mode))
        if info.st_size > max_bytes:
            raise DocumentError(str(path), _too_large_reason(info.st_size, max_bytes))
        with path.open("rb") as stream:
            return stream.read(HEAD_BYTES)
    except OSError as exc:
        raise DocumentError(str(path), _os_error_reason(exc)) from exc


def _relative_path(path: Path, root: Path) -> str:
    """`path` relative to `root` with "/" separators; the file name if it lies outside."""
    # Plain absolute paths first, so a symlink inside the library keeps its library path.
    for candidate, base in (
        (Path(os.path.abspath(path)), Path(os.path.abspath(root))),
        (path.resolve(), root.resolve()),
    ):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name
