"""A document: one file of the library loaded as normalised text with its format and metadata."""

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from readertui.core.decoding import _HEAD_BYTES, _decode_head, _os_error_reason, read_text_file
from readertui.core.metadata import DocumentMetadata, read_metadata
from readertui.errors import DocumentError

DocumentFormat = Literal["text", "markdown"]

DEFAULT_MAX_BYTES = 256 * 1024 * 1024

_FORMATS: dict[str, DocumentFormat] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}
# Hashing encodes this many characters at a time, so a 100 MB text needs no 100 MB copy.
_HASH_CHUNK_CHARS = 1024 * 1024


def format_for(path: Path) -> DocumentFormat | None:
    """The document format of `path` by its extension (any case), or None if unsupported."""
    return _FORMATS.get(path.suffix.lower())


@dataclass(frozen=True, eq=False)
class Document:
    """A loaded document. `text` is what every offset (annotations, outline, search) indexes.

    Compared by identity: two loads of a file are different objects, and comparing 100 MB
    texts field by field would be slow for no use.
    """

    path: Path
    rel_path: str
    text: str
    format: DocumentFormat
    encoding: str
    metadata: DocumentMetadata

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

    def line_count(self) -> int:
        """The number of lines: newlines plus one, or 0 for an empty text."""
        return self._line_count

    @cached_property
    def _line_count(self) -> int:
        return self.text.count("\n") + 1 if self.text else 0


def load_document(path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Load the document at `path`, which lives in the library folder `root`.

    Raises DocumentError for an unsupported format, a missing, unreadable, binary or too
    large file.
    """
    fmt = format_for(path)
    if fmt is None:
        raise DocumentError(str(path), _unsupported_reason(path))
    decoded = read_text_file(path, max_bytes=max_bytes)
    try:
        with path.open("rb") as stream:
            head = _decode_head(stream.read(_HEAD_BYTES))
    except OSError as exc:
        raise DocumentError(str(path), _os_error_reason(exc)) from exc
    return Document(
        path=path,
        rel_path=_relative_path(path, root),
        text=decoded.text,
        format=fmt,
        encoding=decoded.encoding,
        metadata=read_metadata(path, head),
    )


def _unsupported_reason(path: Path) -> str:
    return f"not a supported format ({path.suffix.lower() or 'no extension'})"


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
