"""Soft-wrap a document into screen rows, one block at a time, with row <-> offset mapping.

Nothing here ever wraps the whole document: a *block* is one source line (or, when reflow
is on, one paragraph), found with `str.find`/`rfind` around an offset, wrapped on demand and
cached. Moving a page, jumping to the end or resizing therefore costs a screenful of work
whatever the size of the document. Every code point of the text belongs to exactly one row,
so a screen cell maps back to one source offset and annotations stay 1:1 with the source.

What a paragraph is when reflowing is partly the document's format's to say (a Markdown list
keeps its line breaks), and a format may not reflow at all; the layout asks the format.

Cell widths come from Rich, the library that paints the rows, so wrapping and painting agree
on wide (CJK) characters, emoji and combining marks.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

from rich.cells import get_character_cell_size

from readertui.core.visible import visible_text
from readertui.formats.base import Format
from readertui.formats.plain_text import PLAIN_TEXT

# Blocks longer than this are cut into fixed chunks, so one enormous line (a minified file,
# a paragraph with no blank lines) never has to be wrapped from its start to reach a row.
MAX_BLOCK_CHARS = 16_384

_BLOCK_CACHE_SIZE = 512


class Row(NamedTuple):
    """One screen row: shows text[start:end] and owns the offsets start <= offset < stop.

    `stop` is past `end` when the row ends in a break character (the space a soft wrap broke
    at, or the line's newline), so the cursor can rest on it at the end of the row.
    """

    start: int
    end: int
    stop: int


class Block(NamedTuple):
    """A wrapping unit: text[start:end] (no trailing newline), followed by `next_start`."""

    start: int
    end: int
    next_start: int
    reflowed: bool


@dataclass(frozen=True, slots=True)
class RowRef:
    """The address of a row: the block it belongs to and its index among the block's rows."""

    block_start: int
    index: int


def char_width(char: str) -> int:
    """Cells the character takes on screen (after control characters are made visible)."""
    return get_character_cell_size(char)


def cell_width(text: str) -> int:
    """Cells a run of visible text takes."""
    if text.isascii():
        return len(text)
    return sum(map(get_character_cell_size, text))


def _wrap_segment(shown: str, width: int) -> list[tuple[int, int, int]]:
    """Greedy word wrap of `shown` to `width` cells: (start, end, stop) relative to `shown`."""
    rows: list[tuple[int, int, int]] = []
    length = len(shown)
    if length == 0:
        return [(0, 0, 0)]
    ascii_only = shown.isascii()
    widths: list[int] | None = None if ascii_only else [get_character_cell_size(c) for c in shown]
    pos = 0
    while pos < length:
        # `limit` is the first index that no longer fits on this row.
        if widths is None:
            limit = min(length, pos + width)
        else:
            used = 0
            limit = pos
            while limit < length and used + widths[limit] <= width:
                used += widths[limit]
                limit += 1
        if limit >= length:
            rows.append((pos, length, length))
            break
        # Break at the last space that fits; the space itself may sit just past the edge.
        space = shown.rfind(" ", pos, limit + 1)
        if space > pos:
            rows.append((pos, space, space + 1))
            pos = space + 1
        else:
            cut = max(limit, pos + 1)  # a word wider than the row is cut; never an empty row
            rows.append((pos, cut, cut))
            pos = cut
    return rows


class TextLayout:
    """Rows of one document at one width, computed lazily around the offsets asked for.

    `kind` is the document's format; `reflow` joins the lines of hard-wrapped paragraphs
    when the format allows it (plain text when no format is given).
    """

    def __init__(
        self,
        text: str,
        width: int,
        *,
        reflow: bool = False,
        kind: Format | None = None,
        wrap_column: int | None = None,
    ) -> None:
        self.text = text
        # The column the source was hard-wrapped at: lines much shorter than it are verse.
        self.wrap_column = wrap_column
        self.width = max(1, width)
        if kind is None:
            kind = PLAIN_TEXT
        self.kind = kind
        self.reflow = reflow and kind.reflows
        # The last offset the cursor may take: a final newline has no row of its own.
        self.max_offset = len(text) - 1 if text.endswith("\n") else len(text)
        # Blank lines at the very start are blocks of their own; the first paragraph follows.
        prefix = text[:4096]
        self._leading_newlines = len(prefix) - len(prefix.lstrip("\n"))
        self._rows: OrderedDict[int, tuple[Row, ...]] = OrderedDict()
        self._blocks: OrderedDict[int, Block] = OrderedDict()

    # -- blocks -----------------------------------------------------------------------------

    def block_at(self, offset: int) -> Block:
        """The block that owns `offset` (clamped to the text)."""
        offset = min(max(offset, 0), self.max_offset)
        known = self._blocks.get(offset)
        if known is not None:
            return known
        for block in reversed(self._blocks.values()):
            if block.start <= offset < block.next_start:
                return block
        block = self._find_block(offset)
        self._blocks[block.start] = block
        if len(self._blocks) > _BLOCK_CACHE_SIZE:
            self._blocks.popitem(last=False)
        return block

    def _find_block(self, offset: int) -> Block:
        text = self.text
        line_start = text.rfind("\n", 0, offset) + 1
        line_end = text.find("\n", offset)
        if line_end == -1:
            line_end = len(text)
        if line_start == line_end:  # an empty line is a block of its own
            return Block(line_start, line_start, line_start + 1, False)
        if self.reflow:
            gap = text.rfind("\n\n", 0, line_start)
            start = self._leading_newlines if gap == -1 else gap + 2
            gap = text.find("\n\n", line_end)
            end = len(text) if gap == -1 else gap
            if end == len(text) and text.endswith("\n"):
                end -= 1
        else:
            start, end = line_start, line_end
        next_start = end + 1
        if end - start > MAX_BLOCK_CHARS:
            chunk = (offset - start) // MAX_BLOCK_CHARS
            chunk_start = start + chunk * MAX_BLOCK_CHARS
            chunk_end = min(end, chunk_start + MAX_BLOCK_CHARS)
            if chunk_end < end:
                next_start = chunk_end
            start, end = chunk_start, chunk_end
        return Block(start, end, next_start, self.reflow and self._joins_lines(start, end))

    def _joins_lines(self, start: int, end: int) -> bool:
        """Whether the line breaks inside a paragraph are soft (prose) or hard (verse, code)."""
        body = self.text[start:end]
        if "\n" not in body:
            return True
        lines = body.split("\n")
        if self.kind.keeps_line_breaks(lines):
            return False
        # Indented continuation lines are verse, tables or code; short lines are verse.
        if any(line[:1] in (" ", "\u3000") for line in lines[1:]):
            return False
        longest = self.wrap_column or max(len(line) for line in lines)
        return all(len(line) >= 0.6 * longest for line in lines[:-1])

    def next_block(self, block: Block) -> Block | None:
        if block.next_start > self.max_offset:
            return None
        return self.block_at(block.next_start)

    def previous_block(self, block: Block) -> Block | None:
        if block.start == 0:
            return None
        return self.block_at(block.start - 1)

    # -- rows -------------------------------------------------------------------------------

    def rows(self, block: Block) -> tuple[Row, ...]:
        """The rows of a block, wrapped at the layout's width (cached)."""
        cached = self._rows.get(block.start)
        if cached is not None:
            self._rows.move_to_end(block.start)
            return cached
        rows = self._wrap_block(block)
        self._rows[block.start] = rows
        if len(self._rows) > _BLOCK_CACHE_SIZE:
            self._rows.popitem(last=False)
        return rows

    def _wrap_block(self, block: Block) -> tuple[Row, ...]:
        if block.start == block.end:
            return (Row(block.start, block.start, block.next_start),)
        text = self.text
        if block.reflowed:
            segments = [(block.start, block.end)]
        else:
            segments = []
            pos = block.start
            while pos <= block.end:
                newline = text.find("\n", pos, block.end)
                line_end = block.end if newline == -1 else newline
                segments.append((pos, line_end))
                pos = line_end + 1
        rows: list[Row] = []
        for seg_start, seg_end in segments:
            shown = visible_text(text[seg_start:seg_end])
            for start, end, stop in _wrap_segment(shown, self.width):
                rows.append(Row(seg_start + start, seg_start + end, seg_start + stop))
            # The segment's last row owns the newline (or chunk edge) that follows it.
            last = rows[-1]
            rows[-1] = Row(last.start, last.end, seg_end + 1)
        last = rows[-1]
        rows[-1] = Row(last.start, last.end, block.next_start)
        return tuple(rows)

    def locate(self, offset: int) -> RowRef:
        """The row that owns `offset`."""
        block = self.block_at(offset)
        offset = min(max(offset, 0), self.max_offset)
        rows = self.rows(block)
        for index, row in enumerate(rows):
            if offset < row.stop:
                return RowRef(block.start, index)
        return RowRef(block.start, len(rows) - 1)

    def row(self, ref: RowRef) -> Row:
        rows = self.rows(self.block_at(ref.block_start))
        return rows[min(ref.index, len(rows) - 1)]

    def step(self, ref: RowRef, count: int) -> RowRef:
        """The row `count` rows below (or above, when negative) `ref`, clamped to the text."""
        block = self.block_at(ref.block_start)
        index = ref.index + count
        while True:
            rows = self.rows(block)
            if index < 0:
                previous = self.previous_block(block)
                if previous is None:
                    return RowRef(block.start, 0)
                block = previous
                index += len(self.rows(block))
            elif index >= len(rows):
                following = self.next_block(block)
                if following is None:
                    return RowRef(block.start, len(rows) - 1)
                index -= len(rows)
                block = following
            else:
                return RowRef(block.start, index)

    def rows_from(self, ref: RowRef, count: int) -> list[Row]:
        """Up to `count` consecutive rows starting at `ref`."""
        result: list[Row] = []
        block: Block | None = self.block_at(ref.block_start)
        index = ref.index
        while block is not None and len(result) < count:
            rows = self.rows(block)
            result.extend(rows[index : index + count - len(result)])
            index = 0
            block = self.next_block(block)
        return result

    def distance(self, upper: RowRef, lower: RowRef, limit: int) -> int | None:
        """Rows from `upper` down to `lower`, or None when more than `limit` or above."""
        block: Block | None = self.block_at(upper.block_start)
        counted = -upper.index
        while block is not None and counted <= limit + 1:
            if block.start == lower.block_start:
                steps = counted + lower.index
                return steps if 0 <= steps <= limit else None
            counted += len(self.rows(block))
            block = self.next_block(block)
        return None

    def last_row(self) -> RowRef:
        block = self.block_at(self.max_offset)
        return RowRef(block.start, len(self.rows(block)) - 1)

    # -- columns ----------------------------------------------------------------------------

    def shown(self, row: Row) -> str:
        """The text a row displays: control characters visible, reflowed breaks as spaces."""
        return visible_text(self.text[row.start : row.end])

    def column_of(self, row: Row, offset: int) -> int:
        """The screen column of `offset` within `row` (a break character sits at the end)."""
        offset = min(max(offset, row.start), row.end)
        return cell_width(visible_text(self.text[row.start : offset]))

    def offset_at(self, row: Row, column: int) -> int:
        """The offset shown at `column` of `row`; past the text, the row's last offset."""
        used = 0
        for position, char in enumerate(self.shown(row)):
            used += char_width(char)
            if used > column:
                return row.start + position
        return row.stop - 1 if row.stop - 1 >= row.start else row.start


def looks_hard_wrapped(text: str) -> bool:
    """Whether the text is prose hard-wrapped at a fixed width (Project Gutenberg style)."""
    return hard_wrap_column(text) is not None


def hard_wrap_column(text: str) -> int | None:
    """The column prose was hard-wrapped at (Project Gutenberg style), or None if it was not.

    Looks at a sample from the start and the middle: most lines short (at most ~80 columns),
    most of them in paragraphs of several lines, and those lines of a steady, long-ish length.
    Verse, code and documents written one paragraph per line all fail one of the tests.
    """
    sample_size = 60_000
    middle = len(text) // 2
    sample = text[:sample_size] + "\n\n" + text[middle : middle + sample_size]
    paragraphs = [p.split("\n") for p in sample.split("\n\n")]
    lines = [line for para in paragraphs for line in para if line.strip()]
    if len(lines) < 20:
        return None
    short = sum(1 for line in lines if len(line) <= 80)
    if short < 0.95 * len(lines):
        return None
    inner = [len(line) for para in paragraphs if len(para) > 1 for line in para[:-1] if line]
    if len(inner) < 0.5 * len(lines):
        return None
    inner.sort()
    if inner[len(inner) // 2] < 45:
        return None
    return inner[(len(inner) * 9) // 10]
