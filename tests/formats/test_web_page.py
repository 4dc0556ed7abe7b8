"""The saved web page converter: the article without its page, its spans and outline, its
metadata, the page's encodings, and hostile or broken pages.

Every page is built here (tests/formats/page_builder.py), in the markup of the sites the
sample library's articles were scraped from.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui.formats.conversion import Conversion, UnreadableFile
from readertui.formats.web_page import METADATA_BYTES, WEB_PAGE_CONVERTER
from tests.formats import page_builder
from tests.formats.page_builder import WebPage

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

PAGES = {
    "news site": page_builder.news_page,
    "site-builder blog": page_builder.blog_page,
    "organisation report": page_builder.report_page,
    "WordPress blog": page_builder.wordpress_page,
}


def save(folder: Path, page: str | bytes, name: str = "page.html") -> Path:
    path = folder / name
    if isinstance(page, str):
        path.write_text(page, encoding="utf-8")
    else:
        path.write_bytes(page)
    return path


def convert(folder: Path, page: str | bytes, **options: bool) -> Conversion:
    return WEB_PAGE_CONVERTER.convert(save(folder, page), **options)


def article_page(body: str, *, head: str = "<meta charset='utf-8'><title>A page</title>") -> str:
    """A page whose article is `body`, with enough prose around it to be an article."""
    prose = "".join(
        f"<p>Paragraph {number} of the article says something long enough to be kept by "
        "the extraction, as an article's paragraphs are.</p>"
        for number in range(4)
    )
    return (
        f"<!DOCTYPE html><html><head>{head}</head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/about'>About us</a></li></ul></nav>"
        f"<main><article>{prose}{body}{prose}</article></main>"
        "<footer><p>© 2025 The Site. All rights reserved.</p></footer></body></html>"
    )


def spans_of(conversion: Conversion, kind: str) -> list[str]:
    return [conversion.text[s.start : s.end] for s in conversion.spans if s.kind == kind]


def check_contract(conversion: Conversion, *, line_starts: bool = True) -> None:
    """The rules every conversion keeps (readertui.formats.conversion)."""
    text = conversion.text
    assert "\t" not in text and "\r" not in text
    starts = [span.start for span in conversion.spans]
    assert starts == sorted(starts)
    for span in conversion.spans:
        assert 0 <= span.start < span.end <= len(text), span
    offsets = [entry.offset for entry in conversion.outline]
    assert offsets == sorted(offsets)
    for entry in conversion.outline:
        # An entry is where its heading's line starts (`line_starts`: the whole page's
        # headings in a list item are placed after their marker by html_text), and a title
        # is its heading's text on one line (a heading may hold paragraphs).
        line_start = text.rfind("\n", 0, entry.offset) + 1
        assert not line_starts or entry.offset == line_start, entry
        lines = text[line_start : entry.offset + 4 * len(entry.title) + 16]
        assert entry.title in re.sub(r"[ \n\f]+", " ", lines), entry
        assert 1 <= entry.level <= 6
    assert conversion.sections == ()


# -- the converter -------------------------------------------------------------------------


def test_the_converter_claims_saved_web_pages() -> None:
    assert WEB_PAGE_CONVERTER.name == "html"
    assert WEB_PAGE_CONVERTER.suffixes == (".html", ".htm", ".xhtml")
    assert WEB_PAGE_CONVERTER.version == 1


def test_a_page_has_no_quicker_beginning(tmp_path: Path) -> None:
    assert WEB_PAGE_CONVERTER.convert_start(save(tmp_path, page_builder.news_page().html)) is None


# -- the article, without the page ---------------------------------------------------------


@pytest.mark.parametrize("make", PAGES.values(), ids=PAGES.keys())
def test_a_saved_article_shows_no_menu_or_footer_text(tmp_path: Path, make: type) -> None:
    page: WebPage = make()
    conversion = convert(tmp_path, page.html)
    missing = [phrase for phrase in page.article if phrase not in conversion.text]
    left_in = [phrase for phrase in page.boilerplate if phrase in conversion.text]
    assert missing == []
    assert left_in == []
    check_contract(conversion)


def test_the_sample_librarys_morning_star_article_loses_its_page(tmp_path: Path) -> None:
    seed = SEEDS / page_builder.MORNING_STAR_SEED
    if not seed.exists():
        pytest.skip(f"the sample library's seeds are not at {SEEDS}")
    page = page_builder.morning_star_seed_page(seed.read_text(encoding="utf-8"))
    conversion = convert(tmp_path, page.html)
    assert [phrase for phrase in page.article if phrase not in conversion.text] == []
    assert [phrase for phrase in page.boilerplate if phrase in conversion.text] == []
    assert conversion.text.startswith(page.title + "\n\n")


def test_the_article_keeps_its_formatting_as_spans(tmp_path: Path) -> None:
    conversion = convert(tmp_path, page_builder.news_page().html)
    assert spans_of(conversion, "heading1") == [page_builder.NEWS_TITLE]
    assert spans_of(conversion, "heading2") == ["A city built around a steel plant"]
    assert spans_of(conversion, "heading3") == ["The numbers"]
    assert spans_of(conversion, "emphasis") == ["monotowns"]
    assert "anything but misery" in spans_of(conversion, "strong")
    assert spans_of(conversion, "quote") == [
        "The plant was the city, and the city was the plant: everything else grew around "
        "the furnaces."
    ]
    assert spans_of(conversion, "list-marker") == ["•", "•", "•", "1.", "2."]
    assert "• green parks planted on reclaimed desert,\n" in conversion.text
    assert "\n2. Magnitogorsk, built around its Iron and Steel Works.\n" in conversion.text


def test_a_table_is_aligned_text_with_its_header_strong(tmp_path: Path) -> None:
    conversion = convert(tmp_path, page_builder.news_page().html)
    assert "Year  Steel output\n1958  first furnace lit\n2024  ten million tonnes" in (
        conversion.text
    )
    assert {"Year", "Steel output"} <= set(spans_of(conversion, "strong"))


def test_the_outline_is_the_headings_with_their_levels(tmp_path: Path) -> None:
    conversion = convert(tmp_path, page_builder.news_page().html)
    assert [(entry.title, entry.level) for entry in conversion.outline] == [
        (page_builder.NEWS_TITLE, 1),
        ("A city built around a steel plant", 2),
        ("The numbers", 3),
    ]
    check_contract(conversion)


def test_blocks_are_separated_by_one_blank_line(tmp_path: Path) -> None:
    conversion = convert(tmp_path, page_builder.news_page().html)
    assert "\n\n\n" not in conversion.text
    assert conversion.text == conversion.text.strip()
    assert "misery.\n\nA city built around a steel plant\n\nHow might" in conversion.text


def test_the_headline_leads_the_text_once(tmp_path: Path) -> None:
    # The news page's extraction leaves its <h1> out (as metadata); the blog's keeps it.
    for make in (page_builder.news_page, page_builder.blog_page):
        page = make()
        conversion = convert(tmp_path, page.html)
        assert conversion.text.startswith(page.title + "\n\n")
        assert conversion.text.count(page.title) == 1


def test_preformatted_text_keeps_its_lines_and_indentation(tmp_path: Path) -> None:
    # A poem in <pre> reads to trafilatura as a quotation, not as code; its lines stay.
    poem = "The desert wind\n  turns the furnace fires\n\tand the city sleeps"
    code = "def plant():\n    return {'steel': 10}"
    page = article_page(f"<pre>{poem}</pre><pre><code>{code}</code></pre>")
    conversion = convert(tmp_path, page)
    expected_poem = "The desert wind\n  turns the furnace fires\n    and the city sleeps"
    blocks = spans_of(conversion, "code-block")
    assert blocks == [expected_poem, code]
    check_contract(conversion)


def test_inline_code_and_emphasis_inside_a_paragraph(tmp_path: Path) -> None:
    page = article_page(
        "<p>Run <code>make steel</code> with <em>great</em> care and "
        "<strong>never</strong> alone, said the long manual of the plant.</p>"
    )
    conversion = convert(tmp_path, page)
    assert "Run make steel with great care and never alone" in conversion.text
    assert spans_of(conversion, "code") == ["make steel"]
    assert "great" in spans_of(conversion, "emphasis")
    assert "never" in spans_of(conversion, "strong")


def test_nested_lists_are_indented(tmp_path: Path) -> None:
    page = article_page(
        "<ul><li>Shaanxi province and its cities<ul><li>Xi’an, the old capital</li>"
        "<li>Yan’an, the revolutionary base</li></ul></li><li>Gansu province</li></ul>"
    )
    conversion = convert(tmp_path, page)
    assert (
        "• Shaanxi province and its cities\n  • Xi’an, the old capital\n"
        "  • Yan’an, the revolutionary base\n• Gansu province"
    ) in conversion.text


def test_a_heading_in_a_list_item_is_listed_at_its_line(tmp_path: Path) -> None:
    page = article_page(
        "<ul><li><h3>Heading in an item</h3> and the item’s own long text goes on.</li>"
        "<li>Second item of the list, also long enough.</li></ul>"
    )
    conversion = convert(tmp_path, page)
    entry = conversion.outline[-1]
    assert entry.title == "Heading in an item"
    assert conversion.text[entry.offset :].startswith("• Heading in an item\n")
    check_contract(conversion)


# -- the whole page ----------------------------------------------------------------------------


def test_the_whole_page_has_the_menus_too(tmp_path: Path) -> None:
    page = page_builder.news_page()
    whole = convert(tmp_path, page.html, whole_page=True)
    assert [phrase for phrase in page.article if phrase not in whole.text] == []
    for phrase in (
        "Skip to main content",
        "World news",
        "Share on Facebook",
        "All rights reserved",
    ):
        assert phrase in whole.text
    assert "trackingSecret" not in whole.text
    assert "font-family" not in whole.text
    assert page_builder.NEWS_TITLE in spans_of(whole, "heading1")
    assert (page_builder.NEWS_TITLE, 1) in [(e.title, e.level) for e in whole.outline]
    check_contract(whole)


def test_the_whole_page_leaves_hidden_elements_out(tmp_path: Path) -> None:
    page = (
        "<html><body><p>Shown to everyone.</p><div hidden>Hidden attribute text</div>"
        "<div style='display: none'>Display none text</div>"
        "<template><p>Template text</p></template><noscript>Enable scripts text</noscript>"
        "<p style='visibility:hidden'>Invisible text</p></body></html>"
    )
    whole = convert(tmp_path, page, whole_page=True)
    assert "Shown to everyone." in whole.text
    for hidden in (
        "Hidden attribute",
        "Display none",
        "Template text",
        "Enable scripts",
        "Invisible",
    ):
        assert hidden not in whole.text


def test_a_page_that_is_only_a_menu_falls_back_to_its_whole_text(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Links</title></head><body><nav><ul>"
        "<li><a href='/a'>Archive</a></li><li><a href='/b'>Contact</a></li></ul></nav>"
        "<footer>© 2025</footer></body></html>"
    )
    conversion = convert(tmp_path, page)
    assert "Archive" in conversion.text and "Contact" in conversion.text


def test_a_page_the_extraction_finds_nothing_in_shows_its_whole_text(tmp_path: Path) -> None:
    # trafilatura finds no text in a page that is one picture; the page shows its alt text.
    page = "<html><body><img src='plant.jpg' alt='The steel plant at night'></body></html>"
    assert convert(tmp_path, page).text == "[image: The steel plant at night]"


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"   \n\n  ",
        b"<html><head><title></title></head><body></body></html>",
        b"<html><body><script>var onlyCode = 1;</script><style>p {}</style></body></html>",
    ],
    ids=["empty file", "whitespace", "empty markup", "only scripts"],
)
def test_a_page_with_no_text_is_unreadable(tmp_path: Path, page: bytes) -> None:
    path = save(tmp_path, page)
    with pytest.raises(UnreadableFile) as converting:
        WEB_PAGE_CONVERTER.convert(path)
    assert converting.value.reason == "no text"
    with pytest.raises(UnreadableFile) as describing:
        WEB_PAGE_CONVERTER.describe(path)
    assert describing.value.reason == "no text"


def test_a_binary_file_named_html_is_unreadable(tmp_path: Path) -> None:
    path = save(tmp_path, bytes(range(256)) * 40)
    with pytest.raises(UnreadableFile, match="binary file"):
        WEB_PAGE_CONVERTER.convert(path)
    with pytest.raises(UnreadableFile, match="binary file"):
        WEB_PAGE_CONVERTER.describe(path)


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="not readable"):
        WEB_PAGE_CONVERTER.convert(tmp_path / "gone.html")


# -- metadata ------------------------------------------------------------------------------


@pytest.mark.parametrize("make", PAGES.values(), ids=PAGES.keys())
def test_describe_reads_the_pages_metadata(tmp_path: Path, make: type) -> None:
    page: WebPage = make()
    metadata = WEB_PAGE_CONVERTER.describe(save(tmp_path, page.html))
    assert metadata.title == page.title
    assert metadata.authors == page.authors
    assert metadata.site == page.site
    assert metadata.date == page.date
    assert metadata.url == page.url
    assert metadata.language == page.language


@pytest.mark.parametrize(
    ("markup", "language"),
    [
        ("<html lang='en-GB'><head>", "en-GB"),
        ("<html><head><META HTTP-EQUIV='Content-Language' CONTENT='fr-CA'>", "fr-CA"),
        ("<html><head><meta property='og:locale' content='de_DE'>", "de-DE"),
        ("<html lang='<script>'><head>", ""),
    ],
    ids=["html lang", "http-equiv", "og:locale", "not a language tag"],
)
def test_the_language_comes_from_the_page(tmp_path: Path, markup: str, language: str) -> None:
    page = f"{markup}<title>T</title></head><body><p>Words.</p></body></html>"
    assert WEB_PAGE_CONVERTER.describe(save(tmp_path, page)).language == language


def test_the_conversion_carries_the_same_metadata(tmp_path: Path) -> None:
    path = save(tmp_path, page_builder.news_page().html)
    assert WEB_PAGE_CONVERTER.convert(path).metadata == WEB_PAGE_CONVERTER.describe(path)
    assert WEB_PAGE_CONVERTER.convert(path, whole_page=True).metadata == (
        WEB_PAGE_CONVERTER.describe(path)
    )


def test_the_site_name_is_cut_from_the_title(tmp_path: Path) -> None:
    page = article_page("", head="<title>Steel and the desert city | The Morning Star</title>")
    metadata = WEB_PAGE_CONVERTER.describe(save(tmp_path, page))
    assert metadata.title == "Steel and the desert city"


def test_describe_reads_only_the_head_of_a_long_page(tmp_path: Path) -> None:
    page = page_builder.news_page()
    filler = "<p>" + "word " * 2000 + "</p>"
    long_page = page.html.replace("</main>", filler * 200 + "</main>")
    assert len(long_page.encode()) > 3 * METADATA_BYTES
    path = save(tmp_path, long_page)
    metadata = WEB_PAGE_CONVERTER.describe(path)
    assert (metadata.title, metadata.site, metadata.date) == (page.title, page.site, page.date)
    # A file cut after its head describes the same.
    cut = save(tmp_path, long_page.encode()[: METADATA_BYTES + 10], "cut.html")
    assert WEB_PAGE_CONVERTER.describe(cut) == metadata


def test_a_page_with_no_metadata_describes_as_empty(tmp_path: Path) -> None:
    page = "<p>Just one line of text, 1 March 2024.</p><footer>© 2025 The Site</footer>"
    metadata = WEB_PAGE_CONVERTER.describe(save(tmp_path, page))
    assert metadata.date == ""  # not a guess from the text or the copyright line
    assert metadata.authors == ()
    assert metadata.url == ""
    assert metadata.language == ""


# -- encodings -----------------------------------------------------------------------------

CURLY = "“The plant was the city,” she said — it’s true."


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ("<meta charset='windows-1252'>", "cp1252"),
        # Browsers read a latin-1 label as windows-1252, whose curly quotes such pages hold.
        ("<meta charset='ISO-8859-1'>", "cp1252"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', "cp1252"),
        ("", "cp1252"),
        ("<meta charset='utf-8'>", "utf-8-sig"),
        ("", "utf-16"),
    ],
    ids=["meta charset", "latin-1 label", "http-equiv", "undeclared", "utf-8 BOM", "utf-16 BOM"],
)
def test_a_page_is_decoded_as_a_browser_would(
    tmp_path: Path, declaration: str, encoding: str
) -> None:
    page = article_page(f"<p>{CURLY}</p>", head=f"{declaration}<title>Quotes</title>")
    conversion = convert(tmp_path, page.encode(encoding))
    assert CURLY in conversion.text
    assert "\ufffd" not in conversion.text


def test_a_shift_jis_page_is_decoded(tmp_path: Path) -> None:
    sentence = "嘉峪関は鉄鋼の町である。"
    page = article_page(
        f"<p>{sentence * 8}</p>", head="<meta charset='Shift_JIS'><title>町</title>"
    )
    page = page.replace("©", "(c)")  # not in Shift_JIS
    conversion = convert(tmp_path, page.encode("cp932"))
    assert sentence in conversion.text
    assert WEB_PAGE_CONVERTER.describe(save(tmp_path, page.encode("cp932"))).title == "町"


def test_utf8_bytes_win_over_a_wrong_legacy_label(tmp_path: Path) -> None:
    page = article_page(f"<p>{CURLY}</p>", head="<meta charset='windows-1252'><title>Q</title>")
    assert CURLY in convert(tmp_path, page.encode("utf-8")).text


# -- hostile and broken pages ------------------------------------------------------------------


def test_scripts_and_styles_never_show(tmp_path: Path) -> None:
    page = article_page(
        "<script>document.write('injectedByScript')</script>"
        "<style>.x { content: 'injectedByStyle' }</style>"
        "<p>Text beside <script>var inlineSecret = 1;</script>the scripts.</p>"
    )
    for whole_page in (False, True):
        text = convert(tmp_path, page, whole_page=whole_page).text
        assert "injectedBy" not in text and "inlineSecret" not in text
        assert "Text beside the scripts." in text


def test_a_javascript_link_is_only_text(tmp_path: Path) -> None:
    page = article_page(
        "<p>Read <a href='javascript:alert(document.cookie)'>the full report</a> here "
        "for every figure of the steel plant's output.</p>"
    )
    for whole_page in (False, True):
        conversion = convert(tmp_path, page, whole_page=whole_page)
        assert "Read the full report here" in conversion.text
        # A span is offsets and a style: nothing in it can be followed.
        assert "javascript" not in conversion.text


@pytest.mark.parametrize(
    "escape",
    ["\x1b[31m", "&#27;[31m", "&#x1B;[31m", "\x9b31m", "\x07"],
    ids=["raw ESC", "decimal reference", "hex reference", "C1 CSI", "BEL"],
)
def test_escape_sequences_in_the_text_stay_characters(tmp_path: Path, escape: str) -> None:
    expected = re.sub(r"&#(x1B|27);", "\x1b", escape)
    page = article_page(f"<h2>Red {escape}heading</h2><p>Red {escape}text in a paragraph.</p>")
    for whole_page in (False, True):
        conversion = convert(tmp_path, page, whole_page=whole_page)
        assert f"Red {expected}text in a paragraph." in conversion.text
        assert f"Red {expected}heading" in [entry.title for entry in conversion.outline]
        check_contract(conversion)


def test_control_characters_in_the_title_are_kept(tmp_path: Path) -> None:
    page = article_page("", head="<title>Title \x1b]0;pwned\x07 here</title>")
    assert WEB_PAGE_CONVERTER.describe(save(tmp_path, page)).title == "Title \x1b]0;pwned\x07 here"


def test_stand_ins_for_controls_never_collide_with_the_pages_characters(tmp_path: Path) -> None:
    # The page uses the first block of stand-ins itself, and has an escape byte.
    alchemy = "".join(chr(code) for code in range(0x1F700, 0x1F740))
    page = article_page(f"<p>Symbols {alchemy} and an escape \x1b here in one paragraph.</p>")
    text = convert(tmp_path, page).text
    assert f"Symbols {alchemy} and an escape \x1b here" in text


def test_ten_thousand_nested_divs_do_not_crash(tmp_path: Path) -> None:
    deep = "<div>" * 10_000 + "<p>The deepest paragraph of the page.</p>" + "</div>" * 10_000
    page = article_page(deep + "<p>The paragraph after the nest.</p>")
    for whole_page in (False, True):
        text = convert(tmp_path, page, whole_page=whole_page).text
        assert "The deepest paragraph of the page." in text
        assert "The paragraph after the nest." in text


def test_malformed_markup_is_parsed_as_a_browser_would(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Broken</title><body><article>"
        "<p>First paragraph, never closed, of a page written by hand long ago."
        "<p>Some <b>bold <i>and italic</b> then italic</i> words in the second one."
        "<table><tr><td>cell</td></tr>Text a browser moves out of the table.</table>"
        "<p>Last paragraph <span>with an unclosed span, and the end of the file"
    )
    for whole_page in (False, True):
        text = convert(tmp_path, page, whole_page=whole_page).text
        assert "First paragraph, never closed" in text
        assert "Some bold and italic then italic words" in text
        assert "Text a browser moves out of the table." in text
        assert "with an unclosed span, and the end of the file" in text


def test_an_xhtml_page_with_self_closed_elements(tmp_path: Path) -> None:
    page = (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        "<html xmlns='http://www.w3.org/1999/xhtml'><head><title>X</title>"
        "<script src='a.js'/></head><body><div id='top'/>"
        "<p>After the self-closed script, the page goes on for a good long while.</p>"
        "<p>And on, with a second paragraph<br/>broken in two.</p></body></html>"
    )
    path = save(tmp_path, page, "page.xhtml")
    text = WEB_PAGE_CONVERTER.convert(path).text
    assert "After the self-closed script" in text
    assert "second paragraph\nbroken in two." in text


def test_a_large_page_converts_whole(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {number}: the plant kept its furnaces burning all night long.</p>"
        for number in range(20_000)
    )
    page = page_builder.news_page(article=f"<article><h1>Long</h1>{paragraphs}</article>")
    conversion = convert(tmp_path, page.html)
    assert "Paragraph 0: " in conversion.text
    assert "Paragraph 19999: the plant kept its furnaces burning all night long." in (
        conversion.text
    )
    assert "Skip to main content" not in conversion.text


def test_the_extraction_libraries_print_nothing(tmp_path: Path) -> None:
    # trafilatura logs a warning for each page it gives up on, which Python prints on stderr
    # (over the reader's screen) when nothing configured logging: as in the app. A fresh
    # interpreter, since pytest's own log capture would hide the problem.
    given_up = save(tmp_path, "<html><body><p>x</p></body></html>", "tiny.html")
    article = save(tmp_path, page_builder.news_page().html, "news.html")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from readertui.formats.web_page import WEB_PAGE_CONVERTER as converter\n"
        "for name in sys.argv[1:]:\n"
        "    converter.describe(Path(name))\n"
        "    converter.convert(Path(name))\n"
        "    converter.convert(Path(name), whole_page=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(given_up), str(article)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")


# -- whatever the page holds -------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["steel", "city", "plant", "desert", "\x1b[2J", "&#0;", "\t", "\r\n", "  ", "&amp;", "&lt;",
     "&#27;", "’", "嘉峪関", "e\u0301", "\u202e", "\x85", "\x0c", "<br>", "&nbsp;"]
)  # fmt: skip
_TAGS = st.sampled_from(
    ["p", "div", "h1", "h2", "h4", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul",
     "ol", "li", "table", "tr", "td", "th", "span", "a", "q", "dl", "dt", "dd", "section"]
)  # fmt: skip


@st.composite
def _markup(draw: st.DrawFn, depth: int = 0) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 4 and draw(st.booleans()):
            tag = draw(_TAGS)
            inner = draw(_markup(depth + 1))
            closed = draw(st.integers(0, 9)) > 0  # now and then a tag is left open
            pieces.append(f"<{tag}>{inner}" + (f"</{tag}>" if closed else ""))
        else:
            pieces.append(" ".join(draw(st.lists(_WORDS, min_size=1, max_size=8))))
    return "".join(pieces)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_markup(), whole_page=st.booleans())
def test_any_markup_gives_a_conversion_by_the_rules(
    tmp_path: Path, body: str, whole_page: bool
) -> None:
    page = article_page(body)
    conversion = convert(tmp_path, page, whole_page=whole_page)
    check_contract(conversion, line_starts=not whole_page)
    if whole_page:
        # Every escape written in the page reaches the text as a character.
        assert conversion.text.count("\x1b") == page.count("\x1b") + page.count("&#27;")
