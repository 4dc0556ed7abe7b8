"""The document formats readertui reads, and which one a file is.

Each format is a module of this package with one `Format` instance, registered here. A file
is matched by its suffix; the formats claiming that suffix are then asked in turn, newest
first, whether the file's first bytes are theirs, so a format registered later can take some
`.txt` files (those with its header) and leave the rest to plain text. Plain text and
Markdown are registered on import, and the converting formats (EPUB, saved web pages, PDF:
readertui.formats.converted) by their module's path, imported when a file of theirs is
first met; tests and later formats `register` their own.

Cheap to import (it is on the start-up path): no format loads a heavy module until it is
asked to read or style a document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from readertui.formats.base import Format, OutlineEntry, Styler
from readertui.formats.converted import ConvertedFormat
from readertui.formats.markdown import MARKDOWN
from readertui.formats.plain_text import PLAIN_TEXT

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "MARKDOWN",
    "PLAIN_TEXT",
    "ConvertedFormat",
    "Format",
    "OutlineEntry",
    "Styler",
    "for_path",
    "named",
    "recognise",
    "register",
    "registered",
    "unregister",
    "unsupported_reason",
]

# In the order they were registered; files are offered to the newest first.
_registered: list[Format] = []


def register(fmt: Format) -> None:
    """Add `fmt` to the formats files are matched against.

    Raises ValueError if another registered format has its name, or if its suffixes are
    not lower case and dotted (".rev").
    """
    if any(known.name == fmt.name for known in _registered):
        raise ValueError(f"a format named {fmt.name!r} is already registered")
    bad = [suffix for suffix in fmt.suffixes if not _is_suffix(suffix)]
    if bad or not fmt.suffixes:
        raise ValueError(f"format {fmt.name!r} needs suffixes like '.txt', not {bad or '()'}")
    _registered.append(fmt)


def unregister(fmt: Format) -> None:
    """Remove `fmt`; raises ValueError if it is not registered."""
    _registered.remove(fmt)


def registered() -> tuple[Format, ...]:
    """Every registered format, in the order they were registered."""
    return tuple(_registered)


def named(name: str) -> Format:
    """The registered format called `name` ("text", "markdown"); KeyError if there is none."""
    for fmt in _registered:
        if fmt.name == name:
            return fmt
    raise KeyError(f"no format named {name!r}")


def for_path(path: Path) -> Format | None:
    """The format a file named like `path` is offered to first (by its suffix, in any case),
    or None when no format claims the suffix. Reads nothing."""
    candidates = _candidates(path)
    return candidates[0] if candidates else None


def recognise(path: Path, head: bytes) -> Format | str:
    """The format of the file at `path`, whose first bytes (up to 8 KB) are `head`, or why
    it is no document: no format claims its suffix, or those that do refuse its content."""
    candidates = _candidates(path)
    if not candidates:
        return unsupported_reason(path)
    refusals = []
    for fmt in candidates:
        refusal = fmt.refusal(head)
        if refusal is None:
            return fmt
        refusals.append(refusal)
    return refusals[0]  # the newest format's: the one the suffix meant first


def unsupported_reason(path: Path) -> str:
    """The skipped list's reason for a file whose suffix no format claims."""
    return f"not a supported format ({path.suffix.lower() or 'no extension'})"


def _candidates(path: Path) -> list[Format]:
    suffix = path.suffix.lower()
    if not suffix:
        return []
    return [fmt for fmt in reversed(_registered) if suffix in fmt.suffixes]


def _is_suffix(suffix: str) -> bool:
    # One dot only: files are matched on Path.suffix, which is the last one (".gz").
    return len(suffix) > 1 and suffix.rfind(".") == 0 and suffix == suffix.lower()


register(PLAIN_TEXT)
register(MARKDOWN)
# The converting formats, each by "module:attribute", name and suffixes: one line each.
register(ConvertedFormat.lazy("readertui.formats.epub:EPUB_CONVERTER", "epub", (".epub",)))
register(
    ConvertedFormat.lazy(
        "readertui.formats.web_page:WEB_PAGE_CONVERTER",
        "html",
        (".html", ".htm", ".xhtml"),
        whole_page_view=True,
    )
)
register(ConvertedFormat.lazy("readertui.formats.pdf:PDF_CONVERTER", "pdf", (".pdf",)))
