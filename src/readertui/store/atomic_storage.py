"""A TinyDB storage that replaces the JSON file atomically, so a crash never leaves a torn file."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from tinydb.storages import Storage

from readertui.errors import StoreError
from readertui.store.errors import StoreCorruptError

FILE_MODE = 0o600
FOLDER_MODE = 0o700

Tables = dict[str, dict[str, Any]]

# Holding the file we last saw open pins its inode number (see FileVersion); Windows cannot
# replace a file that is open, so there only the stamp is kept.
_PIN_OPEN_FILES: Final = os.name == "posix"


@dataclass(frozen=True)
class FileStamp:
    """What tells two versions of the file apart: every rewrite makes a new inode."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> FileStamp:
        return cls(status.st_ino, status.st_size, status.st_mtime_ns)


def stamp_of(path: Path) -> FileStamp | None:
    """The stamp of the file at `path` now, None when there is no file; StoreError if unknown."""
    try:
        return FileStamp.of(os.stat(path))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {_reason(exc)}") from exc


class FileVersion:
    """The version of the database file that a Store last read or wrote.

    `is_current` tells whether another process has replaced the file since. Inode, size and
    mtime could repeat if the file were rewritten twice within one clock tick (file times are
    coarse) and the second temporary file got the freed inode of the first, so on POSIX the
    version is kept open: an inode that is still open cannot be handed to a new file.
    """

    def __init__(self, stamp: FileStamp | None, fd: int | None = None) -> None:
        #: None: there was no file (or, after a failed look, we do not know; both mean "re-read").
        self.stamp = stamp
        self._fd = fd

    @classmethod
    def open(cls, path: Path) -> FileVersion:
        """The version at `path` now. Never fails: an unknown version only costs a re-read."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except OSError:
            return cls(None)
        try:
            stamp = FileStamp.of(os.fstat(fd))
        except OSError:
            os.close(fd)
            return cls(None)
        return cls.holding(stamp, fd)

    @classmethod
    def holding(cls, stamp: FileStamp, fd: int) -> FileVersion:
        """The version `stamp` of the file open as `fd`; takes `fd` over (and may close it)."""
        if _PIN_OPEN_FILES:
            return cls(stamp, fd)
        os.close(fd)
        return cls(stamp)

    def is_current(self, path: Path) -> bool:
        """Whether the file at `path` is still this version (no file counts as the same)."""
        return stamp_of(path) == self.stamp

    def close(self) -> None:
        """Let go of the pinned file; closing twice is harmless."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


class AtomicJSONStorage(Storage):
    """Reads and writes the whole TinyDB document as one JSON file.

    TinyDB's own JSONStorage rewrites the file in place, so a crash or a full disk mid-write
    tears it. Here every write goes to a temporary file in the same folder, which is fsynced and
    renamed over the old file: at any moment the file on disk is the old version or the new one.
    """

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = Path(path)

    def read(self) -> Tables | None:
        """The stored tables, or None when the file is missing or empty (a new database).

        Raises StoreCorruptError when the file is not a TinyDB JSON document, StoreError when it
        cannot be read at all.
        """
        tables, version = self.read_version()
        version.close()
        return tables

    def read_version(self) -> tuple[Tables | None, FileVersion]:
        """Like `read`, with the version of the file those tables came from.

        The stamp is taken from the open file, not from its name, so it describes exactly the
        bytes parsed even if another process replaces the file meanwhile. The caller closes the
        version.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return None, FileVersion(None)
        except OSError as exc:
            raise StoreError(f"cannot read {self.path}: {_reason(exc)}") from exc
        try:
            stamp = FileStamp.of(os.fstat(fd))
            with open(fd, "rb", closefd=False) as file:
                raw = file.read()
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot read {self.path}: {_reason(exc)}") from exc
        except BaseException:
            os.close(fd)
            raise
        version = FileVersion.holding(stamp, fd)
        try:
            return self._parse(raw), version
        except BaseException:
            version.close()
            raise

    def _parse(self, raw: bytes) -> Tables | None:
        if not raw.strip():
            # An empty file is what older TinyDB versions create before the first write.
            return None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise StoreCorruptError(self.path, f"not UTF-8 text (byte {exc.start})") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            detail = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            raise StoreCorruptError(self.path, detail) from exc
        return _checked_tables(self.path, data)

    def write(self, data: Tables) -> None:
        """Replace the file with `data`, atomically; on any failure the old file stays as it was.

        Raises StoreError with a one-line reason ("No space left on device", ...).
        """
        # Serialise before touching the disk, so a value JSON cannot hold costs nothing.
        try:
            payload = serialise(data)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"cannot save to {self.path}: {exc}") from exc
        self.write_bytes(payload)

    def write_bytes(self, payload: bytes) -> None:
        """Replace the file with `payload`, already serialised; atomically, as `write` does."""
        write_bytes_atomically(self.path, payload)

    def close(self) -> None:
        """Nothing to close: no file handle is kept open between operations."""


def serialise(data: Any) -> bytes:
    """The JSON bytes stored for `data` (the whole file, or one piece of it).

    Readable UTF-8 when possible; file names that are not valid UTF-8 arrive as lone surrogates
    (os.fsdecode), which only the escaped \\uXXXX form can carry, so fall back to that. No
    spaces after separators: at 10k annotations they are 5% of the file, for nobody.
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        compact = json.dumps(data, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        return compact.encode("ascii")


def write_bytes_atomically(path: Path, payload: bytes, *, private: bool = True) -> None:
    """Make `path` hold exactly `payload`, or raise StoreError leaving it unchanged.

    `private` files (the database, its backups) get mode 0600 in a 0700 folder. Others (the
    exports, meant for sharing and syncing) are made like any new file (0666 less the umask)
    and keep the mode of the file they replace.
    """
    # Write through a symlink rather than replacing it, so a linked database stays linked.
    target = Path(os.path.realpath(path))
    folder = target.parent
    try:
        if private:
            folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        else:
            folder.mkdir(parents=True, exist_ok=True)
            fd, temp_name = _shared_temporary(target)
    except OSError as exc:
        raise StoreError(f"cannot save to {path}: {_reason(exc)}") from exc
    try:
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        if private:
            os.chmod(temp_name, FILE_MODE)
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot save to {path}: {_reason(exc)}") from exc
        raise
    _fsync_folder(folder)


def _shared_temporary(target: Path) -> tuple[int, str]:
    """A new temporary file beside `target`, with the mode a new file, or `target`, would have."""
    temp_name = str(target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp"))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp_name, flags, 0o666)  # the umask applies, as to any new file
    if os.chmod in os.supports_fd:
        with contextlib.suppress(OSError):
            os.chmod(fd, target.stat().st_mode & 0o7777)
    return fd, temp_name


def _write_all(fd: int, payload: bytes) -> None:
    # os.write may write less than asked (signals, pipes, nearly full disks); loop until done.
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            # A regular file never accepts nothing; treat it as the I/O error it is, not a hang.
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


def _fsync_folder(folder: Path) -> None:
    # The rename itself lives in the folder's entry table; without this a power cut can undo it.
    # Some platforms (Windows) cannot open folders, and the new file is already in place.
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _checked_tables(path: Path, data: object) -> Tables:
    # TinyDB assumes {table: {doc_id: {field: value}}} and fails deep inside otherwise; say what
    # is wrong here, once, instead.
    if not isinstance(data, dict):
        raise StoreCorruptError(path, f"the top level is {_json_kind(data)}, not an object")
    for table_name, table in data.items():
        if not isinstance(table, dict):
            raise StoreCorruptError(
                path, f"table {table_name!r} is {_json_kind(table)}, not an object"
            )
        for doc_id, document in table.items():
            if not isinstance(document, dict):
                raise StoreCorruptError(
                    path,
                    f"entry {doc_id!r} of table {table_name!r} is {_json_kind(document)}, "
                    "not an object",
                )
    return data


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "an object"


def _reason(exc: OSError) -> str:
    if exc.strerror:
        return exc.strerror
    if exc.errno:
        return os.strerror(exc.errno)
    return str(exc) or type(exc).__name__
