"""SVG snapshots of the main screen on the sample library, wide and at 80x24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from readertui.config import Config
from readertui.ui.app import ReaderApp, make_app
from tests.conftest import SAMPLE_LIBRARY
from tests.ui.helpers import wait_for_document

FIRST = SAMPLE_LIBRARY / "jiayuguan-morning-star.txt"


def sample_app(tmp_path: Path) -> ReaderApp:
    return make_app(SAMPLE_LIBRARY, tmp_path / "db.json", Config(), open_path=FIRST)


async def settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, ReaderApp)
    await wait_for_document(pilot, app)
    while not app.started:
        await pilot.pause()
    await app.workers.wait_for_complete()
    # The status line says `saved` once the document read last is written: wait for that,
    # so the snapshot never catches `saving…` on a busy machine.
    # flush_store also writes the reading position now, so its timer cannot show `saving…`
    # again just before the snapshot.
    assert app.flush_store(5)
    for _ in range(100):
        await pilot.pause()
        if "saved" in str(app.status.render()) and "saving" not in str(app.status.render()):
            break
    await pilot.pause()


def test_main_screen_120x40(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=(120, 40), run_before=settle)


def test_main_screen_80x24(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(sample_app(tmp_path), terminal_size=(80, 24), run_before=settle)


def test_help_screen(snap_compare: Any, tmp_path: Path) -> None:
    async def open_help(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(sample_app(tmp_path), terminal_size=(100, 40), run_before=open_help)
