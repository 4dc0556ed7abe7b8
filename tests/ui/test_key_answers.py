"""A key's answer comes first: what follows the cursor is updated in the same frame as the
cursor, and while a key is answered neither the garbage collector nor work read ahead in
the background takes the interpreter."""

from __future__ import annotations

import gc

from readertui.ui.app import ReaderApp
from tests.ui.helpers import AppFactory, wait_for_startup


async def test_the_status_line_follows_the_cursor_without_waiting_for_a_message(
    make: AppFactory,
) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        view = app.reader
        target = view.cursor + 500
        view.move_cursor(target)
        # No message round trip: the status line (and the Cross-refs tab, told at the same
        # moment) is up to date before the next frame is painted.
        assert app.status.position is not None
        assert app.status.position.offset == view.cursor


async def test_while_a_key_is_answered_nothing_else_takes_the_interpreter(
    make: AppFactory,
) -> None:
    app = make()
    seen: list[tuple[bool, bool]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        assert isinstance(app, ReaderApp)
        view = app.reader
        move = view.action_cursor_down

        def watched_move() -> None:
            seen.append((app.background_gate.is_set(), gc.isenabled()))
            move()

        view.action_cursor_down = watched_move  # type: ignore[method-assign]
        collector_was_on = gc.isenabled()
        gc.enable()
        try:
            await pilot.press("j")
            await pilot.pause()
            assert seen == [(False, False)]  # the gate closed, the collector held
            await pilot.pause(0.1)
            assert app.background_gate.is_set() and gc.isenabled()  # both back once painted
        finally:
            if not collector_was_on:
                gc.disable()
