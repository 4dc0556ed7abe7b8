"""An (X)HTML document or fragment turned into the reader's text, with styled spans over it.

The EPUB converter runs every chapter through here and the web page converter a page's whole
text, so the rules are the general ones of reading HTML as prose: blocks are paragraphs
separated by one blank line, whitespace in the normal flow collapses to single spaces, `pre`
keeps its lines, lists get "•" or "1." markers, tables become aligned columns, images become
"[image: alt]". What the page never shows (its head, scripts, styles, templates, hidden
elements) contributes nothing. The text follows the conversion contract: "\\n" newlines, no
tabs, no carriage returns, every other character kept as a character (an escape byte is text,
shown as a symbol by the reader, never interpreted).

The tree is walked with an explicit stack, so a document nested ten thousand elements deep
costs memory, not Python's recursion limit. selectolax is imported when a document is
converted, not when this module is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from readertui.core.markdown_spans import Span
from readertui.core.shortening import cell_width
from readertui.formats.base import OutlineEntry

# What HTML counts as whitespace between words (not the no-break space, which is a character).
_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")
# A self-closing tag in XHTML ("<a id='x'/>", "<title/>"). An HTML parser reads it as an
# opening tag: `<title/>` would swallow the rest of the document as the title's text.
_SELF_CLOSING = re.compile(r"<([A-Za-z][^\s/<>]*)((?:\s[^<>]*?)?)\s*/>")
# Elements that are empty by definition: a trailing "/" is harmless on them.
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
        "param", "source", "track", "wbr"
    }
)  # fmt: skip
# Elements whose text the reader never sees.
_SKIPPED = frozenset(
    {
        "head", "title", "script", "style", "noscript", "template", "meta", "link", "base",
        "iframe", "audio", "video", "canvas", "object", "embed", "input", "select", "textarea",
        "button", "datalist", "epub:case"
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog",
        "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hgroup", "html", "legend", "li", "main", "menu", "nav",
        "ol", "p", "pre", "section", "summary", "ul", "caption"
    }
)  # fmt: skip
# Containers whose blocks are lines (list items, definitions), not blank-line paragraphs.
_TIGHT = frozenset({"ul", "ol", "dir", "menu", "dl", "li", "dd", "dt"})
_LISTS = frozenset({"ul", "ol", "dir", "menu"})
_INLINE_KINDS = {
    "em": "emphasis",
    "i": "emphasis",
    "cite": "emphasis",
    "dfn": "emphasis",
    "var": "emphasis",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}
_HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
_TAB_SIZE = 4  # as readertui.core.decoding expands a text file's tabs
_LIST_INDENT = 2  # spaces per level of a nested list
_TABLE_GAP = "  "  # between the columns of a table

# A paragraph standing for a heading in a book that marks its chapters up as plain
# paragraphs ("<p>CHAPTER IV</p>", "<p>BOOK FOUR: 1806</p>", "<p>FIRST EPILOGUE</p>").
_GUESSED_HEADING = re.compile(
    r"(?:(?:first|second|third|last|final)\s+)?"
    r"(chapter|book|part|volume|section|prologue|epilogue|preface|introduction|appendix)\b(.*)",
    re.IGNORECASE,
)
# The heading level a guessed heading gets (as if it were an <h2> or an <h3>).
_GUESSED_LEVELS = {"book": 2, "part": 2, "volume": 2, "prologue": 2, "epilogue": 2}
_GUESSED_DEFAULT_LEVEL = 3
_MAX_GUESSED_CHARS = 60
_NUMBER_WORDS = frozenset(
    {
        "the", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
        "eighth", "ninth", "tenth", "last", "final"
    }
)  # fmt: skip


class HtmlText(NamedTuple):
    """A document's text and what lies over it; every offset already has `base_offset` added.

    `ids` maps each element id (and each `<a name>`) to where the text after it starts, so a
    link or a table of contents entry "chapter.xhtml#sec2" finds its place. `headings` are
    the h1–h6 elements (and, when asked, paragraphs that read as chapter headings), in order,
    at their HTML level.
    """

    text: str
    spans: tuple[Span, ...]
    ids: dict[str, int]
    headings: tuple[OutlineEntry, ...]


def html_to_text(
    html: str, *, base_offset: int = 0, xml_syntax: bool = False, guess_headings: bool = False
) -> HtmlText:
    """The reader's text of `html` (a whole document or a fragment).

    `xml_syntax` reads self-closing tags the XHTML way (an EPUB chapter); `guess_headings`
    styles and lists as headings the paragraphs that read as one ("CHAPTER IV"), for books
    that do not mark their chapter titles up as headings.
    """
    from selectolax.lexbor import LexborHTMLParser

    if xml_syntax and "/>" in html:
        html = _SELF_CLOSING.sub(_close_tag, html)
    root = LexborHTMLParser(html).root
    writer = _TextWriter(guess_headings=guess_headings)
    if root is not None:
        writer.walk(root)
    return writer.result(base_offset)


def _close_tag(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.lower() in _VOID:
        return match.group(0)
    return f"<{name}{match.group(2)}></{name}>"


@dataclass(slots=True)
class _Open:
    """An element being walked: what its end closes."""

    tag: str
    block: bool = False
    #: The span kind over its text, if any, and where that text starts (once it does).
    kind: str | None = None
    start: int | None = None
    heading: int = 0
    tight: bool = False
    pre: bool = False
    indent: bool = False
    #: For ul/ol: the number of the next item (ol) or 0 (ul).
    counter: int = 0
    had_block: bool = False
    #: Whether `start` is to be set by the next content (a span, a possible heading).
    awaits: bool = False


class _TextWriter:
    """Accumulates the text, deciding separators lazily: a blank line, a newline or a space
    is written only once the content after it arrives, so nothing trails and nothing doubles.
    """

    def __init__(self, *, guess_headings: bool) -> None:
        self.guess_headings = guess_headings
        self.parts: list[str] = []
        self.pos = 0
        self.line_start = 0
        # Separators owed before the next content: newlines for a block boundary (the most
        # asked for wins), newlines from <br> and <pre> (each counts), a collapsed space.
        self.pending_break = 0
        self.pending_newlines = 0
        self.pending_space = False
        # Just after a list item's marker, where the item's first line goes on.
        self.after_marker = False
        self.pending_ids: list[str] = []
        # Spans whose text has not started yet: they start with the next content.
        self.awaiting: list[_Open] = []
        self.indents: list[int] = [0]
        self.tight = 0
        self.pre = 0
        self.heading = 0
        self.blocks: list[_Open] = []
        self.lists: list[_Open] = []
        self.spans: list[tuple[int, int, str]] = []
        self.ids: dict[str, int] = {}
        self.heading_marks: list[tuple[int, int, int]] = []
        self.candidates: list[tuple[int, int]] = []

    # Walking

    def walk(self, root: Any) -> None:
        """Visit `root`'s descendants in document order, closing each element after its
        children, without recursion."""
        parents: list[tuple[Any, _Open]] = []
        node = root.child
        while node is not None:
            frame = self._enter(node)
            if frame is not None:
                child = node.child
                if child is not None:
                    parents.append((node, frame))
                    node = child
                    continue
                self._exit(frame)
            while True:
                sibling = node.next
                if sibling is not None:
                    node = sibling
                    break
                if not parents:
                    node = None
                    break
                node, frame = parents.pop()
                self._exit(frame)

    def _enter(self, node: Any) -> _Open | None:
        """Handle the start of `node`; the frame to close after its children, or None when
        its children are not to be visited."""
        tag: str = node.tag
        if tag == "-text":
            self._text(node.text_content or "")
            return None
        if tag.startswith("-") or tag in _SKIPPED:
            return None  # comments, doctypes, and what is never shown
        attrs: dict[str, str | None] = node.attributes
        if _hidden(attrs):
            return None
        ident = attrs.get("id") or (attrs.get("name") if tag == "a" else None)
        if ident:
            self.pending_ids.append(ident)
        if tag == "br":
            self.pending_newlines += 1
            self.pending_space = False
            return None
        if tag == "hr":
            self._block_break()
            return None
        if tag in ("img", "image"):
            alt = _collapse(attrs.get("alt") or "").strip()
            self._inline(f"[image: {alt}]" if alt else "[image]")
            return None
        if tag == "svg":
            label = _collapse(attrs.get("aria-label") or "").strip()
            self._inline(f"[image: {label}]" if label else "[image]")
            return None
        if tag == "table":
            self._table(node)
            return None
        frame = _Open(tag)
        if tag in _BLOCKS:
            self._open_block(frame, node, attrs)
        elif tag in _INLINE_KINDS:
            if not (self.pre and _INLINE_KINDS[tag] == "code"):
                frame.kind = _INLINE_KINDS[tag]
        elif tag == "a" and attrs.get("href") is not None:
            frame.kind = "link"
        if frame.kind is not None or (self.guess_headings and tag in ("p", "div")):
            frame.awaits = True
            self.awaiting.append(frame)
        return frame

    def _open_block(self, frame: _Open, node: Any, attrs: dict[str, str | None]) -> None:
        tag = frame.tag
        frame.block = True
        if self.blocks:
            self.blocks[-1].had_block = True
        self.blocks.append(frame)
        self._block_break()
        if tag in _TIGHT:
            frame.tight = True
            self.tight += 1
        if tag in _HEADING_LEVELS:
            frame.heading = _HEADING_LEVELS[tag]
            frame.kind = f"heading{min(frame.heading, 3)}"
            self.heading += 1
        elif tag == "blockquote":
            frame.kind = "quote"
        elif tag == "pre":
            frame.kind = "code-block"
            frame.pre = True
            self.pre += 1
        elif tag in _LISTS:
            frame.counter = _list_start(attrs) if tag == "ol" else 0
            self.lists.append(frame)
        elif tag == "li":
            self._list_marker(attrs)
            frame.indent = True
        elif tag == "dd":
            self.indents.append(self.indents[-1] + _LIST_INDENT)
            frame.indent = True

    def _exit(self, frame: _Open) -> None:
        if frame.awaits and frame.start is None:
            self.awaiting.remove(frame)  # nothing inside: no span
        elif frame.kind is not None and frame.start is not None:
            self.spans.append((frame.start, self.pos, frame.kind))
        if not frame.block:
            return
        self.blocks.pop()
        if frame.heading:
            self.heading -= 1
            if frame.start is not None:
                self.heading_marks.append((frame.start, self.pos, frame.heading))
        elif (
            self.guess_headings
            and frame.tag in ("p", "div")
            and not frame.had_block
            and frame.start is not None
            and not (self.tight or self.pre or self.heading)
            and self.pos - frame.start <= _MAX_GUESSED_CHARS
        ):
            self.candidates.append((frame.start, self.pos))
        if frame.pre:
            self.pre -= 1
            self.pending_newlines = 0  # the newline before </pre> ends the block, no more
        if frame.tight:
            self.tight -= 1
        if frame.indent:
            self.indents.pop()
        if frame.tag in _LISTS:
            self.lists.pop()
        self._block_break()

    # Content

    def _text(self, data: str) -> None:
        if self.pre:
            self._pre_text(data)
            return
        collapsed = _collapse(data)
        if not collapsed:
            return
        if collapsed == " ":
            self.pending_space = True
            return
        if collapsed[0] == " ":
            self.pending_space = True
        words = collapsed.strip(" ")
        self._write(words)
        self.pending_space = collapsed[-1] == " "

    def _pre_text(self, data: str) -> None:
        if "\r" in data:
            data = data.replace("\r\n", "\n").replace("\r", "\n")
        for index, line in enumerate(data.split("\n")):
            if index:
                self.pending_newlines += 1
            if line:
                if "\t" in line:
                    pad = self._column_after_separators() % _TAB_SIZE
                    line = (" " * pad + line).expandtabs(_TAB_SIZE)[pad:]
                self._write(line)

    def _column_after_separators(self) -> int:
        """The column the next content starts at, once the separators owed are written."""
        if self.pos and max(self.pending_break, self.pending_newlines):
            return self.indents[-1]
        return self.pos - self.line_start

    def _inline(self, content: str) -> None:
        """Content that is not text of the document (an image's label): a word of its own,
        never glued to the words around it."""
        if not self.pre:
            self.pending_space = True
        self._write(content)
        if not self.pre:
            self.pending_space = True

    def _block_break(self) -> None:
        if self.after_marker:
            return  # "<li><p>…": the item's first block goes on the marker's line
        self.pending_break = max(self.pending_break, 1 if self.tight else 2)
        self.pending_space = False

    def _write(self, content: str) -> None:
        """Write the separators owed, then `content` (not empty)."""
        if self.pos:
            newlines = max(self.pending_break, self.pending_newlines)
            if newlines:
                self._put("\n" * newlines)
                self.line_start = self.pos
                if self.indents[-1]:
                    self._put(" " * self.indents[-1])
            elif self.pending_space and self.pos != self.line_start:
                self._put(" ")
        elif self.indents[-1]:
            self._put(" " * self.indents[-1])
        self.pending_break = self.pending_newlines = 0
        self.pending_space = self.after_marker = False
        if self.awaiting:
            for frame in self.awaiting:
                frame.start = self.pos
            self.awaiting.clear()
        if self.pending_ids:
            for ident in self.pending_ids:
                self.ids.setdefault(ident, self.pos)
            self.pending_ids.clear()
        self._put(content)

    def _put(self, piece: str) -> None:
        self.parts.append(piece)
        self.pos += len(piece)

    def _list_marker(self, attrs: dict[str, str | None]) -> None:
        """Write a list item's marker on a line of its own, indented by its list's depth."""
        owner = self.lists[-1] if self.lists else None
        level = max(len(self.lists), 1)
        if owner is not None and owner.tag == "ol":
            value = _int_attribute(attrs.get("value"))
            number = owner.counter if value is None else value
            owner.counter = number + 1
            marker = f"{number}."
        else:
            marker = "•"
        indent = _LIST_INDENT * (level - 1)
        self.indents.append(indent)
        self._write(marker)
        self.spans.append((self.pos - len(marker), self.pos, "list-marker"))
        self.pending_space = self.after_marker = True
        # The item's further lines line up under its first word.
        self.indents[-1] = indent + len(marker) + 1

    def _table(self, node: Any) -> None:
        """Write a table as lines of columns padded to their widest cell."""
        ids: list[str] = []
        rows = _table_rows(node, ids)
        self.pending_ids.extend(ids)
        self._block_break()
        widths: list[int] = []
        for row in rows:
            for column, cell in enumerate(row):
                if column == len(widths):
                    widths.append(0)
                widths[column] = max(widths[column], cell_width(cell))
        for row in rows:
            cells = [cell + " " * (widths[col] - cell_width(cell)) for col, cell in enumerate(row)]
            line = _TABLE_GAP.join(cells).rstrip(" ")
            if line:
                self._write(line)
                self.pending_newlines = 1
        self.pending_newlines = 0
        self._block_break()

    # The result

    def result(self, base_offset: int) -> HtmlText:
        text = "".join(self.parts)
        end = len(text.rstrip())
        text = text[:end]
        for ident in self.pending_ids:
            self.ids.setdefault(ident, end)
        spans = [(start, min(stop, end), kind) for start, stop, kind in self.spans if start < end]
        headings: list[tuple[int, int, int]] = list(self.heading_marks)
        for start, stop in self.candidates:
            level = _guessed_level(text[start:stop])
            if level is not None:
                headings.append((start, stop, level))
                spans.append((start, stop, f"heading{min(level, 3)}"))
        headings.sort()
        spans.sort(key=lambda span: span[0])
        return HtmlText(
            text,
            tuple(
                Span(start + base_offset, stop + base_offset, kind) for start, stop, kind in spans
            ),
            {ident: min(offset, end) + base_offset for ident, offset in self.ids.items()},
            tuple(
                OutlineEntry(_collapse(text[start:stop]).strip(), start + base_offset, level)
                for start, stop, level in headings
                if start < end
            ),
        )


def _hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    return style is not None and "display:none" in style.replace(" ", "").lower()


def _collapse(text: str) -> str:
    """`text` with each run of HTML whitespace as one space."""
    # Most text needs nothing; these substring tests are ten times quicker than the regex
    # on the non-ASCII text of a whole book.
    if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text:
        return _HTML_WHITESPACE.sub(" ", text)
    return text


def _int_attribute(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _list_start(attrs: dict[str, str | None]) -> int:
    start = _int_attribute(attrs.get("start"))
    return 1 if start is None else start


def _guessed_level(line: str) -> int | None:
    """The heading level of a paragraph that reads as a chapter heading, or None."""
    if "\n" in line:
        return None
    match = _GUESSED_HEADING.fullmatch(line.strip())
    if match is None:
        return None
    rest = match.group(2).lstrip(" .:-–—")
    if rest and not (
        rest[0].isdigit()
        or rest[0].isupper()
        or rest.split()[0].strip(".:,").lower() in _NUMBER_WORDS
    ):
        return None  # prose starting with the word: "Part of the reason…"
    return _GUESSED_LEVELS.get(match.group(1).lower(), _GUESSED_DEFAULT_LEVEL)


def _table_rows(table: Any, ids: list[str]) -> list[list[str]]:
    """The rows of `table` (its caption first, as a row of one cell), each a list of cell
    texts on one line; ids found inside are added to `ids`."""
    rows: list[list[str]] = []
    stack = _children_reversed(table)
    while stack:
        node = stack.pop()
        tag: str = node.tag
        if tag.startswith("-") or tag in _SKIPPED or tag == "table":
            continue  # a nested table outside any cell is not this table's
        attrs: dict[str, str | None] = node.attributes
        if _hidden(attrs):
            continue
        ident = attrs.get("id")
        if ident:
            ids.append(ident)
        if tag == "caption":
            caption = _plain_text(node, ids)
            if caption:
                rows.append([caption])
        elif tag == "tr":
            cells = [
                _plain_text(cell, ids)
                for cell in _children_reversed(node)[::-1]
                if cell.tag in ("td", "th") and not _hidden(cell.attributes)
            ]
            if cells:
                rows.append(cells)
        else:
            stack.extend(_children_reversed(node))
    return rows


def _children_reversed(node: Any) -> list[Any]:
    children = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    children.reverse()
    return children


def _plain_text(node: Any, ids: list[str]) -> str:
    """The text of `node` on one line (a table cell): its words, images as "[image: alt]".
    Its id and those inside it are added to `ids`."""
    own = node.attributes.get("id")
    if own:
        ids.append(own)
    words: list[str] = []
    stack: list[Any] = _children_reversed(node)
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            words.append(current)  # the space after a block
            continue
        tag: str = current.tag
        if tag == "-text":
            words.append(current.text_content or "")
            continue
        if tag.startswith("-") or tag in _SKIPPED:
            continue
        attrs: dict[str, str | None] = current.attributes
        if _hidden(attrs):
            continue
        ident = attrs.get("id")
        if ident:
            ids.append(ident)
        if tag in ("img", "image"):
            alt = _collapse(attrs.get("alt") or "").strip()
            words.append(f" [image: {alt}] " if alt else " [image] ")
        elif tag == "br" or tag in _BLOCKS or tag in ("td", "th", "tr"):
            words.append(" ")
            stack.append(" ")
            stack.extend(_children_reversed(current))
        else:
            stack.extend(_children_reversed(current))
    return _collapse("".join(words)).strip()
