"""What converted files said of themselves, remembered between runs, so a library scan does
not open every book, page and paper again at each start.

The library scan asks each EPUB, web page and PDF for its metadata (`Converter.describe`):
for a web page that means loading trafilatura (a third of a second), for a PDF opening it
with pdfium, all before the first screen. The answers (or the reason a file is refused) are
kept in one small JSON file beside the conversion cache, by the file's path, size and
modification time and by the converter's name and version: a changed file, or a new
converter, is described again. A missing, damaged or unwritable file only means describing
again; it is never an error.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readertui.formats.conversion import ConvertedMetadata

#: The file's name, in the conversion cache's folder.
FILE_NAME = "descriptions.json"
#: More entries than this and those not used by this process are dropped when saving.
MAX_ENTRIES = 20_000
_FORMAT = 1

# One store per cache folder (tests give each test a folder of its own).
_stores: dict[Path, _Store] = {}
_stores_lock = threading.Lock()


class Refused(Exception):
    """Raised by `recall` for a file remembered as refused, with the remembered reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def key_of(path: Path, converter: str, version: int) -> str | None:
    """The key of `path` as it is now on disk, or None when it cannot be looked at."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    absolute = os.path.abspath(path)
    return f"{converter}\0{version}\0{info.st_size}\0{info.st_mtime_ns}\0{absolute}"


def recall(key: str) -> ConvertedMetadata | None:
    """The description remembered under `key`; raises Refused if the file was refused."""
    entry = _store().get(key)
    if entry is None:
        return None
    if "refused" in entry:
        raise Refused(str(entry["refused"]))
    from readertui.formats.conversion import ConvertedMetadata

    fields = entry.get("described")
    if not isinstance(fields, list) or len(fields) != len(ConvertedMetadata._fields):
        return None
    title, authors, language, publisher, date, url, site = fields
    if not isinstance(authors, list):
        return None
    return ConvertedMetadata(
        title=str(title),
        authors=tuple(str(author) for author in authors),
        language=str(language),
        publisher=str(publisher),
        date=str(date),
        url=str(url),
        site=str(site),
    )


def remember(key: str, described: ConvertedMetadata | None, refused: str = "") -> None:
    """Remember what the file under `key` said (or why it was refused)."""
    entry: dict[str, Any] = (
        {"refused": refused}
        if described is None
        else {
            "described": [list(field) if isinstance(field, tuple) else field for field in described]
        }
    )
    _store().put(key, entry)


def save() -> None:
    """Write what was learnt since the last save (called at the end of a library scan)."""
    with _stores_lock:
        stores = list(_stores.values())
    for store in stores:
        store.save()


class _Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = self._load()
        self._used: set[str] = set()
        self._changed = False

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        return {key: value for key, value in entries.items() if isinstance(value, dict)}

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._used.add(key)
            return entry

    def put(self, key: str, entry: dict[str, Any]) -> None:
        with self._lock:
            if self._entries.get(key) != entry:
                self._entries[key] = entry
                self._changed = True
            self._used.add(key)

    def save(self) -> None:
        with self._lock:
            if not self._changed:
                return
            entries = self._entries
            if len(entries) > MAX_ENTRIES:
                entries = {key: entries[key] for key in entries if key in self._used}
            text = json.dumps({"format": _FORMAT, "entries": entries}, ensure_ascii=True)
            self._changed = False
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            # A read-only or full cache folder: the files are described again next time.
            with contextlib.suppress(OSError):
                temporary.unlink()


def _store() -> _Store:
    from readertui.core.conversion_cache import default_folder

    path = default_folder() / FILE_NAME
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = _Store(path)
        return store
