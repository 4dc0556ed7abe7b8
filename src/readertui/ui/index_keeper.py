"""The library index while the app runs: built in the background, kept up to date, shared.

PRODUCT 7: the index behind search and the cross-references is built in the background from
start-up (the app is usable at once, its progress in the status line) and updated only for
what changed. `IndexKeeper` owns the one `LibraryIndex` of the app: it brings it up to date in
a worker thread just after the first paint and again when a lookup asks (`refresh`), and hands
it the annotations as they change.

Nothing waits for an update: the screens over the index (`ctrl+f`, `*`, the Cross-refs tab)
open at once on what the index holds, and listen (`when_ready`) to ask again when an update
ends. Keys are never held for it: a build of a large library takes a while.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.app import App

    from readertui.core.annotations import Annotation
    from readertui.core.library import Library
    from readertui.core.workspace import Workspace
    from readertui.index import CancelToken, LibraryIndex
    from readertui.ui.widgets.status_line import StatusLine

#: Whether the index is brought up to date right after start-up. The Pilot tests turn it off
#: (each would index its library) and on in the tests of this behaviour.
BUILD_AT_START = True

#: Worker processes a background update of a library of BACKGROUND_POOL_BYTES or more cuts
#: its documents up in (see `refresh`).
BACKGROUND_WORKERS = 2
BACKGROUND_POOL_BYTES = 4 * 1024 * 1024
#: The status line's `indexing N%` changes at most this often (seconds).
PROGRESS_PERIOD = 0.5


def start_process_helper() -> None:
    """Start multiprocessing's resource tracker now, on the UI thread, with the real stderr.

    The first pool of worker processes starts it otherwise, handing it `sys.stderr`'s file
    number; inside a Textual app `sys.stderr` is Textual's capture of prints, whose file
    number is -1, and the start fails ("bad value(s) in fds_to_keep"). It runs once per
    process; later calls only check that it still runs."""
    real = sys.__stderr__
    if real is None:
        return
    from multiprocessing import resource_tracker

    # Only this thread's code runs meanwhile: nothing else can print to the real stderr.
    with contextlib.redirect_stderr(real):
        resource_tracker.ensure_running()


class KeeperHost(Protocol):
    """What the keeper needs of the reading screen."""

    @property
    def app(self) -> App[object]: ...

    @property
    def library(self) -> Library: ...

    @property
    def workspace(self) -> Workspace: ...

    @property
    def status(self) -> StatusLine: ...

    def library_annotations(self) -> list[Annotation]: ...


class IndexKeeper:
    """Opens the library index, keeps it current in a worker, and runs what waits for it."""

    def __init__(self, host: KeeperHost) -> None:
        self.host = host
        self._index: LibraryIndex | None = None
        self._updating = False
        self._cancel: CancelToken | None = None
        #: Built (or found up to date) at least once since start-up.
        self.ready = False
        #: Why the last update failed ("" when it did not).
        self.problem = ""
        #: Whether the last update changed what the index holds (or failed, or was the first).
        self.changed = False
        #: How far the running update is, in percent (None when none runs).
        self.percent: int | None = None
        self._listeners: list[Callable[[], None]] = []
        # Annotation changes not yet written to the index (None: removed), written in order.
        self._pending: dict[str, Annotation | None] = {}
        self._writing = False
        self._closed = False
        #: Whether the update waits for another process's update of the same index file.
        self._waiting = False

    @property
    def updating(self) -> bool:
        return self._updating

    def when_ready(self, listener: Callable[[], None]) -> None:
        """Call `listener` (on the UI thread) after every update that ends, until `forget`."""
        self._listeners.append(listener)

    def forget(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def open_index(self) -> LibraryIndex:
        """The index as it is (perhaps not built yet, or being brought up to date)."""
        return self._open()

    def start(self) -> None:
        """Start-up is over: bring the index up to date in the background."""
        if BUILD_AT_START:
            self.refresh()

    def refresh(self) -> None:
        """Bring the index up to date with the library on disk, in the background (nothing
        when an update runs already); `when_ready` listeners hear when it ends."""
        if self._closed or self._updating:
            return
        self._updating = True
        self.problem = ""
        self.percent = 0
        self._show_progress()
        read_annotations = self.host.library_annotations
        post = self._post
        # A large library's documents are cut up in worker processes: in this process they
        # would hold the interpreter for a good part of a second each, and keys would wait.
        # A small one's are cut up here: starting the processes would take longer.
        size = sum(entry.size for entry in self.host.library.entries)
        workers = BACKGROUND_WORKERS if size >= BACKGROUND_POOL_BYTES else None
        if workers:
            start_process_helper()  # only a pool needs it: a small library starts no process

        def work() -> None:
            # The index's code is read in here, off the UI thread.
            import sqlite3

            from readertui.errors import ReaderError
            from readertui.index import Cancelled, CancelToken

            cancel = self._cancel = CancelToken()
            if self._closed:
                return
            shown = [-1, 0.0]  # the percent shown, and when

            def progress(done: int, total: int) -> None:
                # A few times a second at most: each is a repaint, and keys typed meanwhile
                # wait for the screen's queues to be empty.
                percent = done * 100 // total if total else 100
                now = time.monotonic()
                if percent == shown[0] or now - shown[1] < PROGRESS_PERIOD or cancel.cancelled:
                    return
                shown[0], shown[1] = percent, now
                self._post_soon(self._progressed, percent)

            def waiting() -> None:
                self._post_soon(self._show_waiting)

            try:
                index = self._open()
                if self._closed:
                    index.close()
                    return
                report = index.update(
                    progress=progress, cancel=cancel, workers=workers, waiting=waiting
                )
                index.replace_annotations(read_annotations())
            except Cancelled:
                return
            except (ReaderError, OSError, sqlite3.Error) as error:
                if not cancel.cancelled:
                    post(self._updated, str(error) or type(error).__name__)
                return
            except Exception as error:  # a background index never stops the reader
                # A defect of the index (a hostile file name it cannot store, say) must not
                # end the app: the index is said to be unusable, the reader goes on.
                if not cancel.cancelled:
                    post(self._updated, f"{type(error).__name__}: {error}")
                return
            if not cancel.cancelled:
                post(self._updated, "", report.changed or report.rebuilt)

        self.host.app.run_worker(
            work, thread=True, group="library-index", description="index the library"
        )

    def annotations_changed(self, changed: Iterable[Annotation], removed: Iterable[str]) -> None:
        """Annotations were edited (or removed): the index learns it in the background."""
        for annotation in changed:
            self._pending[annotation.id] = annotation
        for annotation_id in removed:
            self._pending[annotation_id] = None
        self._write_pending()

    def close(self) -> None:
        """The app is ending: stop a running update and close the file."""
        self._closed = True
        if self._cancel is not None:
            self._cancel.cancel()
        if self._index is not None:
            self._index.close()

    @property
    def index(self) -> LibraryIndex | None:
        """The index, once it has been brought up to date (None before)."""
        return self._index if self.ready else None

    # -- inside ---------------------------------------------------------------------------------

    def _open(self) -> LibraryIndex:
        if self._index is None:
            from readertui.index import LibraryIndex

            host = self.host
            self._index = LibraryIndex(host.library, workspace=host.workspace)
        return self._index

    def _progressed(self, percent: int) -> None:
        if self._updating:
            self._waiting = False
            self.percent = percent
            self._show_progress()

    def _show_progress(self) -> None:
        status = self.host.status
        if self.percent is None:
            status.indexing = ""
        elif self._waiting:
            status.indexing = "indexing: another readertui first"
        else:
            status.indexing = f"indexing {self.percent}%"
        status.show()

    def _show_waiting(self) -> None:
        """Another readertui is updating the same index: this one's update waits for it."""
        if self._updating:
            self._waiting = True
            self._show_progress()

    def _updated(self, problem: str, changed: bool = False) -> None:
        self._updating = False
        self._waiting = False
        self._cancel = None
        self.percent = None
        self._show_progress()
        self.problem = problem
        # Whether the index holds anything new: listeners need not ask again otherwise.
        self.changed = changed or bool(problem) or not self.ready
        if not problem:
            self.ready = True
            self._write_pending()
        for listener in list(self._listeners):
            listener()

    def _write_pending(self) -> None:
        index = self._index
        if self._writing or self._updating or not self.ready or not self._pending or not index:
            return
        pending, self._pending = self._pending, {}
        changed = [a for a in pending.values() if a is not None]
        removed = [key for key, a in pending.items() if a is None]
        self._writing = True

        def work() -> None:

            # On failure, the next update hands every annotation over again.
            with contextlib.suppress(Exception):  # ReaderError, or a defect: never the reader
                index.update_annotations(changed, removed=removed)
            self._post(self._written)

        self.host.app.run_worker(
            work, thread=True, group="index-annotations", description="index the annotations"
        )

    def _post(self, callback: Callable[..., None], *args: object) -> None:
        """Run `callback` on the UI thread, from a worker; nothing once the app has ended."""
        if self._closed:
            return
        with contextlib.suppress(RuntimeError):  # the app ended meanwhile
            self.host.app.call_from_thread(callback, *args)

    def _post_soon(self, callback: Callable[..., None], *args: object) -> None:
        """`_post` without waiting for the UI thread to run it. For what is told while the
        index file's update lock is held: a UI thread stalled (a terminal that takes no
        output) must not keep every other readertui waiting for that lock."""
        if not self._closed:
            self.host.app.call_later(callback, *args)

    def _written(self) -> None:
        self._writing = False
        self._write_pending()
