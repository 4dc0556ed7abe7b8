"""Made-up converters for the tests of the conversion seam: they keep the `Converter` contract
(readertui.formats.conversion) over a trivial file layout, so the seam is tested without the
real EPUB, web page and PDF converters.

A `.fbook` file is UTF-8 text whose pages are separated by form feeds; a page's first line is
its heading. Its conversion joins the pages with blank lines, makes each page a section
(`p. N`, fragment `page=N`), each heading an outline entry and a "heading1" span, and
`*words*` an "emphasis" span (the stars kept: offsets stay simple). A file starting `DRM`
is refused ("DRM-protected"); one starting `CRASH` makes the converter raise, as a bug or
a hostile file would. `whole_page` puts the page's menu line ("MENU Home About") first.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from readertui import formats
from readertui.core.markdown_spans import Span
from readertui.formats.base import OutlineEntry
from readertui.formats.conversion import Conversion, ConvertedMetadata, Section, UnreadableFile
from readertui.formats.converted import ConvertedFormat

MENU = "MENU Home About"
_EMPHASIS = re.compile(r"\*[^*\n]+\*")

BOOK_PAGES = (
    "Chapter One\n\nThe ferry left at dawn with *salt* and letters.",
    "Chapter Two\n\nNobody waited for it on the far bank.",
    "Chapter Three\n\nThe colour of the river was grey that year.",
)


def write_book(path: Path, pages: tuple[str, ...] = BOOK_PAGES) -> Path:
    path.write_text("\f".join(pages), encoding="utf-8")
    return path


class FakeConverter:
    """The `.fbook` converter; counts its calls. `version` 2 spells "colour" "color"."""

    name = "fbook"
    suffixes = (".fbook",)

    def __init__(
        self, version: int = 1, *, label: str = "p. {n}", fragment: str = "page={n}"
    ) -> None:
        self.version = version
        self.label = label
        self.fragment = fragment
        self.describes = 0
        self.converts = 0
        self.whole_pages: list[bool] = []

    def describe(self, path: Path) -> ConvertedMetadata:
        self.describes += 1
        data = self._data(path)
        first = data.split("\f", 1)[0].split("\n", 1)[0]
        return ConvertedMetadata(
            title=f"The Book of {first}",
            authors=("Ann Author", "Bo Writer"),
            language="en",
            publisher="Fake Press",
            date="2001",
            url="https://example.org/book",
        )

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        self.converts += 1
        self.whole_pages.append(whole_page)
        return self._conversion(self._data(path).split("\f"), whole_page)

    def _conversion(self, pages: list[str], whole_page: bool) -> Conversion:
        texts: list[str] = [MENU] if whole_page else []
        spans: list[Span] = []
        outline: list[OutlineEntry] = []
        sections: list[Section] = []
        offset = len(MENU) + 2 if whole_page else 0
        for number, page in enumerate(pages, start=1):
            if self.version >= 2:
                page = page.replace("colour", "color")
            heading = page.split("\n", 1)[0]
            sections.append(
                Section(
                    offset,
                    self.label.format(n=number, heading=heading),
                    self.fragment.format(n=number),
                )
            )
            outline.append(OutlineEntry(heading, offset, 1))
            spans.append(Span(offset, offset + len(heading), "heading1"))
            spans.extend(
                Span(offset + m.start(), offset + m.end(), "emphasis")
                for m in _EMPHASIS.finditer(page)
            )
            texts.append(page)
            offset += len(page) + 2
        metadata = ConvertedMetadata(title="The Book", authors=("Ann Author",))
        return Conversion(
            "\n\n".join(texts), tuple(spans), tuple(outline), tuple(sections), metadata
        )

    def convert_start(self, path: Path) -> Conversion | None:
        return None

    def _data(self, path: Path) -> str:
        data = path.read_text(encoding="utf-8")
        if data.startswith("DRM"):
            raise UnreadableFile("DRM-protected")
        if data.startswith("CRASH"):
            raise ValueError("the parser exploded\non this file")
        return data


class SlowConverter(FakeConverter):
    """A converter whose `convert` waits until `release` is set (a long PDF), with a quick
    `convert_start` (its first page) when `gives_start`."""

    def __init__(self, *, gives_start: bool = True) -> None:
        super().__init__()
        self.gives_start = gives_start
        self.release = threading.Event()
        self.started = threading.Event()

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        self.started.set()
        # Bounded: a test that forgets to release it still ends.
        self.release.wait(30)
        return super().convert(path, whole_page=whole_page)

    def convert_start(self, path: Path) -> Conversion | None:
        if not self.gives_start:
            return None
        return self._conversion(self._data(path).split("\f")[:1], False)


def registered(
    converter: FakeConverter, *, whole_page_view: bool = False
) -> Iterator[ConvertedFormat]:
    fmt = ConvertedFormat(converter, whole_page_view=whole_page_view)  # type: ignore[arg-type]
    formats.register(fmt)
    try:
        yield fmt
    finally:
        formats.unregister(fmt)


@pytest.fixture
def fake_converter() -> FakeConverter:
    return FakeConverter()


@pytest.fixture
def fake_format(fake_converter: FakeConverter) -> Iterator[ConvertedFormat]:
    """The `.fbook` format, registered for one test."""
    yield from registered(fake_converter, whole_page_view=True)
