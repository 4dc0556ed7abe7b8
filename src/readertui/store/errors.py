"""Errors of the annotation database that callers handle specially (beyond a plain StoreError)."""

from __future__ import annotations

from pathlib import Path

from readertui.errors import StoreError


class StoreCorruptError(StoreError):
    """The database file exists but cannot be understood; it is left untouched on disk.

    `detail` says what is wrong; `newest_backup` is the most recent backup copy, if any, so the
    message can tell the user where their annotations still are.
    """

    def __init__(self, path: Path, detail: str, newest_backup: Path | None = None) -> None:
        self.path = path
        self.detail = detail
        self.newest_backup = newest_backup
        if newest_backup is not None:
            backup = f"the newest backup is {newest_backup}"
        else:
            backup = "there is no backup"
        super().__init__(
            f"cannot read the annotation database {path}: {detail}; it was left untouched and "
            f"{backup}"
        )

    def with_backup(self, newest_backup: Path | None) -> StoreCorruptError:
        """The same error, naming the newest backup (known only to the layer that makes them)."""
        return StoreCorruptError(self.path, self.detail, newest_backup)


class ChangesFileError(StoreError):
    """A changes file (changes_file.py) that cannot be used; `detail` says why."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(self._message())

    def _message(self) -> str:
        return f"cannot use the changes file {self.path}: {self.detail}"


class NotAChangesFileError(ChangesFileError):
    """The file is not a changes file at all (a database, an export, anything else)."""

    def _message(self) -> str:
        return f"{self.path} is not a readertui changes file: {self.detail}"
