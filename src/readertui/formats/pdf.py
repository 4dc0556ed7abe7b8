"""PDF files (`.pdf`) as the reader's text: each page's text layer in reading order, with
running headers and footers dropped, line-end hyphenation joined, pages as sections and the
bookmarks as the outline (the `Converter` of readertui.formats.conversion, with pypdfium2).

Reading order is pdfium's text order, which follows the page's content stream: right for a
single column and for columns written one after the other (what LaTeX, word processors and
fpdf2's text columns do). Columns drawn row by row come out of pdfium as lines running
across the gutter: on a page whose text runs leave a clear gutter with prose-wide runs on
both sides, those lines are cut there and each column is read down in turn.

Within a page, lines become paragraphs by their geometry: a vertical gap larger than the
page's usual line pitch, or a change of font size, starts a new paragraph (a blank line). A
line that ended short (the next line's first word would have fitted after it) ends a
paragraph when the next line is indented, is further down than usual or starts a new
column, and otherwise stays a line of its own (a list item, verse); any other line break is
a space. So paragraphs are single lines the reader wraps to the window, whatever the PDF's
measure was, and a quote never has a line break in the middle of a sentence.

A running header or footer is a page's topmost or bottommost line whose text, with its
digits masked ("Journal of X, vol. #, p. #"), is also the topmost or bottommost line, in the
same place, of at least two other pages within `_RUNNING_WINDOW` pages of it (of the other
page, in a two-page document). A line there that is only a page number ("17", "xii",
"Page 3", "- 4 -") goes too, and so does one right under a dropped header (or above a
dropped footer). Every decision about a page looks at most `_RUNNING_WINDOW` pages ahead
(and a word hyphenated at a page's end one page ahead), so the first pages
(`convert_start`) come out exactly as the whole conversion has them: a prefix of its text.

pypdfium2 is imported only when a file is read; pdfium is not thread-safe, so every call
into it holds `_PDFIUM_LOCK`, one page at a time, letting a library scan's `describe`
interleave with a long conversion in another thread. Forms are never initialised, so a
PDF's JavaScript and actions are never run.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple

from readertui.core.markdown_spans import Span
from readertui.formats.base import MAX_OUTLINE_ENTRIES, OutlineEntry
from readertui.formats.conversion import (
    Conversion,
    ConvertedMetadata,
    Section,
    UnreadableFile,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from pathlib import Path

#: How many pages `convert_start` gives (and `describe` looks at for a text layer).
FIRST_PAGES = 10
#: A header is compared with the pages this many before and after its own.
_RUNNING_WINDOW = 5
#: A line break is a paragraph break when the gap to the next line exceeds the page's
#: usual line pitch by this factor.
_GAP_FACTOR = 1.4
#: A change of font size between lines this large (a part of the larger) is a heading's;
#: smaller ones are inline code or small capitals.
_SIZE_CHANGE = 0.15
#: The most a line pitch is taken to be, in font sizes (double spacing is within it).
_MAX_PITCH = 1.5
#: The narrowest gap between two columns, in PDF units (1/72 in).
_MIN_GUTTER = 8
#: Lines on different pages this close (PDF units, 1/72 in) are in the same place.
_SAME_PLACE = 3.0

_PDFIUM_LOCK = threading.Lock()

# pdfium's text marks a hyphen it found at a line end with this non-character, in place of
# the hyphen and the line break.
_LINE_END_HYPHEN = "\ufffe"
_HYPHENS = ("-", _LINE_END_HYPHEN, "\u00ad")
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"(?i:page|p\.|seite)?\s*[-–—(\[]?\s*"
    r"(?:\d{1,5}|(?=[ivxlc])(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))"
    r"\s*[-–—)\]]?(?:\s*(?:/|(?i:of|von))\s*\d{1,5})?"
)
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_AND = re.compile(r"\s+(?:and|&)\s+")


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a page's text layer and where it is (PDF units, y upwards)."""

    text: str
    left: float
    right: float
    #: The baselines of its first and last characters (they differ when pdfium joined a
    #: hyphenated line to the next).
    first_y: float
    last_y: float
    size: float


class PdfConverter:
    """Reads PDF files' text layers (see the module docstring)."""

    name = "pdf"
    suffixes = (".pdf",)
    version = 1

    def describe(self, path: Path) -> ConvertedMetadata:
        with _open(path) as pdf:
            with _PDFIUM_LOCK:
                pages = len(pdf)
            for index in range(min(pages, FIRST_PAGES)):
                if _has_text(pdf, index):
                    break
            else:
                raise UnreadableFile("no text layer (scanned)")
            return _metadata(pdf)

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        with _open(path) as pdf:
            with _PDFIUM_LOCK:
                total = len(pdf)
            conversion = _conversion(pdf, total, total)
        if not conversion.text:
            raise UnreadableFile("no text layer (scanned)")
        return conversion

    def convert_start(self, path: Path) -> Conversion | None:
        with _open(path) as pdf:
            with _PDFIUM_LOCK:
                total = len(pdf)
            if total <= FIRST_PAGES:
                return None
            conversion = _conversion(pdf, total, FIRST_PAGES)
        return conversion if conversion.text else None


PDF_CONVERTER = PdfConverter()


def _median(values: Iterable[float]) -> float:
    """The middle of `values` (the statistics module is slow to import: start-up path)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# --- Opening and reading -------------------------------------------------------------------


@contextmanager
def _open(path: Path) -> Iterator[Any]:
    """The document at `path`, closed after; UnreadableFile when pdfium will not load it."""
    import pypdfium2

    with _PDFIUM_LOCK:
        try:
            pdf = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError as error:
            raise UnreadableFile(_load_refusal(getattr(error, "err_code", None))) from None
    try:
        yield pdf
    finally:
        with _PDFIUM_LOCK:
            pdf.close()


def _load_refusal(code: int | None) -> str:
    import pypdfium2.raw as pdfium_c

    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return "encrypted (password needed)"
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return "encrypted (unsupported security handler)"
    if code == pdfium_c.FPDF_ERR_FILE:
        return "file not readable"  # (no permission): nothing says it is damaged
    reasons = {
        pdfium_c.FPDF_ERR_SUCCESS: "no pages",
        pdfium_c.FPDF_ERR_FORMAT: "not a PDF or damaged",
        pdfium_c.FPDF_ERR_PAGE: "page tree damaged",
    }
    return f"malformed PDF: {reasons.get(code, 'unknown error')}"


def _has_text(pdf: Any, index: int) -> bool:
    with _PDFIUM_LOCK:
        page = pdf[index]
        textpage = page.get_textpage()
        try:
            return bool(textpage.get_text_range().strip())
        finally:
            textpage.close()
            page.close()


def _read_page(pdf: Any, index: int) -> tuple[list[_Line], float]:
    """The non-blank lines of page `index` in reading order, and the page's width."""
    with _PDFIUM_LOCK:
        page = pdf[index]
        textpage = page.get_textpage()
        try:
            chars = _Chars(textpage.raw)
            width = page.get_width()
            lines = _lines(textpage.get_text_range(), chars)
            gutter = _gutter(chars, width)
            if gutter is not None:
                lines = _by_columns(lines, gutter, chars)
            return [line for line, _, _ in lines], width
        finally:
            textpage.close()
            page.close()


class _Chars:
    """Where the characters of one text page are (pdfium's calls, with their buffers)."""

    def __init__(self, raw: Any) -> None:
        import ctypes

        import pypdfium2.raw as pdfium_c

        self._raw = raw
        self._c = pdfium_c
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self._box = [ctypes.c_double() for _ in range(4)]
        self._xy = (ctypes.byref(self._x), ctypes.byref(self._y))
        self._box_pointers = tuple(ctypes.byref(value) for value in self._box)

    def char_index(self, text_index: int) -> int:
        return int(self._c.FPDFText_GetCharIndexFromTextIndex(self._raw, text_index))

    def text_index(self, char_index: int) -> int:
        return int(self._c.FPDFText_GetTextIndexFromCharIndex(self._raw, char_index))

    def origin(self, char_index: int) -> tuple[float, float]:
        self._c.FPDFText_GetCharOrigin(self._raw, char_index, *self._xy)
        return self._x.value, self._y.value

    def box_right(self, char_index: int) -> float:
        """The right edge of the character's box (0 when it has none: a space)."""
        self._c.FPDFText_GetCharBox(self._raw, char_index, *self._box_pointers)
        return float(self._box[1].value)

    def size(self, char_index: int) -> float:
        return float(self._c.FPDFText_GetFontSize(self._raw, char_index))

    def rects(self) -> list[tuple[float, float]]:
        """The left and right edges of pdfium's text rectangles (runs of text)."""
        count = self._c.FPDFText_CountRects(self._raw, 0, -1)
        found = []
        for number in range(max(count, 0)):
            self._c.FPDFText_GetRect(self._raw, number, *self._box_pointers)
            found.append((self._box[0].value, self._box[2].value))
        return found


# A line and the text indices of its first and last characters.
_Located = tuple[_Line, int, int]


def _lines(text: str, chars: _Chars) -> list[_Located]:
    """The non-blank lines of a page's `text` (pdfium's, "\\r\\n" between lines)."""
    lines: list[_Located] = []
    start = 0
    for piece in text.split("\r\n"):
        begin = start
        start += len(piece) + 2
        stripped = piece.strip()
        if not stripped:
            continue
        first = begin + (len(piece) - len(piece.lstrip()))
        last = begin + len(piece.rstrip()) - 1
        line = _located(_clean(stripped), first, last, chars)
        if line is not None:
            lines.append((line, first, last))
        elif lines:
            # No geometry: it goes with the line before it.
            before, before_first, before_last = lines[-1]
            lines[-1] = (_extended(before, stripped), before_first, before_last)
    return lines


def _located(text: str, first: int, last: int, chars: _Chars) -> _Line | None:
    """The line `text` whose first and last characters are at those text indices."""
    first_char, last_char = chars.char_index(first), chars.char_index(last)
    if first_char < 0 or last_char < 0:
        return None
    left, first_y = chars.origin(first_char)
    last_x, last_y = chars.origin(last_char)
    right = max(chars.box_right(last_char), last_x)
    # The font size of a character in the middle: the first may be a bullet of its own size.
    middle = chars.char_index((first + last) // 2)
    size = chars.size(middle if middle >= 0 else first_char)
    return _Line(text, left, right, first_y, last_y, size)


def _gutter(chars: _Chars, width: float) -> tuple[float, float] | None:
    """The gap between two columns of text a page's lines run across (pdfium joins lines
    on one baseline, so columns drawn line by line come out side by side), or None.

    A gutter is a strip of the middle half of the page at least `_MIN_GUTTER` wide that at
    most a few text runs cross (a centred header, a title over both columns), with runs
    of prose width (a sixth of the page) on both sides; a table's short cells are not
    columns.
    """
    rects = chars.rects()
    # Most pages have one column: fewer than three runs start right of a third of the page.
    if width <= 0 or sum(1 for left, _ in rects if left > width / 3) < 3:
        return None
    cells = int(width) + 2
    crossing = [0] * cells
    for left, right in rects:
        # Clamped: a page's box need not start at 0, and text may lie outside it.
        crossing[min(cells - 1, max(0, int(left)))] += 1
        crossing[min(cells - 1, max(0, int(right) + 1))] -= 1
    allowed = max(2, len(rects) // 10)
    covered, run_start, best = 0, None, None
    for cell in range(cells):
        covered += crossing[cell]
        inside = width * 0.25 <= cell <= width * 0.75
        if inside and covered <= allowed:
            run_start = cell if run_start is None else run_start
            if cell - run_start + 1 >= _MIN_GUTTER and (
                best is None or cell - run_start > best[1] - best[0]
            ):
                best = (float(run_start), float(cell))
        else:
            run_start = None
    if best is None:
        return None
    lefts = [right - left for left, right in rects if right <= best[0]]
    rights = [right - left for left, right in rects if left >= best[1]]
    if min(len(lefts), len(rights)) < 3:
        return None
    if min(_median(lefts), _median(rights)) < width * 0.18:
        return None
    return best


def _by_columns(
    lines: list[_Located], gutter: tuple[float, float], chars: _Chars
) -> list[_Located]:
    """`lines` in reading order when the page has two columns either side of `gutter`:
    lines pdfium ran across it split there, each column read down in turn (between the
    lines that cross it, as a title over both)."""
    ordered: list[_Located] = []
    left_column: list[_Located] = []
    right_column: list[_Located] = []
    middle = (gutter[0] + gutter[1]) / 2
    for located in lines:
        line = located[0]
        if line.right <= middle:
            left_column.append(located)
        elif line.left >= middle:
            right_column.append(located)
        else:
            parts = _split_at(located, middle, chars)
            if parts is None:
                ordered += left_column + right_column + [located]
                left_column, right_column = [], []
            else:
                left_column.append(parts[0])
                right_column.append(parts[1])
    return ordered + left_column + right_column


def _split_at(located: _Located, middle: float, chars: _Chars) -> tuple[_Located, _Located] | None:
    """The parts of a line either side of `middle` (a gutter's), or None when there is no
    gap there."""
    line, first, last = located
    low, high = chars.char_index(first), chars.char_index(last)
    if low < 0 or high < 0 or len(line.text) != last - first + 1:
        return None  # (a line with text of no place joined to it)
    # The first character right of the middle (the line's characters run left to right).
    while low < high:
        probe = (low + high) // 2
        if chars.origin(probe)[0] < middle:
            low = probe + 1
        else:
            high = probe
    cut = chars.text_index(low) - first
    if not 0 < cut <= last - first:
        return None
    left_text, right_text = line.text[:cut].rstrip(), line.text[cut:].lstrip()
    if not left_text or not right_text:
        return None
    left_last = first + len(line.text[:cut].rstrip()) - 1
    right_first = last - len(right_text) + 1
    left_part = _located(left_text, first, left_last, chars)
    right_part = _located(right_text, right_first, last, chars)
    if left_part is None or right_part is None:
        return None
    if right_part.left - left_part.right < max(_MIN_GUTTER, line.size):
        return None  # no gap there: a line running across the gutter
    return (left_part, first, left_last), (right_part, right_first, last)


def _extended(line: _Line, more: str) -> _Line:
    return _Line(
        f"{line.text} {_clean(more)}", line.left, line.right, line.first_y, line.last_y, line.size
    )


def _clean(text: str) -> str:
    # The reader's rules: no tabs, no carriage returns, "\n" only between lines. Any other
    # character, control characters included, stays (the reader shows them as symbols).
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


# --- Running headers and footers -------------------------------------------------------------


class _Edges(NamedTuple):
    """Where a page's running header and footer may be (indices into its lines)."""

    #: The topmost lines (on one baseline) and the bottommost.
    top: list[int]
    bottom: list[int]
    #: The line under the topmost and the one above the bottommost.
    below_top: int | None
    above_bottom: int | None


def _edges(lines: Sequence[_Line]) -> _Edges:
    if not lines:
        return _Edges([], [], None, None)
    downwards = sorted(range(len(lines)), key=lambda index: -lines[index].first_y)
    upwards = sorted(range(len(lines)), key=lambda index: lines[index].last_y)
    highest, lowest = lines[downwards[0]].first_y, lines[upwards[0]].last_y
    top = [index for index in downwards if lines[index].first_y > highest - _SAME_PLACE]
    bottom = [index for index in upwards if lines[index].last_y < lowest + _SAME_PLACE]
    below_top = downwards[len(top)] if len(top) < len(lines) else None
    above_bottom = upwards[len(bottom)] if len(bottom) < len(lines) else None
    return _Edges(top, bottom, below_top, above_bottom)


def _masked(text: str) -> str:
    return " ".join(_DIGITS.sub("#", text).split())


def _is_page_number(text: str) -> bool:
    # Roman page numbers are lower case: "IV" alone is more often a chapter's number.
    return _PAGE_NUMBER.fullmatch(text.strip()) is not None


def _without_running_lines(
    pages: Sequence[list[_Line]], total: int, count: int
) -> list[list[_Line]]:
    """The first `count` of `pages` without their running headers, footers and page
    numbers. `pages` holds at least the `_RUNNING_WINDOW` pages after those (or all
    `total`), so the result for a page never depends on how many were read."""
    edges = [_edges(lines) for lines in pages]
    marks = [
        [_mark(lines[index], page) for index in edge.top + edge.bottom]
        for page, (lines, edge) in enumerate(zip(pages, edges, strict=True))
    ]
    kept: list[list[_Line]] = []
    for number in range(count):
        lines = pages[number]
        window = range(max(0, number - _RUNNING_WINDOW), min(total, number + _RUNNING_WINDOW + 1))
        # On at least two other pages, or on the only other one of a two-page document.
        needed = max(1, min(2, len(window) - 1))
        others = [marks[other] for other in window if other != number]
        drop = set()
        for extremes, next_one in (
            (edges[number].top, edges[number].below_top),
            (edges[number].bottom, edges[number].above_bottom),
        ):
            gone = [
                index
                for index in extremes
                if _is_page_number(lines[index].text)
                or _repeats(_mark(lines[index], number), others, needed)
            ]
            drop.update(gone)
            # A page number under a header (or above a footer) goes too.
            if (
                len(gone) == len(extremes)
                and next_one is not None
                and _is_page_number(lines[next_one].text)
            ):
                drop.add(next_one)
        kept.append([line for index, line in enumerate(lines) if index not in drop])
    return kept


class _Mark(NamedTuple):
    """What a topmost or bottommost line is compared by with other pages'."""

    masked: str
    y: float
    #: The number it starts or ends with (a printed page number) less the page's index,
    #: which is the same on every page of a running header that prints page numbers.
    numbering: int | None


def _mark(line: _Line, page: int) -> _Mark:
    words = line.text.split()
    numbering = None
    for word in (words[-1], words[0]):
        if word.isdigit() and len(word) <= 5:
            numbering = int(word) - page
            break
    return _Mark(_masked(line.text), line.first_y, numbering)


def _repeats(mark: _Mark, others: list[list[_Mark]], needed: int) -> bool:
    """Whether a line is in the same place as a topmost or bottommost line of at least
    `needed` of the `others` pages, and either has its text (digits masked) or prints the
    page number as it does ("Chapter 3: Tools 6" on the page after next of "Chapter 2:
    Setting up 4", a chapter's running head)."""
    seen = sum(
        1
        for marks in others
        if any(
            abs(other.y - mark.y) < _SAME_PLACE
            and (
                other.masked == mark.masked
                or (mark.numbering is not None and other.numbering == mark.numbering)
            )
            for other in marks
        )
    )
    return seen >= needed


# --- Paragraphs -----------------------------------------------------------------------------


def _paragraphs(lines: Sequence[_Line], page_width: float) -> list[str]:
    """A page's lines as paragraphs (without blank lines; a kept line break is "\\n")."""
    if not lines:
        return []
    pitches = [
        before.last_y - after.first_y
        for before, after in pairwise(lines)
        if before.last_y - after.first_y > 0
    ]
    # The usual distance between lines is their median. Where that is more than one and a
    # half times the font size, the page is double-spaced or its paragraphs are all one
    # line long (every gap a paragraph's): a gap over that size then ends a paragraph
    # only after a short line.
    size = _median(line.size for line in lines)
    pitch = _median(pitches) if pitches else _MAX_PITCH * size
    capped = min(pitch, _MAX_PITCH * size)
    paragraphs: list[str] = []
    current = lines[0].text
    columns = _columns(lines, page_width)
    for number in range(1, len(lines)):
        before, line = lines[number - 1], lines[number]
        gap = before.last_y - line.first_y
        column_left, column_right = columns[number - 1]
        # A line ended short when the next line's first word would have fitted after it
        # (its width guessed at half an em a character): the break was meant.
        first_word = line.text.split(maxsplit=1)[0]
        short = column_right - before.right > (len(first_word) + 2) * 0.5 * max(line.size, 1.0)
        indented = line.left > column_left + 0.5 * max(line.size, 1.0)
        new_column = gap <= 0.3 * capped
        if (not new_column and gap > _GAP_FACTOR * pitch) or abs(
            line.size - before.size
        ) > _SIZE_CHANGE * max(line.size, before.size):
            paragraphs.append(_resolved(current))
            current = line.text
        elif short and (indented or new_column or gap > _GAP_FACTOR * capped):
            # A paragraph's last line, before an indented first line, a gap, or at the foot
            # of a column.
            paragraphs.append(_resolved(current))
            current = line.text
        elif short:
            # A line of its own: a list item, a line of verse.
            current = f"{current}\n{line.text}"
        else:
            current = _joined(current, line.text)
    paragraphs.append(_resolved(current))
    return [paragraph for paragraph in paragraphs if paragraph]


def _columns(lines: Sequence[_Line], page_width: float) -> list[tuple[float, float]]:
    """The left and right edges of each line's column: of the lines overlapping it."""
    left = min(line.left for line in lines)
    right = max(line.right for line in lines)
    if max(line.left for line in lines) < min(line.right for line in lines):
        # All of them overlap (one column, the usual page): no need to compare each pair.
        # The right margin is taken to be as wide as the left one, so that a page of short
        # lines (a list, the end of a chapter) still has them short.
        return [(left, max(right, page_width - left))] * len(lines)
    columns = []
    for line in lines:
        overlapping = [
            other for other in lines if other.left < line.right and other.right > line.left
        ]
        columns.append(
            (min(other.left for other in overlapping), max(other.right for other in overlapping))
        )
    return columns


def _joined(text: str, following: str) -> str:
    """`text` and the line `following` it in the same paragraph, hyphenation undone."""
    if len(text) > 1 and text[-1] in _HYPHENS and text[-2].isalnum():
        stem = text[:-1]
        if stem[-1].isalpha() and following[:1].islower():
            return stem + following
        # A compound ("well-Known", "1990-2000") keeps its hyphen.
        return f"{stem}-{following}"
    return f"{text} {following}"


def _resolved(text: str) -> str:
    """`text` with pdfium's line-end hyphen marks made into joins or hyphens."""
    if _LINE_END_HYPHEN not in text:
        return text
    parts = text.split(_LINE_END_HYPHEN)
    out = [parts[0]]
    for part in parts[1:]:
        if part[:1].islower() and out[-1][-1:].isalpha():
            out.append(part)
        else:
            out.append("-" + part)
    return "".join(out)


def _join_across_pages(pages: list[list[str]], count: int) -> None:
    """Joins a word hyphenated at the end of each of the first `count` pages with its rest,
    the first word of the next page (in place)."""
    for number in range(min(count, len(pages) - 1)):
        here, following = pages[number], pages[number + 1]
        if not here or not following:
            continue
        ending, opening = here[-1], following[0]
        if not (
            len(ending) > 1 and ending[-1] == "-" and ending[-2].isalpha() and opening[:1].islower()
        ):
            continue
        word = opening.split(maxsplit=1)[0]
        here[-1] = ending[:-1] + word
        rest = opening[len(word) :].lstrip()
        if rest:
            following[0] = rest
        else:
            del following[0]


# --- The conversion -------------------------------------------------------------------------


def _conversion(pdf: Any, total: int, count: int) -> Conversion:
    """The conversion of the first `count` of the document's `total` pages."""
    read = min(total, count + _RUNNING_WINDOW + 1)
    pages = [_read_page(pdf, index) for index in range(read)]
    body = _without_running_lines([lines for lines, _ in pages], total, min(read, count + 1))
    paragraphs = [_paragraphs(lines, width) for lines, (_, width) in zip(body, pages, strict=False)]
    _join_across_pages(paragraphs, count)
    labels = _page_labels(pdf, count)
    parts: list[str] = []
    sections: list[Section] = []
    page_offsets: dict[int, tuple[int, int]] = {}
    offset = 0
    for number in range(count):
        page_text = "\n\n".join(paragraphs[number])
        if not page_text:
            continue
        if parts:
            offset += 2
        sections.append(Section(offset, f"p. {labels[number]}", f"page={number + 1}"))
        page_offsets[number] = (offset, offset + len(page_text))
        parts.append(page_text)
        offset += len(page_text)
    text = "\n\n".join(parts)
    outline, spans = _outline(pdf, text, page_offsets, count)
    return Conversion(text, spans, outline, tuple(sections), _metadata(pdf))


def _page_labels(pdf: Any, count: int) -> list[str]:
    """Each page's label (its printed number, "xii" in front matter) or its number."""
    with _PDFIUM_LOCK:
        labels = [pdf.get_page_label(index).strip() for index in range(count)]
    return [label or str(index + 1) for index, label in enumerate(labels)]


def _bookmarks(pdf: Any) -> Iterator[tuple[str, int, int]]:
    """The bookmarks' titles, target pages (from 0) and levels (1 to 6), in order; at most
    MAX_OUTLINE_ENTRIES of them."""
    found: list[tuple[str, int, int]] = []
    with _PDFIUM_LOCK:
        for bookmark in pdf.get_toc():
            destination = bookmark.get_dest()
            page = destination.get_index() if destination is not None else None
            title = " ".join(bookmark.get_title().split())
            if page is not None and title:
                found.append((title, page, min(bookmark.level + 1, 6)))
                if len(found) == MAX_OUTLINE_ENTRIES:
                    break
    yield from found


def _outline(
    pdf: Any, text: str, page_offsets: dict[int, tuple[int, int]], count: int
) -> tuple[tuple[OutlineEntry, ...], tuple[Span, ...]]:
    """The outline from the bookmarks whose pages (or the first page with text after) are
    among the first `count`, and a heading span over each title found on its own line."""
    entries: list[tuple[int, int, OutlineEntry]] = []
    spans: list[Span] = []
    for order, (title, page, level) in enumerate(_bookmarks(pdf)):
        target = next((number for number in range(page, count) if number in page_offsets), None)
        if target is None:
            continue
        start, end = page_offsets[target]
        offset = _title_offset(text, title, start, end)
        if offset is None:
            offset = start
        else:
            after = offset + len(title)
            if after == len(text) or text[after] == "\n":
                spans.append(Span(offset, after, f"heading{min(level, 3)}"))
        entries.append((offset, order, OutlineEntry(title, offset, level)))
    entries.sort()
    spans = sorted(set(spans), key=lambda span: (span.start, span.end))
    return tuple(entry for _, _, entry in entries), tuple(spans)


def _title_offset(text: str, title: str, start: int, end: int) -> int | None:
    """Where `title` starts a line of text[start:end], ignoring case; None if nowhere."""
    page = text[start:end]
    folded = page.casefold()
    needle = title.casefold()
    if len(folded) != len(page) or len(needle) != len(title):
        folded, needle = page, title
    position = folded.find(needle)
    while position >= 0:
        if position == 0 or page[position - 1] == "\n":
            return start + position
        position = folded.find(needle, position + 1)
    return None


# --- Metadata -------------------------------------------------------------------------------


def _metadata(pdf: Any) -> ConvertedMetadata:
    with _PDFIUM_LOCK:
        title = pdf.get_metadata_value("Title")
        author = pdf.get_metadata_value("Author")
        created = pdf.get_metadata_value("CreationDate")
    return ConvertedMetadata(
        title=" ".join(title.split()),
        authors=_authors(author),
        date=_date(created),
    )


def _authors(value: str) -> tuple[str, ...]:
    """The names in a document information's Author: split on ";", or on "and" (and the
    commas before it) when every part looks like a name of two words or more."""
    value = " ".join(value.split())
    if not value:
        return ()
    if ";" in value:
        return tuple(name.strip() for name in value.split(";") if name.strip())
    parts = _AND.split(value)
    if len(parts) > 1:
        names = [name.strip() for name in parts[0].split(",")] + parts[1:]
        if all(len(name.split()) >= 2 for name in names):
            return tuple(names)
        if all(len(name.split()) >= 2 for name in parts):
            return tuple(part.strip() for part in parts)
    return (value,)


def _date(value: str) -> str:
    """A PDF date ("D:20200131120000Z") as an ISO date ("2020-01-31"), as precise as given."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return ""
    year, month, day = match.groups()
    if month is None or not 1 <= int(month) <= 12:
        return year
    if day is None or not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"
