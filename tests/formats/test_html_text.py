"""Turning (X)HTML into the reader's text: blocks, whitespace, styled spans, lists, tables,
what is never shown, and hostile input."""

from __future__ import annotations

import pytest

from readertui.formats.html_text import HtmlText, html_to_text


def kinds(result: HtmlText) -> list[tuple[str, str]]:
    """Each span as (kind, the text it covers)."""
    return [(span.kind, result.text[span.start : span.end]) for span in result.spans]


def test_paragraphs_are_separated_by_one_blank_line_and_whitespace_collapses() -> None:
    result = html_to_text("<p>  One\n   line\t here </p>\n\n\n<div>Two</div><p>Three</p>")
    assert result.text == "One line here\n\nTwo\n\nThree"


def test_entities_are_decoded() -> None:
    result = html_to_text("<p>Fish &amp; chips &lt;b&gt; &eacute;t&#233; &#x2014; &nbsp;x</p>")
    assert result.text == "Fish & chips <b> été — \xa0x"


def test_headings_are_paragraphs_of_their_own_with_their_level() -> None:
    result = html_to_text("<h1>Book</h1>text<h2>Part</h2><h3>Three</h3><h4>Four</h4><h6>Six</h6>")
    assert result.text == "Book\n\ntext\n\nPart\n\nThree\n\nFour\n\nSix"
    assert kinds(result) == [
        ("heading1", "Book"),
        ("heading2", "Part"),
        ("heading3", "Three"),
        ("heading3", "Four"),
        ("heading3", "Six"),
    ]
    assert [(h.title, h.level) for h in result.headings] == [
        ("Book", 1),
        ("Part", 2),
        ("Three", 3),
        ("Four", 4),
        ("Six", 6),
    ]
    assert all(result.text.startswith(h.title, h.offset) for h in result.headings)


def test_inline_elements_are_styled_without_their_surrounding_spaces() -> None:
    result = html_to_text(
        "<p>An <em>emphatic</em> and <i>italic</i> <cite>Work</cite>, <strong>strong</strong>"
        " <b>bold</b> <code>x = 1</code> <kbd>ctrl</kbd> and <a href='#n'>a link</a>.</p>"
    )
    assert result.text == "An emphatic and italic Work, strong bold x = 1 ctrl and a link."
    assert kinds(result) == [
        ("emphasis", "emphatic"),
        ("emphasis", "italic"),
        ("emphasis", "Work"),
        ("strong", "strong"),
        ("strong", "bold"),
        ("code", "x = 1"),
        ("code", "ctrl"),
        ("link", "a link"),
    ]


def test_preformatted_text_keeps_its_lines_and_expands_tabs() -> None:
    result = html_to_text(
        "<p>Before</p><pre>\ndef f():\n\treturn  1\r\n\n  end\n</pre><p>After</p>"
    )
    assert result.text == "Before\n\ndef f():\n    return  1\n\n  end\n\nAfter"
    assert kinds(result) == [("code-block", "def f():\n    return  1\n\n  end")]


def test_tabs_in_preformatted_text_stop_at_columns_of_four() -> None:
    result = html_to_text("<pre>ab\tc\nabcd\te</pre>")
    assert result.text == "ab  c\nabcd    e"


def test_block_quote_is_styled_over_its_paragraphs() -> None:
    result = html_to_text("<p>He said:</p><blockquote><p>First.</p><p>Second.</p></blockquote>")
    assert result.text == "He said:\n\nFirst.\n\nSecond."
    assert kinds(result) == [("quote", "First.\n\nSecond.")]


def test_lists_are_lines_with_markers_and_nested_lists_are_indented() -> None:
    result = html_to_text(
        "<p>List:</p><ul><li>one</li><li><p>two</p><ul><li>inner</li></ul></li></ul>"
        "<ol start='3'><li>three<br/>continued</li><li>four</li></ol><p>After</p>"
    )
    assert result.text == (
        "List:\n\n• one\n• two\n  • inner\n\n3. three\n   continued\n4. four\n\nAfter"
    )
    assert [text for kind, text in kinds(result) if kind == "list-marker"] == [
        "•",
        "•",
        "•",
        "3.",
        "4.",
    ]


def test_tables_become_aligned_columns_without_tabs() -> None:
    result = html_to_text(
        "<table><caption>Ages</caption>"
        "<thead><tr><th>Name</th><th>Age</th></tr></thead>"
        "<tbody><tr><td>Bob</td><td>7</td></tr>"
        "<tr><td>Alexandra <em>the Great</em></td><td>10<br/>years</td></tr></tbody></table>"
        "<p>After</p>"
    )
    assert result.text == (
        "Ages\n"
        "Name                 Age\n"
        "Bob                  7\n"
        "Alexandra the Great  10 years\n"
        "\n"
        "After"
    )
    assert "\t" not in result.text


def test_images_become_their_alt_text() -> None:
    result = html_to_text('<p>A<img src="cat.png" alt=" A  cat "/>B <img src="x.png"/></p>')
    assert result.text == "A [image: A cat] B [image]"


def test_footnote_markers_and_line_breaks_are_kept() -> None:
    result = html_to_text(
        '<p>Word<a epub:type="noteref" href="#n1">1</a> and word<sup>2</sup> and'
        ' <a role="doc-noteref" href="#n3">[3]</a>.<br/>Next line</p>'
    )
    assert result.text == "Word1 and word2 and [3].\nNext line"


def test_a_rule_is_a_blank_line_between_blocks() -> None:
    assert html_to_text("<p>One</p><hr/><p>Two</p>").text == "One\n\nTwo"
    assert html_to_text("One<hr>Two").text == "One\n\nTwo"


@pytest.mark.parametrize(
    "html",
    [
        "<head><title>SECRET</title><style>p{}/*SECRET*/</style></head><body><p>Shown</p></body>",
        "<p>Shown</p><script>alert('SECRET')</script>",
        "<p>Shown</p><noscript>SECRET</noscript>",
        "<p>Shown</p><template><p>SECRET</p></template>",
        "<p>Shown</p><p hidden>SECRET</p><div hidden=''><p>SECRET</p></div>",
        "<p>Shown</p><span style='display: none'>SECRET</span>",
        "<p>Shown<!-- SECRET --></p>",
    ],
)
def test_what_the_page_never_shows_contributes_nothing(html: str) -> None:
    assert html_to_text(html).text == "Shown"


def test_control_characters_stay_as_characters_and_no_tab_or_carriage_return_remains() -> None:
    result = html_to_text(
        "<p>Red &#27;[31mtext\x1b[0m and\ta&#13;b&#9;c</p><pre>x\ry&#13;\tz\x07</pre>"
    )
    assert result.text == "Red \x1b[31mtext\x1b[0m and a b c\n\nx\ny\n    z\x07"


def test_javascript_links_keep_only_their_text() -> None:
    result = html_to_text("<p><a href=\"javascript:alert('x')\">Click</a> here</p>")
    assert result.text == "Click here"
    assert "javascript" not in result.text


def test_ids_map_to_where_the_text_after_them_starts() -> None:
    result = html_to_text(
        '<p id="first">One</p><a id="empty"/><h2 id="sec2">Two</h2><p>x<a name="old">y</a></p>'
        '<table><tr><td id="cell">c</td></tr></table><span id="last"></span>',
        xml_syntax=True,
    )
    text = result.text
    assert text == "One\n\nTwo\n\nxy\n\nc"
    assert result.ids == {
        "first": 0,
        "empty": text.index("Two"),
        "sec2": text.index("Two"),
        "old": text.index("y"),
        "cell": text.index("c"),
        "last": len(text),
    }


def test_base_offset_shifts_every_offset_but_not_the_text() -> None:
    plain = html_to_text('<h1 id="a">Title</h1><p><em>x</em></p>')
    shifted = html_to_text('<h1 id="a">Title</h1><p><em>x</em></p>', base_offset=100)
    assert shifted.text == plain.text
    assert [(s.start - 100, s.end - 100, s.kind) for s in shifted.spans] == [
        (s.start, s.end, s.kind) for s in plain.spans
    ]
    assert shifted.ids == {"a": 100}
    assert shifted.headings[0].offset == 100


def test_xhtml_self_closing_tags_do_not_swallow_the_document() -> None:
    html = (
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title/>'
        '</head><body><p>One<a id="x"/> two</p><div/><p>Three</p></body></html>'
    )
    assert html_to_text(html, xml_syntax=True).text == "One two\n\nThree"


def test_paragraphs_reading_as_chapter_headings_are_headings_when_asked() -> None:
    html = (
        "<p>BOOK ONE: 1805</p><p>CHAPTER I</p><p>Part of the reason was simple.</p>"
        "<p>Chapter the Last</p><p>FIRST EPILOGUE: 1813 - 20</p>"
    )
    assert html_to_text(html).headings == ()
    result = html_to_text(html, guess_headings=True)
    assert [(h.title, h.level) for h in result.headings] == [
        ("BOOK ONE: 1805", 2),
        ("CHAPTER I", 3),
        ("Chapter the Last", 3),
        ("FIRST EPILOGUE: 1813 - 20", 2),
    ]
    assert ("heading3", "CHAPTER I") in kinds(result)
    assert ("heading2", "BOOK ONE: 1805") in kinds(result)


def test_a_document_nested_ten_thousand_deep_converts() -> None:
    html = "<div>" * 10_000 + "<p>deep <em>text</em></p>" + "</div>" * 10_000 + "<p>after</p>"
    result = html_to_text(html)
    assert result.text == "deep text\n\nafter"
    assert kinds(result) == [("emphasis", "text")]


def test_deeply_nested_lists_and_tables_convert() -> None:
    lists = "<ul><li>x" * 3000 + "</li></ul>" * 3000
    assert html_to_text(lists).text.splitlines()[2] == "    • x"
    table = "<table><tr><td>" * 3000 + "cell" + "</td></tr></table>" * 3000
    assert html_to_text(table).text == "cell"


def test_empty_and_whitespace_documents_give_empty_text() -> None:
    for html in ("", "   ", "<html><head><title>T</title></head><body> \n </body></html>"):
        result = html_to_text(html)
        assert result == HtmlText("", (), {}, ())
