"""Helpers for the library screens' Pilot tests: a bare app that hosts one screen, and the
indexes the screens are opened with (the sample library's, made-up ones in tmp_path)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from readertui.core.library import scan_library
from readertui.index import LibraryIndex
from readertui.ui.screens.concordance import ConcordanceScreen
from readertui.ui.screens.library_search import LibrarySearchScreen

ResultT = TypeVar("ResultT")


class Host(App[None], Generic[ResultT]):
    """Pushes the screen `make_screen` builds and keeps what it is dismissed with."""

    def __init__(self, make_screen: Callable[[], Screen[ResultT]]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.dismissed: list[ResultT | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), callback=self.dismissed.append)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # As the reader app should: ctrl+p moves in a library screen's list, not to the palette.
        library_screen = isinstance(self.screen, (LibrarySearchScreen, ConcordanceScreen))
        return not (action == "command_palette" and library_screen)


def built_index(root: Path, cache: Path, *, update: bool = True) -> LibraryIndex:
    """The index of the library at `root`, in the file `cache`, built unless not `update`."""
    index = LibraryIndex(scan_library(root), path=cache)
    if update:
        index.update(workers=1)
    return index


def write_texts(root: Path, texts: dict[str, str]) -> Path:
    """A made-up library: each name's text written under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


async def until(pilot: Pilot[Any], done: Callable[[], bool], what: str) -> None:
    """Let timers, workers and messages run until `done()` (or fail saying `what`).

    Polls rather than waiting for the workers: a test may hold one back on purpose."""
    for _ in range(500):
        await pilot.pause(0.02)
        if done():
            return
    raise AssertionError(f"never happened: {what}")
