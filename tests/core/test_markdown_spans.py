"""Markdown styling spans: what each source line is painted as, and agreement with the outline."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from readertui.core import markdown_spans
from readertui.core.markdown_spans import MarkdownStyler, Span
from readertui.formats.headings import markdown_outline


def line_kinds(text: str) -> list[tuple[str, str]]:
    """Each line of `text` with the kind of its first span ("" when it has none)."""
    styler = MarkdownStyler(text)
    kinds = []
    start = 0
    for line in text.split("\n"):
        spans = styler.line_spans(start, start + len(line))
        kinds.append((line, spans[0].kind if spans else ""))
        start += len(line) + 1
    return kinds


def test_elements_are_styled_without_touching_the_text() -> None:
    text = "# Title\n> said **so** and `x`\n- item [link](http://x)\n***\n"
    styler = MarkdownStyler(text)
    spans = styler.spans_between(0, len(text))
    assert Span(0, 7, "heading1") in spans
    assert Span(0, 2, "markup") in spans
    assert Span(8, 29, "quote") in spans
    strong = text.index("**so**")
    assert Span(strong, strong + 6, "strong") in spans
    code = text.index("`x`")
    assert Span(code, code + 3, "code") in spans
    label = text.index("link")
    assert Span(label, label + 4, "link") in spans
    assert line_kinds(text)[3] == ("***", "markup")


def test_front_matter_is_styled_as_front_matter() -> None:
    text = "---\ntitle: Notes\nauthors: [A, B]\n...\n# One\n"
    assert line_kinds(text) == [
        ("---", "front-matter"),
        ("title: Notes", "front-matter"),
        ("authors: [A, B]", "front-matter"),
        ("...", "front-matter"),  # YAML's other end marker, as the metadata reader takes it
        ("# One", "heading1"),
        ("", ""),
    ]


def test_a_leading_rule_is_not_front_matter() -> None:
    # A document may open with a horizontal rule; its first section used to be dimmed as
    # front matter down to the next rule, while the outline listed its heading.
    text = "---\n# Chapter 1\ntext\n---\n# Two\n"
    assert line_kinds(text)[:2] == [("---", "markup"), ("# Chapter 1", "heading1")]


def test_a_tilde_fence_does_not_close_a_backtick_fence() -> None:
    # Used to pair any two fence lines: `# Heading` was painted as a heading inside the code,
    # and the real heading after the code as code (to the end of the document).
    text = "```\n~~~\n# Heading\n```\n# After\n"
    assert line_kinds(text) == [
        ("```", "code-block"),
        ("~~~", "code-block"),
        ("# Heading", "code-block"),
        ("```", "code-block"),
        ("# After", "heading1"),
        ("", ""),
    ]


def test_a_shorter_fence_or_one_with_an_info_string_does_not_close() -> None:
    for inner in ("```", "````js"):
        kinds = dict(line_kinds(f"````\n{inner}\n# Inside\n````\n# After\n"))
        assert kinds["# Inside"] == "code-block"
        assert kinds["# After"] == "heading1"


def test_a_backtick_fence_with_a_backtick_in_its_info_string_is_not_a_fence() -> None:
    text = "```not `a` fence\n# Heading\n"
    assert dict(line_kinds(text))["# Heading"] == "heading1"


def test_an_unclosed_fence_runs_to_the_end() -> None:
    text = "intro\n~~~\ncode\n# not a heading"
    assert [kind for _, kind in line_kinds(text)] == ["", "code-block", "code-block", "code-block"]


# --- properties ---------------------------------------------------------------------------

LINES = st.sampled_from(
    ["---", "...", "title: A", "# A", "## B #", "#", "```", "````", "~~~", "```x", "```a`b",
     "  ```", "    ```", "> q", "- i", "text", "", "**s**", "`c`", "[l](u)", "***"]
)  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(LINES, max_size=14).map("\n".join))
@example("```\n~~~\n# A\n```\n# A")
@example("---\n# A\n---\n# A")
def test_the_outline_s_headings_and_no_others_are_painted_as_headings(text: str) -> None:
    styler = MarkdownStyler(text)
    listed = {entry.offset for entry in markdown_outline(text)}
    start = 0
    for line in text.split("\n"):
        spans = styler.line_spans(start, start + len(line))
        for span in spans:
            assert start <= span.start <= span.end <= start + len(line)
        heading = any(span.kind.startswith("heading") for span in spans)
        # The outline leaves out headings with no title ("#"); every other one is painted.
        titled = re.search(r"[A-Za-z]", line) is not None
        assert (start in listed) == (heading and titled), (line, spans)
        start += len(line) + 1


# --- very long lines ----------------------------------------------------------------------

LONG_LINE = "**bold** and `code` and [a link](http://x) " * 100_000  # 4.3 MB on one line


def overlapping(spans: list[Span], low: int, high: int) -> set[Span]:
    return {span for span in spans if span.start < high and span.end > low}


def test_a_row_of_a_very_long_line_costs_one_window_not_the_whole_line() -> None:
    # Used to style the whole line for every row painted: seconds per screen.
    styler = MarkdownStyler(LONG_LINE)
    window = markdown_spans._INLINE_WINDOW
    row = (2_000_000, 2_000_080)
    spans = styler.spans_between(*row)
    assert all(row[0] - window <= span.start and span.end <= row[1] + window for span in spans)
    shown = overlapping(spans, *row)
    assert {span.kind for span in shown} >= {"strong", "code", "link", "markup"}


def test_each_character_of_a_long_line_is_styled_alike_whichever_row_asks() -> None:
    styler = MarkdownStyler(LONG_LINE)
    edge = 3 * markdown_spans._INLINE_WINDOW  # rows crossing the edge of a window
    for low in range(edge - 100, edge + 20, 7):
        shared = (low + 40, low + 80)
        first = overlapping(styler.spans_between(low, low + 80), *shared)
        second = overlapping(styler.spans_between(low + 40, low + 120), *shared)
        assert first == second
