"""One measured start-up, run in a fresh process by run.py: prints a JSON line of figures.

`bare`   a minimal Textual app (one Static), the yardstick for start-up cost.
`reader` readertui opening FILE, then (with --pages N) paging up and down at its end, with
         the library index left out (index.py and live_index.py measure it); with --index,
         waiting instead for the library index to read FILE in the background, for the
         peak memory of that.
Times count from the top of this script, before Textual is imported, to the first frame
Textual hands to its driver that shows the content: the Static for the bare app, rows of
the document for readertui (Textual's `App._display`, called for every frame, headless too).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from textual.app import App, ComposeResult  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Static  # noqa: E402

SIZE = (120, 40)


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB.

    /proc/self/status's VmHWM where there is one: ru_maxrss of a process started with vfork
    and exec begins at its parent's peak, which can be far larger than the process's own.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BareApp(App[None]):
    first_paint = 0.0

    def compose(self) -> ComposeResult:
        yield Static("Hello")

    def _display(self, screen: Any, renderable: Any) -> None:
        super()._display(screen, renderable)
        if renderable is not None and not self.first_paint:
            self.first_paint = time.perf_counter() - STARTED
            self.call_after_refresh(self.exit)


def run_bare() -> dict[str, Any]:
    app = BareApp()
    app.run(headless=True, size=SIZE)
    return {"first_paint": app.first_paint, "peak_rss_mb": peak_rss_mb()}


def run_reader(path: Path, db: Path, pages: int, index: bool = False) -> dict[str, Any]:
    from readertui.config import Config
    from readertui.ui import index_keeper
    from readertui.ui.app import ReaderApp, make_app

    # Paging and its memory are the reader's alone: the index reading a 100 MB text beside
    # them is measured on its own (--index).
    index_keeper.BUILD_AT_START = index

    figures: dict[str, Any] = {}

    class MeasuredApp(ReaderApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is None or "first_paint" in figures:
                return
            if self.document is not None and self.reader.screen_rows():
                figures["first_paint"] = time.perf_counter() - STARTED
                if not pages and not index:
                    self.call_after_refresh(self.exit)

    async def page_at_the_end(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        while "first_paint" not in figures:
            await pilot.pause(0.01)
        # Page-down is timed once start-up's background work (the outline of 100 MB, the
        # tag counts) is done, as when a reader pages a few seconds after opening: run
        # beside it, the figure would say only whether that work happened to run then.
        await asyncio.sleep(2)
        await app.workers.wait_for_complete()
        view = app.reader
        height = view.size.height

        def repaint() -> None:
            for y in range(height):
                view.render_line(y)

        view.action_document_end()
        repaint()
        for _ in range(pages):
            view.action_page_up()
        repaint()
        timings = []
        for _ in range(pages):
            start = time.perf_counter()
            view.action_page_down()
            repaint()
            timings.append(time.perf_counter() - start)
        figures["page_down_median"] = statistics.median(timings)
        figures["page_down_max"] = max(timings)
        app.exit()

    async def index_built(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        deadline = time.monotonic() + 300
        while not app.reading.keeper.ready and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        figures["index_seconds"] = time.perf_counter() - STARTED
        app.exit()

    library = make_app(path.parent, db, Config(), open_path=path)
    app = MeasuredApp(library.library, library.store, library.config, open_path=path)
    pilot = index_built if index else page_at_the_end if pages else None
    app.run(headless=True, size=SIZE, auto_pilot=pilot)
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("bare", "reader"))
    parser.add_argument("--file", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--pages", type=int, default=0)
    parser.add_argument("--index", action="store_true")
    args = parser.parse_args()
    result = (
        run_bare()
        if args.mode == "bare"
        else run_reader(args.file, args.db, args.pages, args.index)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
