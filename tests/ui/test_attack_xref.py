"""Attacks on the library index, the Cross-refs tab and the link picker (issue 10), in Pilot.

Each test is a defect found by attacking the app as a user on a flaky link, or an attacker,
would: the index file damaged while the app runs, keys in bursts, odd libraries. They are
marked `xfail(strict=True)` until the defect is fixed, so the suite stays green meanwhile.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from readertui.config import Config
from readertui.index import cache
from readertui.ui.app import ReaderApp, make_app
from readertui.ui.screens.library_search import LibrarySearchScreen
from tests.ui.helpers import wait_for_startup
from tests.ui.library_hosts import until

SAMPLE = Path(__file__).resolve().parents[2] / "library"
MORNING_STAR = "jiayuguan-morning-star.txt"


def _sample_copy(tmp_path: Path) -> Path:
    """The sample library, copied: its index is the test's own."""
    root = tmp_path / "library"
    shutil.copytree(SAMPLE, root)
    return root


def _app(root: Path, tmp_path: Path, name: str = MORNING_STAR) -> ReaderApp:
    return make_app(root, tmp_path / "db.json", Config(), open_path=root / name)


async def test_an_index_file_truncated_while_the_app_runs_is_rebuilt_for_ctrl_f(
    tmp_path: Path, index_at_start: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real wait is 30 s (then the same failure): a short one keeps the test quick.
    monkeypatch.setattr(cache, "BUSY_TIMEOUT_MS", 1000)
    app = _app(_sample_copy(tmp_path), tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        keeper = app.reading.keeper
        await until(pilot, lambda: keeper.ready and not keeper.updating, "the first build")
        index = keeper.index
        assert index is not None
        os.truncate(index.path, 0)  # a full disk, a crash of the file system, a user's `: >`
        await pilot.press("ctrl+f")
        await until(
            pilot,
            lambda: not keeper.updating,
            "the update asked for by ctrl+f ends",
        )
        assert keeper.problem == "", f"the damaged index was not rebuilt: {keeper.problem}"
        await until(pilot, lambda: isinstance(app.screen, LibrarySearchScreen), "the search screen")


async def test_escape_after_ctrl_f_during_a_build_means_the_search_screen_never_opens(
    tmp_path: Path, index_at_start: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readertui.index import library_index
    from readertui.ui import key_order

    # Keys are held for the screen ctrl+f waits for at most KEY_HOLD_LIMIT (5 s); a build of
    # a big library lasts longer. A short limit stands for that here.
    monkeypatch.setattr(key_order, "KEY_HOLD_LIMIT", 0.3)
    build_may_end = threading.Event()
    real_update = library_index.LibraryIndex.update

    def long_build(self: library_index.LibraryIndex, *args: object, **kwargs: object) -> object:
        build_may_end.wait(30)
        return real_update(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(library_index.LibraryIndex, "update", long_build)
    app = _app(_sample_copy(tmp_path), tmp_path)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            # Not `wait_for_startup`: it waits for every worker, the held build too.
            keeper = app.reading.keeper
            await until(pilot, lambda: app.started and keeper.updating, "the background build")
            await pilot.press("ctrl+f")
            await pilot.pause(0.5)
            # The screen is there at once (on the index as it is), so keys go to it.
            assert isinstance(app.screen, LibrarySearchScreen)
            await pilot.press("escape")  # not waiting any longer
            await pilot.pause(0.2)
            assert not isinstance(app.screen, LibrarySearchScreen)
            await pilot.pause(0.5)
            build_may_end.set()
            await until(pilot, lambda: not keeper.updating, "the build ends")
            await pilot.pause(0.3)
            assert not isinstance(app.screen, LibrarySearchScreen), (
                "the search screen opened by itself after escape"
            )
    finally:
        build_may_end.set()
