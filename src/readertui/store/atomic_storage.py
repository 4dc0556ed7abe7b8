"""A TinyDB storage that replaces the JSON file atomically, so a crash never leaves a torn file.

It reads and writes regular files only: a device, a FIFO or a folder where the file should be
is refused before it is opened for long or replaced. And it reads only JSON it can write back
as it was (no NaN, no number Python cannot hold).
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, Final, NamedTuple

from readertui.errors import StoreError
from readertui.store.errors import StoreCorruptError

FILE_MODE = 0o600
FOLDER_MODE = 0o700

Tables = dict[str, dict[str, Any]]

# Holding the file we last saw open pins its inode number (see FileVersion); Windows cannot
# replace a file that is open, so there only the stamp is kept.
_PIN_OPEN_FILES: Final = os.name == "posix"


# Opening a FIFO for reading waits for a writer, for ever; O_NONBLOCK returns at once, and
# then fstat tells what was opened. On a regular file it changes nothing.
_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
_READ_FLAGS: Final = (
    os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)

_KINDS: Final = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


class NotARegularFileError(StoreError):
    """The path names something that exists and is not a regular file (a device, a FIFO…).

    Reading a device or a FIFO can hang or never end, and replacing one would destroy it
    (`/dev/null` replaced by a regular file), so nothing of the kind is read or written.
    """

    def __init__(self, path: Path, kind: str, message: str = "") -> None:
        self.path = path
        self.kind = kind
        super().__init__(message or f"{path} is {kind}, not a regular file")


def file_kind(mode: int) -> str:
    """What a file of this st_mode is, in words ("a folder", "a FIFO (named pipe)", …)."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a special file"


def check_regular_or_missing(path: Path, what: str = "the annotation database") -> None:
    """Raise NotARegularFileError when `path` (followed through symlinks) exists and is not a
    regular file; `what` names the file in the message. A missing path, or one that cannot
    be looked at, passes: making or reading it later says what is wrong with it."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if not stat.S_ISREG(mode):
        kind = file_kind(mode)
        raise NotARegularFileError(
            path,
            kind,
            f"{path} is {kind}, not a regular file: {what} must be a regular file or a path "
            "where one can be made",
        )


def open_regular(path: Path) -> int:
    """A read-only descriptor of the regular file at `path`; never waits, never a device.

    Raises OSError as os.open does (FileNotFoundError…), NotARegularFileError when `path`
    is anything but a regular file.
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFileError(path, file_kind(mode))
        if _NONBLOCK:
            os.set_blocking(fd, True)  # O_NONBLOCK was for the open only
    except BaseException:
        os.close(fd)
        raise
    return fd


class FileStamp(NamedTuple):
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
            fd = open_regular(path)
        except (OSError, StoreError):
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


class AtomicJSONStorage:
    """Reads and writes the whole TinyDB document as one JSON file.

    TinyDB's own JSONStorage rewrites the file in place, so a crash or a full disk mid-write
    tears it. Here every write goes to a temporary file in the same folder, which is fsynced and
    renamed over the old file: at any moment the file on disk is the old version or the new one.

    It is a TinyDB storage by its methods (read, write, close: `TinyDB(path,
    storage=AtomicJSONStorage)` works) without deriving from `tinydb.storages.Storage`, which
    would import all of TinyDB on the reader's start-up path for an abstract base class.
    """

    def __init__(self, path: Path | str) -> None:
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
            fd = open_regular(self.path)
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
            data = parse_json(text)
        except json.JSONDecodeError as exc:
            detail = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
            raise StoreCorruptError(self.path, detail) from exc
        except ValueError as exc:
            raise StoreCorruptError(self.path, f"not JSON readertui can keep ({exc})") from exc
        return checked_tables(self.path, data)

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


def parse_json(text: str) -> Any:
    """The data of JSON `text`, refusing what could not be written back as it was read.

    Raises json.JSONDecodeError for text that is not JSON, and ValueError, with a short reason,
    for JSON that Python reads but cannot keep: NaN and Infinity (not JSON at all), a number
    too large for a float (1e999 would come back as Infinity), an integer longer than
    Python converts (sys.get_int_max_str_digits), nesting deeper than Python's recursion.
    Whatever is returned, `serialise` can write.
    """
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as exc:
        if str(exc).startswith("Exceeds the limit"):
            limit = sys.get_int_max_str_digits()
            raise ValueError(f"a whole number has more than {limit} digits") from None
        raise


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 20 else text[:19] + "…"
        raise ValueError(f"the number {shown} is too large")
    return value


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
        mode: int | None = os.stat(target).st_mode
    except (OSError, ValueError):
        mode = None  # missing (or unknowable: making the temporary file will say)
    if mode is not None and not stat.S_ISREG(mode):
        # Replacing a device with a file would break the system (/dev/null), and a FIFO is
        # somebody's channel: neither is ours to overwrite.
        kind = file_kind(mode)
        raise NotARegularFileError(
            path, kind, f"cannot save to {path}: it is {kind}, not a regular file"
        )
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


def stale_temporaries(path: Path) -> list[Path]:
    """The temporary files a private write of `path` leaves if it is killed before the rename.

    Only names of exactly the form `write_bytes_atomically` gives them, in the folder of the
    real file. Whether they are stale is for the caller to know: the Store looks while holding
    the lock file every writer of the database holds while its temporary file exists.
    """
    target = Path(os.path.realpath(path))
    pattern = re.compile(re.escape(f".{target.name}.") + r"[a-z0-9_]{8}\.tmp")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    return [target.parent / name for name in sorted(names) if pattern.fullmatch(name)]


def _shared_temporary(target: Path) -> tuple[int, str]:
    """A new temporary file beside `target`, with the mode a new file, or `target`, would have."""
    temp_name = str(target.with_name(f".{target.name}.{os.urandom(6).hex()}.tmp"))
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


def checked_tables(path: Path, data: object) -> Tables:
    """`data` as TinyDB tables, or StoreCorruptError saying where it is not one."""
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
