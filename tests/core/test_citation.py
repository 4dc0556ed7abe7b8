"""Quotation marks around a quote: added only when the quote has none of its own."""

from __future__ import annotations

from readertui.core.citation import citation, in_quotation_marks, quotation, short_citation
from readertui.core.metadata import DocumentMetadata


def test_a_plain_quote_gets_quotation_marks() -> None:
    assert in_quotation_marks("so Genoa and Lucca") == "“so Genoa and Lucca”"
    assert in_quotation_marks("") == "“”"


def test_a_quote_with_its_own_marks_keeps_them_and_gets_no_more() -> None:
    assert in_quotation_marks("“Well, Prince, so Genoa…") == "“Well, Prince, so Genoa…"
    assert in_quotation_marks("“Well, Prince.”") == "“Well, Prince.”"
    assert in_quotation_marks("are now just family estates.”") == "are now just family estates.”"
    assert in_quotation_marks('"Straight," he said') == '"Straight," he said'
    assert in_quotation_marks("«Ainsi»") == "«Ainsi»"
    assert in_quotation_marks("‘Single’, she said") == "‘Single’, she said"


def test_an_apostrophe_at_the_end_is_not_a_quotation_mark() -> None:
    assert in_quotation_marks("the Rostóvs’") == "“the Rostóvs’”"


def test_what_y_copies_has_the_quote_s_marks_once() -> None:
    meta = DocumentMetadata("War and Peace", ("Leo Tolstoy",))
    copied = quotation("“Well, Prince, so Genoa\nand Lucca…”", meta, "pg2600.txt", 9)
    assert copied.startswith("“Well, Prince, so Genoa\nand Lucca…”\n— Leo Tolstoy")
    assert quotation("He spoke", meta, "pg2600.txt", 9).startswith("“He spoke”\n— ")


# --- converted documents: the page or chapter in place of the line ---------------------------


def test_a_converted_documents_citation_names_its_page_instead_of_the_line() -> None:
    meta = DocumentMetadata("War and Peace", ("Leo Tolstoy",))
    assert (
        citation(meta, "wp.epub", 120, section="Chapter III")
        == "Leo Tolstoy, “War and Peace” (wp.epub, Chapter III)"
    )
    assert quotation("Well, Prince", meta, "paper.pdf", 7, section="p. 12").endswith(
        "(paper.pdf, p. 12)"
    )


def test_a_short_citation_names_the_section_and_the_heading_only_when_it_differs() -> None:
    meta = DocumentMetadata("War and Peace", ("Leo Tolstoy",))
    assert (
        short_citation(meta, "wp.epub", heading="CHAPTER III", line=9, section="p. 12")
        == "Leo Tolstoy, “War and Peace”, CHAPTER III, p. 12"
    )
    assert (
        short_citation(meta, "wp.epub", heading="Chapter III", line=9, section="Chapter III")
        == "Leo Tolstoy, “War and Peace”, Chapter III"
    )
    # An unnamed section: the line as for text.
    assert short_citation(meta, "wp.epub", heading="Book One", line=9, section="") == (
        "Leo Tolstoy, “War and Peace”, Book One, line 9"
    )
