"""The library: scan a folder tree for documents, listing every file that is not one, with why.

Which files are documents is for the formats to say (readertui.formats): a file's suffix
picks the formats that may take it, and they look at its first few KB (a text format refuses
binary bytes) and read its metadata from them. Only that head is read, so a library of big
books opens at once; documents are loaded when opened.

A converted format (an EPUB, a web page, a PDF) describes its file from its own metadata; a
file its converter will not read (DRM, no text layer) or fails on is listed as skipped with
the reason, never a crash of the scan.

Links are followed while they stay inside the library folder. A link that leads out of it (to
`/etc/passwd`, to a home folder) is listed as skipped unless the user's config allows it: a
library someone else made must not show the reader's other files.

Each library has a key that its annotations, reading positions and exports are stored under
(`library_key`): the real path of its folder, so two libraries with a file of the same name
never share notes. A library that moves is a new library. The sample library that ships
with readertui has a fixed key wherever it is installed, so reinstalling keeps its notes.
"""

import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from readertui import formats
from readertui.core import description_cache
from readertui.core.decoding import (
    HEAD_BYTES,
    _not_regular_reason,
    _os_error_reason,
    _too_large_reason,
)
from readertui.core.document import DEFAULT_MAX_BYTES
from readertui.core.metadata import SIDECAR_SUFFIX, DocumentMetadata
from readertui.errors import LibraryError
from readertui.formats.base import Format
from readertui.formats.conversion import UnreadableFile
from readertui.locations import is_sample_library

#: The key of the sample library shipped inside the package, wherever it is installed.
SAMPLE_LIBRARY_KEY = "readertui:sample"

LINK_OUTSIDE_FILE = "a link to a file outside the library"
LINK_OUTSIDE_FOLDER = "a link to a folder outside the library"


class LibraryEntry(NamedTuple):
    """A document of the library, as listed (its text is not loaded)."""

    path: Path
    rel_path: str
    kind: Format
    size: int
    metadata: DocumentMetadata

    @property
    def format(self) -> str:
        """The name of the document's format ("text", "markdown")."""
        return self.kind.name

    @property
    def search_words(self) -> str:
        """What else than its title a document is found by (`o`, the palette, the library's
        filter): authors, publication, date, file name and tags."""
        meta = self.metadata
        words = (*meta.authors, meta.publication, meta.date, self.rel_path, *meta.tags)
        return " ".join(word for word in words if word)


class SkippedFile(NamedTuple):
    """A file in the library folder that is not shown as a document, and why."""

    rel_path: str
    reason: str


@dataclass(frozen=True)
class Library:
    """The documents of a library folder, sorted by title, and the files skipped.

    `key` identifies the library in the database and in export folder names (`library_key`).
    """

    root: Path
    entries: tuple[LibraryEntry, ...]
    skipped: tuple[SkippedFile, ...]
    key: str

    def find(self, rel_path: str) -> LibraryEntry | None:
        """The entry at `rel_path` ("/"-separated, relative to the root), if listed."""
        return self._by_rel_path.get(rel_path)

    def entry_for_path(self, path: Path) -> LibraryEntry | None:
        """The entry for the file at `path`, however it is spelt (relative, via symlinks)."""
        return self._by_resolved_path.get(_resolved(path))

    @cached_property
    def _by_rel_path(self) -> dict[str, LibraryEntry]:
        return {entry.rel_path: entry for entry in self.entries}

    @cached_property
    def _by_resolved_path(self) -> dict[Path, LibraryEntry]:
        return {_resolved(entry.path): entry for entry in self.entries}


def scan_library(
    root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, follow_outside_links: bool = False
) -> Library:
    """List the documents under `root` and the files skipped, with the reason for each.

    Hidden files and folders (names starting with ".") and metadata sidecars are left out
    without mention. Links to files and folders inside `root` are followed, each real folder
    once, so a link loop ends; links that lead outside `root` are skipped, unless
    `follow_outside_links`. Raises LibraryError if `root` is missing, not a folder or cannot
    be listed.
    """
    try:
        root_info = root.stat()
    except FileNotFoundError:
        raise LibraryError(f"library folder not found: {root}") from None
    except OSError as exc:
        raise LibraryError(f"library folder cannot be opened: {root} ({exc.strerror})") from exc
    if not stat.S_ISDIR(root_info.st_mode):
        raise LibraryError(f"library path is not a folder: {root}")

    real_root = Path(os.path.realpath(root))
    entries: list[LibraryEntry] = []
    skipped: list[SkippedFile] = []
    seen_folders: set[tuple[int, int]] = set()
    pending: list[tuple[Path, str]] = [(root, "")]  # (folder, its path relative to root)
    # Symlinked folders are walked after every real one, so that a document reachable both
    # ways is listed under its real path.
    linked: list[tuple[Path, str]] = []
    while pending or linked:
        folder, rel_folder = pending.pop() if pending else linked.pop(0)
        try:
            info = folder.stat()
            identity = (info.st_dev, info.st_ino)
            if identity in seen_folders:
                continue  # a link loop, or a second link to the same folder
            seen_folders.add(identity)
            with os.scandir(folder) as scan:
                items = sorted(scan, key=lambda item: item.name)
        except OSError as exc:
            if not rel_folder:
                raise LibraryError(
                    f"library folder cannot be listed: {root} ({exc.strerror})"
                ) from exc
            skipped.append(SkippedFile(f"{rel_folder}/", _os_error_reason(exc)))
            continue
        subfolders: list[tuple[Path, str]] = []
        for item in items:
            if item.name.startswith("."):
                continue
            rel_path = f"{rel_folder}/{item.name}" if rel_folder else item.name
            path = folder / item.name
            leads_out = not follow_outside_links and item.is_symlink() and _outside(path, real_root)
            if _is_folder(item):
                if leads_out:
                    skipped.append(SkippedFile(f"{rel_path}/", LINK_OUTSIDE_FOLDER))
                else:
                    (linked if item.is_symlink() else subfolders).append((path, rel_path))
                continue
            if item.name.lower().endswith(SIDECAR_SUFFIX):
                continue
            if leads_out and path.exists():  # a link to nothing is a "broken link", below
                skipped.append(SkippedFile(rel_path, LINK_OUTSIDE_FILE))
                continue
            found = _scan_file(path, rel_path, max_bytes)
            if isinstance(found, SkippedFile):
                skipped.append(found)
                continue
            entry, problem = found
            entries.append(entry)
            if problem is not None:
                skipped.append(SkippedFile(rel_path + SIDECAR_SUFFIX, problem))
        pending.extend(reversed(subfolders))  # depth first, in name order

    entries.sort(key=lambda entry: (entry.metadata.title.casefold(), entry.rel_path))
    skipped.sort(key=lambda item: item.rel_path)
    description_cache.save()  # what converted files said of themselves, for the next scan
    return Library(root=root, entries=tuple(entries), skipped=tuple(skipped), key=library_key(root))


def library_key(root: Path) -> str:
    """The key of the library at `root`: the fully resolved path of the folder as text, or
    SAMPLE_LIBRARY_KEY for the sample library that ships with readertui.

    Links and relative spellings of one folder give one key; a copy or a moved folder is
    another library.
    """
    if is_sample_library(root):
        return SAMPLE_LIBRARY_KEY
    # realpath, not Path.resolve: it never raises (a link loop, a missing part).
    return os.fsdecode(os.path.realpath(root))


def _scan_file(
    path: Path, rel_path: str, max_bytes: int
) -> tuple[LibraryEntry, str | None] | SkippedFile:
    """The entry for a document and why its sidecar is ignored (if it is), or why it is
    skipped."""
    if formats.for_path(path) is None:
        return SkippedFile(rel_path, formats.unsupported_reason(path))  # not even read
    try:
        info = path.stat()
    except FileNotFoundError:
        # scandir listed it, so it is a symlink to nothing.
        return SkippedFile(rel_path, "broken link")
    except OSError as exc:
        return SkippedFile(rel_path, _os_error_reason(exc))
    if not stat.S_ISREG(info.st_mode):
        return SkippedFile(rel_path, _not_regular_reason(info.st_mode))
    if info.st_size > max_bytes:
        return SkippedFile(rel_path, _too_large_reason(info.st_size, max_bytes))
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError as exc:
        return SkippedFile(rel_path, _os_error_reason(exc))
    kind = formats.recognise(path, head)
    if isinstance(kind, str):
        return SkippedFile(rel_path, kind)
    try:
        metadata, sidecar_problem = kind.metadata(path, head)
    except UnreadableFile as refusal:  # a book with DRM, a scanned PDF…
        return SkippedFile(rel_path, refusal.reason)
    except Exception as error:  # a format's bug, or a hostile file that crashed its parser
        from readertui.formats.conversion import failure_reason

        return SkippedFile(rel_path, failure_reason(error))
    entry = LibraryEntry(
        path=path, rel_path=rel_path, kind=kind, size=info.st_size, metadata=metadata
    )
    return entry, sidecar_problem


def _is_folder(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir()  # follows symlinks
    except OSError:
        return False


def _outside(path: Path, real_root: Path) -> bool:
    """Whether the link at `path`, followed to its end, leads out of the folder `real_root`
    (a fully resolved path)."""
    # realpath, not Path.resolve: it returns (instead of raising) for a link loop.
    return not Path(os.path.realpath(path)).is_relative_to(real_root)


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on Python 3.11/3.12
        return Path(os.path.abspath(path))
