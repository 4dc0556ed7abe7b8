"""Undo for annotation changes: each change is remembered as (before, after).

`u` takes the last change back: a created highlight is deleted, a deleted one restored, an
edited one returned to what it was. Undoing is itself saved as a new edit (with a fresh
`updated` stamp), so another process merging the database sees the newest state win.
"""

from __future__ import annotations

from dataclasses import dataclass

from readertui.core.annotations import Annotation

MAX_UNDO = 200


@dataclass(frozen=True)
class Change:
    """One annotation before and after a change (None: it did not exist)."""

    before: Annotation | None
    after: Annotation | None

    @property
    def annotation_id(self) -> str:
        existing = self.after or self.before
        assert existing is not None, "a change has a before or an after"
        return existing.id

    def describe(self) -> str:
        if self.before is None:
            return "highlight"
        if self.after is None:
            return "deletion"
        return "edit"


class UndoStack:
    """The annotation changes of this session, newest last."""

    def __init__(self) -> None:
        self._changes: list[Change] = []

    def __len__(self) -> int:
        return len(self._changes)

    def record(self, before: Annotation | None, after: Annotation | None) -> None:
        self._changes.append(Change(before, after))
        del self._changes[:-MAX_UNDO]

    def pop(self) -> Change | None:
        """The last change, removed from the stack (None when there is nothing to undo)."""
        return self._changes.pop() if self._changes else None


def reverted(change: Change) -> Annotation | None:
    """What the annotation becomes when `change` is undone (None: it must be deleted)."""
    if change.before is None:
        return None
    # The old content, stamped now, so it wins any merge against the undone state.
    return change.before.touched()
