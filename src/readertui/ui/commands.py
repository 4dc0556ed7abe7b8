"""The command palette: every action of the keymap, every document and every heading.

Document titles and headings come from files: the hits are built literally (`ui.choices`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import Hits, Provider

from readertui.core.library import Library
from readertui.core.outline import OutlineEntry
from readertui.ui.choices import choice_hit, discovery_hit
from readertui.ui.keymap import KEYS, KeySpec, effective_label


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


class ReaderCommands(Provider):
    """Actions, documents to open and headings to jump to."""

    def _targets(self) -> list[tuple[str, str, Callable[[], object]]]:
        stack = self.app.screen_stack
        host = stack[0] if stack else None
        targets: list[tuple[str, str, Callable[[], object]]] = []
        if not isinstance(host, PaletteHost):
            return targets
        for spec in KEYS:
            if spec.palette:
                where = f"key: {effective_label(spec, host.keymap)}" if spec.keys else "command"
                targets.append((spec.description, where, partial(host.run_palette_action, spec)))
        for entry in host.library.entries:
            title = entry.metadata.title or entry.rel_path
            targets.append(
                (
                    f"Open: {title}",
                    entry.metadata.byline() or entry.rel_path,
                    partial(host.open_document, entry.rel_path),
                )
            )
        for item in host.outline:
            targets.append(
                (
                    f"Go to: {item.title}",
                    "heading in this document",
                    partial(host.go_to_offset, item.offset),
                )
            )
        return targets

    async def discover(self) -> Hits:
        for name, help_text, callback in self._targets():
            yield discovery_hit(name, callback, help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._targets():
            hit = choice_hit(matcher, name, callback, help_text)
            if hit is not None:
                yield hit
