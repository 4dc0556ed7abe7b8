"""The open document as one immutable value: the text, its outline and its annotations.

The reading screen holds exactly one `OpenDocument` and replaces it as a whole whenever
anything in it changes (an edit, the re-anchored annotations, the outline); the widgets are
handed the new value and keep no copy of their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING

from readertui.core.annotations import Annotation
from readertui.core.document import Document
from readertui.core.highlight_index import HighlightIndex
from readertui.core.outline import OutlineEntry

if TYPE_CHECKING:
    from readertui.core.undo import Change


@dataclass(frozen=True, eq=False)
class OpenDocument:
    """A document as the reader shows it.

    `settled` is False until the stored annotations were re-anchored in today's text: until
    then only those whose quote is still at their offsets are shown as highlights.
    """

    document: Document
    annotations: Mapping[str, Annotation] = field(default_factory=dict)
    outline: tuple[OutlineEntry, ...] = ()
    settled: bool = False
    sha256: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "annotations", MappingProxyType(dict(self.annotations)))
        # The highlights indexed for painting, built when first asked for (see
        # highlight_index); an edit derives the next value's from this one.
        object.__setattr__(self, "_index", None)

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
        index: HighlightIndex | None = getattr(self, "_index", None)
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
        changed = replace(self, annotations=annotations)
        index: HighlightIndex | None = getattr(self, "_index", None)
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
        return replace(self, annotations=annotations, settled=True, sha256=sha256)

    def with_outline(self, outline: Iterable[OutlineEntry]) -> OpenDocument:
        return replace(self, outline=tuple(outline))
