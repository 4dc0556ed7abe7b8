"""Where changes that could not be saved go when the app must end, and where the next start
finds them.

A signal (a dropped SSH connection), a crash or "quit anyway" with changes still unwritten
puts them in a changes file (changes_file.py: the database's own layout, holding only those
records): beside the database if that folder takes it, else in the data folder, else in the
temporary folder. The next start looks in the same places for files made for its database and
offers to merge them; merging follows the database's own rules, so merging twice, or merging a
file whose changes did reach the database after all, changes nothing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import platformdirs

from readertui.errors import StoreError
from readertui.store.changes_file import ChangesFileInfo, read_changes_file, write_changes_file
from readertui.store.merge import Snapshot

#: The part of a changes file's name that marks it as unsaved changes of a database.
MARK: Final = ".unsaved-"
_FOLDER: Final = "unsaved"


def _database_tag(db_path: Path) -> str:
    real = os.path.realpath(db_path)
    return hashlib.sha256(os.fsencode(real)).hexdigest()[:12]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"


def emergency_folders(db_path: Path) -> list[Path]:
    """The folders a changes file of `db_path` may be in, in the order they are tried."""
    data = Path(platformdirs.user_data_dir("readertui")) / _FOLDER
    temporary = Path(tempfile.gettempdir()) / f"readertui-{_FOLDER}-{os.getuid()}"
    return [Path(os.path.realpath(db_path)).parent, data, temporary]


def emergency_paths(db_path: Path) -> list[Path]:
    """New file names for the unsaved changes of `db_path`, one per folder, best first."""
    name = Path(os.path.realpath(db_path)).name
    stamp = _stamp()
    beside, *elsewhere = emergency_folders(db_path)
    paths = [beside / f"{name}{MARK}{stamp}.json"]
    # Elsewhere the name carries the database's identity, since many databases share them.
    paths += [folder / f"{_database_tag(db_path)}{MARK}{stamp}.json" for folder in elsewhere]
    return paths


def write_emergency_file(changes: Snapshot, db_path: Path, places: Iterable[Path]) -> Path:
    """Write `changes` to the first of `places` that takes them; that path.

    Raises StoreError naming every place tried when none could be written.
    """
    failures: list[str] = []
    for place in places:
        try:
            write_changes_file(place, changes, database=Path(os.path.realpath(db_path)))
        except StoreError as exc:
            failures.append(str(exc))
            continue
        return place
    raise StoreError("the unsaved changes could not be written anywhere: " + "; ".join(failures))


def find_emergency_files(db_path: Path) -> list[tuple[Path, Snapshot, ChangesFileInfo]]:
    """Changes files left for `db_path` by earlier sessions, oldest first.

    Files that cannot be read are left alone (and not offered); files made for another
    database are not this one's business.
    """
    real = os.path.realpath(db_path)
    name = Path(real).name
    tag = _database_tag(db_path)
    found: list[tuple[Path, Snapshot, ChangesFileInfo]] = []
    for index, folder in enumerate(emergency_folders(db_path)):
        prefix = (name if index == 0 else tag) + MARK
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if not (entry.name.startswith(prefix) and entry.name.endswith(".json")):
                continue
            try:
                changes, info = read_changes_file(entry)
            except (StoreError, OSError):
                continue
            if os.path.realpath(info.database) != real:
                continue
            found.append((entry, changes, info))
    found.sort(key=lambda item: item[2].written)
    return found
