"""The seam through which converted formats (EPUB, saved web pages, PDF) enter readertui, with a
made-up converter (tests/formats/fakes.py): listed with the file's own metadata (the sidecar
overriding it), refused or crashing files skipped with a reason, opened with the conversion's
text, spans, outline and sections, converted once and then read from the cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from readertui import formats
from readertui.core.document import load_document, load_document_start
from readertui.core.library import SkippedFile, scan_library
from readertui.core.markdown_spans import Span
from readertui.core.textlayout import TextLayout
from readertui.core.workspace import Workspace
from readertui.errors import DocumentError
from readertui.formats.conversion import Section
from readertui.formats.converted import ConvertedFormat
from tests.formats.fakes import (
    BOOK_PAGES,
    MENU,
    FakeConverter,
    SlowConverter,
    fake_converter,
    fake_format,
    registered,
    write_book,
)

__all__ = ["fake_converter", "fake_format"]  # fixtures, used by name


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    write_book(root / "river.fbook")
    (root / "locked.fbook").write_text("DRM\fsecret", encoding="utf-8")
    (root / "hostile.fbook").write_text("CRASH " + "x" * 500, encoding="utf-8")
    (root / "notes.txt").write_text("Notes\n\nPlain text.\n", encoding="utf-8")
    return root


# --- the library --------------------------------------------------------------------------


def test_a_converted_file_is_listed_with_its_own_metadata(
    library: Path, fake_format: ConvertedFormat
) -> None:
    scanned = scan_library(library)
    entry = scanned.find("river.fbook")
    assert entry is not None and entry.kind is fake_format and entry.format == "fbook"
    meta = entry.metadata
    assert meta.title == "The Book of Chapter One"
    assert meta.authors == ("Ann Author", "Bo Writer")
    assert meta.publication == "Fake Press"
    assert (meta.date, meta.source) == ("2001", "https://example.org/book")


def test_refused_and_crashing_files_are_skipped_with_the_reason(
    library: Path, fake_format: ConvertedFormat
) -> None:
    scanned = scan_library(library)
    skipped = {item.rel_path: item.reason for item in scanned.skipped}
    assert skipped["locked.fbook"] == "DRM-protected"
    # A converter's bug, or a file crashing its parser: one line, shortened, no traceback.
    reason = skipped["hostile.fbook"]
    assert reason == "cannot be read: the parser exploded on this file"
    assert [entry.rel_path for entry in scanned.entries] == ["notes.txt", "river.fbook"]


def test_a_converter_failure_reason_is_one_short_line(
    tmp_path: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    def explode(path: Path) -> None:
        raise RuntimeError("boom " * 100)

    fake_converter.describe = explode  # type: ignore[assignment,method-assign]
    write_book(tmp_path / "a.fbook")
    (skipped,) = scan_library(tmp_path).skipped
    assert skipped.reason.startswith("cannot be read: boom boom")
    assert len(skipped.reason) <= len("cannot be read: ") + 120 and skipped.reason.endswith("…")


def test_the_sidecar_overrides_the_files_metadata_field_by_field(
    library: Path, fake_format: ConvertedFormat
) -> None:
    (library / "river.fbook.meta.toml").write_text(
        'title = "A River"\ntags = ["rivers"]\n', encoding="utf-8"
    )
    entry = scan_library(library).find("river.fbook")
    assert entry is not None
    assert entry.metadata.title == "A River"
    assert entry.metadata.authors == ("Ann Author", "Bo Writer")  # from the file still
    assert entry.metadata.tags == ("rivers",)


def test_with_no_title_the_file_name_is_the_title(
    tmp_path: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    from readertui.formats.conversion import ConvertedMetadata

    fake_converter.describe = lambda path: ConvertedMetadata()  # type: ignore[method-assign]
    write_book(tmp_path / "war_and_peace.fbook")
    (entry,) = scan_library(tmp_path).entries
    assert entry.metadata.title == "War and Peace"


def test_a_bad_whole_page_setting_is_reported_with_the_sidecar(
    library: Path, fake_format: ConvertedFormat
) -> None:
    (library / "river.fbook.meta.toml").write_text('whole_page = "yes"\n', encoding="utf-8")
    scanned = scan_library(library)
    assert (
        SkippedFile(
            "river.fbook.meta.toml",
            "metadata sidecar partly ignored: whole_page must be true or false",
        )
        in scanned.skipped
    )


# --- opened -------------------------------------------------------------------------------


def test_it_opens_with_the_conversions_text_outline_spans_and_sections(
    library: Path, fake_format: ConvertedFormat
) -> None:
    document = load_document(library / "river.fbook", library)
    assert document.text == "\n\n".join(BOOK_PAGES)
    assert document.kind is fake_format and document.format == "fbook"
    assert document.metadata.title == "The Book of Chapter One"
    two = document.text.index("Chapter Two")
    three = document.text.index("Chapter Three")
    assert [(entry.title, entry.offset) for entry in document.outline()] == [
        ("Chapter One", 0),
        ("Chapter Two", two),
        ("Chapter Three", three),
    ]
    assert document.sections == (
        Section(0, "p. 1", "page=1"),
        Section(two, "p. 2", "page=2"),
        Section(three, "p. 3", "page=3"),
    )
    styler = document.styler()
    assert styler is not None
    salt = document.text.index("*salt*")
    assert styler.spans_between(0, 30) == [Span(0, len("Chapter One"), "heading1")]
    assert Span(salt, salt + 6, "emphasis") in styler.spans_between(salt, salt + 1)
    assert styler.spans_between(two - 1, two) == [Span(two, two + 11, "heading1")]


def test_which_section_an_offset_is_in(library: Path, fake_format: ConvertedFormat) -> None:
    document = load_document(library / "river.fbook", library)
    two = document.text.index("Chapter Two")
    assert document.section_at(0) == Section(0, "p. 1", "page=1")
    assert document.section_at(two - 1) is not None and document.section_at(two - 1).label == "p. 1"  # type: ignore[union-attr]
    assert document.section_at(two).label == "p. 2"  # type: ignore[union-attr]
    assert document.section_at(len(document.text)).label == "p. 3"  # type: ignore[union-attr]


def test_a_long_span_that_began_above_the_screen_is_still_found(
    tmp_path: Path,
) -> None:
    from readertui.core.conversion_cache import StoredConversion
    from readertui.formats.conversion import Conversion, ConvertedMetadata

    text = "x" * 1000
    spans = (Span(0, 900, "quote"), Span(10, 20, "emphasis"), Span(500, 510, "strong"))
    stored = StoredConversion.of(Conversion(text, spans, (), (), ConvertedMetadata()))
    assert stored.spans_between(600, 700) == [Span(0, 900, "quote")]
    assert stored.spans_between(505, 506) == [Span(0, 900, "quote"), Span(500, 510, "strong")]
    assert stored.spans_between(950, 999) == []


def test_text_and_markdown_documents_carry_nothing_new(library: Path) -> None:
    document = load_document(library / "notes.txt", library)
    assert document.converted is None and document.sections == ()
    assert document.section_at(3) is None and not document.partial


def test_converted_text_is_not_reflowed(library: Path, fake_format: ConvertedFormat) -> None:
    document = load_document(library / "river.fbook", library)
    assert not document.kind.reflows
    layout = TextLayout(document.text, 80, reflow=True, kind=document.kind)
    assert not layout.reflow


def test_a_refused_or_crashing_file_is_a_document_error(
    library: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    with pytest.raises(DocumentError) as refused:
        load_document(library / "locked.fbook", library)
    assert refused.value.reason == "DRM-protected"
    with pytest.raises(DocumentError) as crashed:
        load_document(library / "hostile.fbook", library)
    assert crashed.value.reason.startswith("cannot be read: the parser exploded")
    # describe may pass and convert fail: still a short DocumentError.
    book = write_book(library / "late.fbook")

    def fail(path: Path, *, whole_page: bool = False) -> None:
        raise IndexError("list index out of range")

    fake_converter.convert = fail  # type: ignore[assignment,method-assign]
    with pytest.raises(DocumentError) as failed:
        load_document(book, library)
    assert failed.value.reason == "cannot be read: list index out of range"


def test_a_file_larger_than_the_limit_is_not_converted(
    library: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    with pytest.raises(DocumentError) as refused:
        load_document(library / "river.fbook", library, max_bytes=10)
    assert refused.value.reason.startswith("too large")
    assert fake_converter.converts == 0


# --- converted once -----------------------------------------------------------------------


def test_a_file_is_converted_once_then_read_from_the_cache(
    library: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    first = load_document(library / "river.fbook", library)
    second = load_document(library / "river.fbook", library)
    assert fake_converter.converts == 1
    assert second.text == first.text and second.sections == first.sections
    assert second.outline() == first.outline()
    styler_one, styler_two = first.styler(), second.styler()
    assert styler_one is not None and styler_two is not None
    assert styler_two.spans_between(0, len(first.text)) == styler_one.spans_between(
        0, len(first.text)
    )


def test_an_edited_file_is_converted_again(
    library: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    load_document(library / "river.fbook", library)
    write_book(library / "river.fbook", ("Prologue\n\nA new beginning.", *BOOK_PAGES))
    document = load_document(library / "river.fbook", library)
    assert fake_converter.converts == 2
    assert document.text.startswith("Prologue")


def test_whole_page_in_the_sidecar_asks_for_the_whole_page(
    library: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    article = load_document(library / "river.fbook", library)
    (library / "river.fbook.meta.toml").write_text("whole_page = true\n", encoding="utf-8")
    whole = load_document(library / "river.fbook", library)
    assert fake_converter.whole_pages == [False, True]  # another cache entry
    assert not article.text.startswith(MENU) and whole.text.startswith(MENU)
    assert whole.metadata.whole_page


def test_the_beginning_of_a_long_file_is_a_partial_document(
    library: Path,
) -> None:
    slow = SlowConverter()
    for fmt in registered(slow):
        start = load_document_start(library / "river.fbook", library)
        assert start is not None and start.partial
        assert start.text == BOOK_PAGES[0]
        assert [section.label for section in start.sections] == ["p. 1"]
        assert slow.converts == 0
        # A text file has no beginning of its own to show.
        assert load_document_start(library / "notes.txt", library) is None
        assert fmt.name == "fbook"


def test_the_workspace_knows_which_documents_need_converting(
    library: Path, fake_format: ConvertedFormat
) -> None:
    workspace = Workspace(scan_library(library))
    assert workspace.needs_converting("river.fbook")
    assert not workspace.needs_converting("notes.txt")
    workspace.load("river.fbook")
    assert not workspace.needs_converting("river.fbook")
    assert not Workspace(scan_library(library)).needs_converting("river.fbook")  # cached


# --- registered by module path -------------------------------------------------------------


def test_a_converter_registered_by_path_is_imported_only_when_its_file_is_met(
    library: Path,
) -> None:
    lazy = ConvertedFormat.lazy("tests.formats.lazy_converter:LAZY_CONVERTER", "lazy", (".lazy",))
    (library / "a.lazy").write_text("Title\f", encoding="utf-8")
    formats.register(lazy)
    try:
        assert "tests.formats.lazy_converter" not in sys.modules
        assert formats.for_path(Path("x.lazy")) is lazy
        assert "tests.formats.lazy_converter" not in sys.modules
        entry = scan_library(library).find("a.lazy")
        assert entry is not None and entry.metadata.title == "The Book of Title"
        assert "tests.formats.lazy_converter" in sys.modules
    finally:
        formats.unregister(lazy)
        sys.modules.pop("tests.formats.lazy_converter", None)


def test_a_converter_registered_under_another_name_is_refused_at_first_use(
    library: Path,
) -> None:
    wrong = ConvertedFormat.lazy(
        "tests.formats.lazy_converter:LAZY_CONVERTER", "other", (".other",)
    )
    (library / "a.other").write_text("Title\f", encoding="utf-8")
    formats.register(wrong)
    try:
        (skipped,) = [s for s in scan_library(library).skipped if s.rel_path == "a.other"]
        assert "registered as 'other'" in skipped.reason
    finally:
        formats.unregister(wrong)
        sys.modules.pop("tests.formats.lazy_converter", None)


def test_importing_the_formats_loads_no_converter_library() -> None:
    code = (
        "import sys, readertui.formats\n"
        "heavy = {'selectolax', 'trafilatura', 'lxml', 'pypdfium2', 'zipfile',"
        " 'readertui.core.conversion_cache'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "[]"


def test_any_format_failing_on_a_file_makes_it_skipped_not_a_crash(tmp_path: Path) -> None:
    from readertui.core.decoding import DecodedText
    from readertui.core.metadata import DocumentMetadata
    from readertui.formats.base import Format

    class Broken(Format):
        name = "broken"
        suffixes = (".broken",)

        def metadata(self, path: Path, head: bytes) -> tuple[DocumentMetadata, str | None]:
            raise KeyError("no such field")

        def read(self, path: Path, *, max_bytes: int) -> DecodedText:
            raise AssertionError("never read")

    (tmp_path / "a.broken").write_text("x", encoding="utf-8")
    broken = Broken()
    formats.register(broken)
    try:
        scanned = scan_library(tmp_path)
    finally:
        formats.unregister(broken)
    assert scanned.skipped == (SkippedFile("a.broken", "cannot be read: 'no such field'"),)
