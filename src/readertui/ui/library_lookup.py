"""`ctrl+f` and `*` in the reader: the library search and the concordance, on the library index.

The index is the app's one (`IndexKeeper`). Each time either key is pressed it is first
brought up to date (only the documents that changed are read again, so after the first build
this takes a moment; while the start-up build runs, the screen waits for it); the screen
opens once that is done. Choosing a result goes there through the reader's navigation, so
`ctrl+o` comes back, with the words that matched marked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from readertui.core.location import Location

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from readertui.index import LibraryIndex
    from readertui.ui.index_keeper import IndexKeeper
    from readertui.ui.screens.library_jump import LibraryJump

_AROUND_CURSOR = 80


class LookupHost(Protocol):
    """What the lookups need of the reading screen."""

    @property
    def app(self) -> App[object]: ...

    def go(self, target: Location, *, mark: tuple[int, int] | None = None) -> None: ...


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
    """The two screens over the library index, opened once it is up to date."""

    def __init__(self, host: LookupHost, keeper: IndexKeeper) -> None:
        self.host = host
        self.keeper = keeper

    @property
    def opening(self) -> bool:
        """Whether a screen is on its way (the index being brought up to date for it): keys
        typed meanwhile are meant for it."""
        return self.keeper.waiting

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

    def _with_index(self, screen: Callable[[LibraryIndex], Screen[LibraryJump | None]]) -> None:
        if self.keeper.waiting:
            return  # one screen at a time: the first key asked already
        if self.keeper.updating and self.keeper.percent is not None:
            self.host.app.notify(
                f"The library is being indexed ({self.keeper.percent}%): "
                "this opens when it is done.",
                timeout=3,
            )

        def open_screen(index: LibraryIndex) -> None:
            self.host.app.push_screen(screen(index), self._chosen)

        self.keeper.refresh(open_screen)

    def _chosen(self, jump: LibraryJump | None) -> None:
        if jump is not None:
            self.host.go(Location(jump.path, jump.start), mark=(jump.start, jump.end))
