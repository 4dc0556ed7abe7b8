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
from readertui.store.atomic_storage import (
    AtomicJSONStorage,
    FileStamp,
    FileVersion,
    write_bytes_atomically,
)
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


# --- the order of the write: what makes it atomic and durable ----------------------------------


class Recorder:
    """Records the file system calls of a write: opens (fd -> path), fsyncs and renames."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, str]] = []
        self.paths: dict[int, str] = {}
        real_open, real_fsync, real_replace = os.open, os.fsync, os.replace

        def record_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            fd = real_open(path, flags, *args, **kwargs)
            self.paths[fd] = os.fsdecode(path)
            self.events.append(("open", os.fsdecode(path)))
            return fd

        def record_fsync(fd: Any) -> None:
            number = fd if isinstance(fd, int) else fd.fileno()
            self.events.append(("fsync", self.paths.get(number, f"fd {number}")))
            real_fsync(fd)

        def record_replace(source: Any, target: Any) -> None:
            self.events.append(("replace", f"{os.fsdecode(source)} -> {os.fsdecode(target)}"))
            real_replace(source, target)

        monkeypatch.setattr(os, "open", record_open)
        monkeypatch.setattr(os, "fsync", record_fsync)
        monkeypatch.setattr(os, "replace", record_replace)

    def renames(self) -> list[tuple[Path, Path]]:
        found = [event[1].split(" -> ") for event in self.events if event[0] == "replace"]
        return [(Path(source), Path(target)) for source, target in found]


@pytest.mark.parametrize("private", [True, False])
def test_the_temporary_file_is_made_in_the_target_s_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private: bool
) -> None:
    """A rename is atomic only within one folder of one file system: a temporary file made
    anywhere else (the system's temp folder) would make it a copy, or fail across devices."""
    target = tmp_path / "data" / "annotations.json"
    recorder = Recorder(monkeypatch)
    write_bytes_atomically(target, b"{}", private=private)
    ((source, renamed),) = recorder.renames()
    assert renamed == target
    assert source.parent == target.parent
    assert source.name.startswith(f".{target.name}.") and source.name.endswith(".tmp")


@pytest.mark.parametrize("private", [True, False])
def test_the_data_and_then_the_folder_are_fsynced_around_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private: bool
) -> None:
    """The temporary file's bytes reach the disk before the rename, and the folder (which
    holds the rename) after it: otherwise a power cut can undo the rename, or keep it with
    a file whose data never arrived."""
    target = tmp_path / "data" / "annotations.json"
    target.parent.mkdir()
    recorder = Recorder(monkeypatch)
    write_bytes_atomically(target, b"{}", private=private)
    events = recorder.events
    ((source, _),) = recorder.renames()
    rename = next(i for i, event in enumerate(events) if event[0] == "replace")
    assert ("fsync", str(source)) in events[:rename]
    assert ("fsync", str(target.parent)) in events[rename:]


def test_a_symlinked_target_is_written_beside_its_real_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform == "win32":
        pytest.skip("symlinks")
    real = tmp_path / "synced" / "annotations.json"
    real.parent.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(real)
    recorder = Recorder(monkeypatch)
    write_bytes_atomically(link, b"{}")
    ((source, renamed),) = recorder.renames()
    assert renamed == real and source.parent == real.parent
    assert ("fsync", str(real.parent)) in recorder.events
