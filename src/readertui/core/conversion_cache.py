"""The conversion cache: each converted file (an EPUB, a web page, a PDF) kept on disk, so it
is converted once and opened again as fast as a text file of the same size.

An entry is keyed by the SHA-256 of the file's bytes, the converter's name and version and
the `whole_page` flag: an edited file, a new converter or the other view of a web page is
another entry. It holds the whole conversion in a compact binary layout that loads without
building an object per styled span (`StoredConversion`):

    magic line | header length (8 bytes) | header (JSON) | spans' starts, ends, kinds, reach | text

the spans as four blocks of little-endian uint32, the text in UTF-8, and the header holding
the metadata, outline, sections, span kinds, the lengths of the blocks and a CRC-32 of them. An
entry that is truncated, corrupt or of an older layout is ignored (and written anew after the
next conversion). Writes go to a temporary file that is renamed over the entry, so a reader, a
crash or a second readertui converting the same file at once never sees half an entry. The
folder is kept under `MAX_CACHE_BYTES` by removing the entries used least recently (a read
touches its entry). A cache that cannot be written (a read-only folder, a full disk) is no
error: the conversion is simply not kept, and `take_notice` hands the reason to the UI once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import threading
import zlib
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from readertui.core.markdown_spans import Span
from readertui.formats.base import OutlineEntry
from readertui.formats.conversion import Conversion, ConvertedMetadata, Section

#: The cache is trimmed to this many bytes after a write.
MAX_CACHE_BYTES = 1024 * 1024 * 1024
#: The first bytes of an entry; the number changes with the layout, so older entries are
#: simply not recognised.
MAGIC = b"readertui conversion 1\n"
_SUFFIX = ".conv"
_HASH_CHUNK = 1024 * 1024
# Per span: its start, end, kind and reach (see StoredConversion.reach).
_SPAN_FIELDS = 4
# Offsets and kinds are stored as unsigned 32-bit, little-endian (a 4 G character text is
# far beyond the documents readertui reads).
_UINT32 = "I"

_notice_lock = threading.Lock()
_notice: list[str] = []
_noticed = False


@dataclass(frozen=True, eq=False)
class StoredConversion:
    """A conversion as readertui keeps it: the text, its styled spans as three flat arrays
    (start, end, index into `kinds`), the outline, the sections and the metadata."""

    text: str
    starts: array[int]
    ends: array[int]
    kind_ids: array[int]
    kinds: tuple[str, ...]
    outline: tuple[OutlineEntry, ...]
    sections: tuple[Section, ...]
    metadata: ConvertedMetadata
    #: The largest end among the spans up to each one: it finds a long span (a block
    #: quote) that began above the screen (see spans_between).
    reach: array[int] = field(default_factory=lambda: array(_UINT32))
    _section_offsets: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._section_offsets.extend(section.offset for section in self.sections)

    @classmethod
    def of(cls, conversion: Conversion) -> StoredConversion:
        """A converter's `conversion` in the stored form (its spans sorted by start)."""
        kinds: dict[str, int] = {}
        starts, ends, kind_ids = array(_UINT32), array(_UINT32), array(_UINT32)
        for span in sorted(conversion.spans, key=lambda span: (span.start, span.end)):
            starts.append(span.start)
            ends.append(span.end)
            kind_ids.append(kinds.setdefault(span.kind, len(kinds)))
        return cls(
            text=conversion.text,
            starts=starts,
            ends=ends,
            kind_ids=kind_ids,
            reach=array(_UINT32, accumulate(ends, max)),
            kinds=tuple(kinds),
            outline=tuple(OutlineEntry(*entry) for entry in conversion.outline),
            sections=tuple(sorted((Section(*s) for s in conversion.sections), key=_offset)),
            metadata=conversion.metadata,
        )

    def spans_between(self, start: int, end: int) -> list[Span]:
        """The spans overlapping text[start:end] (or touching it), in order of start."""
        if not self.starts:
            return []
        first = bisect_right(self.reach, start - 1)  # the first span that reaches `start`
        last = bisect_right(self.starts, end)
        kinds, ends, kind_ids = self.kinds, self.ends, self.kind_ids
        return [
            Span(self.starts[index], ends[index], _kind(kinds, kind_ids[index]))
            for index in range(first, last)
            if ends[index] >= start
        ]

    def section_at(self, offset: int) -> Section | None:
        """The section `offset` lies in (the last one starting at or before it), if any."""
        index = bisect_right(self._section_offsets, offset) - 1
        return self.sections[index] if index >= 0 else None

    def conversion(self) -> Conversion:
        """Back to the converter's form (for tests and tools; the reader never needs it)."""
        spans = tuple(
            Span(start, end, self.kinds[kind])
            for start, end, kind in zip(self.starts, self.ends, self.kind_ids, strict=True)
        )
        return Conversion(self.text, spans, self.outline, self.sections, self.metadata)


def _kind(kinds: tuple[str, ...], index: int) -> str:
    return kinds[index] if index < len(kinds) else ""  # an unknown kind is painted plain


def _offset(section: Section) -> int:
    return section.offset


# -- keys ---------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of the file's bytes (OSError when it cannot be read)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def entry_name(file_hash: str, converter: str, version: int, *, whole_page: bool) -> str:
    """The file name of a conversion's entry."""
    view = "-whole" if whole_page else ""
    safe = "".join(char if char.isalnum() else "_" for char in converter)
    return f"{file_hash}-{safe}-v{version}{view}{_SUFFIX}"


def default_folder() -> Path:
    """Where the cache lives: `conversions` in readertui's user cache folder."""
    from readertui.locations import cache_dir

    return cache_dir() / "conversions"


# -- the cache ----------------------------------------------------------------------------------


class ConversionCache:
    """The entries in one folder (by default `default_folder()`, created when first written)."""

    def __init__(self, folder: Path | None = None, *, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.folder = folder if folder is not None else default_folder()
        self.max_bytes = max_bytes

    def path_of(self, name: str) -> Path:
        return self.folder / name

    def has(self, name: str) -> bool:
        """Whether an entry of that name is kept (not whether it is sound)."""
        return self.path_of(name).is_file()

    def get(self, name: str) -> StoredConversion | None:
        """The conversion kept under `name`, or None if there is none or it cannot be used."""
        path = self.path_of(name)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        stored = decode(data)
        if stored is not None:
            with contextlib.suppress(OSError):
                os.utime(path)  # used now: the last to be trimmed away
        return stored

    def put(self, name: str, stored: StoredConversion) -> bool:
        """Keep `stored` under `name`; False (and a notice) when it cannot be written."""
        data = encode(stored)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        except OSError as error:
            _note(f"conversions are not cached: {self.folder} is not writable ({_why(error)})")
            return False
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            # Another readertui may rename its own copy at the same moment: either whole
            # entry wins, never a mix.
            os.replace(temporary, self.path_of(name))
        except OSError as error:
            _remove(Path(temporary))
            _note(f"conversions are not cached in {self.folder} ({_why(error)})")
            return False
        self.trim(keep=name)
        return True

    def trim(self, *, keep: str = "") -> None:
        """Remove the least recently used entries until the folder is under `max_bytes`."""
        try:
            with os.scandir(self.folder) as scan:
                found = []
                for item in scan:
                    if item.name.endswith(_SUFFIX) and item.is_file():
                        info = item.stat()
                        found.append((info.st_mtime_ns, info.st_size, item.name))
        except OSError:
            return
        total = sum(size for _, size, _ in found)
        for _, size, name in sorted(found):
            if total <= self.max_bytes:
                break
            if name == keep:
                continue
            _remove(self.path_of(name))
            total -= size


def _why(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _remove(path: Path) -> None:
    # Gone already (another readertui trimmed it), or not ours to remove: either is fine.
    with contextlib.suppress(OSError):
        path.unlink()


def _note(message: str) -> None:
    """Keep the first problem for the UI to show once (never a traceback)."""
    global _noticed
    with _notice_lock:
        if not _noticed:
            _noticed = True
            _notice.append(message)


def take_notice() -> str | None:
    """Why the cache could not be written, the first time it could not (then None)."""
    with _notice_lock:
        return _notice.pop() if _notice else None


# -- the layout ---------------------------------------------------------------------------------


def encode(stored: StoredConversion) -> bytes:
    """An entry's bytes."""
    arrays = (stored.starts, stored.ends, stored.kind_ids, stored.reach)
    blocks = [_little_endian(numbers) for numbers in arrays]
    span_bytes = b"".join(blocks)
    text_bytes = stored.text.encode("utf-8", errors="surrogatepass")
    header = {
        "metadata": stored.metadata._asdict(),
        "outline": [list(entry) for entry in stored.outline],
        "sections": [list(section) for section in stored.sections],
        "kinds": list(stored.kinds),
        "spans": len(stored.starts),
        "span_bytes": len(span_bytes),
        "text_bytes": len(text_bytes),
        "crc": zlib.crc32(text_bytes, zlib.crc32(span_bytes)),
    }
    header_bytes = json.dumps(header, ensure_ascii=True).encode("ascii")
    return b"".join(
        (MAGIC, len(header_bytes).to_bytes(8, "little"), header_bytes, span_bytes, text_bytes)
    )


def _little_endian(numbers: array[int]) -> bytes:
    if sys.byteorder == "little":
        return numbers.tobytes()
    swapped = array(_UINT32, numbers)
    swapped.byteswap()
    return swapped.tobytes()


def decode(data: bytes) -> StoredConversion | None:
    """The conversion in an entry's bytes, or None if they are not a sound entry."""
    try:
        return _decode(data)
    except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError):
        return None


def _decode(data: bytes) -> StoredConversion | None:
    if not data.startswith(MAGIC):
        return None
    at = len(MAGIC)
    header_length = int.from_bytes(data[at : at + 8], "little")
    at += 8
    header = json.loads(data[at : at + header_length])
    at += header_length
    span_length, text_length = header["span_bytes"], header["text_bytes"]
    count = header["spans"]
    if len(data) != at + span_length + text_length or span_length != count * _SPAN_FIELDS * 4:
        return None  # truncated, or something appended
    view = memoryview(data)
    span_bytes, text_bytes = view[at : at + span_length], view[at + span_length :]
    # The checksum stands for every check of the spans: only readertui's own writer made
    # them (a kind index out of range is painted plain: see _kind).
    if zlib.crc32(text_bytes, zlib.crc32(span_bytes)) != header["crc"]:
        return None
    starts, ends, kind_ids, reach = (
        _numbers(span_bytes[part * count * 4 : (part + 1) * count * 4])
        for part in range(_SPAN_FIELDS)
    )
    return StoredConversion(
        text=str(text_bytes, "utf-8", "surrogatepass"),
        starts=starts,
        ends=ends,
        kind_ids=kind_ids,
        reach=reach,
        kinds=tuple(str(kind) for kind in header["kinds"]),
        outline=tuple(OutlineEntry(str(t), int(o), int(lv)) for t, o, lv in header["outline"]),
        sections=tuple(Section(int(o), str(lb), str(fr)) for o, lb, fr in header["sections"]),
        metadata=_metadata(header["metadata"]),
    )


def _numbers(block: memoryview) -> array[int]:
    numbers = array(_UINT32)
    numbers.frombytes(block)
    if sys.byteorder != "little":
        numbers.byteswap()
    return numbers


def _metadata(fields: dict[str, object]) -> ConvertedMetadata:
    authors = fields.get("authors", ())
    if not isinstance(authors, list | tuple):
        raise ValueError("authors")
    texts = {
        name: str(fields.get(name, "")) for name in ConvertedMetadata._fields if name != "authors"
    }
    return ConvertedMetadata(authors=tuple(str(author) for author in authors), **texts)
