"""`LibraryIndex`: the one object the UI and the command line use to index and ask a library.

Build or update it (`update`, with progress and cancelling, from a worker thread), hand it
the annotations as they change, then search it, ask the cross-references of a passage, or
the concordance of a word. Every method may be called from any thread (each thread has its
own SQLite connection); the queries take a `CancelToken`, so a caller that starts a newer
request (the user typed on, the cursor moved) cancels the older one, which then raises
`Cancelled` instead of finishing — stale results never come back late.

Errors: a query the user typed that cannot be a search raises `QueryError`; an index file
found damaged while answering raises `IndexUnavailable` (the next `update` rebuilds it).
SQLite's own errors never reach the caller.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

from readertui.core.annotations import Annotation
from readertui.core.document import DEFAULT_MAX_BYTES
from readertui.core.library import Library
from readertui.core.workspace import Workspace
from readertui.index.building import Progress, UpdateReport, update_index
from readertui.index.cache import IndexCache, default_index_path, is_damage
from readertui.index.cancel import CancelToken
from readertui.index.concordance import Order, find_concordance
from readertui.index.errors import Cancelled, IndexUnavailable
from readertui.index.highlights import replace_highlights, update_highlights
from readertui.index.lookup import document_passages, passage_at, passage_at_line, passage_ref
from readertui.index.query import parse_query
from readertui.index.results import (
    Concordance,
    CrossReference,
    CrossReferences,
    PassageRef,
    SearchHit,
)
from readertui.index.search import search_annotations, search_passages
from readertui.index.xref import links_of, related_passages, same_passages, shared_tags

_T = TypeVar("_T")
# SQLite calls the progress handler every this many virtual machine steps (~1 ms).
_PROGRESS_STEPS = 10_000


class LibraryIndex:
    """The index of `library`, in the file `path` (default: the user cache folder)."""

    def __init__(
        self,
        library: Library,
        *,
        path: Path | None = None,
        workspace: Workspace | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.library = library
        self.path = path if path is not None else default_index_path(library)
        self.workspace = workspace or Workspace(library, max_bytes=max_bytes)
        self._cache = IndexCache(self.path)
        # In how many passages each term is, as related passages ask (see `salient_terms`);
        # forgotten when this process changes the index. A dict: safe across threads.
        self._frequencies: dict[str, int] = {}
        self._frequencies_limit = 200_000

    # -- building -------------------------------------------------------------------------------

    def update(
        self,
        *,
        progress: Progress | None = None,
        cancel: CancelToken | None = None,
        workers: int | None = None,
        waiting: Callable[[], object] | None = None,
    ) -> UpdateReport:
        """Bring the index up to date with the library as it is on disk (see
        `readertui.index.building`). Call it from a worker: it reads every changed document
        (a large first build in `workers` worker processes; None: as the work suits).
        `waiting` is called once if another process is updating the same index file first."""
        try:
            report = update_index(
                self._cache,
                self.library,
                self.workspace,
                progress=progress,
                cancel=cancel,
                workers=workers,
                waiting=waiting,
            )
        except sqlite3.Error as error:
            raise IndexUnavailable(f"the index {self.path} cannot be updated ({error})") from error
        if report.changed or report.rebuilt:
            self._frequencies.clear()
        return report

    def use_library(self, library: Library) -> None:
        """Follow a new scan of the same library folder (documents added or removed); call
        `update` next."""
        self.library = library
        self.workspace = Workspace(library, max_bytes=self.workspace.max_bytes)

    def replace_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Make `annotations` (this library's) the annotations the index knows."""
        self._write(lambda c: replace_highlights(c, self.library.key, annotations))

    def update_annotations(
        self, annotations: Iterable[Annotation], *, removed: Iterable[str] = ()
    ) -> None:
        """Add or replace `annotations` and forget those whose ids are in `removed`."""
        self._write(lambda c: update_highlights(c, self.library.key, annotations, removed))

    def close(self) -> None:
        """Close the file (every thread's connection)."""
        self._cache.close()

    def __enter__(self) -> LibraryIndex:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- asking ---------------------------------------------------------------------------------

    @property
    def damaged(self) -> bool:
        """Whether a query found the file damaged: `update` will rebuild it."""
        return self._cache.damaged

    def document_count(self) -> int:
        """How many documents the index holds (0: never built)."""
        return self._read(
            None, lambda c: int(c.execute("SELECT count(*) FROM documents").fetchone()[0])
        )

    def search(
        self, query: str, limit: int = 20, *, cancel: CancelToken | None = None
    ) -> list[SearchHit]:
        """The passages (or highlights, for `tag:`/`note:`) best matching `query`, best
        first; QueryError when `query` cannot be a search."""
        parsed = parse_query(query)
        if parsed.annotations:
            return self._read(cancel, lambda c: search_annotations(c, parsed, limit))
        return self._read(cancel, lambda c: search_passages(c, parsed, limit))

    def passage_at(self, path: str, offset: int) -> PassageRef | None:
        """The passage of the document at `path` holding `offset` (or the next one after a
        blank line); None when the document is not indexed."""

        def find(connection: sqlite3.Connection) -> PassageRef | None:
            row = passage_at(connection, path, offset)
            return passage_ref(connection, row) if row is not None else None

        return self._read(None, find)

    def passage_at_line(self, path: str, line: int) -> PassageRef | None:
        """The passage that line `line` (1-based) of the document at `path` is part of."""

        def find(connection: sqlite3.Connection) -> PassageRef | None:
            row = passage_at_line(connection, path, line)
            return passage_ref(connection, row) if row is not None else None

        return self._read(None, find)

    def passages(self, path: str) -> list[PassageRef]:
        """Every passage of the document at `path`, in order."""
        return self._read(
            None,
            lambda c: [passage_ref(c, row) for row in document_passages(c, path)],
        )

    def cross_references(
        self,
        path: str,
        offset: int,
        *,
        highlight: Annotation | None = None,
        limit: int = 10,
        cancel: CancelToken | None = None,
    ) -> CrossReferences:
        """The cross-references of the passage at `offset` of the document at `path`, and,
        when `highlight` is given (the highlight under the cursor), of that highlight: the
        highlights sharing one of its tags and those linked to it either way."""

        def ask(connection: sqlite3.Connection) -> CrossReferences:
            row = passage_at(connection, path, offset)
            passage = passage_ref(connection, row) if row is not None else None
            return self._references(connection, passage, highlight, limit, cancel)

        return self._read(cancel, ask)

    def cross_references_of(
        self,
        passage: PassageRef,
        *,
        highlight: Annotation | None = None,
        limit: int = 10,
        cancel: CancelToken | None = None,
    ) -> CrossReferences:
        """`cross_references` of a passage already in hand (from `passages`)."""
        return self._read(cancel, lambda c: self._references(c, passage, highlight, limit, cancel))

    def highlight_references(
        self, highlight: Annotation, *, limit: int = 10, cancel: CancelToken | None = None
    ) -> tuple[tuple[CrossReference, ...], tuple[CrossReference, ...]]:
        """The highlights sharing a tag with `highlight`, and those linked to it (links, then
        backlinks)."""

        def ask(connection: sqlite3.Connection) -> tuple[tuple[CrossReference, ...], ...]:
            return (
                tuple(shared_tags(connection, highlight, limit)),
                tuple(links_of(connection, highlight, limit)),
            )

        tags, links = self._read(cancel, ask)
        return tags, links

    def concordance(
        self,
        word: str,
        *,
        order: Order = "document",
        limit: int = 2000,
        cancel: CancelToken | None = None,
    ) -> Concordance:
        """Every occurrence of `word` in the library (up to `limit`), keyword in context."""
        return self._read(
            cancel,
            lambda c: find_concordance(c, word, order=order, limit=limit),
        )

    # -- inside ---------------------------------------------------------------------------------

    def _references(
        self,
        connection: sqlite3.Connection,
        passage: PassageRef | None,
        highlight: Annotation | None,
        limit: int,
        cancel: CancelToken | None,
    ) -> CrossReferences:
        tags = tuple(shared_tags(connection, highlight, limit)) if highlight else ()
        links = tuple(links_of(connection, highlight, limit)) if highlight else ()
        if passage is None:
            return CrossReferences(None, shared_tags=tags, links=links, indexed=False)
        frequencies = self._term_frequencies()
        same = tuple(same_passages(connection, passage, limit, frequencies=frequencies))
        _check(cancel)
        related = tuple(
            related_passages(
                connection,
                passage,
                limit,
                leave_out=[(r.place.path, r.place.start) for r in same],
                frequencies=frequencies,
            )
        )
        return CrossReferences(passage, same, related, tags, links)

    def _term_frequencies(self) -> dict[str, int]:
        if len(self._frequencies) > self._frequencies_limit:
            self._frequencies.clear()
        return self._frequencies

    def _read(self, cancel: CancelToken | None, ask: Callable[[sqlite3.Connection], _T]) -> _T:
        _check(cancel)
        with self._connection(cancel) as connection:
            return ask(connection)

    def _write(self, change: Callable[[sqlite3.Connection], None]) -> None:
        try:
            with self._cache.writing() as connection:
                change(connection)
        except sqlite3.Error as error:
            if is_damage(error):
                self._cache.mark_damaged()
            raise IndexUnavailable(f"the index {self.path} cannot be written ({error})") from error

    @contextmanager
    def _connection(self, cancel: CancelToken | None) -> Iterator[sqlite3.Connection]:
        with self._cache.using() as connection:
            if cancel is not None:
                connection.set_progress_handler(lambda: int(cancel.poll()), _PROGRESS_STEPS)
            try:
                yield connection
            except sqlite3.Error as error:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled() from error
                if is_damage(error):
                    self._cache.mark_damaged()
                raise IndexUnavailable(f"the index {self.path} cannot be read ({error})") from error
            finally:
                if cancel is not None:
                    with suppress(sqlite3.Error):
                        connection.set_progress_handler(None, 0)
        _check(cancel)


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.poll():
        raise Cancelled()
