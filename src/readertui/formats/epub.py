"""EPUB books (`.epub`, EPUB 2 and 3) turned into the reader's text.

The container names the package document (OPF); its metadata gives the title, authors,
language, publisher and date, its spine the chapters in reading order. Each chapter's XHTML
goes through readertui.formats.html_text, chapters separated by a blank line; the outline
comes from the navigation document (EPUB 3) or the NCX (EPUB 2), each entry placed where its
target lands in the text; every spine item is a section a citation names by an EPUB CFI.

A book is refused (UnreadableFile, listed under Skipped) when it is no zip, lacks its
container or package, is DRM-protected, names an entry outside the book ("../../x",
"/etc/x", "C:\\x") or would expand to far more than any book. Nothing is ever extracted to
disk: members are read into memory, each read bounded. The zip's central directory is checked
before anything is read, so `describe` (asked of every file by the library scan) stays cheap.
"""

from __future__ import annotations

import re
import zipfile
from bisect import bisect_left
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote, urlsplit

from readertui.formats.base import MAX_OUTLINE_ENTRIES, OutlineEntry
from readertui.formats.conversion import (
    Conversion,
    ConvertedMetadata,
    Section,
    UnreadableFile,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from xml.etree.ElementTree import Element

    from readertui.core.markdown_spans import Span

# A book expanding to more than this is refused (War and Peace is 3.3 MB of XHTML).
MAX_EXPANDED_BYTES = 512 * 1024 * 1024
# A member this large that compresses better than this is a bomb, not a book: text compresses
# 3 to 5 times, and only runs of one byte compress better than a few hundred times.
_BOMB_MIN_BYTES = 1024 * 1024
_BOMB_RATIO = 200

_CONTAINER = "META-INF/container.xml"
_ENCRYPTION = "META-INF/encryption.xml"
_RIGHTS = "META-INF/rights.xml"  # only ever written by DRM schemes (Adobe ADEPT)
# Font obfuscation (IDPF, Adobe) mangles embedded fonts so they cannot be reused; the text
# stays readable. Any other algorithm in encryption.xml encrypts content: DRM.
_FONT_OBFUSCATION = frozenset(
    {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
)
_FONT_SUFFIXES = (".otf", ".ttf", ".woff", ".woff2", ".eot", ".pfb", ".pfm", ".afm", ".svg")
_CHAPTER_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/xml"})
_DRIVE = re.compile(r"[A-Za-z]:")
_MIDNIGHT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?")
# Characters a CFI step's assertion escapes with "^" (EPUB CFI 3.1, section 3.1.1).
_CFI_SPECIAL = re.compile(r"([\^\[\](),;=])")
_MAX_OUTLINE_LEVEL = 6


class _Package(NamedTuple):
    """What the package document says: metadata, manifest, spine and where its TOC is."""

    metadata: ConvertedMetadata
    #: manifest id -> (zip path, media type, properties)
    manifest: dict[str, tuple[str, str, str]]
    #: The spine's idrefs, in order.
    spine: tuple[str, ...]
    ncx_id: str


class _Chapter(NamedTuple):
    path: str
    offset: int
    ids: dict[str, int]


class EpubConverter:
    """The EPUB reading code (readertui.formats.conversion.Converter)."""

    name = "epub"
    suffixes = (".epub",)
    version = 1

    def describe(self, path: Path) -> ConvertedMetadata:
        with _open_book(path) as book:
            return _read_package(book)[1].metadata

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        with _open_book(path) as book:
            opf_path, package = _read_package(book)
            return _convert(book, opf_path, package)

    def convert_start(self, path: Path) -> Conversion | None:
        return None  # a whole book converts in well under a second


EPUB_CONVERTER = EpubConverter()


class _Book:
    """An open EPUB zip whose entry names and sizes were checked, read with a byte budget."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.infos = {info.filename: info for info in archive.infolist()}
        self.budget = MAX_EXPANDED_BYTES

    def __enter__(self) -> _Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.close()

    def has(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        """The member's bytes, reading at most what is left of the budget (plus one byte to
        notice it ran out), whatever its header declares."""
        info = self.infos[name]
        try:
            with self.archive.open(info) as member:
                data = member.read(self.budget + 1)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
            raise UnreadableFile("malformed EPUB: damaged archive") from error
        except (RuntimeError, NotImplementedError) as error:
            # A password-encrypted member or a compression method zipfile lacks.
            raise UnreadableFile("malformed EPUB: unreadable archive entry") from error
        if len(data) > self.budget:
            raise UnreadableFile("refused: archive expands too much")
        self.budget -= len(data)
        return data


def _open_book(path: Path) -> _Book:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as error:
        raise UnreadableFile("malformed EPUB: not a zip archive") from error
    try:
        _check_archive(archive)
    except BaseException:
        archive.close()
        raise
    return _Book(archive)


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a hostile or DRM-protected book from its central directory (and its small
    encryption.xml), before any chapter is read."""
    infos = archive.infolist()
    for info in infos:
        if _unsafe_name(info.filename):
            raise UnreadableFile("unsafe entry name in archive")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > _BOMB_MIN_BYTES and (
            info.file_size > _BOMB_RATIO * max(info.compress_size, 1)
        ):
            raise UnreadableFile("refused: archive expands too much")
    if total > MAX_EXPANDED_BYTES:
        raise UnreadableFile("refused: archive expands too much")
    names = {info.filename for info in infos}
    if _RIGHTS in names:
        raise UnreadableFile("DRM-protected")
    if _ENCRYPTION in names and _encrypts_content(_Book(archive).read(_ENCRYPTION)):
        raise UnreadableFile("DRM-protected")


def _unsafe_name(name: str) -> bool:
    """Whether an entry name points outside the book: absolute, with a drive letter or a
    backslash (a Windows path), or with a ".." step."""
    if not name or name.startswith("/") or "\\" in name or _DRIVE.match(name):
        return True
    return ".." in name.split("/")


def _encrypts_content(data: bytes) -> bool:
    """Whether encryption.xml encrypts anything but fonts by font obfuscation."""
    try:
        root = _parse_xml(data)
    except UnreadableFile:
        return True  # unreadable, so what it encrypts is unknown: treat the book as locked
    for encrypted in _descendants(root, "EncryptedData"):
        method = next(_descendants(encrypted, "EncryptionMethod"), None)
        algorithm = method.get("Algorithm", "") if method is not None else ""
        reference = next(_descendants(encrypted, "CipherReference"), None)
        target = unquote(reference.get("URI", "")) if reference is not None else ""
        if algorithm not in _FONT_OBFUSCATION or not target.lower().endswith(_FONT_SUFFIXES):
            return True
    return False


def _parse_xml(data: bytes) -> Element:
    """The root of an XML document from the book (container, OPF, NCX, encryption.xml).

    ElementTree never fetches external entities or DTDs, and expat (2.4 and later) caps
    entity amplification; refusing every document that declares an entity besides removes
    the billion-laughs and quadratic-blowup attacks whatever the expat version. No EPUB needs
    an entity declaration; the NCX's external DOCTYPE (no internal subset) is still read.
    """
    from xml.etree.ElementTree import ParseError, fromstring

    for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
        if "<!ENTITY".encode(encoding) in data:
            raise UnreadableFile("malformed EPUB: XML entity declarations")
    try:
        return fromstring(data)
    except (ParseError, ValueError, LookupError) as error:
        raise UnreadableFile("malformed EPUB: broken XML") from error


def _local(tag: object) -> str:
    """An element's name without its namespace ("{http://…/opf}item" -> "item")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _descendants(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element.iter() if _local(child.tag) == name)


def _text_of(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _read_package(book: _Book) -> tuple[str, _Package]:
    """The package document's path in the zip, and what it says."""
    if not book.has(_CONTAINER):
        raise UnreadableFile("malformed EPUB: no container")
    try:
        container = _parse_xml(book.read(_CONTAINER))
    except UnreadableFile as error:
        raise UnreadableFile("malformed EPUB: broken container") from error
    opf_path = ""
    for rootfile in _descendants(container, "rootfile"):
        media_type = rootfile.get("media-type", "application/oebps-package+xml")
        if media_type == "application/oebps-package+xml" and rootfile.get("full-path"):
            opf_path = unquote(rootfile.get("full-path", "")).lstrip("/")
            break
    if not opf_path or not book.has(opf_path):
        raise UnreadableFile("malformed EPUB: no package document")
    try:
        opf = _parse_xml(book.read(opf_path))
    except UnreadableFile as error:
        raise UnreadableFile("malformed EPUB: broken package document") from error
    package = _package(opf, opf_path)
    chapters = (package.manifest.get(idref) for idref in package.spine)
    if not any(item is not None and book.has(item[0]) for item in chapters):
        raise UnreadableFile("malformed EPUB: no chapters")
    return opf_path, package


def _package(opf: Element, opf_path: str) -> _Package:
    metadata = next(_descendants(opf, "metadata"), None)
    manifest: dict[str, tuple[str, str, str]] = {}
    for item in _descendants(opf, "item"):
        ident, href = item.get("id"), item.get("href")
        if ident and href:
            manifest[ident] = (
                _resolve(opf_path, href)[0],
                item.get("media-type", "").strip().lower(),
                item.get("properties", ""),
            )
    spine_element = next(_descendants(opf, "spine"), None)
    spine: tuple[str, ...] = ()
    ncx_id = ""
    if spine_element is not None:
        spine = tuple(ref.get("idref", "") for ref in _descendants(spine_element, "itemref"))
        ncx_id = spine_element.get("toc", "")
    return _Package(_metadata(metadata), manifest, spine, ncx_id)


def _metadata(metadata: Element | None) -> ConvertedMetadata:
    if metadata is None:
        return ConvertedMetadata()
    found: dict[str, list[Element]] = {}
    main_title_ids: set[str] = set()
    for element in metadata.iter():
        name = _local(element.tag)
        found.setdefault(name, []).append(element)
        if (
            name == "meta"
            and element.get("property") == "title-type"
            and (element.text or "").strip() == "main"
        ):
            main_title_ids.add(element.get("refines", "").lstrip("#"))

    def texts(name: str) -> list[str]:
        return [text for element in found.get(name, []) if (text := _text_of(element))]

    titles = [e for e in found.get("title", []) if _text_of(e)]
    main = [e for e in titles if e.get("id") in main_title_ids]
    title = _text_of((main or titles)[0]) if titles else ""
    dates = found.get("date", [])
    published = [e for e in dates if _attribute(e, "event") == "publication"]
    date = next((_text_of(e) for e in published + dates if _text_of(e)), "")
    short = _MIDNIGHT_DATE.fullmatch(date)
    return ConvertedMetadata(
        title=title,
        authors=tuple(texts("creator")),
        language=next(iter(texts("language")), ""),
        publisher=next(iter(texts("publisher")), ""),
        date=short.group(1) if short else date,
    )


def _attribute(element: Element, name: str) -> str:
    """An attribute by its local name, in whatever namespace (EPUB 2's opf:event)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return ""


def _resolve(base: str, href: str) -> tuple[str, str]:
    """The zip path `href` (relative to the document `base`) names, and its fragment."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return "", ""  # outside the book
    folder = PurePosixPath(base).parent
    steps: list[str] = []
    for step in (folder / unquote(parts.path)).parts if parts.path else PurePosixPath(base).parts:
        if step == "..":
            if steps:
                steps.pop()
        elif step not in (".", "/"):
            steps.append(step)
    return "/".join(steps), unquote(parts.fragment)


def _convert(book: _Book, opf_path: str, package: _Package) -> Conversion:
    from readertui.formats.html_text import html_to_text

    pieces: list[str] = []
    length = 0
    spans: list[Span] = []
    headings: list[OutlineEntry] = []
    chapters: dict[str, _Chapter] = {}
    spine_items: list[tuple[int, str, int, str]] = []  # (spine index, idref, offset, path)
    for index, idref in enumerate(package.spine):
        entry = package.manifest.get(idref)
        if entry is None:
            continue
        path, media_type, _ = entry
        if media_type not in _CHAPTER_TYPES or not book.has(path):
            continue
        separator = 2 if length else 0
        chapter = html_to_text(
            _decode(book.read(path)),
            base_offset=length + separator,
            xml_syntax=media_type != "text/html",
            guess_headings=True,
        )
        if chapter.text:
            if separator:
                pieces.append("\n\n")
            pieces.append(chapter.text)
            start = length + separator
            length = start + len(chapter.text)
            spans.extend(chapter.spans)
            headings.extend(chapter.headings)
            ids = chapter.ids
        else:
            start = length
            ids = dict.fromkeys(chapter.ids, length)
        chapters.setdefault(path, _Chapter(path, start, ids))
        spine_items.append((index, idref, start, path))
    toc = _table_of_contents(book, opf_path, package)
    placed = _place(toc, chapters)
    outline = _outline(placed, headings)
    first_titles: dict[str, str] = {}
    for title, path, _offset, _level in placed:
        first_titles.setdefault(path, title)
    sections = tuple(
        Section(offset, first_titles.get(path, ""), _cfi(index, idref))
        for index, idref, offset, path in spine_items
    )
    return Conversion("".join(pieces), tuple(spans), outline, sections, package.metadata)


def _listed(offsets: list[int], heading: OutlineEntry) -> bool:
    """Whether a table of contents entry (at one of the sorted `offsets`) points into
    `heading`'s line."""
    at = bisect_left(offsets, heading.offset)
    return at < len(offsets) and offsets[at] <= heading.offset + len(heading.title)


def _cfi(index: int, idref: str) -> str:
    """The EPUB CFI of the spine's item number `index` (from 0), whose idref is `idref`."""
    assertion = _CFI_SPECIAL.sub(r"^\1", idref)
    return f"epubcfi(/6/{2 * (index + 1)}[{assertion}]!)"


def _decode(data: bytes) -> str:
    """A chapter's text: by its byte order mark, else its XML declaration, else UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    declared = re.match(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", data[:200])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("utf-8", errors="replace")


class _TocEntry(NamedTuple):
    title: str
    href: str  # resolved zip path + "#" + fragment
    level: int


def _table_of_contents(book: _Book, opf_path: str, package: _Package) -> list[_TocEntry]:
    """The book's own table of contents: the EPUB 3 navigation document's toc, else the NCX.
    A broken one is passed over: the book is still read, with a shorter outline."""
    nav = next(
        (path for path, _, properties in package.manifest.values() if "nav" in properties.split()),
        "",
    )
    if nav and book.has(nav):
        entries = _nav_entries(_decode(book.read(nav)), nav)
        if entries:
            return entries
    ncx = package.manifest.get(package.ncx_id)
    if ncx is None:
        ncx = next(
            (item for item in package.manifest.values() if item[1] == "application/x-dtbncx+xml"),
            None,
        )
    if ncx is not None and book.has(ncx[0]):
        try:
            return _ncx_entries(_parse_xml(book.read(ncx[0])), ncx[0])
        except UnreadableFile:
            return []
    return []


def _nav_entries(html: str, nav_path: str) -> list[_TocEntry]:
    """The entries of the navigation document's `nav epub:type="toc"`, nesting as levels."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    toc = None
    for nav in tree.css("nav"):
        kinds = f"{nav.attributes.get('epub:type') or ''} {nav.attributes.get('role') or ''}"
        if "toc" in kinds.split() or "doc-toc" in kinds.split():
            toc = nav
            break
    if toc is None:
        return []
    entries: list[_TocEntry] = []
    # (node, level) pairs, children pushed in reverse so entries come out in document order.
    stack = [(toc, 0)]
    while stack:
        node, level = stack.pop()
        tag = node.tag
        if tag == "li":
            label = next((c for c in _children(node) if c.tag in ("a", "span")), None)
            if label is not None:
                title = " ".join((label.text(deep=True) or "").split())
                href = label.attributes.get("href") or ""
                if title and href:
                    path, fragment = _resolve(nav_path, href)
                    entries.append(_TocEntry(title, f"{path}#{fragment}", level))
        deeper = level + 1 if tag in ("ol", "ul") else level
        stack.extend((child, deeper) for child in reversed(_children(node)))
    return entries


def _children(node: Any) -> list[Any]:
    children = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def _ncx_entries(ncx: Element, ncx_path: str) -> list[_TocEntry]:
    """The NCX's navPoints, in order, nested ones a level deeper."""
    nav_map = next(_descendants(ncx, "navMap"), None)
    if nav_map is None:
        return []
    entries: list[_TocEntry] = []
    stack = [(point, 1) for point in reversed(list(nav_map)) if _local(point.tag) == "navPoint"]
    while stack:
        point, level = stack.pop()
        label = next((c for c in point if _local(c.tag) == "navLabel"), None)
        content = next((c for c in point if _local(c.tag) == "content"), None)
        title = _text_of(label) if label is not None else ""
        src = content.get("src", "") if content is not None else ""
        if title and src:
            path, fragment = _resolve(ncx_path, src)
            entries.append(_TocEntry(title, f"{path}#{fragment}", level))
        stack.extend(
            (child, level + 1) for child in reversed(list(point)) if _local(child.tag) == "navPoint"
        )
    return entries


def _place(toc: list[_TocEntry], chapters: dict[str, _Chapter]) -> list[tuple[str, str, int, int]]:
    """Each TOC entry whose file is a chapter, as (title, path, offset, level): at its
    target id, or at the start of its file when the id is missing."""
    placed = []
    for title, href, level in toc:
        path, _, fragment = href.partition("#")
        chapter = chapters.get(path)
        if chapter is None:
            continue
        offset = chapter.ids.get(fragment, chapter.offset) if fragment else chapter.offset
        placed.append((title, path, offset, min(max(level, 1), _MAX_OUTLINE_LEVEL)))
    return placed


def _outline(
    placed: list[tuple[str, str, int, int]], headings: list[OutlineEntry]
) -> tuple[OutlineEntry, ...]:
    """The table of contents, with the chapters' headings that it does not list nested under
    the entry before them (a book whose contents list only its parts still shows its
    chapters). With no table of contents, the headings alone."""
    entries = [OutlineEntry(title, offset, level) for title, _, offset, level in placed]
    entries.sort(key=lambda entry: entry.offset)
    listed = [entry.offset for entry in entries]
    extra = [heading for heading in headings if not _listed(listed, heading)]
    if extra:
        top = min(heading.level for heading in extra)
        merged: list[OutlineEntry] = []
        toc_index = 0
        base = 0
        for heading in extra:
            while toc_index < len(entries) and entries[toc_index].offset <= heading.offset:
                merged.append(entries[toc_index])
                base = entries[toc_index].level
                toc_index += 1
            level = min(base + heading.level - top + 1, _MAX_OUTLINE_LEVEL)
            merged.append(OutlineEntry(heading.title, heading.offset, level))
        merged.extend(entries[toc_index:])
        entries = merged
    return tuple(entries[:MAX_OUTLINE_ENTRIES])
