"""Helpers for the Pilot tests: the fixture prose, reading the screen, waiting for loads."""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Region
from textual.widget import Widget

from readertui.ui.app import ReaderApp

PROSE = "\n\n".join(
    f"Paragraph {n}. " + " ".join(f"word{n}_{k}" for k in range(40)) for n in range(60)
)

AppFactory = Callable[..., ReaderApp]


def screen_text(app: ReaderApp) -> list[str]:
    """The reader's rows as the user sees them (without the margins)."""
    view = app.reader
    return [view.render_line(y).text.strip() for y in range(view.size.height)]


async def wait_for_document(pilot: object, app: ReaderApp) -> None:
    """Let the loading worker finish and the document paint."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        if app.document is not None:
            return
    raise AssertionError("the document never opened")


def rendered_text(widget: Widget) -> str:
    """Everything a widget paints, as plain text lines."""
    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


async def wait_for_startup(pilot: object, app: ReaderApp) -> None:
    """Wait for the document, then for what is mounted and started after the first paint."""
    await wait_for_document(pilot, app)
    for _ in range(200):
        if app.started:
            break
        await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
