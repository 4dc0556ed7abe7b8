"""`ctrl+f` and `*` in the reader: the library search and the concordance, on the library index.

The index (readertui.index) is opened the first time either key is pressed, not at start-up:
most sessions never ask for it. Each time, it is first brought up to date in a worker thread
(only the documents that changed are read again, so after the first build this takes a
moment), with the library's annotations handed over for `tag:` and `note:`; the screen opens
once that is done. Choosing a result goes there through the reader's navigation, so `ctrl+o`
comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from readertui.core.location import Location

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from readertui.core.annotations import Annotation
    from readertui.core.library import Library
    from readertui.core.workspace import Workspace
    from readertui.index import LibraryIndex
    from readertui.ui.screens.library_jump import LibraryJump
    from readertui.ui.widgets.status_line import StatusLine

_AROUND_CURSOR = 80


class LookupHost(Protocol):
    """What the lookups need of the reading screen."""

    @property
    def app(self) -> App[object]: ...

    @property
    def library(self) -> Library: ...

    @property
    def workspace(self) -> Workspace: ...

    @property
    def status(self) -> StatusLine: ...

    def library_annotations(self) -> list[Annotation]: ...

    def go(self, target: Location) -> None: ...


def word_at(text: str, offset: int) -> str:
    """The word at `offset` in `text` (or just before it), or "" when there is none: a word
    as the index takes one (letters and digits), so the concordance can look it up."""
    from readertui.index.words import TERM

    low = max(0, offset - _AROUND_CURSOR)
    for match in TERM.finditer(text, low, min(len(text), offset + _AROUND_CURSOR)):
        if match.start() <= offset <= match.end():
            return match.group()
    return ""


class LibraryLookups:
    """Opens the index when first asked and the two screens over it."""

    def __init__(self, host: LookupHost) -> None:
        self.host = host
        self._index: LibraryIndex | None = None
        self._busy = False

    @property
    def opening(self) -> bool:
        """Whether a screen is on its way (the index being brought up to date for it): keys
        typed meanwhile are meant for it."""
        return self._busy

    def search(self) -> None:
        from readertui.ui.screens.library_search import LibrarySearchScreen

        self._with_index(LibrarySearchScreen)

    def concordance(self, text: str, offset: int) -> None:
        word = word_at(text, offset)
        if not word:
            self.host.app.notify("There is no word under the cursor.", markup=False)
            return
        from readertui.ui.screens.concordance import ConcordanceScreen

        self._with_index(lambda index: ConcordanceScreen(index, word))

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    # -- the index --------------------------------------------------------------------------

    def _with_index(self, screen: Callable[[LibraryIndex], Screen[LibraryJump | None]]) -> None:
        if self._busy:
            return
        self._busy = True
        host = self.host
        if self._index is None:
            from readertui.index import LibraryIndex

            self._index = LibraryIndex(host.library, workspace=host.workspace)
        index = self._index
        annotations = host.library_annotations()
        host.status.mode = "INDEXING"
        host.status.show()

        def update() -> None:
            index.update()
            index.replace_annotations(annotations)

        def done(problem: str) -> None:
            self._busy = False
            host.status.mode = "NORMAL"
            host.status.show()
            if problem:
                host.app.notify(f"The library index cannot be used: {problem}", markup=False)
                return
            host.app.push_screen(screen(index), self._chosen)

        def work() -> None:
            import sqlite3

            from readertui.errors import ReaderError

            try:
                update()
            except (ReaderError, OSError, sqlite3.Error) as error:
                host.app.call_from_thread(done, str(error) or type(error).__name__)
                return
            host.app.call_from_thread(done, "")

        host.app.run_worker(work, thread=True, group="library-index", description="index")

    def _chosen(self, jump: LibraryJump | None) -> None:
        if jump is not None:
            self.host.go(Location(jump.path, jump.start))
