"""`ctrl+f` and `*` in the reader: the library search and the concordance, on the library index.

The index is the app's one (`IndexKeeper`). Either key opens its screen at once, on the index
as it is, and brings the index up to date in the background (only the documents that changed
are read again); the screen asks again when that ends. Keys typed after the key go to the
screen, however long a first build takes. Choosing a result goes there through the reader's
navigation, so `ctrl+o` comes back, with the words that matched marked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from readertui.core.location import Location

if TYPE_CHECKING:
    from textual.app import App

    from readertui.index import LibraryIndex
    from readertui.ui.index_keeper import IndexKeeper
    from readertui.ui.screens.concordance import ConcordanceScreen
    from readertui.ui.screens.library_jump import LibraryJump
    from readertui.ui.screens.library_search import LibrarySearchScreen

    #: A screen over the index: it has `index_updated(problem)`, called when an update ends.
    IndexScreen = LibrarySearchScreen | ConcordanceScreen

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

    def _with_index(self, screen_for: Callable[[LibraryIndex], IndexScreen]) -> None:
        """Open the screen at once on the index as it is; it asks again when the update
        started here (or running already) ends, so an edited document is searched as it is
        now and a first build's results come in when it is done."""
        keeper = self.keeper
        screen = screen_for(keeper.open_index())

        def updated() -> None:
            if not screen.is_attached:
                keeper.forget(updated)
            elif keeper.changed:
                screen.index_updated(keeper.problem)

        keeper.when_ready(updated)
        self.host.app.push_screen(screen, self._chosen)
        keeper.refresh()

    def _chosen(self, jump: LibraryJump | None) -> None:
        if jump is not None:
            self.host.go(Location(jump.path, jump.start), mark=(jump.start, jump.end))
