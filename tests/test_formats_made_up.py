"""A format made up for the test, registered from outside: with no other change to readertui,
its files are listed by the library scan, opened with their text, styling and outline,
annotated, stored and exported (issue 9, item 4).

The format: `.rev` files hold a `\\0REV` header line, then the text stored back to front;
lines starting `== ` or `=== ` are headings. The header's NUL byte would make any text
format call the file binary, so only the format itself can say it is a document.

`reversed_format` (the fixture) and `write_reversed` are meant for other tests too (a Pilot
test opening such a file in the app): import them from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from readertui import formats
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.decoding import DecodedText, normalise_newlines
from readertui.core.document import load_document
from readertui.core.library import SkippedFile, scan_library
from readertui.core.markdown_spans import Span
from readertui.core.metadata import DocumentMetadata
from readertui.core.textlayout import TextLayout
from readertui.errors import DocumentError
from readertui.export.exporting import ExportRequest, export_to_folder
from readertui.formats import PLAIN_TEXT, Format, OutlineEntry
from readertui.store.store import Store

MAGIC = b"\0REV\n"
_HEADING = re.compile(r"^(={2,3}) (.+)$", re.MULTILINE)

STORY = (
    "== The river\n"
    "\n"
    "The ferry left at dawn.\n"
    "It carried salt and letters.\n"
    "\n"
    "=== The far bank\n"
    "\n"
    "Nobody waited for it there.\n"
)


class Reversed(Format):
    """Text stored back to front, after a header line."""

    name = "reversed"
    suffixes = (".rev",)
    reflows = False

    def refusal(self, head: bytes) -> str | None:
        return None if head.startswith(MAGIC) else "not a reversed-text file (no header)"

    def metadata(self, path: Path, head: bytes) -> tuple[DocumentMetadata, str | None]:
        # The title is the first heading, which is stored at the end of the file.
        headings = self.outline(self.read(path, max_bytes=1 << 20).text)
        return DocumentMetadata(headings[0].title if headings else path.stem), None

    def read(self, path: Path, *, max_bytes: int) -> DecodedText:
        data = path.read_bytes()
        if len(data) > max_bytes or not data.startswith(MAGIC):
            raise DocumentError(str(path), "not a reversed-text file")
        text = data[len(MAGIC) :].decode("utf-8", errors="replace")[::-1]
        return DecodedText(normalise_newlines(text), "utf-8")

    def outline(self, text: str) -> list[OutlineEntry]:
        return [
            OutlineEntry(match.group(2), match.start(), len(match.group(1)) - 1)
            for match in _HEADING.finditer(text)
        ]

    def styler(self, text: str) -> HeadingStyler:
        return HeadingStyler(text)


class HeadingStyler:
    """Headings styled by level, their `==` dimmed as markup."""

    def __init__(self, text: str) -> None:
        self.text = text

    def spans_between(self, start: int, end: int) -> list[Span]:
        spans: list[Span] = []
        for match in _HEADING.finditer(self.text):
            if match.start() < end and match.end() > start:
                level = len(match.group(1)) - 1
                spans.append(Span(match.start(), match.end(), f"heading{level}"))
                spans.append(Span(match.start(), match.start(1) + level + 2, "markup"))
        return spans


def write_reversed(path: Path, text: str) -> Path:
    path.write_bytes(MAGIC + text[::-1].encode("utf-8"))
    return path


@pytest.fixture
def reversed_format() -> Iterator[Reversed]:
    """The made-up format, registered for one test and gone after it."""
    fmt = Reversed()
    formats.register(fmt)
    try:
        yield fmt
    finally:
        formats.unregister(fmt)
    assert fmt not in formats.registered()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    write_reversed(root / "story.rev", STORY)
    (root / "torn.rev").write_bytes(b"no header, just words\n")
    (root / "notes.txt").write_text("Notes\n\nPlain text, as ever.\n", "utf-8")
    return root


# --- listed -------------------------------------------------------------------------------


def test_unregistered_the_files_are_skipped_as_unsupported(library: Path) -> None:
    scanned = scan_library(library)
    assert [entry.rel_path for entry in scanned.entries] == ["notes.txt"]
    assert SkippedFile("story.rev", "not a supported format (.rev)") in scanned.skipped


def test_registered_its_files_are_listed_with_their_metadata(
    library: Path, reversed_format: Reversed
) -> None:
    scanned = scan_library(library)
    story = scanned.find("story.rev")
    assert story is not None
    assert story.kind is reversed_format
    assert story.format == "reversed"
    assert story.metadata.title == "The river"
    notes = scanned.find("notes.txt")
    assert notes is not None and notes.kind is PLAIN_TEXT
    # A `.rev` file the format refuses is skipped with the format's reason, not "binary".
    assert scanned.skipped == (SkippedFile("torn.rev", "not a reversed-text file (no header)"),)


# --- opened -------------------------------------------------------------------------------


def test_it_opens_with_its_text_outline_and_styling(
    library: Path, reversed_format: Reversed
) -> None:
    document = load_document(library / "story.rev", library)

    assert document.text == STORY
    assert document.kind is reversed_format
    assert document.metadata.title == "The river"
    far_bank = STORY.index("=== The far bank")
    assert document.outline() == [
        OutlineEntry("The river", 0, 1),
        OutlineEntry("The far bank", far_bank, 2),
    ]
    styler = document.styler()
    assert styler is not None
    first_line = STORY.index("\n")
    assert styler.spans_between(0, 5) == [
        Span(0, first_line, "heading1"),
        Span(0, 3, "markup"),
    ]
    assert styler.spans_between(first_line + 1, far_bank - 1) == []


def test_a_file_it_refuses_is_not_opened(library: Path, reversed_format: Reversed) -> None:
    with pytest.raises(DocumentError) as refused:
        load_document(library / "torn.rev", library)
    assert refused.value.reason == "not a reversed-text file (no header)"


def test_its_paragraphs_keep_their_lines_since_it_does_not_reflow(
    library: Path, reversed_format: Reversed
) -> None:
    document = load_document(library / "story.rev", library)

    def shown(kind: Format) -> list[str]:
        layout = TextLayout(document.text, 80, reflow=True, kind=kind)
        start = layout.locate(STORY.index("The ferry"))
        return [layout.shown(row) for row in layout.rows_from(start, 2)]

    assert shown(document.kind) == ["The ferry left at dawn.", "It carried salt and letters."]
    # The same text as plain text would be joined into one paragraph.
    assert shown(PLAIN_TEXT)[0] == "The ferry left at dawn. It carried salt and letters."


# --- annotated and exported ---------------------------------------------------------------


def test_it_is_annotated_stored_and_exported_like_text(
    library: Path, reversed_format: Reversed, tmp_path: Path
) -> None:
    scanned = scan_library(library)
    document = load_document(library / "story.rev", library)
    quote = "Nobody waited"
    start = document.text.index(quote)
    ref = DocumentRef("story.rev", document.sha256, document.metadata.title, scanned.key)
    annotation = new_annotation(
        document.text, ref, start, start + len(quote), note="Where did the ferry go?"
    )
    with Store(tmp_path / "db.json") as store:
        store.save_annotation(annotation)
    # The file changes on disk: a paragraph is added before the quote.
    write_reversed(library / "story.rev", STORY.replace("=== The far", "Gulls.\n\n=== The far"))

    with Store(tmp_path / "db.json") as store:
        assert store.annotations("story.rev", library=scanned.key) == [annotation]
        result = export_to_folder(tmp_path / "out", scanned, store, ExportRequest())

    assert (result.highlights, result.orphaned) == (1, 0)
    (written,) = result.written
    exported = written.read_text("utf-8")
    assert "The river" in exported  # the title, from the format's metadata
    assert f"> {quote}" in exported
    assert "Where did the ferry go?" in exported
    # Its location names the heading it falls under, from the format's outline, in the
    # text as it is now (line 10 since the paragraph was added).
    assert "The far bank, line 10" in exported
