"""Metadata: sidecars, front matter, fallback titles, and broken input that must not crash."""

from pathlib import Path

import pytest

from readertui.core.metadata import (
    DocumentMetadata,
    parse_front_matter,
    read_metadata,
    sidecar_path,
    sidecar_problem,
)


def make_document(folder: Path, name: str, text: str = "", sidecar: str | None = None) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if sidecar is not None:
        sidecar_path(path).write_text(sidecar, encoding="utf-8")
    return path


# --- byline and sidecar path --------------------------------------------------------------


def test_byline_joins_known_parts() -> None:
    full = DocumentMetadata("T", ("Ann Lee", "Bo Chen"), "The Review", "2024-05-01")
    assert full.byline() == "Ann Lee, Bo Chen · The Review · 2024-05-01"
    assert DocumentMetadata("T", publication="The Review").byline() == "The Review"
    assert DocumentMetadata("T", ("Ann Lee",), date="1869").byline() == "Ann Lee · 1869"
    assert DocumentMetadata("T").byline() == ""


def test_sidecar_sits_beside_the_document_with_its_full_name(tmp_path: Path) -> None:
    assert sidecar_path(tmp_path / "war.and.peace.txt") == tmp_path / "war.and.peace.txt.meta.toml"


# --- front matter -------------------------------------------------------------------------

FRONT_MATTER = """\
---
# a YAML comment
title: "Notes: on reading"
author: 'Ann O''Brien'
date: 2024-05-01
tags: [history, "cities, towns", 'steel']
authors:
  - Ann Lee
  - "Bo Chen"
source: An interview # with a comment
summary: >
  spread over
  two lines
---
# The body
"""


def test_front_matter_values_and_body_offset() -> None:
    mapping, body = parse_front_matter(FRONT_MATTER)
    assert mapping == {
        "title": "Notes: on reading",
        "author": "Ann O'Brien",
        "date": "2024-05-01",
        "tags": ["history", "cities, towns", "steel"],
        "authors": ["Ann Lee", "Bo Chen"],
        "source": "An interview",
        "summary": "spread over two lines",
    }
    assert FRONT_MATTER[body:] == "# The body\n"


def test_front_matter_may_end_the_text() -> None:
    text = "---\ntitle: Only\n---"
    assert parse_front_matter(text) == ({"title": "Only"}, len(text))


def test_nested_mapping_is_dropped_but_the_rest_kept() -> None:
    text = "---\ntitle: Kept\nauthor:\n  name: Someone\n  email: x@y\ndate: 2020\n---\nbody"
    assert parse_front_matter(text)[0] == {"title": "Kept", "date": "2020"}


@pytest.mark.parametrize(
    "text",
    [
        "no front matter\n---\ntitle: x\n---\n",
        "---\ntitle: never closed\n\nbody text",
        "---\nThis is prose after a horizontal rule.\n---\n",
        '---\ntitle: "unterminated\n---\n',
        "---\ntags: [a, b\n---\n",
        "---\n- a list without a key\n---\n",
        "",
        "---",
    ],
    ids=["not-first", "unclosed", "prose", "bad-quote", "bad-list", "stray-item", "empty", "rule"],
)
def test_anything_else_is_no_front_matter(text: str) -> None:
    assert parse_front_matter(text) == ({}, 0)


# --- read_metadata ------------------------------------------------------------------------


def test_sidecar_gives_every_field(tmp_path: Path) -> None:
    path = make_document(
        tmp_path,
        "report.txt",
        "Some first line\n",
        sidecar='title = "The Report"\nauthors = ["Ann Lee", "Bo Chen"]\n'
        'publication = "Review"\ndate = 2025-06-27\nsource = "p. 4"\ntags = ["a", "b"]\n',
    )
    assert read_metadata(path, path.read_text()) == DocumentMetadata(
        title="The Report",
        authors=("Ann Lee", "Bo Chen"),
        publication="Review",
        date="2025-06-27",  # a TOML date, shown as written
        source="p. 4",
        tags=("a", "b"),
    )
    assert sidecar_problem(path) is None


def test_sidecar_wins_per_field_and_front_matter_fills_the_rest(tmp_path: Path) -> None:
    text = "---\ntitle: Front title\nauthor: Front Author\ndate: 1999\n---\n# Heading\n"
    path = make_document(tmp_path, "doc.md", text, sidecar='title = "Sidecar title"\n')
    metadata = read_metadata(path, text)
    assert metadata.title == "Sidecar title"
    assert metadata.authors == ("Front Author",)
    assert metadata.date == "1999"


@pytest.mark.parametrize(
    ("value", "authors"),
    [
        ('authors = "Ann Lee; Bo Chen"', ("Ann Lee", "Bo Chen")),
        ('authors = "Ann Lee and Bo Chen"', ("Ann Lee", "Bo Chen")),
        ('author = "Tolstoy, Leo"', ("Tolstoy, Leo",)),
        ('authors = ["Simon and Garfunkel"]', ("Simon and Garfunkel",)),
    ],
)
def test_author_spellings(tmp_path: Path, value: str, authors: tuple[str, ...]) -> None:
    path = make_document(tmp_path, "doc.txt", "text\n", sidecar=f'title = "T"\n{value}\n')
    assert read_metadata(path, "text\n").authors == authors


def test_title_falls_back_to_the_first_level_one_heading(tmp_path: Path) -> None:
    text = "![badge](x.png)\n\n```\n# not this one\n```\n\n## Not a level one\n\n# The Title #\n"
    path = make_document(tmp_path, "notes.md", text)
    assert read_metadata(path, text).title == "The Title"


def test_title_falls_back_to_a_short_first_line(tmp_path: Path) -> None:
    text = "\n\n   War and Peace   \n\nBy Leo Tolstoy\n"
    path = make_document(tmp_path, "pg2600.txt", text)
    assert read_metadata(path, text) == DocumentMetadata(title="War and Peace")


def test_title_falls_back_to_the_file_name_when_the_first_line_is_prose(tmp_path: Path) -> None:
    text = "This first line is a long sentence of prose " * 5 + "\n"
    path = make_document(tmp_path, "my-reading_notes.txt", text)
    assert read_metadata(path, text).title == "My Reading Notes"
    empty = make_document(tmp_path, "empty_file.txt")
    assert read_metadata(empty, "").title == "Empty File"


WAR_AND_PEACE = (
    "“Well, Prince, so Genoa and Lucca are now just family estates of the\n"
    "Buonapartes. But I warn you, if you don’t tell me that this means war,\n"
    "if you still try to defend the infamies and horrors perpetrated by that\n\n"
    "It was in July, 1805, and the speaker was the well-known Anna Pávlovna\n"
)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("war_and_peace.txt", "War and Peace"),
        ("pg2600.txt", "pg2600"),
        ("the-brothers-karamazov.txt", "The Brothers Karamazov"),
        ("Notes_on_CNIE.txt", "Notes on CNIE"),  # the name's own capitals are kept
    ],
)
def test_a_text_opening_on_a_sentence_is_titled_after_its_file(
    tmp_path: Path, name: str, title: str
) -> None:
    path = make_document(tmp_path, name, WAR_AND_PEACE)
    assert read_metadata(path, WAR_AND_PEACE).title == title


@pytest.mark.parametrize(
    "first_line",
    [
        "It was a dark and stormy night.",  # a sentence on a line of its own
        "“Heavens! what a virulent attack!”",  # a line of dialogue
        "Happy families are all alike; every unhappy family is unhappy in its own",
    ],
)
def test_a_sentence_is_never_a_title(tmp_path: Path, first_line: str) -> None:
    text = f"{first_line}\n\nMore text follows here.\n"
    path = make_document(tmp_path, "anna_karenina.txt", text)
    assert read_metadata(path, text).title == "Anna Karenina"


def test_a_project_gutenberg_header_gives_the_title_and_author(tmp_path: Path) -> None:
    text = (
        "\ufeffThe Project Gutenberg eBook of War and Peace\n\n"
        "This ebook is for the use of anyone anywhere in the United States and\n"
        "most other parts of the world at no cost and with almost no restrictions\n\n"
        "Title: War and Peace\n\n"
        "Author: graf Leo Tolstoy\n\n"
        "Translator: Aylmer Maude and Louise Maude\n\n"
        "Release date: April 1, 2001 [eBook #2600]\n\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK WAR AND PEACE ***\n\n" + WAR_AND_PEACE
    )
    path = make_document(tmp_path, "pg2600.txt", text)
    metadata = read_metadata(path, text)
    assert metadata.title == "War and Peace"
    assert metadata.authors == ("graf Leo Tolstoy",)


def test_a_gutenberg_title_may_run_on_to_indented_lines(tmp_path: Path) -> None:
    text = (
        "Title: The Memoirs of Sherlock Holmes\n"
        "       Being a Second Series\n\n"
        "Author: Arthur Conan Doyle and Nobody Else\n\n" + WAR_AND_PEACE
    )
    path = make_document(tmp_path, "pg834.txt", text)
    metadata = read_metadata(path, text)
    assert metadata.title == "The Memoirs of Sherlock Holmes Being a Second Series"
    assert metadata.authors == ("Arthur Conan Doyle", "Nobody Else")


def test_a_sidecar_wins_over_a_gutenberg_header(tmp_path: Path) -> None:
    text = "Title: War and Peace\nAuthor: graf Leo Tolstoy\n\n" + WAR_AND_PEACE
    path = make_document(
        tmp_path, "pg2600.txt", text, sidecar='title = "Voina i mir"\nauthors = ["L. N. Tolstoy"]\n'
    )
    metadata = read_metadata(path, text)
    assert (metadata.title, metadata.authors) == ("Voina i mir", ("L. N. Tolstoy",))


def test_a_title_line_far_into_the_text_is_not_a_header(tmp_path: Path) -> None:
    text = "\n".join(["word"] * 150) + "\nTitle: Not This\n"
    path = make_document(tmp_path, "far_title.txt", text)
    assert read_metadata(path, text).title == "Far Title"


def test_war_and_peace_of_the_corpus_is_not_titled_with_a_sentence(corpus: Path) -> None:
    from readertui.formats import for_path

    path = corpus / "pg2600.txt"
    text_format = for_path(path)
    assert text_format is not None
    metadata, _ = text_format.metadata(path, path.read_bytes()[: 8 * 1024])
    assert metadata.title == "pg2600"


def test_front_matter_title_is_used_and_not_its_first_line(tmp_path: Path) -> None:
    text = "---\ntitle: From front matter\n---\nFirst line\n"
    path = make_document(tmp_path, "doc.md", text)
    assert read_metadata(path, text).title == "From front matter"
    untitled = "---\ndate: 2020\n---\nFirst body line\n"
    assert read_metadata(path, untitled).title == "First body line"


def test_broken_sidecar_is_ignored_and_explained(tmp_path: Path) -> None:
    text = "---\ntitle: Front title\n---\nbody\n"
    path = make_document(tmp_path, "doc.md", text, sidecar='title = "unterminated\n')
    assert read_metadata(path, text).title == "Front title"
    problem = sidecar_problem(path)
    assert problem is not None
    assert problem.startswith("metadata sidecar ignored: ")
    assert "line 1" in problem
    assert "\n" not in problem


def test_sidecar_fields_of_the_wrong_type_are_ignored_one_by_one(tmp_path: Path) -> None:
    sidecar = 'title = ["not", "text"]\nauthors = [1, {a = 2}]\ndate = 2020\npublication = "P"\n'
    path = make_document(tmp_path, "the_doc.txt", "Opening line\n", sidecar=sidecar)
    metadata = read_metadata(path, "Opening line\n")
    assert metadata == DocumentMetadata(title="Opening line", date="2020", publication="P")
    assert sidecar_problem(path) == (
        "metadata sidecar partly ignored: title must be text; "
        "authors must be text or a list of text"
    )


def test_sidecar_that_is_not_utf8_is_ignored(tmp_path: Path) -> None:
    path = make_document(tmp_path, "doc.txt", "Line\n")
    sidecar_path(path).write_bytes('title = "Caf\u00e9"\n'.encode("latin-1"))
    assert read_metadata(path, "Line\n").title == "Line"
    assert sidecar_problem(path) == "metadata sidecar ignored: not UTF-8 text"


def test_sidecar_with_a_bom_is_read(tmp_path: Path) -> None:
    path = make_document(tmp_path, "doc.txt", "Line\n")
    sidecar_path(path).write_bytes(b'\xef\xbb\xbftitle = "With BOM"\n')
    assert read_metadata(path, "Line\n").title == "With BOM"
    assert sidecar_problem(path) is None


def test_no_sidecar_is_no_problem(tmp_path: Path) -> None:
    assert sidecar_problem(make_document(tmp_path, "doc.txt", "x")) is None


# --- whole_page: a web page's view, kept in its sidecar ------------------------------------


def test_whole_page_is_set_in_a_sidecar_keeping_everything_else(tmp_path: Path) -> None:
    from readertui.core.metadata import write_whole_page

    page = tmp_path / "page.html"
    sidecar = tmp_path / "page.html.meta.toml"
    sidecar.write_text(
        '# hand-written\ntitle = "A page"  # kept\nwhole_page = false\n\n[extra]\nx = 1\n',
        encoding="utf-8",
    )
    write_whole_page(page, True)
    assert sidecar.read_text(encoding="utf-8") == (
        '# hand-written\ntitle = "A page"  # kept\nwhole_page = true\n\n[extra]\nx = 1\n'
    )
    other = tmp_path / "other.html"
    write_whole_page(other, True)
    assert (tmp_path / "other.html.meta.toml").read_text(encoding="utf-8") == "whole_page = true\n"
    tabled = tmp_path / "t.html.meta.toml"
    tabled.write_text('title = "T"\n[extra]\nwhole_page = 3\n', encoding="utf-8")
    write_whole_page(tmp_path / "t.html", True)
    assert tabled.read_text(encoding="utf-8") == (
        'title = "T"\nwhole_page = true\n[extra]\nwhole_page = 3\n'
    )


def test_a_sidecar_that_is_not_toml_is_left_alone(tmp_path: Path) -> None:
    from readertui.core.metadata import write_whole_page

    sidecar = tmp_path / "page.html.meta.toml"
    sidecar.write_text("title = \n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        write_whole_page(tmp_path / "page.html", True)
    assert sidecar.read_text(encoding="utf-8") == "title = \n"


def test_whole_page_is_read_for_converted_documents_only(tmp_path: Path) -> None:
    from readertui.core.metadata import converted_metadata_and_problem

    page = tmp_path / "page.html"
    (tmp_path / "page.html.meta.toml").write_text("whole_page = true\n", encoding="utf-8")
    meta, problem = converted_metadata_and_problem(page, {"title": "From the page"})
    assert meta.whole_page and meta.title == "From the page" and problem is None
    assert not read_metadata(page, "").whole_page  # text has no such view
