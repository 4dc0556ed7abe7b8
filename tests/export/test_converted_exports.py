"""Exports of converted documents (EPUB, web pages, PDF, here a made-up converter): the
Markdown names each quote's page or chapter instead of its line, the W3C JSON adds a
FragmentSelector for it beside the quote selector (and an import ignores it), and
`readertui export` and `list` work on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from readertui.cli import main
from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.export.exporting import ExportRequest, export_text
from readertui.export.web_annotation import parse_collection
from readertui.formats.converted import ConvertedFormat
from readertui.store.store import Store
from tests.formats.fakes import FakeConverter, registered, write_book

STAMP = "2026-01-01T00:00:00Z"


@pytest.fixture
def pdf_like() -> Iterator[ConvertedFormat]:
    yield from registered(FakeConverter())


@pytest.fixture
def epub_like() -> Iterator[ConvertedFormat]:
    converter = FakeConverter(label="{heading}", fragment="epubcfi(/6/{n}[ch0{n}]!)")
    yield from registered(converter)


def highlight(root: Path, words: str, note: str = "") -> Annotation:
    document = load_document(root / "river.fbook", root)
    start = document.text.index(words)
    ref = DocumentRef("river.fbook", document.sha256, document.metadata.title)
    return new_annotation(document.text, ref, start, start + len(words), note=note)


@pytest.fixture
def shelf(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "library"
    root.mkdir()
    write_book(root / "river.fbook")
    return root, tmp_path / "annotations.json"


def stored(shelf: tuple[Path, Path], *annotations: Annotation) -> Store:
    store = Store(shelf[1])
    store.save_annotations(list(annotations))
    return store


def test_markdown_names_the_page_of_each_quote(
    shelf: tuple[Path, Path], pdf_like: ConvertedFormat
) -> None:
    root = shelf[0]
    with stored(shelf, highlight(root, "Nobody waited", note="lonely")) as store:
        text = export_text(scan_library(root), store, ExportRequest(), exported=STAMP)
    cited = "> — Ann Author and Bo Writer, “The Book of Chapter One”, Chapter Two, p. 2\n"
    assert "> Nobody waited\n>\n" + cited in text
    assert "line 3" not in text


def test_markdown_names_the_chapter_once_when_the_heading_is_the_chapter(
    shelf: tuple[Path, Path], epub_like: ConvertedFormat
) -> None:
    root = shelf[0]
    with stored(shelf, highlight(root, "Nobody waited")) as store:
        text = export_text(scan_library(root), store, ExportRequest(), exported=STAMP)
    assert "> — Ann Author and Bo Writer, “The Book of Chapter One”, Chapter Two\n" in text


def test_json_adds_a_fragment_selector_for_a_pdf_page(
    shelf: tuple[Path, Path], pdf_like: ConvertedFormat
) -> None:
    root = shelf[0]
    with stored(shelf, highlight(root, "Nobody waited")) as store:
        text = export_text(scan_library(root), store, ExportRequest("json"), exported=STAMP)
    (item,) = json.loads(text)["first"]["items"]
    selectors = item["target"]["selector"]
    assert [selector["type"] for selector in selectors] == [
        "TextQuoteSelector",
        "TextPositionSelector",
        "FragmentSelector",
    ]
    assert selectors[2] == {
        "type": "FragmentSelector",
        "value": "page=2",
        "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
    }


def test_json_adds_an_epub_cfi_for_an_epub_chapter_and_import_ignores_it(
    shelf: tuple[Path, Path], epub_like: ConvertedFormat
) -> None:
    root = shelf[0]
    annotation = highlight(root, "grey that year")
    with stored(shelf, annotation) as store:
        text = export_text(scan_library(root), store, ExportRequest("json"), exported=STAMP)
    (item,) = json.loads(text)["first"]["items"]
    assert item["target"]["selector"][2] == {
        "type": "FragmentSelector",
        "value": "epubcfi(/6/3[ch03]!)",
        "conformsTo": "http://www.idpf.org/epub/linking/cfi/epub-cfi.html",
    }
    (back,) = parse_collection(text)
    assert (back.id, back.quote, back.start, back.end) == (
        annotation.id,
        annotation.quote,
        annotation.start,
        annotation.end,
    )


def test_text_documents_get_no_fragment_selector(tmp_path: Path) -> None:
    root = tmp_path / "library"
    root.mkdir()
    (root / "a.txt").write_text("The quick brown fox.\n", encoding="utf-8")
    document = load_document(root / "a.txt", root)
    ref = DocumentRef("a.txt", document.sha256, document.metadata.title)
    with Store(tmp_path / "db.json") as store:
        store.save_annotations([new_annotation(document.text, ref, 4, 9)])
        text = export_text(scan_library(root), store, ExportRequest("json"), exported=STAMP)
    (item,) = json.loads(text)["first"]["items"]
    assert len(item["target"]["selector"]) == 2


def test_the_command_line_lists_and_exports_converted_documents(
    shelf: tuple[Path, Path], pdf_like: ConvertedFormat, capsys: pytest.CaptureFixture[str]
) -> None:
    root, db = shelf
    with stored(shelf, highlight(root, "Nobody waited", note="lonely")):
        pass
    where = ["--library", str(root), "--db", str(db)]
    assert main(["list", "docs", *where]) == 0
    (row,) = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert row[0] == "river.fbook" and row[1] == "1" and row[-1] == "fbook"
    assert main(["export", "-o", "-", *where]) == 0
    out = capsys.readouterr().out
    assert "> Nobody waited" in out and "p. 2" in out and "lonely" in out
