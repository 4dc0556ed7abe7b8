"""Back and forward through the places jumped from, like a browser or Vim's jump list.

Before each jump the place being left is recorded (`leave`); `back` returns to it and
`forward` retraces. The history is bounded, collapses a place recorded twice in a row, and is
kept with the reading positions as plain records, so it survives quitting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from readertui.core.location import Location

#: How many places each direction keeps; the oldest fall off.
HISTORY_LIMIT: Final = 100


class JumpHistory:
    """The places behind (back) and ahead (forward) of the reader."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self._back: list[Location] = []
        self._forward: list[Location] = []

    @property
    def can_go_back(self) -> bool:
        return bool(self._back)

    @property
    def can_go_forward(self) -> bool:
        return bool(self._forward)

    def leave(self, here: Location) -> None:
        """A jump is about to leave `here`: remember it, and forget the way forward."""
        _push(self._back, here, self.limit)
        self._forward.clear()

    def back(self, here: Location) -> Location | None:
        """The place to go back to from `here` (None when there is none)."""
        return _step(self._back, self._forward, here, self.limit)

    def forward(self, here: Location) -> Location | None:
        """The place to go forward to from `here` (None when there is none)."""
        return _step(self._forward, self._back, here, self.limit)

    def documents(self) -> set[str]:
        """The documents the history has places in."""
        return {place.document for place in (*self._back, *self._forward)}

    def forget_document(self, document: str) -> None:
        """Drop the places in a document that is no longer in the library."""
        self._back = [place for place in self._back if place.document != document]
        self._forward = [place for place in self._forward if place.document != document]

    # -- keeping it between sessions ----------------------------------------------------------

    def to_record(self) -> dict[str, list[list[object]]]:
        """The history as plain JSON data."""
        return {"back": _records(self._back), "forward": _records(self._forward)}

    @classmethod
    def from_record(cls, record: object, limit: int = HISTORY_LIMIT) -> JumpHistory:
        """The history kept by `to_record`; anything malformed in it is skipped."""
        history = cls(limit)
        if isinstance(record, Mapping):
            history._back = _places(record.get("back"))[-limit:]
            history._forward = _places(record.get("forward"))[-limit:]
        return history


def _push(places: list[Location], place: Location, limit: int) -> None:
    if places and places[-1].same_place(place):
        places[-1] = place  # the same place again: keep the newer screen
    else:
        places.append(place)
    del places[:-limit]


def _step(
    source: list[Location], target: list[Location], here: Location, limit: int
) -> Location | None:
    # Places equal to where the reader already is are no step at all: skip them.
    while source and source[-1].same_place(here):
        source.pop()
    if not source:
        return None
    _push(target, here, limit)
    return source.pop()


def _records(places: list[Location]) -> list[list[object]]:
    return [[place.document, place.offset, place.top] for place in places]


def _places(value: object) -> list[Location]:
    places: list[Location] = []
    if not isinstance(value, list):
        return places
    for item in value:
        if not (isinstance(item, list) and len(item) == 3):
            continue
        document, offset, top = item
        if (
            isinstance(document, str)
            and document
            and _is_offset(offset)
            and (top is None or _is_offset(top))
        ):
            places.append(Location(document, offset, top))
    return places


def _is_offset(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
