"""Benchmark: creating a highlight, from the keypress to the screen and to `saved`.

    python benchmarks/annotate.py        # 1k, 10k and 50k annotations already in the database

For each size the database is filled with that many annotations on War and Peace (pg2600),
then readertui runs headless: a selection is made and `enter` pressed, several times.
*To screen* is the time from the key event to the first frame Textual hands to the terminal
showing the new highlight; *to saved* is the time until the save queue's thread has put it on
disk (fsync and rename included), when the status line says `saved`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot

from readertui.collector_pause import pause_collector
from readertui.config import Config
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.store.store import Store
from readertui.ui.app import ReaderApp, make_app

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "gutenberg"
SIZES = (1_000, 10_000, 50_000)
PRESSES = 7


def fill(db: Path, novel: Path, count: int) -> None:
    """Put `count` highlights on the novel into the database, in one write."""
    document = load_document(novel, novel.parent)
    text = document.text
    ref = DocumentRef(document.rel_path, document.sha256, document.metadata.title)
    rng = random.Random(count)
    annotations = []
    for _ in range(count):
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randrange(20, 300)
        annotation = new_annotation(text, ref, start, end)
        if rng.random() < 0.3:
            annotation = annotation.touched(note="A note about this passage. " * 3)
        if rng.random() < 0.3:
            annotation = annotation.touched(tags=("theme/war", "people"))
        annotations.append(annotation)
    with Store(db) as store:
        store.save_annotations(annotations)


def _annotation_count(app: ReaderApp) -> int:
    """The open document's annotations, counted without copying them (this runs per frame)."""
    opened = app.reading.opened
    return len(opened.annotations) if opened is not None else 0


def measure(novel: Path, db: Path) -> dict[str, float]:
    to_screen: list[float] = []
    to_saved: list[float] = []
    state: dict[str, Any] = {"pressed": 0.0, "count": 0, "shown": False, "saved": False}

    class MeasuredApp(ReaderApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if (
                renderable is not None
                and state["pressed"]
                and not state["shown"]
                and _annotation_count(self) > state["count"]
            ):
                state["shown"] = True
                to_screen.append(time.perf_counter() - state["pressed"])

        def on_reader_app_save_state_changed(self, event: ReaderApp.SaveStateChanged) -> None:
            super().on_reader_app_save_state_changed(event)
            if state["pressed"] and not state["saved"] and event.state.saved:
                state["saved"] = True
                to_saved.append(time.perf_counter() - state["pressed"])

    async def press_enter(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, MeasuredApp)
        while app.document is None or not app.started:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        view = app.reader
        for n in range(PRESSES):
            view.move_cursor(20_000 + n * 50_000, jump=True)
            view.selection_anchor = view.cursor
            view.move_cursor(view.cursor + 60)
            await pilot.pause(0.2)
            state.update(pressed=time.perf_counter(), count=_annotation_count(app))
            state["shown"] = state["saved"] = False
            app.post_message(events.Key("enter", None))
            deadline = time.monotonic() + 10
            while (len(to_saved) <= n or len(to_screen) <= n) and time.monotonic() < deadline:
                # Not pilot.pause: it sends every widget a message and waits for the answers,
                # which would put a hundred messages in the key's way that a terminal never sends.
                await asyncio.sleep(0.01)
        app.exit()

    # As the readertui command does: the collector paused until the first screen is up,
    # then everything alive moved out of its sight (see readertui.collector_pause).
    pause_collector()
    base = make_app(novel.parent, db, Config(), open_path=novel)
    app = MeasuredApp(base.library, base.store, base.config, open_path=novel)
    app.run(headless=True, size=(120, 40), auto_pilot=press_enter)
    return {
        "to_screen": statistics.median(to_screen),
        "to_saved": statistics.median(to_saved),
        "file_mb": db.stat().st_size / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    novel_source = CORPUS / "pg2600.txt"
    if not novel_source.exists():
        raise SystemExit(f"the corpus is missing: {CORPUS}")
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            novel = folder / "library" / "pg2600.txt"
            novel.parent.mkdir()
            novel.write_bytes(novel_source.read_bytes())
            db = folder / "annotations.json"
            fill(db, novel, size)
            figures = measure(novel, db)
        met = "—"
        if size == 10_000:
            ok = figures["to_screen"] < 0.05 and figures["to_saved"] < 1.0
            met = "yes" if ok else "NO"
        rows.append(
            (
                f"{size:,} annotations ({figures['file_mb']:.1f} MB database)",
                f"{figures['to_screen'] * 1000:.1f} ms",
                f"{figures['to_saved'] * 1000:.0f} ms",
                met,
            )
        )
    print(f"Creating a highlight: median of {PRESSES} presses of enter on pg2600\n")
    print("| database | keypress to screen | keypress to saved | met (10k: < 50 ms, < 1 s) |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
