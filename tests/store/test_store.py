"""The Store: reading positions survive restarts, bad files are refused, never overwritten."""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.errors import StoreError
from readertui.store import store as store_module
from readertui.store.errors import StoreCorruptError
from readertui.store.store import (
    MAX_BACKUPS,
    SCHEMA_VERSION,
    Store,
    backup_folder,
    newest_backup,
)


def saved(db_path: Path) -> Any:
    return json.loads(db_path.read_text(encoding="utf-8"))


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def make_backup(db_path: Path, stamp: str, content: str = "{}") -> Path:
    folder = backup_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    backup = folder / f"{db_path.stem}-{stamp}.json"
    backup.write_text(content, encoding="utf-8")
    return backup


# --- reading positions -------------------------------------------------------------------------


def test_position_survives_reopening(db_path: Path) -> None:
    with Store(db_path) as store:
        assert store.reading_position("reports/delegation.txt") is None
        store.set_reading_position("reports/delegation.txt", 1234)
        assert store.reading_position("reports/delegation.txt") == 1234
    with Store(db_path) as store:
        assert store.reading_position("reports/delegation.txt") == 1234
        assert store.reading_position("other.txt") is None


def test_each_change_is_on_disk_before_the_call_returns(db_path: Path) -> None:
    store = Store(db_path)
    store.set_reading_position("a.txt", 10)
    store.set_reading_position("a.txt", 20)
    # No close(): a kill -9 now must not lose the last position.
    records = saved(db_path)["documents"].values()
    assert [(r["path"], r["position"]) for r in records] == [("a.txt", 20)]
    store.close()


def test_new_database_is_created_private_with_a_schema_version(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_reading_position("a.txt", 1)
    assert saved(db_path)["_meta"] == {"1": {"schema": SCHEMA_VERSION}}
    if sys.platform != "win32":
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_opening_alone_creates_no_file(db_path: Path) -> None:
    with Store(db_path) as store:
        assert store.reading_position("a.txt") is None
    assert not db_path.exists()


def test_unchanged_position_is_not_rewritten(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_reading_position("a.txt", 5)
        inode = db_path.stat().st_ino
        store.set_reading_position("a.txt", 5)
        # Every real write replaces the file with a new one, so the same inode means no write.
        assert db_path.stat().st_ino == inode
        store.set_reading_position("a.txt", 6)
        assert db_path.stat().st_ino != inode


def test_other_fields_of_a_document_are_kept(db_path: Path) -> None:
    write_json(
        db_path,
        {
            "_meta": {"1": {"schema": 1}},
            "documents": {"7": {"path": "a.txt", "position": 1, "tags": ["draft"]}},
        },
    )
    with Store(db_path) as store:
        store.set_reading_position("a.txt", 99)
    record = saved(db_path)["documents"]["7"]
    # Each field group carries its own time, so two processes merge positions and tags apart.
    assert record.pop("position_updated") > "2025"
    assert record == {"path": "a.txt", "position": 99, "tags": ["draft"]}


def test_hand_edited_bad_position_reads_as_none(db_path: Path) -> None:
    write_json(
        db_path,
        {"_meta": {"1": {"schema": 1}}, "documents": {"1": {"path": "a.txt", "position": "x"}}},
    )
    with Store(db_path) as store:
        assert store.reading_position("a.txt") is None
        store.set_reading_position("a.txt", 3)
        assert store.reading_position("a.txt") == 3


@pytest.mark.parametrize("bad", [-1, True, 1.5])
def test_nonsense_positions_are_refused(db_path: Path, bad: Any) -> None:
    with Store(db_path) as store, pytest.raises(ValueError):
        store.set_reading_position("a.txt", bad)
    assert not db_path.exists()


def test_positions_written_from_many_threads_are_all_kept(db_path: Path) -> None:
    store = Store(db_path)

    def reader_thread(number: int) -> None:
        for offset in range(5):
            store.set_reading_position(f"doc-{number}.txt", offset * 100 + number)

    threads = [threading.Thread(target=reader_thread, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    with Store(db_path) as reopened:
        for number in range(8):
            assert reopened.reading_position(f"doc-{number}.txt") == 400 + number


def test_a_closed_store_refuses_work(db_path: Path) -> None:
    store = Store(db_path)
    store.close()
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.reading_position("a.txt")


@settings(max_examples=30, deadline=None)
@given(
    positions=st.dictionaries(
        st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=2**63), max_size=8
    )
)
def test_any_positions_round_trip_through_the_file(positions: dict[str, int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "annotations.json"
        with Store(db_path) as store:
            for rel_path, offset in positions.items():
                store.set_reading_position(rel_path, offset)
        with Store(db_path) as store:
            assert {path: store.reading_position(path) for path in positions} == positions


# --- failures while saving ---------------------------------------------------------------------


def test_disk_full_keeps_file_and_memory_on_the_last_saved_state(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(db_path)
    store.set_reading_position("a.txt", 10)
    before = db_path.read_bytes()

    def disk_full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(StoreError) as caught:
        store.set_reading_position("a.txt", 20)
    with pytest.raises(StoreError):
        store.set_reading_position("b.txt", 5)
    monkeypatch.undo()

    assert str(caught.value) == f"cannot save to {db_path}: No space left on device"
    assert db_path.read_bytes() == before
    # What the reader sees is what is on disk, not the change that failed.
    assert store.reading_position("a.txt") == 10
    assert store.reading_position("b.txt") is None
    # Once there is room again, saving works.
    store.set_reading_position("a.txt", 30)
    store.close()
    with Store(db_path) as reopened:
        assert reopened.reading_position("a.txt") == 30


# --- corrupt and foreign files -----------------------------------------------------------------


def test_corrupt_file_is_refused_untouched_and_the_backup_named(db_path: Path) -> None:
    make_backup(db_path, "20240101-120000")
    newest = make_backup(db_path, "20250301-090000")
    make_backup(db_path, "20250201-090000")
    db_path.write_text('{"documents": {"1": {', encoding="utf-8")
    before = db_path.read_bytes()

    with pytest.raises(StoreCorruptError) as caught:
        Store(db_path)

    error = caught.value
    assert error.path == db_path
    assert error.newest_backup == newest
    message = str(error)
    assert "\n" not in message
    assert str(db_path) in message
    assert "not valid JSON" in message
    assert str(newest) in message
    assert db_path.read_bytes() == before
    # A corrupt file is not backed up either: it would push a good backup out of the ten kept.
    assert newest_backup(db_path) == newest


def test_corrupt_file_without_backups_says_so(db_path: Path) -> None:
    write_json(db_path, ["not", "a", "database"])
    with pytest.raises(StoreCorruptError, match="there is no backup"):
        Store(db_path)


def test_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    write_json(db_path, {"_meta": {"1": {"schema": SCHEMA_VERSION + 1}}, "documents": {}})
    before = db_path.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store(db_path)
    assert not isinstance(caught.value, StoreCorruptError)
    assert f"newer readertui (schema {SCHEMA_VERSION + 1}" in str(caught.value)
    assert str(caught.value).endswith("upgrade readertui")
    assert db_path.read_bytes() == before


def test_schema_that_is_not_a_number_is_corrupt(db_path: Path) -> None:
    write_json(db_path, {"_meta": {"1": {"schema": "one"}}})
    with pytest.raises(StoreCorruptError, match="schema version 'one'"):
        Store(db_path)


# --- migrations --------------------------------------------------------------------------------


def test_unversioned_file_is_migrated_and_keeps_its_positions(db_path: Path) -> None:
    write_json(db_path, {"documents": {"1": {"path": "a.txt", "position": 42}}})
    with Store(db_path) as store:
        assert store.reading_position("a.txt") == 42
        store.set_reading_position("b.txt", 7)
    data = saved(db_path)
    assert data["_meta"] == {"1": {"schema": SCHEMA_VERSION}}
    paths = {r["path"]: r["position"] for r in data["documents"].values()}
    assert paths == {"a.txt": 42, "b.txt": 7}


def test_migrations_run_in_order_up_to_the_current_schema(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A future schema that renames a field: files of every older schema arrive at it."""
    future = SCHEMA_VERSION + 1

    def rename_offset(tables: dict[str, dict[str, Any]]) -> None:
        for record in tables.get("documents", {}).values():
            if "offset" in record:
                record["position"] = record.pop("offset")

    monkeypatch.setattr(store_module, "SCHEMA_VERSION", future)
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, rename_offset])
    write_json(db_path, {"documents": {"1": {"path": "a.txt", "offset": 42}}})
    with Store(db_path) as store:
        assert store.reading_position("a.txt") == 42
        store.set_reading_position("a.txt", 43)
    data = saved(db_path)
    assert data["_meta"] == {"1": {"schema": future}}
    record = data["documents"]["1"]
    del record["position_updated"]
    assert record == {"path": "a.txt", "position": 43, "tags": []}


# --- backups -----------------------------------------------------------------------------------


def test_first_open_backs_up_the_file_once_per_process(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_reading_position("a.txt", 1)
    assert newest_backup(db_path) is None  # there was no file to back up at the first open

    other = db_path.with_name("other.json")
    write_json(other, {"_meta": {"1": {"schema": 1}}, "documents": {}})
    with Store(other) as store:
        assert store.backup is not None
        assert store.backup.read_bytes() == other.read_bytes()
        assert store.backup.parent == other.parent / "backups"
        if sys.platform != "win32":
            assert stat.S_IMODE(store.backup.stat().st_mode) == 0o600
        store.set_reading_position("b.txt", 2)
    with Store(other) as again:
        assert again.backup is None
    assert len(list(backup_folder(other).glob("other-*.json"))) == 1


def test_a_file_unchanged_since_its_last_backup_is_not_copied_again(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `readertui list` is a new process opening the store: unchanged, no new backup, so
    ten of them cannot push out the backups worth keeping."""
    write_json(db_path, {"_meta": {"1": {"schema": 1}}, "documents": {}})
    for _ in range(3):
        monkeypatch.setattr(store_module, "_backed_up", set())  # as if a new process
        Store(db_path).close()
    assert len(list(backup_folder(db_path).iterdir())) == 1
    with Store(db_path) as store:
        store.set_reading_position("a.txt", 5)
    monkeypatch.setattr(store_module, "_backed_up", set())
    with Store(db_path) as reopened:
        assert reopened.backup is not None
    assert len(list(backup_folder(db_path).iterdir())) == 2


def test_only_the_newest_backups_are_kept(db_path: Path) -> None:
    old = [make_backup(db_path, f"2024{month:02d}01-000000") for month in range(1, 13)]
    write_json(db_path, {"_meta": {"1": {"schema": 1}}})
    with Store(db_path) as store:
        assert store.backup is not None
        new = store.backup
    remaining = sorted(backup_folder(db_path).iterdir())
    assert len(remaining) == MAX_BACKUPS
    assert new in remaining
    assert old[0] not in remaining and old[1] not in remaining and old[2] not in remaining
    assert newest_backup(db_path) == new


def test_backups_taken_in_the_same_second_sort_by_counter(db_path: Path) -> None:
    make_backup(db_path, "20250101-000000")
    second = backup_folder(db_path) / f"{db_path.stem}-20250101-000000-1.json"
    second.write_text("{}", encoding="utf-8")
    assert newest_backup(db_path) == second


def test_a_failed_backup_does_not_stop_reading(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(db_path, {"documents": {"1": {"path": "a.txt", "position": 3}}})

    def disk_full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", disk_full)
    store = Store(db_path)
    monkeypatch.undo()
    assert store.backup is None
    assert store.backup_error is not None
    assert "No space left on device" in store.backup_error
    assert store.reading_position("a.txt") == 3
    store.close()


def test_last_document_is_remembered_across_reopen(tmp_path: Path) -> None:
    db = tmp_path / "annotations.json"
    with Store(db) as store:
        assert store.last_document() is None
        store.set_last_document("novels/war-and-peace.txt")
    with Store(db) as store:
        assert store.last_document() == "novels/war-and-peace.txt"
