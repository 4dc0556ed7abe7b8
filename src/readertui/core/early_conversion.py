"""Converting the document named on the command line while the reader starts.

`readertui book.epub`, for a book never opened before, must convert it (in a process of its
own, see formats.conversion_process) before its first words can be shown. Started when the
reading screen asks for the document, the conversion would only begin once the whole UI is
imported and mounted. Started here, before the UI's modules are even imported, it runs beside
them on another core, and the screen finds it done, or waits for the rest of it:
`ConvertedFormat.conversion` runs one conversion of a file at a time, and the others wait
for it and read its result from the conversion cache.
"""

from __future__ import annotations

import threading
from pathlib import Path


def convert_early(path: Path, *, max_bytes: int) -> threading.Thread | None:
    """Begin converting the document at `path` in the background when opening it means
    converting it (a book, web page or paper); the thread doing it, or None (nothing to do)."""
    from readertui import formats
    from readertui.formats.converted import ConvertedFormat

    if not isinstance(formats.for_path(path), ConvertedFormat):
        return None
    thread = threading.Thread(
        target=_convert, args=(path, max_bytes), name="readertui-early-conversion", daemon=True
    )
    thread.start()
    return thread


def _convert(path: Path, max_bytes: int) -> None:
    from readertui.core.document import load_document, needs_converting

    try:
        if needs_converting(path, max_bytes=max_bytes):
            # Kept in the conversion cache, where the reader reads it; the text itself is
            # dropped here.
            load_document(path, path.parent, max_bytes=max_bytes)
    except Exception:  # the reader's own attempt says why, to the user
        return
