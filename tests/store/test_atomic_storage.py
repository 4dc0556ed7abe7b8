"""The database file is replaced atomically: after any failure the old file is still there."""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from readertui.errors import StoreError
from readertui.store.atomic_storage import AtomicJSONStorage, FileStamp, FileVersion
from readertui.store.errors import StoreCorruptError

OLD = {"documents": {"1": {"path": "old.txt", "position": 1}}}
NEW = {"documents": {"1": {"path": "new.txt", "position": 2}}}

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def saved(db_path: Path) -> Any:
    return json.loads(db_path.read_text(encoding="utf-8"))


def leftovers(db_path: Path) -> list[str]:
    """Files in the database folder other than the database itself (e.g. stray temp files)."""
    return sorted(entry.name for entry in db_path.parent.iterdir() if entry != db_path)


@pytest.fixture
def storage_with_old(db_path: Path) -> AtomicJSONStorage:
    storage = AtomicJSONStorage(db_path)
    storage.write(OLD)
    return storage


def test_round_trip_creates_folder_and_file(db_path: Path) -> None:
    storage = AtomicJSONStorage(db_path)
    storage.write(NEW)
    assert storage.read() == NEW
    assert AtomicJSONStorage(db_path).read() == NEW
    assert leftovers(db_path) == []


@posix_only
def test_file_is_private_to_the_user(db_path: Path) -> None:
    AtomicJSONStorage(db_path).write(NEW)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700


@posix_only
def test_rewrite_makes_a_loosened_file_private_again(storage_with_old: AtomicJSONStorage) -> None:
    os.chmod(storage_with_old.path, 0o644)
    storage_with_old.write(NEW)
    assert stat.S_IMODE(storage_with_old.path.stat().st_mode) == 0o600


def test_missing_or_empty_file_is_a_new_database(db_path: Path) -> None:
    assert AtomicJSONStorage(db_path).read() is None
    db_path.parent.mkdir()
    db_path.write_text("  \n", encoding="utf-8")
    assert AtomicJSONStorage(db_path).read() is None


def test_torn_json_is_reported_with_where_it_breaks(db_path: Path) -> None:
    db_path.parent.mkdir()
    db_path.write_text('{"documents": {"1": {"path": "a', encoding="utf-8")
    with pytest.raises(StoreCorruptError) as caught:
        AtomicJSONStorage(db_path).read()
    assert caught.value.path == db_path
    assert "not valid JSON" in caught.value.detail
    assert "line 1" in caught.value.detail
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("[1, 2]", "top level is a list"),
        ('{"documents": 3}', "table 'documents' is a number"),
        ('{"documents": {"1": "x"}}', "entry '1' of table 'documents' is a string"),
    ],
)
def test_json_that_is_not_a_database_is_corrupt(
    db_path: Path, content: str, complaint: str
) -> None:
    db_path.parent.mkdir()
    db_path.write_text(content, encoding="utf-8")
    with pytest.raises(StoreCorruptError, match=complaint):
        AtomicJSONStorage(db_path).read()


def test_replace_failing_leaves_the_old_file(
    storage_with_old: AtomicJSONStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: object, dst: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreError, match="Input/output error"):
        storage_with_old.write(NEW)
    monkeypatch.undo()
    assert saved(storage_with_old.path) == OLD
    assert leftovers(storage_with_old.path) == []


def test_crash_half_way_through_writing_leaves_the_old_file(
    storage_with_old: AtomicJSONStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def write_half_then_die(fd: int, data: bytes | memoryview) -> int:
        real_write(fd, bytes(data)[: len(data) // 2])
        raise KeyboardInterrupt  # stands in for the process being killed mid-write

    monkeypatch.setattr(os, "write", write_half_then_die)
    with pytest.raises(KeyboardInterrupt):
        storage_with_old.write(NEW)
    monkeypatch.undo()
    assert saved(storage_with_old.path) == OLD
    assert leftovers(storage_with_old.path) == []


@pytest.mark.parametrize("failing_call", ["write", "fsync"])
def test_disk_full_keeps_the_old_file_with_a_one_line_message(
    storage_with_old: AtomicJSONStorage, monkeypatch: pytest.MonkeyPatch, failing_call: str
) -> None:
    def disk_full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, failing_call, disk_full)
    with pytest.raises(StoreError) as caught:
        storage_with_old.write(NEW)
    monkeypatch.undo()
    assert str(caught.value) == f"cannot save to {storage_with_old.path}: No space left on device"
    assert saved(storage_with_old.path) == OLD
    assert leftovers(storage_with_old.path) == []


def test_unserialisable_data_never_touches_the_file(
    storage_with_old: AtomicJSONStorage,
) -> None:
    before = storage_with_old.path.read_bytes()
    with pytest.raises(StoreError, match="cannot save"):
        storage_with_old.write({"documents": {"1": {"tags": {"a", "b"}}}})
    assert storage_with_old.path.read_bytes() == before
    assert leftovers(storage_with_old.path) == []


def test_text_stays_readable_in_the_file(db_path: Path) -> None:
    AtomicJSONStorage(db_path).write({"documents": {"1": {"path": "嘉峪关/“quotes”.txt"}}})
    assert "嘉峪关/“quotes”.txt" in db_path.read_text(encoding="utf-8")


def test_file_names_that_are_not_utf8_survive(db_path: Path) -> None:
    # os.fsdecode turns a Latin-1 byte in a file name into a lone surrogate.
    name = os.fsdecode(b"caf\xe9.txt") if os.name == "posix" else "caf\udce9.txt"
    storage = AtomicJSONStorage(db_path)
    storage.write({"documents": {"1": {"path": name}}})
    assert AtomicJSONStorage(db_path).read() == {"documents": {"1": {"path": name}}}


@posix_only
def test_symlinked_database_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "synced" / "annotations.json"
    AtomicJSONStorage(real).write(OLD)
    link = tmp_path / "annotations.json"
    link.symlink_to(real)
    AtomicJSONStorage(link).write(NEW)
    assert link.is_symlink()
    assert saved(real) == NEW


@posix_only
def test_unreadable_file_is_a_store_error_not_corruption(
    storage_with_old: AtomicJSONStorage,
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read anything")
    os.chmod(storage_with_old.path, 0)
    with pytest.raises(StoreError, match="Permission denied") as caught:
        storage_with_old.read()
    assert not isinstance(caught.value, StoreCorruptError)


def test_a_version_tells_when_the_file_was_replaced(storage_with_old: AtomicJSONStorage) -> None:
    tables, version = storage_with_old.read_version()
    assert tables == OLD
    assert version.is_current(storage_with_old.path)
    storage_with_old.write(NEW)
    assert not version.is_current(storage_with_old.path)
    version.close()
    version.close()


def test_no_file_is_a_version_too(db_path: Path) -> None:
    tables, version = AtomicJSONStorage(db_path).read_version()
    assert tables is None
    assert version.is_current(db_path)
    AtomicJSONStorage(db_path).write(NEW)
    assert not version.is_current(db_path)


def test_a_version_taken_after_writing_matches_the_file(db_path: Path) -> None:
    storage = AtomicJSONStorage(db_path)
    storage.write(OLD)
    version = FileVersion.open(db_path)
    assert version.stamp == FileStamp.of(os.stat(db_path))
    assert version.is_current(db_path)
    version.close()
    assert FileVersion.open(db_path.with_name("missing.json")).stamp is None
