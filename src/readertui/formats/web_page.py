"""Saved web pages (`.html`, `.htm`, `.xhtml`): the article, without the page around it.

A page saved from a browser holds its article inside menus, cookie banners, share buttons,
newsletter boxes, "related stories", comments and footers. The article is found by
trafilatura (the extraction its authors tuned on thousands of pages), asked for its result as
a tree with the formatting kept, and that tree is written out as the reader's text with
styled spans (headings, emphasis, strong, quotes, lists, code, tables as aligned text) and an
outline from the headings. With `whole_page=True` the converter gives every visible text of
the page instead (readertui.formats.html_text walks it), for when the extraction cut too much;
it does the same when the extraction finds nothing at all.

The bytes are decoded as a browser would (a BOM, then a `<meta charset>` or an XML
declaration, with WHATWG's reading of the legacy labels: "iso-8859-1" is windows-1252), then
parsed once by an HTML5 parser (selectolax's lexbor), so malformed markup gives the tree a
browser builds. trafilatura works on lxml trees, so lexbor's well-formed serialisation is
what lxml parses. Two things are done to it first, because libxml2 and trafilatura would
otherwise lose text: elements nested deeper than MAX_DEPTH are flattened to their text, and
control characters (which an XML tree cannot hold, and trafilatura strips) are swapped for
printable stand-ins and swapped back in the final text, so an escape byte in a page reaches
the reader as a character it shows as a symbol, never dropped, never interpreted.

Metadata (title, authors, site, date, the page's own address, language) comes from the first
METADATA_BYTES of the file, for `describe` and `convert` alike, so a title never changes when
a page is opened. Nothing here imports a parsing library until a page is read.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from readertui.core.decoding import detect_encoding, looks_binary
from readertui.core.markdown_spans import Span
from readertui.core.shortening import cell_width
from readertui.formats.base import MAX_OUTLINE_ENTRIES, OutlineEntry
from readertui.formats.conversion import Conversion, ConvertedMetadata, UnreadableFile

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    # lxml ships no type hints (readertui declares no stubs for it): its elements are Any.
    from lxml.etree import _Element
    from selectolax.lexbor import LexborHTMLParser

    from readertui.formats.conversion import Converter

_KIB = 1024

#: How much of a file its metadata is read from: the head of any page, and the start of its
#: body (where a byline is), without parsing megabytes for a title.
METADATA_BYTES = 512 * _KIB
#: Elements nested deeper than this are replaced by their text. libxml2 stops parsing at
#: depth 2048 (dropping the rest of the page) and trafilatura's cost grows with the square
#: of the depth; real pages stay well under 100.
MAX_DEPTH = 128
# Where a `<meta charset>` is looked for. Browsers look in the first 1024 bytes, but saved
# pages sometimes carry large inline styles before it.
_CHARSET_SCAN_BYTES = 64 * _KIB
# The first bytes that tell a binary file from a page (as the library scan's head).
_BINARY_SAMPLE_BYTES = 8 * _KIB
# A table wider than this (in columns) is written one row per line with " | " between its
# cells instead of in aligned columns.
_TABLE_WIDTH = 100
_TABLE_GAP = "  "

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
# The WHATWG Encoding Standard's reading of labels that Python's codecs read differently:
# browsers decode "iso-8859-1" and "us-ascii" pages as windows-1252 (whose curly quotes such
# pages do contain), "shift_jis" as Microsoft's superset, and so on. A page declaring UTF-16
# in an ASCII-compatible `<meta>` is UTF-8 (the standard says so: the tag could not be read
# otherwise).
_WHATWG_LABELS = {
    **dict.fromkeys(
        (
            "ascii",
            "us-ascii",
            "ansi_x3.4-1968",
            "iso-8859-1",
            "iso8859-1",
            "iso_8859-1",
            "latin1",
            "latin-1",
            "l1",
            "cp819",
            "ibm819",
            "windows-1252",
            "x-cp1252",
            "cp1252",
            "x-user-defined",
        ),
        "cp1252",
    ),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "windows-1254"), "cp1254"),
    **dict.fromkeys(("iso-8859-11", "tis-620", "windows-874"), "cp874"),
    **dict.fromkeys(
        ("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "ms932", "windows-31j"), "cp932"
    ),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "windows-949"), "cp949"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "chinese", "gb18030"), "gb18030"),
    **dict.fromkeys(("big5", "big5-hkscs", "x-x-big5"), "big5hkscs"),
    **dict.fromkeys(("utf-16", "utf-16le", "utf-16be", "unicode"), "utf-8"),
}

# Elements whose text is never shown; a whole-page conversion also drops hidden elements.
_NEVER_SHOWN = ("script", "style", "noscript", "template")
_HIDDEN = (
    "[hidden]",
    '[style*="display:none" i]',
    '[style*="display: none" i]',
    '[style*="visibility:hidden" i]',
    '[style*="visibility: hidden" i]',
)
# An XHTML element written self-closed ("<script src='x'/>", "<div/>"): an HTML parser
# would take it as an opening tag and swallow the rest of the page into it.
_SELF_CLOSED = re.compile(r"<([A-Za-z][\w:-]*)(\s[^<>]*?)?/>")
# fmt: off
_VOID_ELEMENTS = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
))
# fmt: on

# Characters that trafilatura or an XML tree would drop (C0 and C1 controls, DEL and the two
# XML non-characters), and candidate blocks of printable stand-ins for them; the first block
# that the page does not use is taken.
_PROTECTED = (
    *range(0x00, 0x09),
    0x0B,
    *range(0x0E, 0x20),
    *range(0x7F, 0xA0),
    0xFFFE,
    0xFFFF,
)
_PROTECTED_PATTERN = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in _PROTECTED) + "\x0c]"
)
_STAND_IN_BLOCKS = (0x1F700, 0x1D000, 0x13000, 0x12000, 0x14400, 0xA000)
# The last resort when a page uses every block above: the Control Pictures (␛ for ESC).
_CONTROL_PICTURES = 0x2400

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*")
# Whitespace HTML collapses to one space. A lone space already is one: matching only the
# runs that change makes collapsing a megabyte of prose several times quicker.
_HTML_WHITESPACE = re.compile(r"[\t\n\r\f][ \t\n\r\f]*| [ \t\n\r\f]+")
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_INLINE_KINDS = {
    "em": "emphasis",
    "i": "emphasis",
    "cite": "emphasis",
    "dfn": "emphasis",
    "u": "emphasis",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
    "var": "code",
    "q": "quote",
}
# trafilatura's `<hi rend=…>` for the tags above.
_REND_KINDS = {"#i": "emphasis", "#u": "emphasis", "#b": "strong", "#t": "code"}
# Inside these, a `code` or `quote` element is part of a line of text, not a block.
# fmt: off
_INLINE_PARENTS = frozenset((
    "p", "hi", "ref", "del", "head", "cell", "item", "a", "span", "em", "i", "b", "strong",
    "u", "q", "cite", "code", "s", "strike", "sub", "sup",
))
# fmt: on
# fmt: off
_BLOCKS = frozenset((
    "p", "div", "body", "section", "article", "main", "header", "footer", "aside", "nav",
    "figure", "figcaption", "address", "center", "form", "fieldset", "details", "summary",
    "dd", "dt", "td", "th", "cell", "row", "tr", "tbody", "thead", "tfoot",
))
# fmt: on


class WebPageConverter:
    """A saved web page: its article (or, when asked, its whole text) and its metadata."""

    name: str = "html"
    suffixes: tuple[str, ...] = (".html", ".htm", ".xhtml")
    version: int = 1

    def describe(self, path: Path) -> ConvertedMetadata:
        data, complete = _read(path, limit=METADATA_BYTES)
        page = _Page.from_bytes(data, complete=complete, xhtml=_is_xhtml(path, data))
        metadata = page.metadata()
        if complete and not page.has_text():
            raise UnreadableFile("no text")
        return metadata

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        data, _ = _read(path)
        xhtml = _is_xhtml(path, data)
        # The metadata from the same bytes as `describe` reads, so the two always agree.
        head = data[:METADATA_BYTES]
        metadata = _Page.from_bytes(head, complete=head == data, xhtml=xhtml).metadata()
        page = _Page.from_bytes(data, complete=True, xhtml=xhtml)
        page.drop_never_shown()
        body = None if whole_page else page.article(metadata.title)
        if body is None:
            body = page.whole_text()
        if body is None:
            raise UnreadableFile("no text")
        text, spans, outline = body
        return Conversion(text, spans, outline, (), metadata)

    def convert_start(self, path: Path) -> Conversion | None:
        # A page converts in one go; there is no quicker way to its beginning.
        return None


WEB_PAGE_CONVERTER = WebPageConverter()
if TYPE_CHECKING:
    # mypy checks here that the converter keeps the contract.
    _CONTRACT: Converter = WEB_PAGE_CONVERTER

_Body = tuple[str, tuple[Span, ...], tuple[OutlineEntry, ...]]


# -- reading and decoding --------------------------------------------------------------------


def _read(path: Path, *, limit: int | None = None) -> tuple[bytes, bool]:
    """The file's bytes (its first `limit` bytes) and whether that is the whole file."""
    try:
        with path.open("rb") as stream:
            data = stream.read() if limit is None else stream.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(f"not readable: {exc.strerror or type(exc).__name__}") from exc
    if looks_binary(data[:_BINARY_SAMPLE_BYTES]):
        raise UnreadableFile("binary file")
    if limit is not None and len(data) > limit:
        return data[:limit], False
    return data, True


def _is_xhtml(path: Path, data: bytes) -> bool:
    start = data[:64].lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    return path.suffix.lower() == ".xhtml" or start[:5].lower() == b"<?xml"


def decode_page(data: bytes, *, complete: bool = True) -> str:
    """A page's bytes as text, decoded as a browser would decode the saved file.

    A BOM decides; then valid UTF-8 is UTF-8, whatever the page declares (a legacy label on a
    UTF-8 file is a mistake; the reverse, a legacy file that happens to be valid UTF-8, does
    not occur in practice); then the `<meta charset>` or XML declaration, read as browsers
    read the labels; then a guess leaning towards windows-1252 (readertui.core.decoding).
    `complete` is False when `data` is the start of a longer file (it may end mid-character).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding, complete)
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data[:_CHARSET_SCAN_BYTES])
    if declared is None or declared == "utf-8":
        declared = detect_encoding(data[: 1024 * _KIB])
    return _decode(data, declared, complete)


def _decode(data: bytes, encoding: str, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return decoder.decode(data, final=complete)


def _declared_encoding(head: bytes) -> str | None:
    """The codec a page's XML declaration or first `<meta charset>` names, if Python has it."""
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii").lower()
    if label in _WHATWG_LABELS:
        return _WHATWG_LABELS[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _close_self_closed(page: str) -> str:
    """XHTML's `<tag/>` written as `<tag></tag>` for an HTML parser (void elements stay)."""

    def close(match: re.Match[str]) -> str:
        tag = match.group(1)
        if tag.lower() in _VOID_ELEMENTS:
            return match.group(0)
        return f"<{tag}{match.group(2) or ''}></{tag}>"

    return _SELF_CLOSED.sub(close, page)


# -- the parsed page -----------------------------------------------------------------------------


class _StandIns:
    """Printable stand-ins for the control characters of one page, and the way back."""

    def __init__(self, serialised: str) -> None:
        self.hide: dict[int, str] = {0x0C: " "}  # a form feed is whitespace in HTML
        self.show: dict[int, str] = {}
        if _PROTECTED_PATTERN.search(serialised) is None:
            return
        for base in _STAND_IN_BLOCKS:
            block = f"[{chr(base)}-{chr(base + len(_PROTECTED) - 1)}]"
            if re.search(block, serialised) is None:
                break
        else:
            # Every block is in use (a page written to defeat this): show controls as their
            # pictures, which is what the reader would draw for them anyway.
            base = _CONTROL_PICTURES
            self.hide.update({code: chr(base + code) for code in _PROTECTED if code < 0x20})
            self.hide.update({code: "\ufffd" for code in _PROTECTED if code >= 0x20})
            return
        for index, code in enumerate(_PROTECTED):
            self.hide[code] = chr(base + index)
            self.show[base + index] = chr(code)

    def hidden(self, text: str) -> str:
        return text.translate(self.hide) if _PROTECTED_PATTERN.search(text) else text

    def shown(self, text: str) -> str:
        return text.translate(self.show) if self.show else text


@dataclass
class _Page:
    """One page parsed the way a browser parses it (selectolax's lexbor)."""

    dom: LexborHTMLParser

    @classmethod
    def from_bytes(cls, data: bytes, *, complete: bool, xhtml: bool) -> _Page:
        from selectolax.lexbor import LexborHTMLParser

        page = decode_page(data, complete=complete)
        if xhtml:
            page = _close_self_closed(page)
        dom = LexborHTMLParser(page)
        _flatten_deep_nesting(dom)
        return cls(dom)

    def drop_never_shown(self) -> None:
        self.dom.strip_tags(list(_NEVER_SHOWN))

    def has_text(self) -> bool:
        """Whether the page shows any text (its scripts and styles dropped)."""
        self.drop_never_shown()
        body = self.dom.body
        return body is not None and bool(body.text().strip())

    def lxml_tree(self) -> tuple[_Element, _StandIns] | None:
        """The page as an lxml tree (for trafilatura) and the stand-ins it was made with."""
        from lxml import etree
        from lxml.html import HTMLParser, document_fromstring

        serialised = self.dom.html or ""
        stand_ins = _StandIns(serialised)
        parser = HTMLParser(
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            default_doctype=False,
        )
        try:
            tree = document_fromstring(stand_ins.hidden(serialised), parser=parser)
        except (etree.ParserError, ValueError):  # an empty document
            return None
        return tree, stand_ins

    def metadata(self) -> ConvertedMetadata:
        """What the page says about itself (trafilatura's reading of its meta tags, JSON-LD
        and byline, htmldate's of its dates) and its language."""
        language = self._language()
        parsed = self.lxml_tree()
        if parsed is None:
            return ConvertedMetadata(language=language)
        tree, stand_ins = parsed
        from trafilatura.metadata import extract_metadata

        try:
            # Not htmldate's extensive search: it reads "© 2025" in a footer as 2025-01-01, and
            # no date is better than a wrong one. Meta tags, JSON-LD, <time> and the URL stay.
            found = extract_metadata(tree, extensive=False)
        except Exception:
            # A heuristic library failing on a hostile page costs the page its metadata,
            # not its place in the library.
            return ConvertedMetadata(language=language)

        def shown(value: object) -> str:
            return stand_ins.shown(value) if isinstance(value, str) else ""

        authors = tuple(
            dict.fromkeys(name.strip() for name in shown(found.author).split(";") if name.strip())
        )
        date = shown(found.date)
        return ConvertedMetadata(
            title=shown(found.title).strip(),
            authors=authors,
            language=language,
            date=date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else "",
            url=shown(found.url).strip(),
            site=shown(found.sitename).strip(),
        )

    def _language(self) -> str:
        root = self.dom.css_first("html")
        candidates = [root.attributes.get("lang") if root is not None else None]
        for selector in ('meta[http-equiv="content-language" i]', 'meta[property="og:locale"]'):
            meta = self.dom.css_first(selector)
            if meta is not None:
                candidates.append(meta.attributes.get("content"))
        for candidate in candidates:
            tag = (candidate or "").strip()
            if _LANGUAGE_TAG.fullmatch(tag):
                return tag.replace("_", "-")
        return ""

    def article(self, title: str) -> _Body | None:
        """The article trafilatura finds, as text, spans and outline; None when it finds none."""
        parsed = self.lxml_tree()
        if parsed is None:
            return None
        tree, stand_ins = parsed
        _mark_preformatted(tree)
        from trafilatura import bare_extraction

        try:
            found = bare_extraction(
                tree,
                output_format="xml",
                favor_recall=True,
                include_comments=False,
                include_tables=True,
                include_images=True,
                include_formatting=True,
                include_links=False,
            )
        except Exception:  # the whole page is the answer to a failed heuristic
            return None
        body = getattr(found, "body", None)
        if body is None:
            return None
        writer = _ArticleWriter(stand_ins)
        if title and not _starts_with_heading(body, title):
            # trafilatura takes a page's headline for metadata and leaves it out; the reader's
            # text starts with it, as the article does on the page.
            writer.heading_text(stand_ins.hidden(title), 1)
        headline = writer.length
        writer.element(body)
        if writer.length == headline:  # nothing but the headline: no article found
            return None
        return writer.finish()

    def whole_text(self) -> _Body | None:
        """Every visible text of the page, as text, spans and outline; None when it has none."""
        from readertui.formats.html_text import html_to_text

        # html_text leaves out what is hidden by attribute or display:none; visibility too.
        for selector in _HIDDEN:
            for node in self.dom.css(selector):
                node.decompose()
        found = html_to_text(self.dom.html or "")
        if not found.text.strip():
            return None
        return _reader_text(found.text), found.spans, found.headings[:MAX_OUTLINE_ENTRIES]


def _one_line(text: str) -> str:
    """`text` on one line: each run of spaces and newlines one space (only those: a no-break
    space or a NEL is a character of the heading, kept as in the text)."""
    return _collapse(text).strip(" ")


def _reader_text(text: str) -> str:
    """`text` by the reader's rules: "\\n" newlines and no tabs (offsets unchanged)."""
    if "\r" in text or "\t" in text:
        text = text.replace("\r", "\n").replace("\t", " ")
    return text


def _flatten_deep_nesting(dom: LexborHTMLParser) -> None:
    """Replace each element at depth MAX_DEPTH by a paragraph of its text (see MAX_DEPTH)."""
    deepest = ":root" + " > *" * MAX_DEPTH
    if not dom.any_css_matches((deepest,)):
        return
    from selectolax.lexbor import LexborHTMLParser

    for node in dom.css(deepest):
        # A space between the pieces: words of two paragraphs never run together. A
        # paragraph, not bare text, so the extraction weighs it as it would the paragraphs.
        text = _collapse(node.text(separator=" ")).strip(" ")
        paragraph = LexborHTMLParser("<p></p>").css_first("p")
        if paragraph is None or not text:
            node.decompose()
            continue
        paragraph.insert_child(text)
        node.replace_with(paragraph)


def _mark_preformatted(tree: _Element) -> None:
    """Wrap the content of each `<pre>` in one `<code>`, the shape trafilatura keeps as a
    code block with its line breaks and indentation (a `<pre>` it took for a quotation would
    lose them: a poem's lines would run together)."""
    for pre in tree.iter("pre"):
        if len(pre) == 1 and pre[0].tag == "code" and not (pre.text or "").strip():
            continue
        code = pre.makeelement("code", {})
        code.text, pre.text = pre.text, None
        for child in list(pre):
            code.append(child)  # moves the child, with its tail
        pre.append(code)


def _starts_with_heading(body: _Element, title: str) -> bool:
    """Whether the extracted `body` starts with a heading reading `title`."""
    for element in body.iter():
        if element is body:
            continue
        if element.tag in ("head", *_HEADING_TAGS):
            return _words(element.xpath("string()")) == _words(title)
        if (element.text or "").strip():
            return False
    return False


def _words(text: object) -> list[str]:
    return str(text).casefold().split()


# -- writing the article -----------------------------------------------------------------------


@dataclass
class _TextBuilder:
    """The reader's text assembled from pieces: HTML's whitespace rules, blocks separated by
    blank lines, and marks (spans, headings) trimmed to the text they cover at the end."""

    stand_ins: _StandIns
    pieces: list[str] = field(default_factory=list)
    length: int = 0
    last: str = "\n"
    #: Newlines owed before the next text (1: a line break, 2: a blank line).
    pending_break: int = 0
    pending_space: bool = False
    #: A list marker was just written: the item's first block starts on the marker's line.
    after_marker: bool = False
    marks: list[tuple[int, int, str]] = field(default_factory=list)
    headings: list[tuple[int, int, int]] = field(default_factory=list)

    def block(self, newlines: int = 2) -> None:
        if self.length and not self.after_marker:
            self.pending_break = max(self.pending_break, newlines)
        self.pending_space = False

    def line_break(self) -> None:
        if self.length:
            self.pending_break = min(self.pending_break + 1, 2)
        self.pending_space = False
        self.after_marker = False

    def text(self, text: str) -> None:
        """Flowing text: runs of HTML whitespace are one space, none at a line's ends."""
        if not text:
            return
        collapsed = _collapse(text)
        if collapsed.startswith(" "):
            self.pending_space = True
        words = collapsed.strip(" ")
        if words:
            self._write(words, space=self.pending_space)
            self.pending_space = collapsed.endswith(" ")

    def raw(self, text: str) -> None:
        """Text written as it is (preformatted, a list marker, a table)."""
        if text:
            self._write(text, space=False)

    def flush(self) -> int:
        """Write the separators owed; the offset where the next text starts."""
        if self.pending_break and self.length:
            self._append("\n" * self.pending_break)
        self.pending_break = 0
        return self.length

    def _write(self, text: str, *, space: bool) -> None:
        if self.pending_break and self.length:
            self._append("\n" * self.pending_break)
        elif space and self.last not in " \n":
            self._append(" ")
        self.pending_break = 0
        self.pending_space = False
        self.after_marker = False
        self._append(text)

    def _append(self, text: str) -> None:
        self.pieces.append(text)
        self.length += len(text)
        self.last = text[-1]

    def finish(self) -> _Body | None:
        text = _reader_text(self.stand_ins.shown("".join(self.pieces)))
        if not text.strip():
            return None
        spans: list[Span] = []
        for start, end, kind in self.marks:
            trimmed = _trim(text, start, end, "\n" if kind == "code-block" else " \n")
            if trimmed is not None:
                spans.append(Span(trimmed[0], trimmed[1], kind))
        outline: list[OutlineEntry] = []
        for start, end, level in self.headings:
            trimmed = _trim(text, start, end, " \n")
            if trimmed is not None and len(outline) < MAX_OUTLINE_ENTRIES:
                title = _one_line(text[trimmed[0] : trimmed[1]])
                # Where the heading's line starts (a heading in a list item follows its marker).
                line_start = text.rfind("\n", 0, trimmed[0]) + 1
                outline.append(OutlineEntry(title, line_start, level))
        spans.sort(key=lambda span: (span.start, span.end))
        outline.sort(key=lambda entry: entry.offset)
        return text, tuple(spans), tuple(outline)


def _collapse(text: str) -> str:
    """`text` with each run of HTML whitespace as one space."""
    # Most text has nothing to collapse, and these substring tests are far quicker than
    # the regular expression over a megabyte of prose.
    if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\f" in text:
        return _HTML_WHITESPACE.sub(" ", text)
    return text


def _trim(text: str, start: int, end: int, blanks: str) -> tuple[int, int] | None:
    while start < end and text[start] in blanks:
        start += 1
    while end > start and text[end - 1] in blanks:
        end -= 1
    return (start, end) if start < end else None


class _ArticleWriter(_TextBuilder):
    """Writes trafilatura's result tree (its XML vocabulary: head, hi, list/item, quote,
    code, table/row/cell, lb, graphic, ref; and HTML's, which its fallbacks can leave)."""

    def __init__(self, stand_ins: _StandIns) -> None:
        super().__init__(stand_ins)
        self.list_depth = 0

    def heading_text(self, title: str, level: int) -> None:
        self.block()
        start = self.length
        self.text(title)
        self._heading_done(start, level)

    def _heading_done(self, start: int, level: int) -> None:
        self.marks.append((start, self.length, f"heading{min(level, 3)}"))
        self.headings.append((start, self.length, level))
        self.block()

    def element(self, element: _Element) -> None:
        if not isinstance(element.tag, str):  # a comment or processing instruction
            self.text(element.tail or "")
            return
        tag = element.tag.lower()
        if tag in ("head", *_HEADING_TAGS):
            self._heading(element, tag)
        elif tag in ("list", "ul", "ol", "dl"):
            self._list(element, tag)
        elif tag in ("item", "li"):
            self._item(element, "•")
        elif tag in ("code", "pre") and not self._inline(element):
            self._preformatted(element)
        elif tag in ("quote", "blockquote") and not self._inline(element):
            self.block()
            start = self.length  # the separator still owed is trimmed off the span at the end
            self._children(element)
            self.marks.append((start, self.length, "quote"))
            self.block()
        elif tag == "table":
            self._table(element)
        elif tag in ("lb", "br"):
            self.line_break()
        elif tag in ("graphic", "img"):
            alt = " ".join((element.get("alt") or "").split())
            if alt:
                self.text(f" [image: {alt}] ")
        else:
            self._other(element, tag)
        self.text(element.tail or "")

    def _inline(self, element: _Element) -> bool:
        parent = element.getparent()
        return parent is not None and isinstance(parent.tag, str) and parent.tag in _INLINE_PARENTS

    def _children(self, element: _Element) -> None:
        self.text(element.text or "")
        for child in element:
            self.element(child)

    def _heading(self, element: _Element, tag: str) -> None:
        if tag == "head":
            rend = element.get("rend") or "h3"
            level = _HEADING_TAGS.get(rend, 3)
        else:
            level = _HEADING_TAGS[tag]
        self.block()
        start = self.length
        self._children(element)
        self._heading_done(start, level)

    def _list(self, element: _Element, tag: str) -> None:
        kind = element.get("rend") or tag
        self.block(1 if self.list_depth else 2)
        self.list_depth += 1
        number = 0
        self.text(element.text or "")
        for child in element:
            child_tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if child_tag in ("item", "li", "dt", "dd"):
                rend = child.get("rend") or child_tag
                if rend.startswith("dt"):
                    self._item(child, "")
                elif rend.startswith("dd"):
                    self._item(child, "", extra_indent=1)
                elif kind == "ol":
                    number += 1
                    self._item(child, f"{number}.")
                else:
                    self._item(child, "•")
                self.text(child.tail or "")
            else:
                self.element(child)
        self.list_depth -= 1
        self.block(1 if self.list_depth else 2)

    def _item(self, element: _Element, marker: str, *, extra_indent: int = 0) -> None:
        self.block(1)
        start = self.flush()
        self.raw("  " * (max(self.list_depth - 1, 0) + extra_indent))
        if marker:
            self.marks.append((self.length, self.length + len(marker), "list-marker"))
            self.raw(marker + " ")
        if self.length > start:
            self.after_marker = True
        self._children(element)
        self.after_marker = False
        self.block(1)

    def _preformatted(self, element: _Element) -> None:
        text = "".join(element.itertext())
        if text.startswith("\n"):
            text = text[1:]  # as HTML drops a newline right after <pre>
        lines = [line.expandtabs(4).rstrip(" ") for line in text.replace("\r", "\n").split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if not lines:
            return
        self.block()
        start = self.flush()
        self.raw("\n".join(lines))
        self.marks.append((start, self.length, "code-block"))
        self.block()

    def _table(self, element: _Element) -> None:
        rows = [row for row in _rows(element) if row]
        if not rows:
            return
        self.block()
        self.flush()
        columns = max(len(row) for row in rows)
        widths = [0] * columns
        for row in rows:
            for index, (cell, _head) in enumerate(row):
                widths[index] = max(widths[index], cell_width(cell))
        aligned = columns > 1 and sum(widths) + len(_TABLE_GAP) * (columns - 1) <= _TABLE_WIDTH
        for number, row in enumerate(rows):
            if number:
                self.raw("\n")
            for index, (cell, head) in enumerate(row):
                if index:
                    self.raw(_TABLE_GAP if aligned else " | ")
                if head and cell:
                    self.marks.append((self.length, self.length + len(cell), "strong"))
                self.raw(cell)
                if aligned and index < len(row) - 1:
                    self.raw(" " * (widths[index] - cell_width(cell)))
        self.block()

    def _other(self, element: _Element, tag: str) -> None:
        kind = _INLINE_KINDS.get(tag)
        if tag == "hi":
            kind = _REND_KINDS.get(element.get("rend") or "")
        elif tag in ("quote", "blockquote"):
            kind = "quote"
        block = tag in _BLOCKS
        if block:
            self.block()
        start = self.length
        self._children(element)
        if kind is not None:
            self.marks.append((start, self.length, kind))
        if block:
            self.block()


def _rows(table: _Element) -> Iterator[list[tuple[str, bool]]]:
    """The rows of `table` (not of tables inside its cells) as (cell text, is a header)."""
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in ("thead", "tbody", "tfoot"):
            yield from _rows(child)
        elif tag in ("row", "tr"):
            cells = []
            for cell in child:
                cell_tag = cell.tag.lower() if isinstance(cell.tag, str) else ""
                if cell_tag in ("cell", "td", "th"):
                    text = _collapse(str(cell.xpath("string()")))
                    head = cell_tag == "th" or cell.get("role") == "head"
                    cells.append((text.strip(), head))
            yield cells
