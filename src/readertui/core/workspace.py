"""The one open-document pipeline: load a library document, place its annotations in today's
text, build its outline.

The app, the exports and (next) the library index all open documents through a `Workspace`,
which keeps the last few loaded documents (a small LRU, checked against the file's size and
time) so going back and forth between documents, or exporting the one being read, does not
read a large file again. It is safe to use from worker threads.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from readertui.core.annotations import Annotation
from readertui.core.document import (
    DEFAULT_MAX_BYTES,
    Document,
    load_document,
    load_document_start,
)
from readertui.core.library import Library
from readertui.core.open_document import OpenDocument
from readertui.core.outline import OutlineEntry
from readertui.errors import DocumentError
from readertui.formats.converted import ConvertedFormat

#: Loaded documents kept in memory (a 100 MB text is 100-400 MB as a str: keep few).
CACHE_SIZE = 3


class Placement(NamedTuple):
    """Annotations placed in a document's text: all of them, and those that moved."""

    annotations: tuple[Annotation, ...]
    changed: tuple[Annotation, ...]
    sha256: str


class Workspace:
    """Opens the documents of one library."""

    def __init__(
        self, library: Library, *, max_bytes: int = DEFAULT_MAX_BYTES, cache_size: int = CACHE_SIZE
    ) -> None:
        self.library = library
        self.max_bytes = max_bytes
        self.cache_size = cache_size
        self._cache: OrderedDict[str, tuple[tuple[int, int], Document]] = OrderedDict()
        self._lock = threading.Lock()
        # Web pages shown whole or not for this session, whatever their sidecar says.
        self._whole_page: dict[str, bool] = {}

    # -- the three steps ------------------------------------------------------------------------

    def load(self, rel_path: str) -> Document:
        """The library document at `rel_path`, from memory if its file has not changed.

        Raises DocumentError when it is not in the library or cannot be read.
        """
        entry = self.library.find(rel_path)
        if entry is None:
            raise DocumentError(rel_path, f"not in the library {self.library.root}")
        stamp = file_stamp(entry.path)
        with self._lock:
            cached = self._cache.get(rel_path)
            if cached is not None and cached[0] == stamp:
                self._cache.move_to_end(rel_path)
                return cached[1]
        document = load_document(
            entry.path,
            self.library.root,
            max_bytes=self.max_bytes,
            whole_page=self._whole_page.get(rel_path),
        )
        self._keep(rel_path, stamp, document)
        return document

    def show_whole_page(self, rel_path: str, whole_page: bool) -> None:
        """Load the web page at `rel_path` whole (or its article only) from now on in this
        session, whatever its sidecar says; the next `load` converts or reads that view."""
        self._whole_page[rel_path] = whole_page
        self.forget(rel_path)

    def needs_converting(self, rel_path: str) -> bool:
        """Whether loading the document at `rel_path` means converting it first (an EPUB, a
        web page or a PDF opened for the first time): seconds, so not on the UI thread."""
        entry = self.library.find(rel_path)
        if entry is None or self.loaded(rel_path) is not None:
            return False
        if not isinstance(entry.kind, ConvertedFormat):
            return False
        whole_page = self._whole_page.get(rel_path, entry.metadata.whole_page)
        return entry.kind.needs_converting(
            entry.path, max_bytes=self.max_bytes, whole_page=whole_page
        )

    def load_start(self, rel_path: str) -> Document | None:
        """The beginning of the document at `rel_path` (a PDF's first pages), quickly, while
        `load` converts the whole; None when its format has no quicker way. Never kept in
        memory: `load` gives the whole document. Raises DocumentError as `load` does."""
        entry = self.library.find(rel_path)
        if entry is None:
            raise DocumentError(rel_path, f"not in the library {self.library.root}")
        return load_document_start(entry.path, self.library.root, max_bytes=self.max_bytes)

    def forget(self, rel_path: str) -> None:
        """Drop the document at `rel_path` from memory (its view changed: read it again)."""
        with self._lock:
            self._cache.pop(rel_path, None)

    def place(self, document: Document, stored: Sequence[Annotation]) -> Placement:
        """`stored` placed in `document`'s text (re-anchored where the text changed).

        A legacy annotation (from before libraries had identities) placed here becomes this
        library's; one that could not be placed stays unclaimed, so it is never tied to a
        document of the same name that holds other text.
        """
        from readertui.core.anchoring import reanchor_all  # rapidfuzz: not on start-up's path

        sha256 = document.sha256
        placed = tuple(
            self._claimed(annotation) for annotation in reanchor_all(stored, document.text, sha256)
        )
        changed = tuple(new for old, new in zip(stored, placed, strict=True) if new != old)
        return Placement(placed, changed, sha256)

    def outline(self, document: Document) -> tuple[OutlineEntry, ...]:
        return tuple(document.outline())

    def open(self, rel_path: str, stored: Iterable[Annotation]) -> OpenDocument:
        """All three steps at once: the document with its annotations placed and its outline."""
        document = self.load(rel_path)
        placement = self.place(document, list(stored))
        opened = OpenDocument.opened(document, placement.annotations)
        return opened.with_placed(placement.annotations, placement.sha256).with_outline(
            self.outline(document)
        )

    # -- the cache ------------------------------------------------------------------------------

    def _keep(self, rel_path: str, stamp: tuple[int, int], document: Document) -> None:
        with self._lock:
            self._cache[rel_path] = (stamp, document)
            self._cache.move_to_end(rel_path)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def loaded(self, rel_path: str) -> Document | None:
        """The document at `rel_path` if it is in memory (whether or not its file changed)."""
        with self._lock:
            cached = self._cache.get(rel_path)
        return cached[1] if cached is not None else None

    def _claimed(self, annotation: Annotation) -> Annotation:
        library = self.library.key
        if annotation.doc.library or annotation.orphaned or not library:
            return annotation
        return dataclasses.replace(
            annotation, doc=dataclasses.replace(annotation.doc, library=library)
        )


def file_stamp(path: os.PathLike[str]) -> tuple[int, int]:
    """The file's size and modification time: a change in either means read it again
    ((-1, -1) when it cannot be read, which matches no stamp of a file that could)."""
    try:
        status = os.stat(path)
    except OSError:
        return (-1, -1)
    return (status.st_size, status.st_mtime_ns)
