"""The way every change of the app reaches the database: queued, written in the background,
retried until written, and never dropped.

A change is recorded in `PendingChanges` at once (so reads see it, see the read methods) and a
writer thread puts everything pending in the file with one `Store.merge_changes`. When that
fails (disk full, read-only file system, a lock another process does not let go of, a file
made unreadable by hand), the changes stay pending, the state says why, and the write is tried
again: at once when another change comes, else after a growing pause. Nothing is ever taken
out of the queue until a write that contained it is on disk.

What still cannot be written when the app must end (a signal, a crash, "quit anyway") goes to
a changes file (see emergency.py) that the next start offers to merge.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Final, NamedTuple

from readertui.core.annotations import Annotation, check_annotation
from readertui.errors import ReaderError
from readertui.store.layout import document_key, last_document_key
from readertui.store.merge import Snapshot, is_deleted_by, stamp_key
from readertui.store.pending import PendingChanges, describe_changes
from readertui.store.store import Store

#: Pauses between attempts while writing fails (seconds); the last one repeats.
RETRY_DELAYS: Final = (0.5, 1.0, 2.0, 4.0, 8.0, 10.0)
#: How long the writer waits after the first change of a burst before writing, so the change
#: is painted first (encoding a big database holds the GIL) and a burst is written once.
GATHER_DELAY: Final = 0.03
#: The longest the writer waits for the screen to show a change (see `hold_for_paint`).
PAINT_WAIT_LIMIT: Final = 0.25


class SaveState(NamedTuple):
    """Whether everything is on disk, and if not, why."""

    pending: int = 0
    #: Why the last attempt failed (None: it did not, or nothing was tried yet).
    error: str | None = None
    #: What is pending, in words.
    summary: str = "nothing"

    @property
    def saved(self) -> bool:
        return self.pending == 0

    @property
    def label(self) -> str:
        """The status line's word: saved, saving… or NOT SAVED."""
        if self.pending == 0:
            return "saved"
        return "NOT SAVED" if self.error is not None else "saving…"


class SaveQueue:
    """Changes on their way to `store`, with reads that already include them."""

    def __init__(
        self,
        store: Store,
        on_state: Callable[[SaveState], object] = lambda state: None,
        *,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        gather_delay: float = GATHER_DELAY,
    ) -> None:
        self.store = store
        self.pending = PendingChanges()
        self._on_state = on_state
        self._retry_delays = tuple(retry_delays)
        self._gather_delay = gather_delay
        self._wake = threading.Condition()
        self._poked = False
        #: When the writer stops waiting for the screen to show the last change (None: it
        #: does not wait).
        self._paint_due: float | None = None
        self._closing = False
        self._failures = 0
        self._next_attempt = 0.0
        self._error: str | None = None
        #: Attempts begun and finished, so a flush can wait for one that began after it.
        self._begun = 0
        self._attempts = 0
        self._thread = threading.Thread(target=self._run, name="readertui-save", daemon=True)
        self._thread.start()

    # -- changes ------------------------------------------------------------------------------

    def save_annotation(self, annotation: Annotation) -> None:
        """Queue an annotation; raises ValueError (queuing nothing) if it cannot be kept.

        Checked here, not when written: one record the store refuses would otherwise stop
        every later write with it.
        """
        check_annotation(annotation)
        self.pending.save_annotation(annotation)
        self._poke()

    def save_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Queue annotations (after re-anchoring); those that cannot be kept are left out."""
        for annotation in annotations:
            try:
                check_annotation(annotation)
            except ValueError:
                continue  # read from the file as valid, so never expected here
            self.pending.save_annotation(annotation)
        self._poke()

    def delete_annotation(self, annotation_id: str, *, when: str | None = None) -> None:
        self.pending.delete_annotation(annotation_id, when)
        self._poke()

    def set_reading_position(self, rel_path: str, offset: int, *, library: str = "") -> None:
        if self.reading_position(rel_path, library=library) == offset:
            return
        self.pending.set_reading_position(rel_path, offset, library=library)
        self._poke()

    def set_document_tags(self, rel_path: str, tags: Iterable[str], *, library: str = "") -> None:
        self.pending.set_document_tags(rel_path, tags, library=library)
        self._poke()

    def set_last_document(self, rel_path: str, *, library: str = "") -> None:
        if self.last_document(library=library) == rel_path:
            return
        self.pending.set_last_document(rel_path, library=library)
        self._poke()

    def set_session_value(self, key: str, value: object) -> None:
        """Keep `value` (plain JSON data) under session key `key`."""
        if self.session_value(key) == value:
            return
        self.pending.set_session_value(key, value)
        self._poke()

    def session_value(self, key: str) -> object:
        record = self.pending.snapshot().session.get(key)
        if record is not None:
            return record.get("value")
        return self.store.session_value(key)

    def add_changes(self, changes: Snapshot) -> None:
        """Queue changes recorded elsewhere (a changes file left by an earlier session)."""
        self.pending.add(changes)
        self._poke()

    # -- reads, with what is pending ------------------------------------------------------------

    def annotations(
        self, doc_path: str | None = None, *, library: str | None = None
    ) -> list[Annotation]:
        """As `Store.annotations`, with the pending edits and deletions applied."""
        stored = self.store.annotations(doc_path, library=library)
        changes = self.pending.snapshot()
        if not changes.annotations and not changes.tombstones:
            return stored
        found = {annotation.id: annotation for annotation in stored}
        for annotation_id, record in changes.annotations.items():
            try:
                annotation = Annotation.from_record(record)
            except (ValueError, ArithmeticError):
                continue  # cannot happen for records made from Annotations; never shown
            current = found.get(annotation_id)
            if current is not None and stamp_key(current.updated) > stamp_key(annotation.updated):
                continue
            found.pop(annotation_id, None)
            if doc_path is not None and annotation.doc.path != doc_path:
                continue
            if library is None or annotation.doc.library in ("", library):
                found[annotation_id] = annotation
        for annotation_id, tombstone in changes.tombstones.items():
            current = found.get(annotation_id)
            if current is not None and is_deleted_by({"updated": current.updated}, tombstone):
                del found[annotation_id]
        result = list(found.values())
        if doc_path is None:
            result.sort(key=lambda a: (a.doc.path, a.start, a.end, a.created, a.id))
        else:
            result.sort(key=lambda a: (a.start, a.end, a.created, a.id))
        return result

    def reading_position(self, rel_path: str, *, library: str = "") -> int | None:
        record = self.pending.snapshot().documents.get(document_key(library, rel_path))
        if record is not None and "position" in record:
            position = record["position"]
            return position if isinstance(position, int) else None
        return self.store.reading_position(rel_path, library=library)

    def document_tags(self, rel_path: str, *, library: str = "") -> tuple[str, ...]:
        record = self.pending.snapshot().documents.get(document_key(library, rel_path))
        if record is not None and "tags" in record:
            return tuple(record["tags"])
        return self.store.document_tags(rel_path, library=library)

    def last_document(self, *, library: str = "") -> str | None:
        record = self.pending.snapshot().session.get(last_document_key(library))
        if record is not None and isinstance(record.get("value"), str):
            return str(record["value"])
        return self.store.last_document(library=library)

    # -- the state ----------------------------------------------------------------------------

    @property
    def state(self) -> SaveState:
        changes = self.pending.snapshot()
        count = len(self.pending)
        return SaveState(count, self._error if count else None, describe_changes(changes))

    def _publish(self) -> None:
        # The listener (the app) may be gone while the last writes finish.
        with contextlib.suppress(Exception):
            self._on_state(self.state)

    # -- writing ------------------------------------------------------------------------------

    def _poke(self) -> None:
        with self._wake:
            self._poked = True
            self._wake.notify_all()
        self._publish()

    def hold_for_paint(self) -> None:
        """A change is on its way to the screen: write it once `painted` says it is shown.

        Encoding a big database holds the GIL for a while; written first, the change would
        reach the screen only after it. The writer never waits more than PAINT_WAIT_LIMIT,
        so a screen that never says it painted delays a write, never stops it.
        """
        with self._wake:
            if self._paint_due is None:  # a burst of changes waits no longer than its first
                self._paint_due = time.monotonic() + PAINT_WAIT_LIMIT

    def painted(self) -> None:
        """The screen shows the changes made so far: the writer may go on."""
        with self._wake:
            self._paint_due = None
            self._wake.notify_all()

    def retry_now(self) -> None:
        """Try again at once (the user asked, or the disk was freed)."""
        self._poke()

    def _run(self) -> None:
        while True:
            with self._wake:
                while True:
                    has_work = bool(self.pending)
                    if self._closing and (not has_work or self._failures):
                        self._wake.notify_all()
                        return
                    now = time.monotonic()
                    if has_work and (self._poked or now >= self._next_attempt):
                        self._poked = False
                        self._begun += 1
                        break
                    timeout = None
                    if has_work:
                        timeout = max(0.0, self._next_attempt - now)
                    self._wake.wait(timeout)
            if self._gather_delay and not self._closing:
                time.sleep(self._gather_delay)
            self._wait_for_paint()
            self._attempt()

    def _wait_for_paint(self) -> None:
        with self._wake:
            while self._paint_due is not None and not self._closing:
                left = self._paint_due - time.monotonic()
                if left <= 0:
                    break
                self._wake.wait(left)
            self._paint_due = None

    def _attempt(self) -> None:
        changes = self.pending.snapshot()
        error: str | None = None
        try:
            self.store.merge_changes(changes)
        except ReaderError as exc:
            error = str(exc)
        except Exception as exc:  # a bug must not stop saving: keep the changes, say why
            error = f"could not save: {type(exc).__name__}: {exc}"
        with self._wake:
            if error is None:
                self.pending.forget(changes)
                self._failures = 0
                self._error = None
            else:
                delay = self._retry_delays[min(self._failures, len(self._retry_delays) - 1)]
                self._failures += 1
                self._error = error
                self._next_attempt = time.monotonic() + delay
            self._attempts += 1
            self._wake.notify_all()
        self._publish()

    def flush(self, timeout: float = 10.0) -> bool:
        """Write everything pending now; True once it is all on disk.

        False when an attempt made for this flush failed, or `timeout` passed first.
        """
        deadline = time.monotonic() + timeout
        with self._wake:
            if not self.pending:
                return True
            # The first attempt to begin after this call has everything pending now.
            first = self._begun + 1
            self._poked = True
            self._paint_due = None  # what must be on disk now waits for no screen
            self._wake.notify_all()
            while self.pending:
                if self._attempts >= first and self._error is not None:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
            return True

    def close(self, timeout: float = 10.0) -> bool:
        """Flush, then stop the writer; True when nothing was left unwritten."""
        flushed = self.flush(timeout)
        with self._wake:
            self._closing = True
            self._wake.notify_all()
        self._thread.join(max(0.0, timeout))
        return flushed and not self.pending

    # -- what cannot be written -------------------------------------------------------------

    def write_changes_file(self, candidates: Iterable[Path] | None = None) -> Path | None:
        """Put everything pending in a changes file; its path (None: nothing was pending).

        Tries each candidate path in turn (default: emergency.py's places for this database);
        raises ReaderError when none could be written.
        """
        from readertui.store.emergency import emergency_paths, write_emergency_file

        changes = self.pending.snapshot()
        if not len(self.pending):
            return None
        places = list(candidates) if candidates is not None else emergency_paths(self.store.path)
        return write_emergency_file(changes, self.store.path, places)
