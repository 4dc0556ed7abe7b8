"""Find in the open document (`/`): the query, the matches, their count, the steps.

The find bar reports what is typed; the first match at or after where find was opened is
shown at once, and the matches are counted in a worker (a 100 MB text takes a moment). Every
move to a match goes through the navigation, so `ctrl+o` returns to where find was opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual.worker import get_current_worker

from readertui.core.find import TextFinder, match_index
from readertui.core.location import Location

if TYPE_CHECKING:
    from textual.app import App

    from readertui.ui.navigation import Navigation
    from readertui.ui.widgets.find_bar import FindBar
    from readertui.ui.widgets.reader_view import ReaderView
    from readertui.ui.widgets.status_line import StatusLine


class FindHost(Protocol):
    """What find needs of the screen."""

    app: App[None]

    @property
    def reader(self) -> ReaderView: ...

    @property
    def find_bar(self) -> FindBar: ...

    @property
    def status(self) -> StatusLine: ...

    @property
    def navigation(self) -> Navigation: ...


class Finding:
    """Find's state in the open document."""

    def __init__(self, host: FindHost) -> None:
        self.host = host
        self.finder: TextFinder | None = None
        self.open = False
        self._origin: Location | None = None
        self._origin_kept = False
        self._match_starts: list[int] | None = None

    def start(self) -> None:
        """`/`: open the find bar; the matches are looked for from the cursor on."""
        self.open = True
        self._origin = self.host.reader.location
        self._origin_kept = False
        status = self.host.status
        status.mode = "FIND"
        status.show()
        self.host.find_bar.open()

    def query_changed(self, query: str) -> None:
        reader = self.host.reader
        document = reader.document
        if document is None:
            return
        if not query:
            self.finder = None
            reader.set_finder(None, None)
            self._set_count("")
            return
        self.finder = TextFinder(document.text, query)
        origin = self._origin.offset if self._origin is not None else reader.cursor
        match = self.finder.match_at_or_after(origin)
        reader.set_finder(self.finder, match)
        self._match_starts = None
        if match is None:
            self._set_count("no match")
            return
        self._go_to(match[0], remember=not self._origin_kept)
        self._set_count("counting…")
        self._count_matches(self.finder)

    def _go_to(self, offset: int, *, remember: bool) -> None:
        here = self.host.reader.location
        if here is None:
            return
        navigation = self.host.navigation
        if remember:
            # Back from the matches goes to where find was opened.
            navigation.leaving(self._origin or here)
            self._origin_kept = True
        navigation.go(Location(here.document, offset), remember=False)

    def _count_matches(self, finder: TextFinder) -> None:
        self.host.app.run_worker(
            lambda: self._count(finder),
            thread=True,
            exclusive=True,
            group="find-count",
            description="count matches",
        )

    def _count(self, finder: TextFinder) -> None:
        worker = get_current_worker()
        starts = finder.all_starts(lambda: worker.is_cancelled)
        if starts is not None:
            self.host.app.call_from_thread(self._matches_counted, finder, list(starts))

    def _matches_counted(self, finder: TextFinder, starts: list[int]) -> None:
        if finder is not self.finder:
            return
        self._match_starts = starts
        self._show_match_position()

    def _show_match_position(self) -> None:
        starts = self._match_starts
        current = self.host.reader.current_match
        if starts is None or current is None:
            return
        index = match_index(starts, current[0]) if starts else 0
        self._set_count(f"{index + 1}/{len(starts)}" if starts else "no match")

    def _set_count(self, text: str) -> None:
        self.host.find_bar.set_count(text)
        status = self.host.status
        status.find_state = f"find {text}" if text else ""
        status.show()

    def step(self, forward: bool) -> None:
        """`enter` / `shift+enter` in the find bar: the next or previous match."""
        if self.finder is None:
            return
        reader = self.host.reader
        cursor = reader.cursor
        match = self.finder.next_match(cursor) if forward else self.finder.previous_match(cursor)
        if match is None:
            self.host.app.bell()
            return
        reader.set_finder(self.finder, match)
        # One find is one jump: back goes to where find was opened, not match by match.
        self._go_to(match[0], remember=not self._origin_kept)
        self._show_match_position()

    def close(self, *, find_bar_mounted: bool) -> None:
        self.open = False
        self.finder = None
        self._match_starts = None
        self.host.reader.set_finder(None, None)
        if find_bar_mounted:
            self.host.find_bar.display = False
        status = self.host.status
        status.mode = "NORMAL"
        status.find_state = ""
        status.show()

    @property
    def active(self) -> bool:
        return self.finder is not None or self.open
