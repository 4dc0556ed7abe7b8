"""Cutting documents up for the index — reading and hashing them, their passages and the
FTS5 row of each, their outline — in this process, or, for a large first build, in a pool
of worker processes.

Cutting up is pure Python; the index's one writer is SQLite (tokenizing for FTS5), which
releases the GIL. Worker processes do the Python part beside the writer, so both cores are
busy, and hold no lock that the reader's own threads wait for, so the app stays responsive
while a big library is indexed. They are started with `forkserver` (or `spawn`), never
plain `fork`: the app has threads. Results come back in the library's order, a few
documents ahead at most, so memory stays bounded; stopping early (cancelled) ends the
workers before returning.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path

from readertui.core.document import Document, load_document
from readertui.core.library import LibraryEntry
from readertui.core.workspace import Workspace
from readertui.errors import DocumentError
from readertui.index.cancel import CancelToken
from readertui.index.errors import Cancelled
from readertui.index.passages import split_passages
from readertui.index.scoring import IndexedRow, indexed_row

#: Reading at least this much (bytes) in one update uses worker processes.
POOL_BYTES = 16 * 1024 * 1024
#: Documents handed to the pool ahead of the one being written, per worker.
_AHEAD_PER_WORKER = 2
# How long the reader of the pool waits for a document before it looks at its cancel token.
_WAIT_STEP = 0.1
# How long stopping the pool waits for a terminated worker process to end before killing it.
_END_WAIT = 1.0


@dataclass(frozen=True)
class Prepared:
    """A document cut up for the index."""

    passages: list[tuple[int, int, int, str]]  # start, end, line, text
    rows: list[IndexedRow]  # the FTS5 row of each passage
    headings: list[tuple[int, int, str]]  # offset, level, title
    size: int  # characters of text, to size the writer's transactions


@dataclass(frozen=True)
class Read:
    """A document read for an update: its text's hash, and how to get it cut up (done
    only when it is to be indexed: a renamed or touched document is not)."""

    entry: LibraryEntry
    stamp: tuple[int, int]
    sha256: str
    prepared: Callable[[], Prepared]


@dataclass(frozen=True)
class Unreadable:
    """A document that could not be read, and why."""

    entry: LibraryEntry
    stamp: tuple[int, int]
    reason: str


def prepare(document: Document) -> Prepared:
    passages = split_passages(document.text)
    return Prepared(
        passages=[(p.start, p.end, p.line, p.text) for p in passages],
        rows=[indexed_row(p.text) for p in passages],
        headings=[(h.offset, h.level, h.title) for h in document.outline()],
        size=len(document.text),
    )


def pool_size(entries: Sequence[LibraryEntry]) -> int:
    """How many worker processes an update reading `entries` should use (0: none)."""
    cpus = os.cpu_count() or 1
    if cpus < 2 or sum(entry.size for entry in entries) < POOL_BYTES:
        return 0
    return min(cpus, 4)


def read_all(
    workspace: Workspace,
    items: Sequence[tuple[LibraryEntry, tuple[int, int]]],
    workers: int,
    cancel: CancelToken | None = None,
) -> Generator[Read | Unreadable, None, None]:
    """Each of `items` (entry, file stamp) read and ready to be cut up, in order; `close`
    it when stopping early. Worker processes are waited for a tenth of a second at a time:
    once `cancel` is set, `Cancelled` is raised within that, and the processes are stopped
    where they are (a large document takes seconds: quitting must not wait for it)."""
    if workers <= 0:
        yield from _read_here(workspace, items)
    else:
        yield from _read_in_pool(workspace, items, workers, cancel)


def _read_here(
    workspace: Workspace, items: Sequence[tuple[LibraryEntry, tuple[int, int]]]
) -> Iterator[Read | Unreadable]:
    for entry, stamp in items:
        try:
            document = workspace.load(entry.rel_path)
            sha256 = document.sha256
        except DocumentError as error:
            yield Unreadable(entry, stamp, error.reason)
            continue

        def cut_up(document: Document = document) -> Prepared:
            return prepare(document)

        yield Read(entry, stamp, sha256, cut_up)


def _read_in_pool(
    workspace: Workspace,
    items: Sequence[tuple[LibraryEntry, tuple[int, int]]],
    workers: int,
    cancel: CancelToken | None,
) -> Iterator[Read | Unreadable]:
    """`_read_here`, with the cutting up done by worker processes. If the pool cannot be
    started or breaks (a process killed, no way to start one here), the documents not yet
    given back are read in this process instead."""
    given = 0
    try:
        for read in _from_pool(workspace, items, workers, cancel):
            yield read
            given += 1
    except (BrokenProcessPool, OSError, RuntimeError):
        yield from _read_here(workspace, items[given:])


def _from_pool(
    workspace: Workspace,
    items: Sequence[tuple[LibraryEntry, tuple[int, int]]],
    workers: int,
    cancel: CancelToken | None,
) -> Iterator[Read | Unreadable]:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    # Held open by this process only: the workers see it end when this process does.
    app_alive, alive_end = context.Pipe(duplex=False)
    try:
        yield from _in_pool(workspace, items, workers, cancel, context, app_alive)
    finally:
        alive_end.close()
        app_alive.close()


def _in_pool(
    workspace: Workspace,
    items: Sequence[tuple[LibraryEntry, tuple[int, int]]],
    workers: int,
    cancel: CancelToken | None,
    context: BaseContext,
    app_alive: Connection,
) -> Iterator[Read | Unreadable]:
    root = str(workspace.library.root)
    pending: list[Future[tuple[str, Prepared] | str]] = []
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(app_alive,)
    ) as pool:
        try:
            queued: list[tuple[LibraryEntry, tuple[int, int]]] = []
            for entry, stamp in items:
                queued.append((entry, stamp))
                pending.append(
                    pool.submit(prepare_file, str(entry.path), root, workspace.max_bytes)
                )
                if len(pending) < workers * _AHEAD_PER_WORKER:
                    continue
                yield _result(*queued.pop(0), _outcome(pending.pop(0), cancel))
            while pending:
                yield _result(*queued.pop(0), _outcome(pending.pop(0), cancel))
        finally:
            if pending:
                # Stopped early (cancelled, closed, or the pool broke): stop the processes at
                # work rather than wait for them. The futures are not cancelled: the pool,
                # finding its processes gone, fails each one itself, and on Python 3.11 its
                # thread died (a traceback on the user's terminal) on a cancelled one.
                _stop_workers(pool)


def _start_worker(app_alive: Connection) -> None:
    """In each worker process, first.

    The lowest priority: the workers share the CPUs with the reader's own threads (same
    session), and at the same priority took them from it: keys waited 180 ms at p95 during
    a build, 90 ms with this (benchmarks/live_index.py); the build is no slower, as other
    sessions' share does not change.

    And an end with the app's: an app killed outright (`kill -9`, or a `kill` of `readertui
    search`) cannot stop its workers, and they waited for ever on a pipe nobody read, keeping
    the forkserver and the resource tracker alive too. A thread of each worker waits on a
    pipe only the app holds open, and ends the worker when it closes.
    """
    with suppress(OSError, AttributeError):
        os.nice(19)

    def end_with_the_app() -> None:
        with suppress(EOFError, OSError):
            while True:
                app_alive.recv_bytes()
        os._exit(1)

    threading.Thread(target=end_with_the_app, name="readertui-app-watch", daemon=True).start()


def _outcome(
    future: Future[tuple[str, Prepared] | str], cancel: CancelToken | None
) -> tuple[str, Prepared] | str:
    """The future's result, waited for a little at a time; Cancelled once `cancel` is set."""
    while True:
        try:
            return future.result(timeout=_WAIT_STEP)
        except FuturesTimeout:
            if cancel is not None and cancel.cancelled:
                raise Cancelled() from None


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now. The executor has no public way to: its
    `shutdown` waits for the work under way, seconds for a large document.

    A worker ended while it was sending its result (a large document's pieces take many
    writes) leaves half a message in the pipe; the pool's thread that reads it would then
    wait for the rest forever, and so would `shutdown` and the end of the process (`q`
    left the app running). Once the workers have ended, this process's copy of the pipe's
    writing end is closed too: that reader then sees the pipe end, takes the pool for
    broken and stops.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + _END_WAIT
    for process in processes:
        with suppress(OSError, ValueError, AssertionError):
            process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        with suppress(OSError, ValueError, AssertionError):
            if process.is_alive():
                process.kill()
                process.join(_END_WAIT)
    results = getattr(pool, "_result_queue", None)
    writer = getattr(results, "_writer", None)
    if writer is not None:
        with suppress(OSError):
            writer.close()


def _result(
    entry: LibraryEntry, stamp: tuple[int, int], outcome: tuple[str, Prepared] | str
) -> Read | Unreadable:
    if isinstance(outcome, str):
        return Unreadable(entry, stamp, outcome)
    sha256, prepared = outcome
    return Read(entry, stamp, sha256, lambda: prepared)


# -- in a worker process ----------------------------------------------------------------------


def prepare_file(path: str, root: str, max_bytes: int) -> tuple[str, Prepared] | str:
    """Load and cut up the document at `path` (in a worker): its text's hash and its
    pieces, or why it cannot be read."""
    try:
        document = load_document(Path(path), Path(root), max_bytes=max_bytes)
        return document.sha256, prepare(document)
    except DocumentError as error:
        return error.reason
