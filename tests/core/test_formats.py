"""The format seam: which format a file is, what plain text and Markdown give, and that the
loader, the scan, the layout and the outline ask the format instead of testing its name."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from readertui import formats
from readertui.core.decoding import DecodedText
from readertui.core.document import Document, load_document
from readertui.core.library import SkippedFile, scan_library
from readertui.core.markdown_spans import MarkdownStyler
from readertui.core.metadata import DocumentMetadata
from readertui.core.outline import outline_for
from readertui.core.textlayout import TextLayout
from readertui.errors import DocumentError
from readertui.formats import MARKDOWN, PLAIN_TEXT, Format, OutlineEntry

HEADER = b"%%SCRIPT%%\n"


class Script(Format):
    """A made-up format for some `.txt` files: those starting with a header line; its
    outline is every line in capitals, and it keeps every line break."""

    name = "script"
    suffixes = (".txt",)
    reflows = True

    def refusal(self, head: bytes) -> str | None:
        return None if head.startswith(HEADER) else "not a script (no header)"

    def metadata(self, path: Path, head: bytes) -> tuple[DocumentMetadata, str | None]:
        return DocumentMetadata(f"Script: {path.stem}"), None

    def read(self, path: Path, *, max_bytes: int) -> DecodedText:
        return DecodedText(path.read_bytes()[len(HEADER) :].decode("utf-8"), "utf-8")

    def outline(self, text: str) -> list[OutlineEntry]:
        offsets = [0, *(i + 1 for i, char in enumerate(text) if char == "\n")]
        lines = text.split("\n")
        return [
            OutlineEntry(line, offset, 1)
            for line, offset in zip(lines, offsets, strict=True)
            if line.isupper()
        ]

    def keeps_line_breaks(self, lines: object) -> bool:
        return True


@pytest.fixture
def script() -> Iterator[Script]:
    fmt = Script()
    formats.register(fmt)
    try:
        yield fmt
    finally:
        formats.unregister(fmt)


# --- which format a file is ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.txt", PLAIN_TEXT),
        ("a.TEXT", PLAIN_TEXT),
        ("a.md", MARKDOWN),
        ("notes.Markdown", MARKDOWN),
        ("a.docx", None),
        ("README", None),
        ("archive.txt.gz", None),
        (".txt", None),  # a hidden file named ".txt" has no suffix
    ],
)
def test_a_file_is_offered_to_a_format_by_its_suffix(name: str, expected: Format | None) -> None:
    assert formats.for_path(Path(name)) is expected


def test_plain_text_and_markdown_are_registered_with_their_names() -> None:
    assert formats.registered()[:2] == (PLAIN_TEXT, MARKDOWN)
    assert (PLAIN_TEXT.name, MARKDOWN.name) == ("text", "markdown")
    assert formats.named("markdown") is MARKDOWN
    assert formats.named("epub").suffixes == (".epub",)
    with pytest.raises(KeyError):
        formats.named("docx")


def test_the_content_decides_among_the_formats_a_suffix_is_offered_to() -> None:
    assert formats.recognise(Path("a.txt"), b"Call me Ishmael.") is PLAIN_TEXT
    assert formats.recognise(Path("a.txt"), b"\x89PNG\r\n\x1a\n\0\0\0") == "binary file"
    assert formats.recognise(Path("a.docx"), b"PK\x03\x04") == "not a supported format (.docx)"
    assert formats.recognise(Path("Makefile"), b"all:") == "not a supported format (no extension)"


def test_a_format_registered_later_is_asked_first(script: Script) -> None:
    assert formats.recognise(Path("a.txt"), HEADER + b"INT. DAY") is script
    # Files without its header are still plain text, and a binary one still "binary".
    assert formats.recognise(Path("a.txt"), b"Call me Ishmael.") is PLAIN_TEXT
    assert formats.recognise(Path("a.txt"), b"\0\1\2\3") == "not a script (no header)"


def test_registering_refuses_a_second_name_and_bad_suffixes() -> None:
    class Nameless(Script):
        name = "text"

    class Shouting(Script):
        name = "shouting"
        suffixes = (".TXT",)

    class Doubled(Script):
        name = "doubled"
        suffixes = (".tar.gz",)

    before = formats.registered()
    for fmt in (Nameless(), Shouting(), Doubled()):
        with pytest.raises(ValueError):
            formats.register(fmt)
    assert formats.registered() == before
    with pytest.raises(ValueError):
        formats.unregister(Script())


# --- the loader and the scan ask the format -------------------------------------------------


def test_the_loader_and_the_scan_open_what_the_format_recognises(
    tmp_path: Path, script: Script
) -> None:
    (tmp_path / "play.txt").write_bytes(HEADER + b"ACT ONE\nSomeone enters.\n")
    (tmp_path / "prose.txt").write_text("Prose\n\nOnce upon a time.\n", "utf-8")
    (tmp_path / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\0\x10JFIF\0" * 10)

    play = load_document(tmp_path / "play.txt", tmp_path)
    assert play.kind is script and play.format == "script"
    assert play.text == "ACT ONE\nSomeone enters.\n"
    assert play.metadata.title == "Script: play"
    assert play.outline() == [OutlineEntry("ACT ONE", 0, 1)]
    assert load_document(tmp_path / "prose.txt", tmp_path).kind is PLAIN_TEXT
    with pytest.raises(DocumentError) as refused:
        load_document(tmp_path / "photo.txt", tmp_path)
    assert refused.value.reason == "not a script (no header)"

    library = scan_library(tmp_path)
    assert [(entry.rel_path, entry.kind) for entry in library.entries] == [
        ("prose.txt", PLAIN_TEXT),
        ("play.txt", script),
    ]
    assert library.skipped == (SkippedFile("photo.txt", "not a script (no header)"),)


def test_a_missing_file_of_a_known_format_is_refused_before_its_format_is_asked(
    tmp_path: Path,
) -> None:
    with pytest.raises(DocumentError) as refused:
        load_document(tmp_path / "gone.txt", tmp_path)
    assert refused.value.reason == "file not found"


# --- what plain text and Markdown give ------------------------------------------------------


MARKDOWN_TEXT = "---\ntitle: T\n---\n# Heading\n\n- one\n- two\n\nPlain *words*\n"


def test_the_document_asks_its_format_for_outline_and_styling() -> None:
    def document(kind: Format) -> Document:
        return Document(Path("x"), "x", MARKDOWN_TEXT, kind, "utf-8", DocumentMetadata("x"))

    markdown, plain = document(MARKDOWN), document(PLAIN_TEXT)
    assert markdown.outline() == [OutlineEntry("Heading", MARKDOWN_TEXT.index("#"), 1)]
    assert plain.outline() == [OutlineEntry("Plain *words*", MARKDOWN_TEXT.index("Plain"), 2)]
    styler = markdown.styler()
    assert isinstance(styler, MarkdownStyler)
    heading = MARKDOWN_TEXT.index("#")
    assert {span.kind for span in styler.spans_between(heading, heading + 1)} == {
        "heading1",
        "markup",
    }
    assert plain.styler() is None
    assert (markdown.format, plain.format) == ("markdown", "text")


def test_outline_for_takes_a_format_or_its_name() -> None:
    assert outline_for(MARKDOWN_TEXT, MARKDOWN) == outline_for(MARKDOWN_TEXT, "markdown")
    assert outline_for(MARKDOWN_TEXT, PLAIN_TEXT) == outline_for(MARKDOWN_TEXT, "text")


def test_markdown_keeps_the_line_breaks_of_lists_and_code_blocks() -> None:
    assert MARKDOWN.keeps_line_breaks(["- one", "- two"])
    assert MARKDOWN.keeps_line_breaks(["```", "code", "```"])
    assert MARKDOWN.keeps_line_breaks(["a quote", "> below"])
    assert not MARKDOWN.keeps_line_breaks(["a long line of prose", "wrapped onto the next"])
    assert not PLAIN_TEXT.keeps_line_breaks(["- one", "- two"])


# --- the layout asks the format -------------------------------------------------------------


PARAGRAPH = "The ferry left at dawn and\ncarried salt and letters.\n\n- one\n- two\n"


def first_rows(layout: TextLayout, count: int) -> list[str]:
    return [layout.shown(row) for row in layout.rows_from(layout.locate(0), count)]


def test_the_layout_reflows_as_the_format_says(script: Script) -> None:
    def rows(kind: Format, reflow: bool = True) -> list[str]:
        layout = TextLayout(PARAGRAPH, 80, reflow=reflow, kind=kind)
        return [layout.shown(row) for row in layout.rows_from(layout.locate(0), 6)]

    joined = "The ferry left at dawn and carried salt and letters."
    assert rows(PLAIN_TEXT) == [joined, "", "- one - two"]
    assert rows(MARKDOWN) == [joined, "", "- one", "- two"]
    assert rows(script) == rows(MARKDOWN, reflow=False)  # keeps every break


def test_a_format_that_does_not_reflow_is_never_reflowed(script: Script) -> None:
    class Fixed(Script):
        name = "fixed"
        reflows = False

        def keeps_line_breaks(self, lines: object) -> bool:
            return False

    layout = TextLayout(PARAGRAPH, 80, reflow=True, kind=Fixed())
    assert not layout.reflow
    assert first_rows(layout, 2) == ["The ferry left at dawn and", "carried salt and letters."]


# --- cheap to import --------------------------------------------------------------------------


def test_importing_the_formats_loads_nothing_heavy() -> None:
    """The formats are on the start-up path: no Textual, Rich or rapidfuzz, and no regexes
    for styling or outlines until a document needs them."""
    script = (
        "import sys\n"
        "import readertui.formats, readertui.core.document, readertui.core.library\n"
        "heavy = ('textual', 'rich', 'rapidfuzz', 'charset_normalizer')\n"
        "loaded = [name for name in sys.modules if name.split('.')[0] in heavy]\n"
        "lazy = ('readertui.core.markdown_spans', 'readertui.formats.headings')\n"
        "loaded += [name for name in sys.modules if name in lazy]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
