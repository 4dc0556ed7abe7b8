"""PDFs the PDF tests write for themselves with fpdf2: pages of paragraphs, with a running
header, page-number footers, bookmarked headings, document information, a password or
image-only (scanned) pages.

Each `PdfPage` is exactly one page (its text must fit; ValueError otherwise), so a test
knows what each page holds. Paragraphs are wrapped here, line by line with `FPDF.text`
(fpdf2's `multi_cell` takes a second per ten pages), or given as their lines when a test
needs a line to end in a particular word ("exam-").
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from fpdf import FPDF

# A4 in millimetres, with 20 mm margins.
LEFT = 20.0
WIDTH = 170.0
TOP = 30.0
BOTTOM = 270.0
LINE = 6.0
PARAGRAPH_GAP = 5.0
HEADING_GAP = 10.0


@dataclass(frozen=True)
class PdfPage:
    """One page: an optional bold heading (bookmarked at `bookmark_level` unless None),
    then paragraphs, each a string to wrap or a tuple of its lines."""

    paragraphs: tuple[str | tuple[str, ...], ...] = ()
    heading: str = ""
    bookmark_level: int | None = 0
    #: A picture and no text at all, as a scanned page.
    image_only: bool = False
    #: Whether the document's header is drawn on this page.
    has_header: bool = True


def write_pdf(
    path: Path,
    pages: list[PdfPage],
    *,
    header: str | Callable[[int], str] = "",
    page_numbers: bool = False,
    title: str = "",
    author: str = "",
    subject: str = "",
    producer: str = "",
    created: datetime | None = None,
    user_password: str | None = None,
    front_matter: int = 0,
    line_height: float = LINE,
) -> Path:
    """Writes `pages` to `path`. `header` is drawn at the top of every page, "{page}" in it
    replaced by the page's number (or it is a function of the page's number);
    `page_numbers` puts the number alone at the foot. With `front_matter`, the first pages
    are labelled i, ii, … and the next 1, 2, … `line_height` is the distance between
    lines, in millimetres."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(created or datetime(2020, 1, 31, 12, 0, 0))
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if subject:
        pdf.set_subject(subject)
    if producer:
        pdf.set_producer(producer)
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-" + user_password, user_password=user_password)
    for number, page in enumerate(pages, start=1):
        pdf.add_page()
        if front_matter and number == 1:
            pdf.set_page_label(label_style="r", label_start=1)
        elif front_matter and number == front_matter + 1:
            pdf.set_page_label(label_style="D", label_start=1)
        if page.image_only:
            _draw_picture(pdf)
            continue
        if header and page.has_header:
            pdf.set_font("Helvetica", size=9)
            text = header(number) if callable(header) else header.replace("{page}", str(number))
            pdf.text(105 - pdf.get_string_width(text) / 2, 15, text)
        if page_numbers:
            pdf.set_font("Helvetica", size=9)
            pdf.text(104, 285, str(number))
        _draw_body(pdf, page, line_height)
    pdf.output(str(path))
    return path


def _draw_body(pdf: FPDF, page: PdfPage, line_height: float) -> None:
    y = TOP
    if page.heading:
        pdf.set_font("Helvetica", style="B", size=14)
        if page.bookmark_level is not None:
            pdf.set_y(y - 6)
            pdf.start_section(page.heading, level=page.bookmark_level)
        pdf.text(LEFT, y, page.heading)
        y += HEADING_GAP
    pdf.set_font("Helvetica", size=11)
    for paragraph in page.paragraphs:
        lines = paragraph if isinstance(paragraph, tuple) else wrap(pdf, paragraph)
        for line in lines:
            if y > BOTTOM:
                raise ValueError("the page's text does not fit on it")
            pdf.text(LEFT, y, line)
            y += line_height
        y += PARAGRAPH_GAP


def wrap(pdf: FPDF, paragraph: str) -> list[str]:
    """`paragraph` in lines as wide as the text block, in the current font."""
    lines: list[str] = []
    current = ""
    for word in paragraph.split():
        candidate = f"{current} {word}" if current else word
        if current and pdf.get_string_width(candidate) > WIDTH:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _draw_picture(pdf: FPDF) -> None:
    from PIL import Image

    picture = Image.new("L", (60, 80), color=90)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    pdf.image(buffer, x=LEFT, y=TOP, w=WIDTH)
