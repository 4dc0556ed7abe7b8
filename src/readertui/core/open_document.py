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

    __slots__ = ("_index", "annotations", "document", "outline", "settled", "sha256")

    document: Document
    annotations: Mapping[str, Annotation]
    outline: tuple[OutlineEntry, ...]
    settled: bool
    sha256: str
    # The highlights indexed for painting, built when first asked for (see highlight_index);
    # an edit derives the next value's from this one.
    _index: HighlightIndex | None

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
        annotations: Mapping[str, Annotation] | None = None,
        outline: tuple[OutlineEntry, ...] | None = None,
        settled: bool | None = None,
        sha256: str | None = None,
    ) -> OpenDocument:
        """A copy with the given fields changed (and its highlight index built anew)."""
        return OpenDocument(
            self.document,
            self.annotations if annotations is None else annotations,
            self.outline if outline is None else outline,
            self.settled if settled is None else settled,
            self.sha256 if sha256 is None else sha256,
        )

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
        annotations = dict(self.annotations)
        for change in changes:
            if change.after is not None:
                annotations[change.after.id] = change.after
            elif change.before is not None:
                annotations.pop(change.before.id, None)
        changed = self._with(annotations=annotations)
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
        annotations = dict(self.annotations)
        for annotation in placed:
            current = annotations.get(annotation.id)
            if current is None or current.updated == annotation.updated:
                annotations[annotation.id] = annotation
        return self._with(annotations=annotations, settled=True, sha256=sha256)

    def with_outline(self, outline: Iterable[OutlineEntry]) -> OpenDocument:
        return self._with(outline=tuple(outline))
