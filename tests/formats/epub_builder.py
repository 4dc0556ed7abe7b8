"""EPUB files written by the tests with zipfile: well-formed EPUB 2 and 3 books, and the
damaged, locked and hostile ones a library may hold."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

CONTAINER = (
    '<?xml version="1.0"?>'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
    '<rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
NCX_DOCTYPE = (
    '<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" '
    '"http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">'
)
XHTML_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" '
    '"http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">'
)
_NOT_LINEAR = ' linear="no"'


@dataclass(frozen=True)
class Chapter:
    """A spine item: its file name inside the package folder and its body's XHTML."""

    name: str
    body: str
    ident: str = ""
    linear: bool = True

    @property
    def idref(self) -> str:
        return self.ident or "id-" + self.name.replace("/", "-").replace(".", "-")


@dataclass(frozen=True)
class TocPoint:
    """A table of contents entry (href relative to the package folder) and its children."""

    title: str
    href: str
    children: tuple[TocPoint, ...] = field(default=())


def xhtml(body: str, *, title: str = "Chapter") -> str:
    """A chapter document as EPUB writers make them: XML declaration, DOCTYPE, namespaces."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"{XHTML_DOCTYPE}\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        f"<head><title>{escape(title)}</title>"
        '<link rel="stylesheet" href="style.css" type="text/css"/></head>'
        f"<body>{body}</body></html>"
    )


def build_epub(
    path: Path,
    chapters: Sequence[Chapter],
    *,
    version: int = 3,
    title: str = "A Test Book",
    authors: Sequence[str] = ("Ann Author",),
    language: str = "en",
    publisher: str = "",
    date: str = "",
    toc: Sequence[TocPoint] | None = None,
    folder: str = "OEBPS",
    extra: Mapping[str, bytes | str] | None = None,
    spine_order: Sequence[str] | None = None,
) -> Path:
    """Write an EPUB 2 (with an NCX) or EPUB 3 (with a navigation document) book.

    `toc` defaults to one entry per chapter titled like its file; `extra` adds entries to
    the zip (by full name); `spine_order` lists chapter names when the spine's order is
    to differ from the manifest's.
    """
    if toc is None:
        toc = [TocPoint(chapter.name, chapter.name) for chapter in chapters]
    prefix = f"{folder}/" if folder else ""
    entries: dict[str, bytes | str] = {
        "META-INF/container.xml": CONTAINER.format(opf=f"{prefix}content.opf")
    }
    items = []
    for chapter in chapters:
        entries[prefix + chapter.name] = xhtml(chapter.body)
        items.append(
            f'<item id="{chapter.idref}" href="{escape(_href(chapter.name))}" '
            'media-type="application/xhtml+xml"/>'
        )
    by_name = {chapter.name: chapter for chapter in chapters}
    ordered = [by_name[name] for name in spine_order] if spine_order else list(chapters)
    spine = "".join(
        f'<itemref idref="{chapter.idref}"{"" if chapter.linear else _NOT_LINEAR}/>'
        for chapter in ordered
    )
    if version >= 3:
        entries[f"{prefix}nav.xhtml"] = _nav(toc)
        items.append(
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        )
        spine_toc = ""
    else:
        entries[f"{prefix}toc.ncx"] = _ncx(title, toc)
        items.append('<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>')
        spine_toc = ' toc="ncx"'
    metadata = [f"<dc:title>{escape(title)}</dc:title>"]
    metadata += [f'<dc:creator opf:role="aut">{escape(name)}</dc:creator>' for name in authors]
    metadata.append(f"<dc:language>{escape(language)}</dc:language>")
    if publisher:
        metadata.append(f"<dc:publisher>{escape(publisher)}</dc:publisher>")
    if date:
        metadata.append(f"<dc:date>{escape(date)}</dc:date>")
    metadata.append('<dc:identifier id="uid">urn:uuid:1234</dc:identifier>')
    entries[f"{prefix}content.opf"] = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" '
        'unique-identifier="uid">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:opf="http://www.idpf.org/2007/opf">'
        f"{''.join(metadata)}</metadata>"
        f"<manifest>{''.join(items)}</manifest>"
        f"<spine{spine_toc}>{spine}</spine></package>"
    )
    entries.update(extra or {})
    return write_zip(path, entries)


def _href(name: str) -> str:
    return name.replace(" ", "%20")


def _nav(toc: Sequence[TocPoint]) -> str:
    def items(points: Iterable[TocPoint]) -> str:
        return "".join(
            f'<li><a href="{escape(_href(point.href))}">{escape(point.title)}</a>'
            + (f"<ol>{items(point.children)}</ol>" if point.children else "")
            + "</li>"
            for point in points
        )

    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
        "<head><title>Contents</title></head><body>"
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{items(toc)}</ol></nav>'
        '<nav epub:type="landmarks" hidden=""><ol><li><a href="nav.xhtml">Start</a></li></ol></nav>'
        "</body></html>"
    )


def _ncx(title: str, toc: Sequence[TocPoint]) -> str:
    counter = iter(range(1, 1_000_000))

    def points(entries: Iterable[TocPoint]) -> str:
        out = []
        for point in entries:
            number = next(counter)
            out.append(
                f'<navPoint id="p{number}" playOrder="{number}">'
                f"<navLabel><text>{escape(point.title)}</text></navLabel>"
                f'<content src="{escape(_href(point.href))}"/>'
                f"{points(point.children)}</navPoint>"
            )
        return "".join(out)

    return (
        f'<?xml version="1.0" encoding="utf-8"?>{NCX_DOCTYPE}'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
        '<head><meta name="dtb:uid" content="urn:uuid:1234"/></head>'
        f"<docTitle><text>{escape(title)}</text></docTitle>"
        f"<navMap>{points(toc)}</navMap></ncx>"
    )


def write_zip(path: Path, entries: Mapping[str, bytes | str]) -> Path:
    """A zip of `entries` (the EPUB's "mimetype" first and stored, as the standard wants),
    names written exactly as given, even hostile ones."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED
        )
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def add_zeros(path: Path, name: str, size: int) -> Path:
    """Append a member of `size` zero bytes (a zip bomb's payload: it deflates a thousand
    times), written in chunks so the test never holds it in memory."""
    chunk = bytes(1024 * 1024)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with (
        zipfile.ZipFile(path, "a") as archive,
        archive.open(info, "w", force_zip64=True) as member,
    ):
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return path


def understate_size(path: Path, name: str, size: int) -> Path:
    """Rewrite the headers of member `name` to declare `size` bytes uncompressed (a lying
    header: its data inflates to more)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    # The local file header: the uncompressed size is at byte 22.
    struct.pack_into("<I", data, info.header_offset + 22, size)
    # The central directory entry: the uncompressed size is at byte 24, the name at 46.
    encoded = name.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_length]) == encoded:
            struct.pack_into("<I", data, at + 24, size)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path
