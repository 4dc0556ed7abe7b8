"""The PDF converter on PDFs the tests write with fpdf2 (tests/formats/pdf_builder.py): a
paper's text without its running headers and page numbers, hyphenation joined, pages as
sections, bookmarks as the outline, the first pages as a prefix of the whole, metadata, and
the files it refuses (scanned, encrypted, damaged)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.formats.conversion import Conversion, UnreadableFile
from readertui.formats.pdf import FIRST_PAGES, PDF_CONVERTER
from tests.formats.pdf_builder import PdfPage, write_pdf

if TYPE_CHECKING:
    from pathlib import Path

LOREM = (
    "Readers of long documents mark what matters to them and come back to it later, "
    "often on a remote machine with nothing but a terminal and a keyboard at hand."
)


def paper_pages() -> list[PdfPage]:
    """Three pages, each a bookmarked heading and two paragraphs; the second paragraph has
    a word hyphenated at a line end and a compound broken after its hyphen."""
    pages = []
    for number in (1, 2, 3):
        pages.append(
            PdfPage(
                heading=f"Part {number}: Findings" if number > 1 else "Introduction",
                paragraphs=(
                    f"Opening paragraph of page {number}. {LOREM} {LOREM}",
                    (
                        f"The second paragraph of page {number} gives an exam-",
                        "ple of a word broken at the end of a line and a well-",
                        "Known compound that keeps its hyphen.",
                    ),
                ),
                bookmark_level=0 if number < 3 else 1,
            )
        )
    return pages


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    return write_pdf(
        tmp_path / "paper.pdf",
        paper_pages(),
        header="Journal of Testing",
        page_numbers=True,
        title="A Test Paper",
        author="Ada Lovelace and Alan Turing",
    )


# --- Text ---------------------------------------------------------------------------------


def test_running_header_and_page_numbers_are_dropped(paper: Path) -> None:
    text = PDF_CONVERTER.convert(paper).text
    assert "Journal of Testing" not in text
    assert not [line for line in text.split("\n") if line.strip().isdigit()]
    assert text.startswith("Introduction\n\nOpening paragraph of page 1.")
    assert text.endswith("Known compound that keeps its hyphen.")


def test_running_header_with_changing_numbers_is_dropped(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path / "journal.pdf",
        [PdfPage(paragraphs=(f"Body text of page {n}. {LOREM}",)) for n in range(1, 5)],
        header="Journal of X, vol. 2, p. {page}7",
    )
    text = PDF_CONVERTER.convert(pdf).text
    assert "Journal of X" not in text
    assert [block[:17] for block in text.split("\n\n")] == [
        f"Body text of page {n}"[:17] for n in range(1, 5)
    ]


def test_chapter_running_heads_with_page_numbers_are_dropped(tmp_path: Path) -> None:
    # Each chapter has its own running head (two pages each, so no head repeats on three
    # pages); what they share is their place and the printed page number (the sheet's + 40).
    chapters = ("Origins", "Methods", "Results", "Discussion")
    pages = [PdfPage(paragraphs=(f"Text {n} of the {chapters[n // 2]}.",)) for n in range(8)]
    path = write_pdf(
        tmp_path / "heads.pdf",
        pages,
        header=lambda page: f"Chapter {(page + 1) // 2}: {chapters[(page - 1) // 2]} {page + 40}",
    )
    text = PDF_CONVERTER.convert(path).text
    assert "Chapter" not in text
    assert text.split("\n\n") == [f"Text {n} of the {chapters[n // 2]}." for n in range(8)]


def test_a_bullet_in_a_smaller_font_does_not_break_its_item(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=8)
    pdf.text(20, 30, "-")
    pdf.set_font("Helvetica", size=11)
    first = "Applications must be able to extend the database in any way when they are installed,"
    first += " to add both"
    assert 160 < pdf.get_string_width(first) < 176
    pdf.text(24, 30, first)
    pdf.text(24, 35, "and new information about specific types.")
    path = tmp_path / "bullet.pdf"
    pdf.output(str(path))
    assert PDF_CONVERTER.convert(path).text == (
        f"- {first} and new information about specific types."
    )


@pytest.mark.parametrize("footer", ["7", "- 7 -", "Page 7", "page 7 of 9", "xii"])
def test_a_lone_page_number_goes_even_on_a_single_page(tmp_path: Path, footer: str) -> None:
    pdf = write_pdf(
        tmp_path / "single.pdf",
        [PdfPage(paragraphs=("Only page.", ("Its last line",), (footer,)))],
    )
    assert PDF_CONVERTER.convert(pdf).text == "Only page.\n\nIts last line"


def test_a_number_inside_the_page_is_kept(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "single.pdf", [PdfPage(paragraphs=("Top line", "42", "End"))])
    assert PDF_CONVERTER.convert(pdf).text == "Top line\n\n42\n\nEnd"


def test_a_first_line_that_does_not_repeat_is_kept(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path / "one.pdf",
        [PdfPage(paragraphs=("A Letter of One Page",)), PdfPage(paragraphs=("Second page",))],
    )
    assert PDF_CONVERTER.convert(pdf).text == "A Letter of One Page\n\nSecond page"


def test_line_end_hyphenation_is_joined_and_compounds_keep_their_hyphen(paper: Path) -> None:
    text = PDF_CONVERTER.convert(paper).text
    assert text.count("gives an example of a word broken") == 3
    assert "exam-" not in text and "exam ple" not in text
    assert text.count("a well-Known compound") == 3


def test_paragraphs_are_one_line_each_separated_by_a_blank_line(paper: Path) -> None:
    text = PDF_CONVERTER.convert(paper).text
    blocks = text.split("\n\n")
    # Per page: the heading and two paragraphs; each paragraph's wrapped lines joined.
    assert len(blocks) == 9
    assert "\n" not in "".join(blocks)
    assert blocks[1] == f"Opening paragraph of page 1. {LOREM} {LOREM}"


def test_double_spaced_lines_are_one_paragraph(tmp_path: Path) -> None:
    # 11-point text 10 mm (2.6 times the font size) apart: wider than any paragraph gap of
    # single-spaced text, yet the lines are full, so one paragraph.
    pdf = write_pdf(
        tmp_path / "double.pdf",
        [PdfPage(paragraphs=(f"{LOREM} {LOREM}", f"Second. {LOREM}"))],
        line_height=10,
    )
    assert PDF_CONVERTER.convert(pdf).text == f"{LOREM} {LOREM}\n\nSecond. {LOREM}"


def test_a_word_hyphenated_across_a_page_break_is_joined(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path / "across.pdf",
        [
            PdfPage(paragraphs=(("This sentence is conti-",),)),
            PdfPage(paragraphs=(("nued on the next page.",),)),
        ],
    )
    conversion = PDF_CONVERTER.convert(pdf)
    assert conversion.text == "This sentence is continued\n\non the next page."
    assert conversion.sections[1].offset == conversion.text.index("on the next")


def test_a_word_hyphenated_across_a_page_break_before_a_list_is_joined(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path / "across.pdf",
        [
            PdfPage(paragraphs=(("Things to pack for the jour-",),)),
            PdfPage(paragraphs=(("ney:", "bread", "wine"),)),
        ],
    )
    assert PDF_CONVERTER.convert(pdf).text == "Things to pack for the journey:\n\nbread\nwine"


def test_short_lines_of_a_list_keep_their_breaks(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path / "list.pdf",
        [PdfPage(paragraphs=(("Bring:", "- bread", "- cheese", "- wine"),))],
    )
    assert PDF_CONVERTER.convert(pdf).text == "Bring:\n- bread\n- cheese\n- wine"


def test_two_text_columns_read_one_after_the_other(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    words = " ".join(f"w{number}" for number in range(400))
    with pdf.text_columns(ncols=2, gutter=10, balance=True) as columns:
        columns.write(text=words)
    path = tmp_path / "columns.pdf"
    pdf.output(str(path))
    text = PDF_CONVERTER.convert(path).text
    assert text.split() == [f"w{number}" for number in range(400)]


def test_columns_drawn_line_by_line_are_read_one_after_the_other(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    # A centred title over both columns, then each row's left and right lines side by side
    # in the content stream (pdfium joins them into one line).
    pdf.text(80, 14, "A Title Over Both Columns")
    for row in range(12):
        pdf.text(10, 30 + row * 6, f"left {row} of the first column's text")
        pdf.text(110, 30 + row * 6, f"right {row} of the second column")
    path = tmp_path / "rows.pdf"
    pdf.output(str(path))
    text = PDF_CONVERTER.convert(path).text
    left = " ".join(f"left {row} of the first column's text" for row in range(12))
    right = " ".join(f"right {row} of the second column" for row in range(12))
    assert text == f"A Title Over Both Columns\n\n{left} {right}"


def test_a_table_of_short_cells_stays_row_by_row(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for row in range(8):
        pdf.text(10, 30 + row * 6, f"Item {row}")
        pdf.text(150, 30 + row * 6, f"{row * 3} kg")
    path = tmp_path / "table.pdf"
    pdf.output(str(path))
    lines = PDF_CONVERTER.convert(path).text.split("\n")
    assert [line.split()[:2] for line in lines] == [["Item", str(row)] for row in range(8)]
    assert lines[1].endswith("3 kg")


def test_control_characters_stay_characters_and_tabs_become_spaces(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path / "hostile.pdf",
        [PdfPage(paragraphs=(("Red \x1b[31mALERT\x1b[0m, a bell \x07 and\ta tab.",),))],
    )
    text = PDF_CONVERTER.convert(pdf).text
    assert text == "Red \x1b[31mALERT\x1b[0m, a bell \x07 and a tab."
    assert "\r" not in text and "\t" not in text


def test_a_script_in_the_pdf_is_neither_run_nor_shown(tmp_path: Path) -> None:
    plain = write_pdf(tmp_path / "plain.pdf", [PdfPage(paragraphs=("Harmless text.",))])
    # An OpenAction running JavaScript when the file is opened (pdfium rebuilds the
    # cross-reference table the insertion shifted).
    data = plain.read_bytes().replace(
        b"/Type /Catalog",
        b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert\\('pwned'\\);) >>",
        1,
    )
    assert b"/JavaScript" in data
    scripted = tmp_path / "scripted.pdf"
    scripted.write_bytes(data)
    conversion = PDF_CONVERTER.convert(scripted)
    assert conversion.text == "Harmless text."
    assert "pwned" not in conversion.text


# --- Sections and outline -----------------------------------------------------------------


def test_each_page_is_a_section_starting_at_its_text(paper: Path) -> None:
    conversion = PDF_CONVERTER.convert(paper)
    assert [(s.label, s.fragment) for s in conversion.sections] == [
        ("p. 1", "page=1"),
        ("p. 2", "page=2"),
        ("p. 3", "page=3"),
    ]
    starts = [conversion.text[s.offset :] for s in conversion.sections]
    assert starts[0].startswith("Introduction\n")
    assert starts[1].startswith("Part 2: Findings\n")
    assert starts[2].startswith("Part 3: Findings\n")


def test_page_labels_name_the_sections(tmp_path: Path) -> None:
    pages = [PdfPage(paragraphs=(word,)) for word in ("Preface", "Contents", "One", "Two")]
    pdf = write_pdf(tmp_path / "labels.pdf", pages, front_matter=2)
    sections = PDF_CONVERTER.convert(pdf).sections
    assert [s.label for s in sections] == ["p. i", "p. ii", "p. 1", "p. 2"]
    assert [s.fragment for s in sections] == ["page=1", "page=2", "page=3", "page=4"]


def test_a_page_without_text_has_no_section(tmp_path: Path) -> None:
    pages = [PdfPage(image_only=True), PdfPage(paragraphs=("Text after a plate.",))]
    conversion = PDF_CONVERTER.convert(write_pdf(tmp_path / "plate.pdf", pages))
    assert conversion.text == "Text after a plate."
    assert [(s.offset, s.label, s.fragment) for s in conversion.sections] == [(0, "p. 2", "page=2")]


def test_bookmarks_are_the_outline_at_their_titles(paper: Path) -> None:
    conversion = PDF_CONVERTER.convert(paper)
    text = conversion.text
    assert [(e.title, e.level) for e in conversion.outline] == [
        ("Introduction", 1),
        ("Part 2: Findings", 1),
        ("Part 3: Findings", 2),
    ]
    for entry, section in zip(conversion.outline, conversion.sections, strict=True):
        assert entry.offset == section.offset
        assert text[entry.offset :].startswith(entry.title)
    assert [(text[s.start : s.end], s.kind) for s in conversion.spans] == [
        ("Introduction", "heading1"),
        ("Part 2: Findings", "heading1"),
        ("Part 3: Findings", "heading2"),
    ]


def test_a_bookmark_whose_title_is_not_on_its_page_points_at_the_page(tmp_path: Path) -> None:
    pages = [
        PdfPage(paragraphs=("First page.",)),
        PdfPage(heading="Shown Heading", paragraphs=("Second page.",)),
    ]
    path = write_pdf(tmp_path / "renamed.pdf", pages)
    # Rename the bookmark (same length, so the file stays intact): its title is then
    # nowhere in the text.
    path.write_bytes(path.read_bytes().replace(b"(Shown Heading)", b"(Other Heading)"))
    conversion = PDF_CONVERTER.convert(path)
    assert [(e.title, e.offset) for e in conversion.outline] == [
        ("Other Heading", conversion.sections[1].offset)
    ]
    assert conversion.spans == ()


def test_bookmarks_deeper_than_six_levels_are_kept_at_level_six(tmp_path: Path) -> None:
    names = ("Part", "Chapter", "Section", "Topic", "Point", "Detail", "Aside", "Footnote")
    pages = [
        PdfPage(heading=name, paragraphs=(f"About the {name.lower()}.",), bookmark_level=depth)
        for depth, name in enumerate(names)
    ]
    conversion = PDF_CONVERTER.convert(write_pdf(tmp_path / "deep.pdf", pages))
    assert [e.level for e in conversion.outline] == [1, 2, 3, 4, 5, 6, 6, 6]
    assert [s.kind for s in conversion.spans] == ["heading1", "heading2"] + ["heading3"] * 6


# --- The first pages --------------------------------------------------------------------


def assert_start_agrees(start: Conversion, whole: Conversion) -> None:
    assert whole.text.startswith(start.text)
    assert start.text
    assert len(start.text) <= len(whole.text)
    end = len(start.text)
    assert start.sections == tuple(s for s in whole.sections if s.offset < end)
    assert start.outline == tuple(e for e in whole.outline if e.offset < end)
    assert start.spans == tuple(s for s in whole.spans if s.start < end)
    assert start.metadata == whole.metadata


def test_a_short_pdf_has_no_quicker_start(paper: Path) -> None:
    assert PDF_CONVERTER.convert_start(paper) is None


def test_the_first_pages_are_a_prefix_of_the_whole(tmp_path: Path) -> None:
    pages = [
        PdfPage(heading=f"Chapter {n}", paragraphs=(f"{LOREM} Page {n}.", LOREM))
        for n in range(1, 16)
    ]
    path = write_pdf(tmp_path / "long.pdf", pages, header="Running Head", page_numbers=True)
    start = PDF_CONVERTER.convert_start(path)
    whole = PDF_CONVERTER.convert(path)
    assert start is not None
    assert_start_agrees(start, whole)
    assert [s.label for s in start.sections] == [f"p. {n}" for n in range(1, FIRST_PAGES + 1)]
    assert "Running Head" not in whole.text


WORDS = st.sampled_from(
    ["reading", "terminal", "notes", "Moscow", "quote", "paper", "the", "and", "of", "Page"]
)
HEADERS = st.sampled_from(["", "Journal of Testing", "Proceedings, vol. {page}", "Page {page}"])


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[PdfPage], str, bool]:
    count = draw(st.integers(min_value=FIRST_PAGES + 1, max_value=FIRST_PAGES + 8))
    pages = []
    for number in range(count):
        if draw(st.integers(0, 9)) == 0:
            pages.append(PdfPage(image_only=True))
            continue
        paragraphs: list[str | tuple[str, ...]] = [
            " ".join(draw(st.lists(WORDS, min_size=1, max_size=40)))
            for _ in range(draw(st.integers(0, 3)))
        ]
        if draw(st.booleans()):
            # A word broken at the page's (or a paragraph's) last line.
            paragraphs.append((f"{number} words and a hyphen-",))
        heading = draw(st.sampled_from(["", f"Heading {number}", "Same Heading"]))
        level = draw(st.sampled_from([None, 0, 1]))
        # The header on some pages only, so that whether it counts as running depends on
        # the pages around.
        has_header = draw(st.integers(0, 3)) > 0
        pages.append(PdfPage(tuple(paragraphs), heading, level, has_header=has_header))
    # A page may begin with the rest of a hyphenated word.
    return pages, draw(HEADERS), draw(st.booleans())


@given(documents())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_first_pages_always_agree_with_the_whole(
    tmp_path_factory: pytest.TempPathFactory, document: tuple[list[PdfPage], str, bool]
) -> None:
    pages, header, page_numbers = document
    folder = tmp_path_factory.mktemp("prefix")
    path = write_pdf(folder / "doc.pdf", pages, header=header, page_numbers=page_numbers)
    try:
        whole = PDF_CONVERTER.convert(path)
    except UnreadableFile:
        return  # no text at all: nothing to compare
    start = PDF_CONVERTER.convert_start(path)
    if start is None:
        # Only when the first pages hold no text.
        assert all(s.fragment not in {f"page={n}" for n in range(1, 11)} for s in whole.sections)
        return
    assert_start_agrees(start, whole)


def test_conversions_in_several_threads_give_what_one_gives(paper: Path) -> None:
    # pdfium is not thread-safe: a library scan describes files while a conversion runs.
    expected = PDF_CONVERTER.convert(paper)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(
                lambda number: (
                    PDF_CONVERTER.convert(paper) if number % 2 else PDF_CONVERTER.describe(paper)
                ),
                range(24),
            )
        )
    assert all(result == expected for result in results[1::2])
    assert all(result == expected.metadata for result in results[::2])


# --- Metadata -----------------------------------------------------------------------------


def test_describe_reads_the_document_information(paper: Path) -> None:
    metadata = PDF_CONVERTER.describe(paper)
    assert metadata.title == "A Test Paper"
    assert metadata.authors == ("Ada Lovelace", "Alan Turing")
    assert metadata.date == "2020-01-31"
    assert PDF_CONVERTER.convert(paper).metadata == metadata


@pytest.mark.parametrize(
    ("author", "authors"),
    [
        ("Ada Lovelace", ("Ada Lovelace",)),
        (
            "Lovelace, Ada; Turing, Alan; Hopper, Grace",
            ("Lovelace, Ada", "Turing, Alan", "Hopper, Grace"),
        ),
        (
            "Ada Lovelace, Grace Hopper and Alan Turing",
            ("Ada Lovelace", "Grace Hopper", "Alan Turing"),
        ),
        ("Lovelace, A. and Turing, A.", ("Lovelace, A.", "Turing, A.")),
        ("Procter and Gamble", ("Procter and Gamble",)),
        ("", ()),
    ],
)
def test_authors_are_split_where_several_are_clearly_listed(
    tmp_path: Path, author: str, authors: tuple[str, ...]
) -> None:
    path = write_pdf(tmp_path / "a.pdf", [PdfPage(paragraphs=("Text.",))], author=author)
    assert PDF_CONVERTER.describe(path).authors == authors


def test_subject_and_producer_are_not_title_and_publisher(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "untitled.pdf",
        [PdfPage(paragraphs=("Text.",))],
        subject="A subject line",
        producer="Some PDF Library 1.0",
        created=datetime(1999, 12, 5, 8, 30),
    )
    metadata = PDF_CONVERTER.describe(path)
    assert metadata.title == ""
    assert metadata.publisher == ""
    assert metadata.date == "1999-12-05"


# --- Refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pages",
    [[PdfPage(image_only=True), PdfPage(image_only=True)], [PdfPage(), PdfPage()]],
    ids=["scanned", "blank"],
)
def test_a_pdf_without_text_is_refused(tmp_path: Path, pages: list[PdfPage]) -> None:
    path = write_pdf(tmp_path / "scan.pdf", pages)
    for read in (PDF_CONVERTER.describe, PDF_CONVERTER.convert):
        with pytest.raises(UnreadableFile) as refusal:
            read(path)
        assert refusal.value.reason == "no text layer (scanned)"


def test_text_after_the_pages_describe_looks_at_is_still_converted(tmp_path: Path) -> None:
    pages = [PdfPage(image_only=True)] * FIRST_PAGES + [PdfPage(paragraphs=("Late text.",))]
    path = write_pdf(tmp_path / "late.pdf", pages)
    with pytest.raises(UnreadableFile):
        PDF_CONVERTER.describe(path)
    assert PDF_CONVERTER.convert(path).text == "Late text."


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "secret.pdf", [PdfPage(paragraphs=("Secret.",))], user_password="sesame"
    )
    for read in (PDF_CONVERTER.describe, PDF_CONVERTER.convert, PDF_CONVERTER.convert_start):
        with pytest.raises(UnreadableFile) as refusal:
            read(path)
        assert refusal.value.reason == "encrypted (password needed)"


@pytest.mark.parametrize(
    "content",
    [b"", b"This is a text file, not a PDF.\n" * 20, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<"],
    ids=["empty", "text", "truncated"],
)
def test_a_damaged_file_is_refused_as_malformed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    for read in (PDF_CONVERTER.describe, PDF_CONVERTER.convert):
        with pytest.raises(UnreadableFile) as refusal:
            read(path)
        assert refusal.value.reason == "malformed PDF: not a PDF or damaged"


def test_a_pdf_cut_short_is_refused_or_read_never_crashes(paper: Path, tmp_path: Path) -> None:
    data = paper.read_bytes()
    for cut in (len(data) // 4, len(data) // 2, len(data) - 40):
        path = tmp_path / f"cut-{cut}.pdf"
        path.write_bytes(data[:cut])
        try:
            text = PDF_CONVERTER.convert(path).text
        except UnreadableFile as refusal:
            assert refusal.reason.startswith(("malformed PDF: ", "no text layer"))
        else:
            assert "\r" not in text
