"""Turn a document file's bytes into its text: detect the encoding, decode, normalise newlines.

The text produced here is what every offset in readertui points into (PRODUCT §2), so the
same bytes must always give the same string, whichever path (small or large file) read them.
"""

import codecs
import stat
from pathlib import Path
from typing import BinaryIO, NamedTuple

from readertui.errors import DocumentError

_KIB = 1024
_MIB = 1024 * 1024

# Files up to this size are read whole; above it they are decoded chunk by chunk so the
# bytes and the text never sit in memory together.
_LARGE_FILE_BYTES = 16 * _MIB
# Size of one chunk when streaming a large file (tests monkeypatch it small).
_CHUNK_BYTES = 8 * _MIB
# The encoding is guessed from the head of the file plus a slice of its middle: Gutenberg
# texts, for instance, can be pure ASCII for their first pages.
_SAMPLE_HEAD_BYTES = 1 * _MIB
_SAMPLE_MIDDLE_BYTES = 256 * _KIB
# The head of a file: what its format is recognised by and its metadata read from (by the
# library scan and by load_document alike, so a title never changes when a document opens).
HEAD_BYTES = 8 * _KIB
# When UTF-8 turns out to be wrong past the sample, this many bytes either side of the
# first bad byte are used to guess again.
_REDETECT_WINDOW_BYTES = 32 * _KIB

# More than this share of control bytes means the file is not text. A few are allowed:
# PRODUCT §11 wants control characters in a document shown as symbols, not refused.
_BINARY_CONTROL_SHARE = 0.10
# Tab, newline, vertical tab, form feed, carriage return and escape occur in real text files.
_TEXT_CONTROLS = b"\t\n\x0b\x0c\r\x1b"
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in _TEXT_CONTROLS) + b"\x7f"
_CONTROL_CHARS = dict.fromkeys(_CONTROL_BYTES)
# The bytes where cp1252 has printable characters (curly quotes, dashes, €) but latin-1 has
# invisible C1 controls.
_C1_BYTES = bytes(range(0x80, 0xA0))
# Guesses that mean "some Western single-byte encoding": with C1 bytes present, cp1252 is
# what the author meant (the WHATWG encoding standard decodes latin-1 labels as cp1252 too).
_LATIN1_LIKE = frozenset({"ascii", "iso8859-1", "iso8859-15"})
# Two charset_normalizer scores closer than this count as a tie.
_SCORE_TIE = 0.01
# How much text (lines with non-ASCII bytes) the mess detector compares encodings on.
_MESS_SAMPLE_BYTES = 16 * _KIB

# UTF-32 LE's BOM starts with UTF-16 LE's, so the UTF-32 ones are tested first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodedText(NamedTuple):
    """A document's normalised text and the Python codec name it was decoded with."""

    text: str
    encoding: str


def looks_binary(sample: bytes) -> bool:
    """Whether `sample` (the first few KB of a file) comes from a binary file, not text."""
    if not sample:
        return False
    bom = _bom_encoding(sample)
    if bom in ("utf-16", "utf-32"):
        # Every ASCII character carries NUL bytes in these encodings, so judge the characters.
        chars = sample.decode(bom, errors="replace")
        controls = len(chars) - len(chars.translate(_CONTROL_CHARS))
        return controls > len(chars) * _BINARY_CONTROL_SHARE
    if b"\0" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > len(sample) * _BINARY_CONTROL_SHARE


def detect_encoding(sample: bytes) -> str:
    """The Python codec name that best decodes `sample`, a piece of a text file."""
    bom = _bom_encoding(sample)
    if bom is not None:
        return bom
    if _is_utf8(sample):
        return "utf-8"
    return _guess_legacy_encoding(sample)


def normalise_newlines(text: str) -> str:
    """`text` with "\\r\\n" and lone "\\r" turned into "\\n" and tabs expanded to stops of 4."""
    if "\r" not in text and "\t" not in text:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        # Tabs are expanded here, not at display time, because every offset (annotations,
        # search hits) points into the normalised text (PRODUCT §2): one character, one cell.
        text = text.expandtabs(4)
    return text


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a whole file's bytes into normalised text, guessing the encoding."""
    encoding = detect_encoding(_detection_sample(data))
    if encoding == "utf-8":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.end == len(data) and exc.reason == "unexpected end of data":
                # A UTF-8 file cut short mid-character: keep the text, mark the loss.
                text = data.decode("utf-8", errors="replace")
            else:
                # The sample looked like UTF-8 but the file is not; guess again where it broke.
                encoding = _guess_legacy_encoding(_bytes_around(exc.object, exc.start))
                text = data.decode(encoding, errors="replace")
    else:
        # The codecs for utf-8-sig, utf-16 and utf-32 drop the BOM themselves.
        text = data.decode(encoding, errors="replace")
    return DecodedText(normalise_newlines(text), encoding)


def read_text_file(path: Path, *, max_bytes: int) -> DecodedText:
    """Read, decode and normalise the text file at `path`.

    Raises DocumentError (with a short reason for the library's skipped list) when the file
    is missing, unreadable, not a regular file, larger than `max_bytes` or binary.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # Opening a FIFO would block forever; folders and devices are not documents.
            raise DocumentError(str(path), _not_regular_reason(info.st_mode))
        if info.st_size > max_bytes:
            raise DocumentError(str(path), _too_large_reason(info.st_size, max_bytes))
        with path.open("rb") as stream:
            if info.st_size > _LARGE_FILE_BYTES:
                return _read_large(path, stream, info.st_size)
            data = stream.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(str(path), _os_error_reason(exc)) from exc
    if len(data) > max_bytes:  # the file grew after stat()
        raise DocumentError(str(path), _too_large_reason(len(data), max_bytes))
    if looks_binary(data[:HEAD_BYTES]):
        raise DocumentError(str(path), "binary file")
    return decode_bytes(data)


def decode_head(head: bytes) -> str:
    """Normalised text of the first bytes of a file, for metadata; a cut character is dropped."""
    encoding = detect_encoding(head)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    # final=False: the head usually ends mid-file, maybe mid-character; that is no error.
    return normalise_newlines(decoder.decode(head, final=False))


# --- reasons shared with the library scan ------------------------------------------------


def _os_error_reason(exc: OSError) -> str:
    """A short phrase for the skipped list describing why a file could not be read."""
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if isinstance(exc, PermissionError):
        return "not readable: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "not a file (a folder)"
    detail = exc.strerror or str(exc) or type(exc).__name__
    return f"not readable: {detail[:1].lower()}{detail[1:]}"


def _not_regular_reason(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "not a file (a folder)"
    return "not a regular file"


def _too_large_reason(size: int, limit: int) -> str:
    shown_size, shown_limit = _format_size(size), _format_size(limit)
    if shown_size == shown_limit:
        # Rounding made them look equal; the exact counts show why the file is refused.
        shown_size, shown_limit = f"{size:,} bytes", f"{limit:,} bytes"
    return f"too large ({shown_size} > {shown_limit} limit)"


def _format_size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}"
    return f"{size} bytes"


# --- encoding detection -------------------------------------------------------------------


def _bom_encoding(sample: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    return None


def _is_utf8(sample: bytes) -> bool:
    # An incremental decoder accepts a character cut off at the end of the sample (the
    # sample is usually a slice of a longer file) but rejects any invalid byte before it.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _guess_legacy_encoding(sample: bytes) -> str:
    """Guess a non-UTF-8 encoding with charset_normalizer, leaning towards cp1252.

    charset_normalizer often names another Latin code page for Western European text
    (cp1250 for French, hp_roman8 for Spanish, a DOS code page for a few words), because
    several decode it with equal success. cp1252 is by far the most common legacy encoding,
    so it wins whenever it decodes the text at least as cleanly as the guess.
    """
    if _is_western_punctuated(sample):
        return "cp1252"
    # Imported here: most files are UTF-8 or match the fast path above, and the import
    # costs a noticeable share of start-up.
    import charset_normalizer
    from charset_normalizer.utils import is_multi_byte_encoding

    results = charset_normalizer.from_bytes(sample)
    best = results.best()
    if best is None:
        return "cp1252"
    tied = {
        name
        for match in results
        if match.chaos <= best.chaos + _SCORE_TIE and match.coherence >= best.coherence - _SCORE_TIE
        for name in match.could_be_from_charset
    }
    encoding = _codec_name(best.encoding)
    if "cp1252" in tied:
        encoding = "cp1252"
    elif not is_multi_byte_encoding(best.encoding):
        if best.coherence == 0:
            # No language evidence at all (a sample of a few words): an arbitrary code page
            # is no better a guess than the most common one.
            if _decodes_cleanly(sample, "cp1252"):
                encoding = "cp1252"
        elif _cp1252_fits_as_well(sample, encoding):
            encoding = "cp1252"
    if encoding in _LATIN1_LIKE and len(sample.translate(None, _C1_BYTES)) != len(sample):
        encoding = "cp1252"
    return encoding


# Windows typographic punctuation: … ‘ ’ “ ” • – — and the no-break space.
_CP1252_PUNCTUATION = bytes([0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0xA0])
_ASCII_BYTES = bytes(range(0x80))
_CP1252_UNDEFINED = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D])


def _is_western_punctuated(sample: bytes) -> bool:
    """Mostly-ASCII prose with Windows smart punctuation: cp1252, decided at once.

    The commonest legacy file of all (a Gutenberg text, a Word export): at most 2% of its
    bytes above 0x7F, a good share of them curly quotes and dashes, none of the bytes cp1252
    leaves undefined. Text in another code page has far more letters above 0x7F (Cyrillic,
    Greek, Central European) and goes to charset_normalizer's statistical guess.
    """
    high = sample.translate(None, _ASCII_BYTES)
    if not high or len(high) * 50 > len(sample):
        return False
    if len(high.translate(None, _CP1252_UNDEFINED)) != len(high):
        return False
    punctuation = len(high) - len(high.translate(None, _CP1252_PUNCTUATION))
    return punctuation * 10 >= len(high) * 3


def _cp1252_fits_as_well(sample: bytes, rival: str) -> bool:
    """Whether cp1252 reads the non-ASCII lines of `sample` with no more mess than `rival`."""
    from charset_normalizer.md import mess_ratio

    focus = _non_ascii_lines(sample)
    try:
        as_cp1252 = focus.decode("cp1252")
    except UnicodeDecodeError:  # cp1252 leaves five bytes undefined
        return False
    as_rival = focus.decode(rival, errors="replace")
    return mess_ratio(as_cp1252, 1.0) <= mess_ratio(as_rival, 1.0) + _SCORE_TIE


def _non_ascii_lines(sample: bytes) -> bytes:
    # Only lines with non-ASCII bytes tell encodings apart, and the mess detector is slow
    # Python: a few KB of those lines are enough.
    lines: list[bytes] = []
    size = 0
    for line in sample.split(b"\n"):
        if not line.isascii():
            lines.append(line)
            size += len(line)
            if size >= _MESS_SAMPLE_BYTES:
                break
    return b"\n".join(lines)


def _decodes_cleanly(sample: bytes, encoding: str) -> bool:
    try:
        sample.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "cp1252"


def _bytes_around(data: bytes, bad_index: int) -> bytes:
    """The bytes around `bad_index`, where UTF-8 failed: what to guess the encoding from."""
    start = max(0, bad_index - _REDETECT_WINDOW_BYTES)
    return data[start : bad_index + _REDETECT_WINDOW_BYTES]


def _detection_sample(data: bytes) -> bytes:
    if len(data) <= _SAMPLE_HEAD_BYTES + _SAMPLE_MIDDLE_BYTES:
        return data
    middle = len(data) // 2
    return _join_sample(data[:_SAMPLE_HEAD_BYTES], data[middle - 3 : middle + _SAMPLE_MIDDLE_BYTES])


def _join_sample(head: bytes, middle: bytes) -> bytes:
    """Head and middle slices joined so that no UTF-8 character is cut at the seam.

    A character cut at the seam would make a valid UTF-8 file look invalid.
    """
    end = len(head) - 1
    for _ in range(3):  # back onto the first byte of the last (possibly partial) character
        if end <= 0 or not 0x80 <= head[end] <= 0xBF:
            break
        end -= 1
    start = 0
    while start < min(3, len(middle)) and 0x80 <= middle[start] <= 0xBF:
        start += 1
    return head[:end] + middle[start:]


# --- large files --------------------------------------------------------------------------


class _Utf8Failure(Exception):
    """UTF-8 decoding failed mid-stream at byte `offset` of the file."""

    def __init__(self, offset: int) -> None:
        super().__init__("not UTF-8")
        self.offset = offset


def _read_large(path: Path, stream: BinaryIO, size: int) -> DecodedText:
    head = stream.read(_SAMPLE_HEAD_BYTES)
    if looks_binary(head[:HEAD_BYTES]):
        raise DocumentError(str(path), "binary file")
    if size <= _SAMPLE_HEAD_BYTES + _SAMPLE_MIDDLE_BYTES:
        # The whole file is the sample, exactly as decode_bytes takes it.
        sample = head + stream.read()
    else:
        stream.seek(size // 2 - 3)
        sample = _join_sample(head, stream.read(_SAMPLE_MIDDLE_BYTES + 3))
    del head
    encoding = detect_encoding(sample)
    del sample
    stream.seek(0)
    bad_offset = 0
    try:
        return DecodedText(
            _decode_stream(stream, encoding, "strict" if encoding == "utf-8" else "replace"),
            encoding,
        )
    except _Utf8Failure as failure:
        bad_offset = failure.offset
    # Decoding again outside the except block: the traceback would keep the first attempt's
    # pieces alive, doubling the peak memory. The window is read from the file, not from the
    # chunk that failed, so a failure near a chunk's edge sees as much context as
    # decode_bytes gives it.
    start = max(0, bad_offset - _REDETECT_WINDOW_BYTES)
    stream.seek(start)
    encoding = _guess_legacy_encoding(stream.read(bad_offset + _REDETECT_WINDOW_BYTES - start))
    stream.seek(0)
    return DecodedText(_decode_stream(stream, encoding, "replace"), encoding)


def _decode_stream(stream: BinaryIO, encoding: str, errors: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    normaliser = _StreamNormaliser()
    pieces: list[str] = []
    read = 0  # bytes of the file read so far
    while chunk := stream.read(_CHUNK_BYTES):
        read += len(chunk)
        try:
            decoded = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            pieces.clear()
            # The decoder reports offsets into the bytes it held back from the previous
            # chunk (a cut character) followed by this chunk, which end where `read` does.
            raise _Utf8Failure(read - len(exc.object) + exc.start) from None
        pieces.append(normaliser.feed(decoded))
        del decoded
    try:
        last = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        # Only a character cut off at the very end of the file is left: mark it, keep the text.
        last = "\ufffd"
    pieces.append(normaliser.feed(last))
    pieces.append(normaliser.finish())
    # assemble() frees each piece once copied, so this list must be the only reference.
    pieces[:] = [piece for piece in pieces if piece]
    from readertui.core.text_assembly import assemble  # ctypes: only for large files

    return assemble(pieces)


class _StreamNormaliser:
    """normalise_newlines for text that arrives in pieces, giving the same result as one call.

    A "\\r" at the end of a piece is held back (its "\\n" may start the next piece), and the
    column reached by the previous piece is carried over so that tab stops land exactly where
    `str.expandtabs` on the whole text would put them.
    """

    def __init__(self) -> None:
        self._pending_cr = False
        self._column = 0

    def feed(self, text: str) -> str:
        if self._pending_cr:
            text = "\r" + text
            self._pending_cr = False
        if text.endswith("\r"):
            text = text[:-1]
            self._pending_cr = True
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\t" in text:
            # expandtabs only depends on the column modulo the tab size, so a few spaces of
            # padding stand in for the line's start that lies in the previous piece.
            pad = self._column % 4
            text = (" " * pad + text).expandtabs(4)[pad:]
        last_newline = text.rfind("\n")
        if last_newline == -1:
            self._column += len(text)
        else:
            self._column = len(text) - last_newline - 1
        return text

    def finish(self) -> str:
        if self._pending_cr:
            self._pending_cr = False
            return "\n"
        return ""
