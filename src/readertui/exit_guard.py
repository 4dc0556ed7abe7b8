"""Ending when told to: SIGHUP (the SSH connection dropped) or SIGTERM saves, then the process
is gone within `EXIT_DEADLINE` seconds, whatever the terminal does.

With the terminal gone, Textual's output thread can block for ever on a full queue, and the
event loop with it, so the handler cannot rely on the loop. It is a plain Python signal
handler (it runs even while the main thread waits on a lock) that starts a watchdog thread and
asks the loop, if it still runs, to save what open editors hold and to exit. The watchdog
writes the queued changes (SaveQueue.flush), puts whatever could not be written in a changes
file for the next start, and ends the process at the deadline if it has not ended by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

from readertui.errors import ReaderError

if TYPE_CHECKING:
    from readertui.store.save_queue import SaveQueue

#: From the signal to the end of the process, at the most (seconds). The promise is 2 s; the
#: rest is margin for a loaded machine, where the watchdog thread itself may wait its turn.
EXIT_DEADLINE: Final = 1.4
#: How long the loop gets to hand over what open editors hold (the keys typed ahead first:
#: the app waits up to 0.4 s for them).
CAPTURE_WAIT: Final = 0.6
#: How long writing the queued changes may take before they go to a changes file instead.
SAVE_BUDGET: Final = 1.0

SIGNALS: Final = (signal.SIGHUP, signal.SIGTERM)


class ExitGuard:
    """Installs the SIGHUP/SIGTERM handler and ends the process in time after one arrives."""

    def __init__(
        self,
        saves: SaveQueue | None,
        *,
        deadline: float = EXIT_DEADLINE,
        save_budget: float = SAVE_BUDGET,
        hard_exit: Callable[[int], object] = os._exit,
    ) -> None:
        self.saves = saves
        self.deadline = deadline
        self.save_budget = save_budget
        self._hard_exit = hard_exit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_signal_in_loop: Callable[[int], object] | None = None
        self._signal: int | None = None
        self._context: contextvars.Context | None = None
        self._captured = threading.Event()
        self._saved = threading.Event()
        self._previous: dict[int, object] = {}
        #: Where the changes that could not be written went (None: there were none).
        self.changes_file: Path | None = None
        #: Why they could not be put anywhere (None: they could, or there were none).
        self.lost: str | None = None

    @property
    def signalled(self) -> int | None:
        """The signal that arrived, if one did."""
        return self._signal

    def install(self) -> None:
        """Handle SIGHUP and SIGTERM from now on (call in the main thread)."""
        for number in SIGNALS:
            self._previous[number] = signal.signal(number, self._handle)

    def uninstall(self) -> None:
        for number, previous in self._previous.items():
            with contextlib.suppress(ValueError, TypeError, OSError):
                signal.signal(number, previous)  # type: ignore[arg-type]
        self._previous.clear()

    def attach(self, loop: asyncio.AbstractEventLoop, on_signal: Callable[[int], object]) -> None:
        """Once the app runs: `on_signal(number)` is called in `loop` when a signal arrives.

        It should save what open editors hold, call `editors_captured`, and exit the app.
        """
        self._loop = loop
        self._on_signal_in_loop = on_signal
        # The callback runs in the app's context (Textual finds the running app in it).
        self._context = contextvars.copy_context()

    def editors_captured(self) -> None:
        """The app has queued what its open editors held."""
        self._captured.set()

    def _handle(self, number: int, frame: object) -> None:
        if self._signal is not None:
            return  # already ending; the watchdog keeps the deadline
        self._signal = number
        threading.Thread(target=self._watch, name="readertui-exit", daemon=True).start()
        loop, callback = self._loop, self._on_signal_in_loop
        if loop is None or callback is None:
            self._captured.set()
            return
        try:
            loop.call_soon_threadsafe(callback, number, context=self._context)
        except RuntimeError:  # the loop is closed: nothing left to capture
            self._captured.set()

    def _watch(self) -> None:
        started = time.monotonic()
        number = self._signal or signal.SIGTERM
        self._captured.wait(CAPTURE_WAIT)
        self.save_now(max(0.1, self.save_budget - (time.monotonic() - started)))
        if self._loop is not None:
            # The app is ending by itself; give it until the deadline.
            time.sleep(max(0.0, self.deadline - (time.monotonic() - started)))
        self._hard_exit(128 + number)

    def save_now(self, budget: float) -> None:
        """Write the queued changes, or put them in a changes file; once, from any thread."""
        if self._saved.is_set():
            return
        saves = self.saves
        try:
            if saves is not None and not saves.flush(budget):
                try:
                    self.changes_file = saves.write_changes_file()
                except ReaderError as error:
                    self.lost = str(error)
        finally:
            self._saved.set()

    def wait_saved(self, timeout: float) -> bool:
        """Wait for the watchdog's save (after a signal); True once it is done."""
        if self._signal is None:
            return True
        return self._saved.wait(timeout)
