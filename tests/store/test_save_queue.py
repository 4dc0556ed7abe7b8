"""The save queue: changes reach the database in the background, survive failed writes, are
retried until written, are seen by reads meanwhile, and can be kept in a changes file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from readertui.errors import StoreError
from readertui.store import save_queue
from readertui.store.changes_file import read_changes_file
from readertui.store.emergency import emergency_paths, find_emergency_files
from readertui.store.merge import Snapshot
from readertui.store.pending import PendingChanges
from readertui.store.save_queue import SaveQueue, SaveState
from readertui.store.store import Store
from tests.store.builders import annotation, stamp


class BreakableStore(Store):
    """A real store whose writes can be made to fail, as on a full disk."""

    broken = False
    attempts = 0

    def merge_changes(self, changes: Snapshot) -> None:
        self.attempts += 1
        if self.broken:
            raise StoreError(f"cannot save to {self.path}: No space left on device")
        super().merge_changes(changes)


def on_disk(db_path: Path) -> dict[str, str]:
    with Store(db_path) as store:
        return {a.id: a.note for a in store.annotations()}


@pytest.fixture
def store(db_path: Path) -> BreakableStore:
    return BreakableStore(db_path)


def queue(store: Store, states: list[SaveState] | None = None) -> SaveQueue:
    return SaveQueue(
        store,
        (states.append if states is not None else lambda state: None),
        retry_delays=(0.2, 0.4),
        gather_delay=0,
    )


def test_changes_are_written_in_the_background(store: BreakableStore, db_path: Path) -> None:
    saves = queue(store)
    first, second = annotation(note="one"), annotation(note="two", start=10, end=15)
    saves.save_annotation(first)
    saves.save_annotation(second)
    assert saves.flush(5)
    assert saves.state.label == "saved"
    assert on_disk(db_path) == {first.id: "one", second.id: "two"}
    assert saves.close()


def _written_within(store: BreakableStore, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if store.attempts:
            return True
        time.sleep(0.005)
    return False


@pytest.fixture
def slow_paint(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen may take 5 s to paint: waiting for it shows, not waiting shows."""
    monkeypatch.setattr(save_queue, "PAINT_WAIT_LIMIT", 5.0)


@pytest.mark.usefixtures("slow_paint")
def test_a_change_waits_for_the_screen_to_show_it_before_it_is_written(
    store: BreakableStore, db_path: Path
) -> None:
    # Encoding a big database holds the GIL: written first, a highlight would reach the
    # screen only after the write.
    saves = queue(store)
    saves.hold_for_paint()
    first = annotation(note="one")
    saves.save_annotation(first)
    assert not _written_within(store, 0.3)
    saves.painted()
    assert _written_within(store, 2)
    assert saves.flush(5)
    assert on_disk(db_path) == {first.id: "one"}
    assert saves.close()


def test_a_screen_that_never_paints_delays_a_write_but_never_stops_it(
    store: BreakableStore, db_path: Path
) -> None:
    saves = queue(store)
    saves.hold_for_paint()
    saves.save_annotation(annotation(note="one"))
    started = time.monotonic()
    assert _written_within(store, 10)
    assert time.monotonic() - started < 5  # PAINT_WAIT_LIMIT is a quarter of a second
    assert saves.close()


def test_a_burst_of_changes_waits_for_the_screen_no_longer_than_its_first(
    store: BreakableStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(save_queue, "PAINT_WAIT_LIMIT", 0.5)
    saves = queue(store)
    started = time.monotonic()
    written_at = None
    for n in range(25):  # a change every 0.1 s for 2.5 s, the screen never saying it painted
        saves.hold_for_paint()
        saves.save_annotation(annotation(note=f"change {n}"))
        time.sleep(0.1)
        if written_at is None and store.attempts:
            written_at = time.monotonic() - started
    assert written_at is not None and written_at < 1.5
    assert saves.close()


@pytest.mark.usefixtures("slow_paint")
def test_a_flush_waits_for_no_screen(store: BreakableStore, db_path: Path) -> None:
    saves = queue(store)
    saves.hold_for_paint()
    saves.save_annotation(annotation(note="one"))
    started = time.monotonic()
    assert saves.flush(10)
    assert time.monotonic() - started < 4
    assert saves.close()


def test_a_change_made_while_the_disk_is_full_is_written_once_it_is_freed(
    store: BreakableStore, db_path: Path
) -> None:
    """Issue 8 item 5: A saved; disk full, B NOT SAVED; disk freed, C: the file holds A, B, C."""
    states: list[SaveState] = []
    saves = queue(store, states)
    a, b, c = (annotation(note=n, start=i * 10, end=i * 10 + 5) for i, n in enumerate("ABC"))
    saves.save_annotation(a)
    assert saves.flush(5)
    store.broken = True
    saves.save_annotation(b)
    assert not saves.flush(5)
    assert saves.state.label == "NOT SAVED"
    assert "No space left on device" in (saves.state.error or "")
    assert on_disk(db_path) == {a.id: "A"}
    store.broken = False
    saves.save_annotation(c)
    assert saves.flush(5)
    assert on_disk(db_path) == {a.id: "A", b.id: "B", c.id: "C"}
    assert states[-1].label == "saved"
    assert any(state.label == "NOT SAVED" for state in states)
    saves.close()


def test_failed_writes_are_retried_without_a_new_change(
    store: BreakableStore, db_path: Path
) -> None:
    saves = queue(store)
    store.broken = True
    lost = annotation(note="retried")
    saves.save_annotation(lost)
    assert not saves.flush(5)
    attempts = store.attempts
    time.sleep(0.5)
    assert store.attempts > attempts, "no retry happened by itself"
    store.broken = False
    deadline = time.monotonic() + 5
    while saves.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert on_disk(db_path) == {lost.id: "retried"}
    assert saves.state.saved
    saves.close()


def test_a_failing_flush_answers_quickly(store: BreakableStore) -> None:
    saves = queue(store)
    store.broken = True
    saves.save_annotation(annotation())
    started = time.monotonic()
    assert not saves.flush(10)
    assert time.monotonic() - started < 2
    saves.close(0.5)


def test_reads_see_what_is_still_pending(store: BreakableStore) -> None:
    kept = annotation("a.txt", 0, 5, note="kept")
    gone = annotation("a.txt", 10, 15, note="gone")
    store.save_annotations([kept, gone])
    store.set_reading_position("a.txt", 3)
    saves = queue(store)
    store.broken = True
    new = annotation("a.txt", 20, 25, note="new")
    saves.save_annotation(new)
    saves.save_annotation(kept.touched(note="edited"))
    saves.delete_annotation(gone.id)
    saves.set_reading_position("a.txt", 40)
    saves.set_document_tags("a.txt", ["Place/Jiayuguan", "place/jiayuguan", "steel"])
    saves.set_last_document("a.txt")
    notes = {a.id: a.note for a in saves.annotations("a.txt")}
    assert notes == {kept.id: "edited", new.id: "new"}
    assert [a.id for a in saves.annotations()] == [kept.id, new.id]
    assert saves.annotations("b.txt") == []
    assert saves.reading_position("a.txt") == 40
    assert saves.document_tags("a.txt") == ("Place/Jiayuguan", "steel")
    assert saves.last_document() == "a.txt"
    assert store.reading_position("a.txt") == 3  # not written: the disk is "full"
    saves.close(0.3)


def test_an_older_copy_never_replaces_a_newer_pending_one() -> None:
    pending = PendingChanges()
    note = annotation(id="x", updated=stamp(5), note="newer")
    pending.save_annotation(note)
    pending.save_annotation(annotation(id="x", updated=stamp(1), note="older"))
    assert pending.snapshot().annotations["x"]["note"] == "newer"


def test_a_change_made_while_writing_is_not_forgotten() -> None:
    pending = PendingChanges()
    pending.save_annotation(annotation(id="x", updated=stamp(1), note="first"))
    pending.set_reading_position("a.txt", 1)
    written = pending.snapshot()
    pending.save_annotation(annotation(id="x", updated=stamp(2), note="second"))
    pending.forget(written)
    left = pending.snapshot()
    assert left.annotations["x"]["note"] == "second"
    assert left.documents == {}
    assert len(pending) == 1
    assert pending.summary() == "1 highlight or note"


def test_many_threads_queueing_at_once_lose_nothing(store: BreakableStore, db_path: Path) -> None:
    saves = queue(store)
    made: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for k in range(25):
            note = annotation(start=n * 100 + k, end=n * 100 + k + 1, note=f"{n}/{k}")
            with lock:
                made.append(note.id)
            saves.save_annotation(note)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert saves.flush(10)
    assert sorted(on_disk(db_path)) == sorted(made)
    saves.close()


def test_what_cannot_be_written_goes_to_a_changes_file_the_next_start_finds(
    store: BreakableStore, db_path: Path
) -> None:
    saves = queue(store)
    store.broken = True
    note = annotation(note="kept for later")
    saves.save_annotation(note)
    saves.delete_annotation("some-other-id")
    assert not saves.flush(2)
    path = saves.write_changes_file()
    assert path is not None
    assert path.parent == db_path.parent
    assert path.stat().st_mode & 0o777 == 0o600
    saves.close(0.3)
    changes, _ = read_changes_file(path)
    assert set(changes.annotations) == {note.id}
    ((found, found_changes, _),) = find_emergency_files(db_path)
    assert found == path
    # The next start merges it: once, and a second merge changes nothing.
    with Store(db_path) as fresh:
        fresh.merge_changes(found_changes)
        fresh.merge_changes(found_changes)
    assert on_disk(db_path) == {note.id: "kept for later"}


def test_the_changes_file_goes_elsewhere_when_the_database_folder_refuses_it(
    store: BreakableStore, db_path: Path
) -> None:
    saves = queue(store)
    store.broken = True
    saves.save_annotation(annotation(note="x"))
    blocked = db_path.parent / "not-a-folder"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where a folder should be", encoding="utf-8")
    beside, *elsewhere = emergency_paths(db_path)
    path = saves.write_changes_file([blocked / beside.name, *elsewhere])
    assert path is not None and path.parent != db_path.parent
    assert [found for found, _, _ in find_emergency_files(db_path)] == [path]
    saves.close(0.3)


def test_changes_files_of_another_database_are_not_offered(
    store: BreakableStore, db_path: Path, tmp_path: Path
) -> None:
    saves = queue(store)
    store.broken = True
    saves.save_annotation(annotation())
    saves.write_changes_file()
    saves.close(0.3)
    other = tmp_path / "other" / "annotations.json"
    assert find_emergency_files(other) == []
