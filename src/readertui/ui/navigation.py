"""The one way to move: every jump goes through `Navigation.go`, which keeps the history.

Opening a document, the outline, find's matches, `g`/`G`, `]`/`[`, the notes list, the
palette and every later jump call `go` (or `jump_within` for a place in the open document).
`go` records the place being left, so `ctrl+o` (back) and `ctrl+n` (forward) return to it
exactly: the document, the cursor and what was on screen. The history is handed to `keep`
after every change, so it is saved with the reading positions and survives quitting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from readertui.core.jump_history import JumpHistory
from readertui.core.location import Location


class Place(Protocol):
    """What shows the open document: where it is, and how to move within it."""

    @property
    def location(self) -> Location | None: ...

    def show_location(self, location: Location) -> None: ...


class Navigation:
    """Jumps, within the open document or to another one, with back and forward."""

    def __init__(
        self,
        history: JumpHistory,
        place: Place,
        open_at: Callable[[Location], None],
        keep: Callable[[JumpHistory], None],
    ) -> None:
        self.history = history
        self._place = place
        self._open_at = open_at
        self._keep = keep

    @property
    def here(self) -> Location | None:
        return self._place.location

    def go(self, target: Location, *, remember: bool = True) -> None:
        """Go to `target`, opening its document if it is not the open one."""
        here = self.here
        if remember:
            self.leaving()
        if here is not None and here.document == target.document:
            self._place.show_location(target)
        else:
            self._open_at(target)

    def jump_within(self, offset: int) -> None:
        """A jump to `offset` in the open document."""
        here = self.here
        if here is not None:
            self.go(Location(here.document, offset))

    def leaving(self, here: Location | None = None) -> None:
        """A jump is about to leave `here` (default: where the reader is): remember it."""
        here = here or self.here
        if here is not None:
            self.history.leave(here)
            self._keep(self.history)

    def back(self) -> bool:
        """`ctrl+o`: back to the place jumped from; False when there is none."""
        return self._step(self.history.back)

    def forward(self) -> bool:
        """Forward again after going back; False when there is nowhere to go."""
        return self._step(self.history.forward)

    def _step(self, step: Callable[[Location], Location | None]) -> bool:
        here = self.here
        if here is None:
            return False
        target = step(here)
        if target is None:
            return False
        self._keep(self.history)
        self.go(target, remember=False)
        return True
