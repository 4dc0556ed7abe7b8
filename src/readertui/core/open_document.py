"""The open document as one immutable value: the text, its outline and its annotations.

The reading screen holds exactly one `OpenDocument` and replaces it as a whole whenever
anything in it changes (an edit, the re-anchored annotations, the outline); the widgets are
handed the new value and keep no copy of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import FrozenInstanceError
from types import MappingProxyType
from typing import TYPE_CHECKING

from readertui.core.annotations import Annotation
from readertui.core.document import Document
from readertui.core.highlight_index import HighlightIndex
from readertui.core.outline import OutlineEntry

if TYPE_CHECKING:
    from readertui.core.undo import Change


class OpenDocument:
    """A document as the reader shows it.

    `settled` is False until the stored annotations were re-anchored in today's text: until
    then only those whose quote is still at their offsets are shown as highlights.

    Immutable, compared by identity. A plain class rather than a frozen dataclass: it is
    defined on the reader's start-up path, where a dataclass's generated methods cost
    measurably more (benchmarks/callgrind_paint.py).
    """

    __slots__ = ("_counts", "_index", "annotations", "document", "outline", "settled", "sha256")

    document: Document
    annotations: MappingProxyType[str, Annotation]
    outline: tuple[OutlineEntry, ...]
    settled: bool
    sha256: str
    # The highlights indexed for painting, built when first asked for (see highlight_index);
    # an edit derives the next value's from this one.
    _index: HighlightIndex | None
    # (highlights, of them with a note) shown, counted when first asked for; an edit derives
    # the next value's from this one.
    _counts: tuple[int, int] | None

    def __init__(
        self,
        document: Document,
        annotations: Mapping[str, Annotation] | None = None,
        outline: tuple[OutlineEntry, ...] = (),
        settled: bool = False,
        sha256: str = "",
    ) -> None:
        setter = object.__setattr__
        setter(self, "document", document)
        setter(self, "annotations", MappingProxyType(dict(annotations or {})))
        setter(self, "outline", outline)
        setter(self, "settled", settled)
        setter(self, "sha256", sha256)
        setter(self, "_index", None)
        setter(self, "_counts", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return (
            f"OpenDocument(document={self.document!r}, annotations={self.annotations!r}, "
            f"outline={self.outline!r}, settled={self.settled!r}, sha256={self.sha256!r})"
        )

    def _with(
        self,
        *,
        annotations: dict[str, Annotation] | None = None,
        outline: tuple[OutlineEntry, ...] | None = None,
        settled: bool | None = None,
        sha256: str | None = None,
    ) -> OpenDocument:
        """A copy with the given fields changed (its highlights counted and indexed anew if need
        be).

        `annotations` is a dict made for the copy, which takes it over as it is: copying
        thousands of annotations once more on every edit would cost a keypress milliseconds.
        """
        changed = OpenDocument.__new__(OpenDocument)
        setter = object.__setattr__
        setter(changed, "document", self.document)
        setter(
            changed,
            "annotations",
            self.annotations if annotations is None else MappingProxyType(annotations),
        )
        setter(changed, "outline", self.outline if outline is None else outline)
        setter(changed, "settled", self.settled if settled is None else settled)
        setter(changed, "sha256", self.sha256 if sha256 is None else sha256)
        # The same annotations, placed the same way: the same highlights.
        same = annotations is None and changed.settled == self.settled
        setter(changed, "_index", self._index if same else None)
        setter(changed, "_counts", self._counts if same else None)
        return changed

    @classmethod
    def opened(cls, document: Document, stored: Iterable[Annotation]) -> OpenDocument:
        """`document` just loaded with its stored annotations, not yet re-anchored."""
        return cls(document, {annotation.id: annotation for annotation in stored})

    @property
    def rel_path(self) -> str:
        return self.document.rel_path

    @property
    def text(self) -> str:
        return self.document.text

    def highlights(self) -> list[Annotation]:
        """The annotations to paint: all placed ones once settled, else those still in place."""
        return [annotation for annotation in self.annotations.values() if self._shown(annotation)]

    def _shown(self, annotation: Annotation) -> bool:
        if annotation.orphaned:
            return False
        text = self.document.text
        return self.settled or text[annotation.start : annotation.end] == annotation.quote.exact

    def highlight_counts(self) -> tuple[int, int]:
        """How many highlights are shown, and how many of them have a note."""
        counts = self._counts
        if counts is None:
            highlights = self.highlights()
            counts = (len(highlights), sum(1 for a in highlights if _has_note(a)))
            object.__setattr__(self, "_counts", counts)
        return counts

    def _counted(self, annotation: Annotation | None) -> tuple[int, int]:
        """What `annotation` adds to `highlight_counts`."""
        if annotation is None or not self._shown(annotation):
            return 0, 0
        return 1, int(_has_note(annotation))

    def highlight_index(self) -> HighlightIndex:
        """`highlights()` indexed for painting (built once per value)."""
        index = self._index
        if index is None:
            index = HighlightIndex(self.highlights())
            object.__setattr__(self, "_index", index)
        return index

    def with_changes(self, changes: Iterable[Change]) -> OpenDocument:
        """This document after `changes` (made here, so they belong to it)."""
        changes = list(changes)
        annotations = self.annotations.copy()
        for change in changes:
            if change.after is not None:
                annotations[change.after.id] = change.after
            elif change.before is not None:
                annotations.pop(change.before.id, None)
        changed = self._with(annotations=annotations)
        counts = self._counts
        if counts is not None:
            highlights, notes = counts
            for key in {a.id for change in changes for a in (change.before, change.after) if a}:
                was = self._counted(self.annotations.get(key))
                now = changed._counted(annotations.get(key))
                highlights += now[0] - was[0]
                notes += now[1] - was[1]
            object.__setattr__(changed, "_counts", (highlights, notes))
        index = self._index
        if index is not None:
            # One edit need not sort every highlight again (thousands of them).
            removed = [change.before for change in changes if change.before is not None]
            added = [
                change.after
                for change in changes
                if change.after is not None and changed._shown(change.after)
            ]
            object.__setattr__(changed, "_index", index.changed(removed, added))
        return changed

    def with_placed(self, placed: Iterable[Annotation], sha256: str) -> OpenDocument:
        """The re-anchored annotations; an annotation edited meanwhile keeps its edit."""
        annotations = self.annotations.copy()
        for annotation in placed:
            current = annotations.get(annotation.id)
            if current is None or current.updated == annotation.updated:
                annotations[annotation.id] = annotation
        return self._with(annotations=annotations, settled=True, sha256=sha256)

    def with_outline(self, outline: Iterable[OutlineEntry]) -> OpenDocument:
        return self._with(outline=tuple(outline))


def _has_note(annotation: Annotation) -> bool:
    return bool(annotation.note.strip())
