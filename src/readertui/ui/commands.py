"""The command palette: every action of the keymap, every document, heading and tag, and the
library's annotations (by quote, note and tag) as jump targets (PRODUCT 3).

Document titles and headings come from files: the hits are built literally (`ui.choices`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import Hits, Provider

from readertui.core.annotations import Annotation
from readertui.core.citation import in_quotation_marks
from readertui.core.library import Library
from readertui.core.outline import OutlineEntry
from readertui.core.shortening import one_line
from readertui.ui.choices import Choice, choice_hit, discovery_hit
from readertui.ui.keymap import KEYS, KeySpec, effective_label

#: The palette lists at most this many annotations (the newest of a larger library are found
#: with `ctrl+f` and `tag:`/`note:`): Textual's fuzzy matching of each costs time per key.
MAX_ANNOTATIONS = 2000


@runtime_checkable
class PaletteHost(Protocol):
    """What the palette offers and runs: the reading screen (at the bottom of the stack)."""

    @property
    def library(self) -> Library: ...

    @property
    def outline(self) -> Sequence[OutlineEntry]: ...

    def open_document(self, rel_path: str) -> None: ...

    def go_to_offset(self, offset: int) -> None: ...

    def run_palette_action(self, spec: KeySpec) -> None: ...

    @property
    def keymap(self) -> Mapping[str, str]: ...

    def known_tag_counts(self) -> dict[str, int]: ...

    def show_tag(self, tag: str) -> None: ...

    def library_annotations(self) -> list[Annotation]: ...

    def open_annotation(self, annotation: Annotation) -> None: ...


class ReaderCommands(Provider):
    """Actions, documents to open and headings to jump to."""

    _cached: list[Choice] | None = None

    async def startup(self) -> None:
        # Listed once per opening of the palette: reading every annotation per key typed
        # would make typing wait.
        self._cached = self._targets()

    def _choices(self) -> list[Choice]:
        if self._cached is None:
            self._cached = self._targets()
        return self._cached

    def _targets(self) -> list[Choice]:
        stack = self.app.screen_stack
        host = stack[0] if stack else None
        targets: list[Choice] = []
        if not isinstance(host, PaletteHost):
            return targets
        for spec in KEYS:
            if spec.palette:
                where = f"key: {effective_label(spec, host.keymap)}" if spec.keys else "command"
                targets.append(
                    Choice(spec.description, partial(host.run_palette_action, spec), where)
                )
        for entry in host.library.entries:
            title = entry.metadata.title or entry.rel_path
            targets.append(
                Choice(
                    f"Open: {title}",
                    partial(host.open_document, entry.rel_path),
                    entry.metadata.byline() or entry.rel_path,
                    also=entry.search_words,
                )
            )
        for item in host.outline:
            targets.append(
                Choice(
                    f"Go to: {item.title}",
                    partial(host.go_to_offset, item.offset),
                    "heading in this document",
                )
            )
        for tag, count in sorted(host.known_tag_counts().items(), key=lambda t: t[0].casefold()):
            targets.append(
                Choice(
                    f"Tag: #{tag}",
                    partial(host.show_tag, tag),
                    f"{count} tagged: list them",
                )
            )
        titles = {entry.rel_path: entry.metadata.title for entry in host.library.entries}
        newest = sorted(host.library_annotations(), key=lambda a: a.updated, reverse=True)
        for annotation in newest[:MAX_ANNOTATIONS]:
            quote = one_line(annotation.quote.exact, 70)
            tags = " ".join(f"#{tag}" for tag in annotation.tags)
            note = one_line(annotation.note, 60) if annotation.note.strip() else ""
            where = titles.get(annotation.doc.path) or annotation.doc.title or annotation.doc.path
            targets.append(
                Choice(
                    f"Note: {in_quotation_marks(quote)}",
                    partial(host.open_annotation, annotation),
                    " · ".join(part for part in (where, note, tags) if part),
                    also=f"{note} {tags}",
                )
            )
        return targets

    async def discover(self) -> Hits:
        for choice in self._choices():
            yield discovery_hit(choice.name, choice.action, choice.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for choice in self._choices():
            hit = choice_hit(matcher, choice.name, choice.action, choice.help, choice.also)
            if hit is not None:
                yield hit
