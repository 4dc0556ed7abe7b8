"""A database path that is not a regular file (a device, a FIFO, a folder) is never read or written.

`readertui import --db /dev/null` once replaced the system's null device with a regular file;
`/dev/zero` read until memory ran out; a FIFO hung for ever. Each is refused in one line, by
the Store and by the atomic write, and left as it was. Device nodes are made in tmp_path
(never the real /dev), which needs root; without it those cases are skipped.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from readertui.errors import StoreError
from readertui.store.atomic_storage import AtomicJSONStorage, write_bytes_atomically
from readertui.store.store import Store
from tests.store.builders import annotation

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and device nodes")
# How long a call may take before it counts as hanging (a FIFO open waits for ever).
PATIENCE = 10.0


def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_device(path: Path, minor: int) -> Path:
    """A character device like /dev/null (1, 3) or /dev/zero (1, 5), made at `path`."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root; the real /dev is never used")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


def make_folder(path: Path) -> Path:
    path.mkdir()
    return path


def make_link_to_fifo(path: Path) -> Path:
    path.symlink_to(make_fifo(path.with_name("real-fifo")))
    return path


def make_link_to_folder(path: Path) -> Path:
    path.symlink_to(make_folder(path.with_name("real-folder")), target_is_directory=True)
    return path


KINDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (make_fifo, "a FIFO (named pipe)"),
    "folder": (make_folder, "a folder"),
    "symlink to a fifo": (make_link_to_fifo, "a FIFO (named pipe)"),
    "symlink to a folder": (make_link_to_folder, "a folder"),
    "null device": (lambda path: make_device(path, 3), "a character device"),
    "zero device": (lambda path: make_device(path, 5), "a character device"),
}


def within(seconds: float, call: Callable[[], object]) -> BaseException | None:
    """Run `call` in a thread; the exception it raised (None if none). Fails if it hangs."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except BaseException as error:  # handed back to the test
            outcome.append(error)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s (hung on a FIFO or device?)"
    return outcome[0]


def state(path: Path) -> tuple[int, int, int]:
    """What the thing at `path` is (type and inode): unchanged means left alone."""
    info = os.lstat(path)
    target = os.stat(path)
    return info.st_mode, target.st_mode, target.st_ino


@posix_only
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_store_refuses_a_path_that_is_not_a_regular_file(kind: str, tmp_path: Path) -> None:
    make, described = KINDS[kind]
    path = make(tmp_path / "annotations.json")
    before = state(path)

    error = within(PATIENCE, lambda: Store(path))

    assert isinstance(error, StoreError), error
    message = str(error)
    assert "\n" not in message
    assert str(path) in message and described in message
    assert "regular file" in message
    assert state(path) == before
    # Nothing was made beside it either (no lock file, no backup folder).
    assert sorted(entry.name for entry in tmp_path.iterdir()) == sorted(
        {path.name}
        | ({"real-fifo"} if "fifo" in kind and "symlink" in kind else set())
        | ({"real-folder"} if "folder" in kind and "symlink" in kind else set())
    )


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "null device", "zero device", "folder"])
def test_an_atomic_write_never_replaces_what_is_not_a_regular_file(
    kind: str, tmp_path: Path
) -> None:
    make, described = KINDS[kind]
    path = make(tmp_path / "target.json")
    before = state(path)
    for private in (True, False):

        def write(private: bool = private) -> None:
            write_bytes_atomically(path, b"{}", private=private)

        error = within(PATIENCE, write)
        assert isinstance(error, StoreError), error
        assert str(error) == f"cannot save to {path}: it is {described}, not a regular file"
        assert state(path) == before
    # No temporary file was left behind.
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name]


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "null device"])
def test_reading_never_waits_on_what_is_not_a_regular_file(kind: str, tmp_path: Path) -> None:
    """The Store checks first; the storage's own read refuses too, without blocking."""
    make, described = KINDS[kind]
    path = make(tmp_path / "annotations.json")
    error = within(PATIENCE, lambda: AtomicJSONStorage(path).read())
    assert isinstance(error, StoreError), error
    assert described in str(error)


@posix_only
def test_a_path_that_becomes_a_fifo_after_opening_is_not_written(tmp_path: Path) -> None:
    """Someone replaces the database with a FIFO while the app runs: saving refuses."""
    path = tmp_path / "annotations.json"
    store = Store(path)
    store.save_annotation(annotation())
    path.unlink()
    make_fifo(path)
    error = within(PATIENCE, lambda: store.save_annotation(annotation()))
    assert isinstance(error, StoreError), error
    assert stat.S_ISFIFO(os.lstat(path).st_mode)
    store.close()


def test_a_missing_path_and_a_dangling_symlink_are_new_databases(tmp_path: Path) -> None:
    missing = tmp_path / "new" / "annotations.json"
    with Store(missing) as store:
        store.save_annotation(annotation())
    assert missing.is_file()
    if sys.platform == "win32":
        return
    real = tmp_path / "synced" / "annotations.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with Store(link) as store:
        store.save_annotation(annotation())
    assert link.is_symlink() and real.is_file()
