"""A converting format (EPUB, a saved web page, PDF) as a `Format`: a `Converter` behind the
conversion cache.

Its documents' text, styled spans, outline and sections come from the converter's
`Conversion`, made once per file and converter version and then read from the cache
(readertui.core.conversion_cache). The metadata is what the file says of itself
(`Converter.describe`), field by field overridden by the `.meta.toml` sidecar, as for text.
A converter that refuses a file (`UnreadableFile`) or fails on it (any exception: a bug, a
hostile file) never crashes the scan or the reader: the scan lists the file under Skipped
and opening it is a DocumentError, each with a short reason.

A converter can be registered by module path (`ConvertedFormat.lazy`): its module is then
imported only when a file of its suffix is first met, so registering costs start-up nothing.
Converted text is never reflowed: a converter already joins a paragraph's lines, and its
line breaks are the document's own (verse, a table, a preformatted block).
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

from readertui.errors import DocumentError
from readertui.formats.base import Format
from readertui.formats.conversion import UnreadableFile, failure_reason

if TYPE_CHECKING:
    from concurrent.futures import Future
    from pathlib import Path

    from readertui.core.conversion_cache import StoredConversion
    from readertui.core.decoding import DecodedText
    from readertui.core.metadata import DocumentMetadata
    from readertui.formats.conversion import Conversion, ConvertedMetadata, Converter

# The file hashes remembered (by path, size and time), so a file is not hashed twice.
_HASHES_KEPT = 64
#: Whether a converter registered by module path converts in a process of its own (a crash
#: or a hang of its parser then never takes the reader down; see conversion_process).
CONVERT_IN_CHILD = True


class ConvertedFormat(Format):
    """The format of one converter's files."""

    reflows = False

    def __init__(self, converter: Converter, *, whole_page_view: bool = False) -> None:
        self._converter: Converter | None = converter
        self._where = ""
        self.name = converter.name
        self.suffixes = tuple(converter.suffixes)
        #: Whether the converter has a second view of a file, all of its text (`whole_page`:
        #: a web page's whole text beside its extracted article), which `r` switches to.
        self.whole_page_view = whole_page_view
        # One conversion of a file at a time in this process (the reader, the index and the
        # command line's early start may all ask for it): the others wait for its outcome.
        self._lock = threading.Lock()
        self._converting: dict[str, Future[StoredConversion]] = {}
        self._hashes: dict[tuple[str, int, int], str] = {}

    @classmethod
    def lazy(
        cls, where: str, name: str, suffixes: tuple[str, ...], *, whole_page_view: bool = False
    ) -> ConvertedFormat:
        """The format of the converter at `where` ("package.module:ATTRIBUTE"), imported
        when a file of one of `suffixes` is first described or converted."""
        fmt = cls.__new__(cls)
        fmt._converter = None
        fmt._where = where
        fmt.name = name
        fmt.suffixes = suffixes
        fmt.whole_page_view = whole_page_view
        fmt._lock = threading.Lock()
        fmt._converting = {}
        fmt._hashes = {}
        return fmt

    @property
    def converter(self) -> Converter:
        """The converter (its module imported now if it was registered by path)."""
        if self._converter is None:
            module_name, _, attribute = self._where.partition(":")
            converter: Converter = getattr(importlib.import_module(module_name), attribute)
            if converter.name != self.name or tuple(converter.suffixes) != self.suffixes:
                raise RuntimeError(
                    f"{self._where} is the converter {converter.name!r} for "
                    f"{converter.suffixes}, registered as {self.name!r} for {self.suffixes}"
                )
            self._converter = converter
        return self._converter

    # -- what the library scan asks ---------------------------------------------------------------

    def metadata(self, path: Path, head: bytes) -> tuple[DocumentMetadata, str | None]:
        """What the file says of itself, overridden by its sidecar. Raises UnreadableFile
        (with the reason the skipped list shows) for a file its converter will not read or
        fails on."""
        from readertui.core.metadata import converted_metadata_and_problem

        described = self.describe(path)
        fields: dict[str, str | tuple[str, ...]] = {
            "title": described.title.strip(),
            "authors": tuple(author.strip() for author in described.authors if author.strip()),
            "publication": (described.publisher or described.site).strip(),
            "date": described.date.strip(),
            "source": described.url.strip(),
        }
        return converted_metadata_and_problem(
            path, {key: value for key, value in fields.items() if value}
        )

    def describe(self, path: Path) -> ConvertedMetadata:
        """The converter's `describe`, any failure of it an UnreadableFile; remembered for
        the file as it is now (readertui.core.description_cache), so the next scan does not
        open the file again."""
        from readertui.core import description_cache

        key = description_cache.key_of(path, self.name, self.converter.version)
        if key is not None:
            try:
                remembered = description_cache.recall(key)
            except description_cache.Refused as refused:
                raise UnreadableFile(refused.reason) from None
            if remembered is not None:
                return remembered
        try:
            described = self.converter.describe(path)
        except UnreadableFile as error:
            if key is not None:
                description_cache.remember(key, None, error.reason)
            raise
        except Exception as error:
            # Not remembered: a bug or a passing failure (a file being written) may be gone
            # by the next scan.
            raise UnreadableFile(failure_reason(error)) from error
        if key is not None:
            description_cache.remember(key, described)
        return described

    # -- what opening a document asks -------------------------------------------------------------

    def read(self, path: Path, *, max_bytes: int) -> DecodedText:
        from readertui.core.decoding import DecodedText
        from readertui.core.metadata import converted_metadata_and_problem

        whole_page = converted_metadata_and_problem(path, {})[0].whole_page
        stored = self.conversion(path, max_bytes=max_bytes, whole_page=whole_page)
        return DecodedText(stored.text, self.encoding)

    @property
    def encoding(self) -> str:
        """What the Document tab shows as the encoding of a converted document."""
        return f"converted from {self.name}"

    def conversion(
        self, path: Path, *, max_bytes: int, whole_page: bool = False
    ) -> StoredConversion:
        """The file's conversion, from the cache or converted now (and kept there).

        Raises DocumentError when the file cannot be read, is larger than `max_bytes`, or
        its converter refuses it or fails on it.
        """
        from readertui.core.conversion_cache import ConversionCache

        name = self._entry_name(path, max_bytes, whole_page)
        cache = ConversionCache()
        stored = cache.get(name)
        if stored is not None:
            return stored
        # One conversion of a file at a time: a thread asking for one under way (the reader
        # and the command line's early start) waits for its outcome, success or failure,
        # rather than converting the file again.
        from concurrent.futures import Future  # asyncio's: imported already

        with self._lock:
            outcome = self._converting.get(name)
            converts = outcome is None
            if outcome is None:
                outcome = self._converting[name] = Future()
        if not converts:
            return outcome.result()
        try:
            stored = cache.get(name)  # converted meanwhile by another process
            if stored is None:
                stored = self._stored(path, whole_page)
                cache.put(name, stored)
        except BaseException as error:
            outcome.set_exception(error)
            raise
        else:
            outcome.set_result(stored)
            return stored
        finally:
            with self._lock:
                self._converting.pop(name, None)

    def conversion_start(self, path: Path) -> StoredConversion | None:
        """A quick conversion of the file's beginning (a PDF's first pages) to show while
        `conversion` runs; None when the converter has none (or fails at it: the whole
        conversion will say why)."""
        from readertui.core.conversion_cache import StoredConversion

        if self._where and CONVERT_IN_CHILD:
            from readertui.formats.conversion_process import convert_in_child

            try:
                return convert_in_child(self._where, path, start=True)
            except DocumentError:
                return None
        start = getattr(self.converter, "convert_start", None)
        if start is None:
            return None
        try:
            conversion = start(path)
            return StoredConversion.of(conversion) if conversion is not None else None
        except Exception:
            return None

    def needs_converting(self, path: Path, *, max_bytes: int, whole_page: bool = False) -> bool:
        """Whether opening the file means converting it (slow) rather than reading the
        cache; reads the file once to hash it."""
        from readertui.core.conversion_cache import ConversionCache

        try:
            name = self._entry_name(path, max_bytes, whole_page)
        except DocumentError:
            return False  # opening it fails at once: nothing slow to wait for
        return not ConversionCache().has(name)

    def _entry_name(self, path: Path, max_bytes: int, whole_page: bool) -> str:
        from readertui.core.conversion_cache import entry_name, file_sha256
        from readertui.core.decoding import _os_error_reason, _too_large_reason

        try:
            info = path.stat()
            if info.st_size > max_bytes:
                raise DocumentError(str(path), _too_large_reason(info.st_size, max_bytes))
            # Asking whether a file needs converting, then converting it, hashes it once.
            stamp = (str(path), info.st_size, info.st_mtime_ns)
            file_hash = self._hashes.get(stamp) or file_sha256(path)
            with self._lock:
                if len(self._hashes) >= _HASHES_KEPT:
                    self._hashes.clear()
                self._hashes[stamp] = file_hash
        except OSError as error:
            raise DocumentError(str(path), _os_error_reason(error)) from error
        try:
            converter = self.converter
            version = int(converter.version)
        except Exception as error:  # its module failed to import: a broken install
            raise DocumentError(str(path), failure_reason(error)) from error
        return entry_name(file_hash, converter.name, version, whole_page=whole_page)

    def _stored(self, path: Path, whole_page: bool) -> StoredConversion:
        """The file converted now: in a process of its own when the converter is registered
        by module path (readertui.formats.conversion_process), else here."""
        from readertui.core.conversion_cache import StoredConversion

        if self._where and CONVERT_IN_CHILD:
            from readertui.formats.conversion_process import convert_in_child

            stored = convert_in_child(self._where, path, whole_page=whole_page)
            if stored is None:
                raise DocumentError(str(path), "cannot be read: its converter gave nothing")
            return stored
        conversion = self._converted(path, whole_page)
        try:
            return StoredConversion.of(conversion)
        except Exception as error:  # spans a converter got wrong
            raise DocumentError(str(path), failure_reason(error)) from error

    def _converted(self, path: Path, whole_page: bool) -> Conversion:
        try:
            return self.converter.convert(path, whole_page=whole_page)
        except UnreadableFile as refusal:
            raise DocumentError(str(path), refusal.reason) from refusal
        except Exception as error:
            raise DocumentError(str(path), failure_reason(error)) from error
