"""Writes to the store, in order, on one background thread, so the UI never waits for disk.

Each job is a call into the store, which returns once its change is fsynced. The writer
reports when the queue has drained (the status line's `saved`) and any failure (one clear
message; the change stays in memory and the status line says so). `flush` blocks until
everything queued is on disk: quit, SIGTERM and SIGHUP call it before exiting.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable

from readertui.errors import ReaderError

Job = Callable[[], object]


class StoreWriter:
    """A single writer thread with a queue of store calls."""

    def __init__(
        self,
        on_drained: Callable[[], object],
        on_error: Callable[[str], object],
    ) -> None:
        self._on_drained = on_drained
        self._on_error = on_error
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="readertui-store", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Jobs queued or running (0: everything is on disk)."""
        with self._lock:
            return self._pending

    def submit(self, job: Job) -> None:
        with self._lock:
            self._pending += 1
        self._jobs.put(job)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.task_done()
                return
            try:
                job()
            except ReaderError as error:
                self._report(self._on_error, str(error))
            except Exception as error:
                self._report(self._on_error, f"could not save: {error}")
            finally:
                with self._lock:
                    self._pending -= 1
                    drained = self._pending == 0
                self._jobs.task_done()
            if drained:
                self._report(self._on_drained)

    @staticmethod
    def _report(callback: Callable[..., object], *args: str) -> None:
        # The app may be gone while the last writes finish.
        with contextlib.suppress(Exception):
            callback(*args)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued job has run; False if that took longer than `timeout`."""
        finished = threading.Event()

        def mark() -> None:
            finished.set()

        self.submit(mark)
        return finished.wait(timeout)

    def close(self, timeout: float = 10.0) -> bool:
        """Flush, then stop the thread."""
        flushed = self.flush(timeout)
        self._jobs.put(None)
        return flushed
