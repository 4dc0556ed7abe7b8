"""The command palette: every action of the keymap, every document and every heading.

Document titles and headings come from files: the hits are built literally (`ui.choices`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hits, Provider

from readertui.ui.choices import choice_hit, discovery_hit
from readertui.ui.keymap import KEYS

if TYPE_CHECKING:
    from readertui.ui.app import ReaderApp


class ReaderCommands(Provider):
    """Actions, documents to open and headings to jump to."""

    def _targets(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: ReaderApp = self.app  # type: ignore[assignment]
        targets: list[tuple[str, str, Callable[[], object]]] = []
        for spec in KEYS:
            if spec.palette:
                where = f"key: {spec.label}" if spec.keys else "command"
                targets.append((spec.description, where, partial(app.run_palette_action, spec)))
        for entry in app.library.entries:
            title = entry.metadata.title or entry.rel_path
            targets.append(
                (
                    f"Open: {title}",
                    entry.metadata.byline() or entry.rel_path,
                    partial(app.open_document, entry.rel_path),
                )
            )
        for item in app.outline:
            targets.append(
                (
                    f"Go to: {item.title}",
                    "heading in this document",
                    partial(app.jump_to_offset, item.offset),
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
