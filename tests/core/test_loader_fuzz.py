"""Fuzzing the document loader: whatever bytes a file holds, loading it never goes wrong.

Any bytes under any supported suffix give a Document or a DocumentError, never another
exception. A Document's text has no "\\r", holds no lone surrogate (it must be exportable),
is exactly the decoded text when the bytes are Unicode, and hashes the same on every load;
outline offsets and Markdown spans lie inside it; a file read in chunks (the large-file
path) gives the very same text; and the text lays out into rows that cover it exactly once.
The settings are bounded and derandomised so the module stays fast and deterministic.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from readertui.core import decoding, textlayout
from readertui.core.decoding import decode_bytes, normalise_newlines, read_text_file
from readertui.core.document import Document, load_document
from readertui.core.markdown_spans import MarkdownStyler
from readertui.core.outline import outline_for
from readertui.core.textlayout import TextLayout, cell_width, hard_wrap_column
from readertui.errors import DocumentError
from readertui.formats.markdown import MARKDOWN
from readertui.formats.plain_text import PLAIN_TEXT

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SUFFIXES = st.sampled_from([".txt", ".md", ".markdown", ".text", ".MD"])
LIMIT = 256 * 1024 * 1024

# Pieces of text that exercise the decoder, the outline, the styler and the layout: newlines
# of every kind, tabs, controls and escapes, invisible and bidi characters, wide characters,
# combining marks, astral characters, BOMs inside the text, and Markdown and heading syntax.
WORDS = [
    "\r\n", "\n\n", "CHAPTER IV", "BOOK TWO: 1806", "# ", "## Title #", "```", "~~~", "---\n",
    "...\n", "title: X\n", "- item", "> quote", "[link](u)", "**b**", "\x1b]0;T\x07",
    "ab\tc", "xyz\t", "\t\tq", "é\t😀\t",
]  # fmt: skip
FRAGMENTS = st.one_of(
    st.sampled_from(list("aZ9 .,;:!?#*_`[]()>-~|\n\r\t")),
    st.sampled_from(list("é“”’—…€ñß中文😀\u0301\u200d\u202e\u2028\ufeff\u3000")),
    st.sampled_from(list("\x00\x01\x0b\x0c\x1b\x1c\x7f\x85\x9b\x9d")),
    st.sampled_from(WORDS),
    st.text(max_size=3),
)
TEXTS = st.lists(FRAGMENTS, max_size=80).map("".join)
# Prose hard-wrapped at ~70 columns, so the reflow detection has something to find.
PROSE = st.lists(
    st.text(alphabet="abcdefghij ,.", min_size=50, max_size=75), min_size=20, max_size=40
).map(lambda lines: "\n".join(line if i % 7 else "" for i, line in enumerate(lines)))

_WITH_BOM = {
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE,
    "utf-32-be": codecs.BOM_UTF32_BE,
}
UNICODE_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-32", *_WITH_BOM]
# Characters that count towards calling a file binary (tab, newlines and escape do not).
BINARY_CONTROLS = frozenset(chr(code) for code in (*range(0x20), 0x7F)) - set("\t\n\x0b\x0c\r\x1b")


def encode(text: str, encoding: str) -> bytes:
    """`text` in `encoding`, BOM first for every UTF-16/32 variant (PRODUCT §2 wants one)."""
    return _WITH_BOM.get(encoding, b"") + text.encode(encoding, errors="surrogatepass")


def without_surrogates(text: str) -> str:
    return "".join(char for char in text if not 0xD800 <= ord(char) <= 0xDFFF)


@st.composite
def unicode_files(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """A text, one of the Unicode encodings and the text's bytes in it."""
    text = without_surrogates(draw(st.one_of(TEXTS, PROSE)))
    encoding = draw(st.sampled_from(UNICODE_ENCODINGS))
    return text, encoding, encode(text, encoding)


@st.composite
def any_files(draw: st.DrawFn) -> bytes:
    """Bytes of every sort: encoded text (legacy too), text with junk spliced in, noise."""
    kind = draw(st.sampled_from(["unicode", "cp1252", "spliced", "bom-and-noise", "noise"]))
    if kind == "noise":
        return draw(st.binary(max_size=2000))
    if kind == "bom-and-noise":
        bom = draw(st.sampled_from([codecs.BOM_UTF8, *_WITH_BOM.values()]))
        return bom + draw(st.binary(max_size=200))
    if kind == "cp1252":
        return draw(st.one_of(TEXTS, PROSE)).encode("cp1252", errors="replace")
    data = draw(unicode_files())[2]
    if kind == "spliced":
        junk = draw(st.binary(min_size=1, max_size=6))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + junk + data[at:]
    return data


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Module-scoped: hypothesis runs many examples per test call, each writing its own file.
    return tmp_path_factory.mktemp("fuzzed-library")


def load_or_refuse(library: Path, data: bytes, suffix: str) -> Document | DocumentError:
    """Load `data` saved as a document, or the DocumentError that refused it."""
    path = library / f"document{suffix}"
    path.write_bytes(data)
    try:
        return load_document(path, library)
    except DocumentError as refused:
        assert refused.reason
        assert refused.path == str(path)
        return refused


def lines_of(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line)
        start += len(line) + 1


# --- any bytes ----------------------------------------------------------------------------


@FUZZ
@given(data=any_files(), suffix=SUFFIXES)
@example(data=codecs.BOM_UTF16_LE + b"\x00\x00", suffix=".txt")  # also a UTF-32 BOM
@example(data=b"\r\n\r\r\n\x85\r", suffix=".md")
@example(data=b"---\ntitle: \x93x\x94\n---\n# \xe9\n", suffix=".markdown")
def test_any_bytes_load_as_a_document_or_a_document_error(
    library: Path, data: bytes, suffix: str
) -> None:
    document = load_or_refuse(library, data, suffix)
    if isinstance(document, DocumentError):
        return
    text = document.text
    assert "\r" not in text
    text.encode("utf-8")  # raises on a lone surrogate: the text must be exportable
    assert text == decode_bytes(data).text  # one decoding, whichever function reads the file
    assert document.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    again = load_or_refuse(library, data, suffix)
    assert isinstance(again, Document)
    assert again.text == text
    assert again.sha256 == document.sha256
    for entry in outline_for(text, document.format):
        assert 0 <= entry.offset < len(text)
        assert entry.offset == 0 or text[entry.offset - 1] == "\n"  # a line's start
        line_end = text.find("\n", entry.offset)
        assert entry.title and entry.title in text[entry.offset : line_end % (len(text) + 1)]
    if document.format == "markdown":
        styler = MarkdownStyler(text)
        for start, end in lines_of(text):
            for span in styler.line_spans(start, end):
                assert start <= span.start <= span.end <= end


@FUZZ
@given(file=unicode_files(), suffix=SUFFIXES)
@example(
    file=("\ufeffBOM and U+FEFF", "utf-8-sig", encode("\ufeffBOM and U+FEFF", "utf-8-sig")),
    suffix=".txt",
)
@example(
    file=("tab\there\r\nCR\rLF\n", "utf-16-be", encode("tab\there\r\nCR\rLF\n", "utf-16-be")),
    suffix=".md",
)
def test_unicode_text_loads_as_exactly_that_text(
    library: Path, file: tuple[str, str, bytes], suffix: str
) -> None:
    text, encoding, data = file
    if encoding == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]  # U+FEFF first in a UTF-8 file *is* its BOM
    if data.startswith(codecs.BOM_UTF32_LE) and not encoding.startswith("utf-32"):
        return  # UTF-16 LE's BOM then U+0000 reads as UTF-32 LE's BOM: ambiguous bytes
    document = load_or_refuse(library, data, suffix)
    if isinstance(document, DocumentError):
        # Only text full of control characters is refused, as binary.
        assert document.reason == "binary file"
        assert any(char in BINARY_CONTROLS for char in text)
        return
    assert document.text == normalise_newlines(text)


# --- the large-file path ------------------------------------------------------------------


@FUZZ
@given(data=any_files(), chunk=st.sampled_from([1, 2, 3, 5, 64]))
@example(data=b"\t\t  \x81@", chunk=7)  # sampled differently when streamed (fixed)
def test_a_file_read_in_chunks_gives_the_same_text(library: Path, data: bytes, chunk: int) -> None:
    path = library / "streamed.txt"
    path.write_bytes(data)
    try:
        whole: DocumentError | decoding.DecodedText = read_text_file(path, max_bytes=LIMIT)
    except DocumentError as refused:
        whole = refused
    with (
        mock.patch.object(decoding, "_LARGE_FILE_BYTES", 0),
        mock.patch.object(decoding, "_CHUNK_BYTES", chunk),
    ):
        try:
            streamed = read_text_file(path, max_bytes=LIMIT)
        except DocumentError as refused:
            assert isinstance(whole, DocumentError) and refused.reason == whole.reason
            return
    assert streamed == whole
    # The same internal kind too: CPython never finds equal two strs of different kinds.
    assert sys.getsizeof(streamed.text) == sys.getsizeof(whole.text)


# --- layout -------------------------------------------------------------------------------


@settings(FUZZ, max_examples=100)
@given(
    data=any_files(),
    width=st.sampled_from([1, 2, 9, 40]),
    markdown=st.booleans(),
    block_chars=st.sampled_from([7, textlayout.MAX_BLOCK_CHARS]),
)
def test_every_fuzzed_text_lays_out_into_rows_covering_it_once(
    data: bytes, width: int, markdown: bool, block_chars: int
) -> None:
    text = decode_bytes(data).text
    column = hard_wrap_column(text)
    with mock.patch.object(textlayout, "MAX_BLOCK_CHARS", block_chars):
        for reflow in (False, column is not None):
            kind = MARKDOWN if markdown else PLAIN_TEXT
            layout = TextLayout(text, width, reflow=reflow, kind=kind, wrap_column=column)
            rows = layout.rows_from(layout.locate(0), len(text) + 2)
            assert rows[0].start == 0
            assert rows[-1].stop >= layout.max_offset
            for before, after in itertools.pairwise(rows):
                assert before.stop == after.start  # no offset left out, none shown twice
            for row in rows:
                assert row.start <= row.end <= row.stop
                shown = layout.shown(row)
                assert len(shown) == row.end - row.start  # one cell per source character
                assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)
                assert cell_width(shown) <= width or len(shown) == 1
            # Every offset maps back to the row that owns it (checked on a sample: each
            # lookup walks its block's rows).
            owner = {offset: row for row in rows for offset in range(row.start, row.stop)}
            for offset in range(0, layout.max_offset + 1, max(1, len(text) // 40)):
                assert layout.row(layout.locate(offset)) == owner[offset]
