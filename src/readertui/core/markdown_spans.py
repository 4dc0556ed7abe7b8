"""Light Markdown styling as spans over the source, never changing a single character.

The reader shows Markdown as written, with its markup dimmed and its elements styled
(headings, emphasis, code, quotes, lists, links), so every screen cell is still one source
character and annotations map 1:1. Spans carry a *kind*; the UI maps kinds to theme styles.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from readertui.core.metadata import parse_front_matter

# A fence line: its marker and the rest of the line (the info string of an opening fence).
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})(.*)", re.MULTILINE)
_HEADING = re.compile(r"[ ]{0,3}(#{1,6})(?:[ \t]+|$)")
_QUOTE = re.compile(r"[ ]{0,3}>")
_LIST = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])(?=\s)")
_RULE = re.compile(r"[ ]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|(?P<strong>\*\*(?=\S)[^*\n]+?(?<=\S)\*\*|__(?=\S)[^_\n]+?(?<=\S)__)"
    r"|(?P<emphasis>\*(?=\S)[^*\n]+?(?<=\S)\*|(?<!\w)_(?=\S)[^_\n]+?(?<=\S)_(?!\w))"
    r"|(?P<link>\[[^\]\n]+\]\([^)\n]*\))"
)

# Inline markup is looked for in windows of this many characters of a line, counted from the
# line's start, so painting a row of a line megabytes long costs one window, not the whole
# line each time (the layout cuts such lines into chunks of the same size). An element that
# crosses a window's edge is left unstyled.
_INLINE_WINDOW = 16_384


@dataclass(frozen=True, slots=True)
class Span:
    """Offsets start..end of the document styled as `kind` (e.g. "heading", "markup")."""

    start: int
    end: int
    kind: str


class MarkdownStyler:
    """Styles any line of one Markdown document; knows where front matter and code blocks are.

    Both are found by the rules the outline uses (metadata.parse_front_matter, CommonMark
    fences), so a line the outline lists as a heading is painted as one, and a `#` line in
    a code block is neither.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # Where the body starts: lines before it are front matter.
        self._front_matter_end = parse_front_matter(text)[1]
        self._code_blocks = self._find_code_blocks(text, self._front_matter_end)

    @staticmethod
    def _find_code_blocks(text: str, body_start: int) -> list[int]:
        """Code blocks as [start, end, start, end, …]: from an opening fence line's start to
        just past its closing fence line (or past the end of the text, if none closes it)."""
        bounds: list[int] = []
        fence = ""  # the opening fence while inside a code block
        for match in _FENCE.finditer(text, body_start):
            marker, info = match.groups()
            if not fence:
                # A backtick fence's info string cannot contain backticks (CommonMark).
                if not (marker[0] == "`" and "`" in info):
                    fence = marker
                    bounds.append(match.start())
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not info.strip():
                # Only a bare fence of the same character, at least as long, closes one.
                fence = ""
                bounds.append(match.end() + 1)
        if fence:
            bounds.append(len(text) + 1)
        return bounds

    def in_code_block(self, offset: int) -> bool:
        """Whether `offset` lies in a fenced code block, its fence lines included."""
        return bisect_right(self._code_blocks, offset) % 2 == 1

    def line_spans(self, start: int, end: int) -> list[Span]:
        """Spans for the source line text[start:end]."""
        return self._line_spans(start, end, start, end)

    def _line_spans(self, start: int, end: int, low: int, high: int) -> list[Span]:
        """Spans for the source line text[start:end], inline ones only in the windows of the
        line that overlap text[low:high]."""
        text = self.text
        if start < self._front_matter_end:
            return [Span(start, end, "front-matter")]
        if self.in_code_block(start):
            return [Span(start, end, "code-block")]
        # Matching with pos/endpos instead of slicing the line: a line can be megabytes long.
        heading = _HEADING.match(text, start, end)
        if heading:
            level = len(heading.group(1))
            return [
                Span(start, end, f"heading{min(level, 3)}"),
                Span(start, heading.end(), "markup"),
            ]
        if _RULE.match(text, start, end):
            return [Span(start, end, "markup")]
        spans: list[Span] = []
        body = start
        quote = _QUOTE.match(text, start, end)
        if quote:
            spans.append(Span(start, end, "quote"))
            spans.append(Span(start, quote.end(), "markup"))
            body = quote.end()
        listed = _LIST.match(text, body, end)
        if listed:
            spans.append(Span(body, listed.end(), "list-marker"))
        first = (max(low, start) - start) // _INLINE_WINDOW
        last = (max(min(high, end) - 1, start) - start) // _INLINE_WINDOW
        for window in range(first, last + 1):
            window_start = start + window * _INLINE_WINDOW
            window_end = min(end, window_start + _INLINE_WINDOW)
            spans.extend(self._inline_spans(max(window_start, body), window_end))
        return spans

    def _inline_spans(self, start: int, end: int) -> list[Span]:
        """Emphasis, code and links found in text[start:end]."""
        spans: list[Span] = []
        for match in _INLINE.finditer(self.text, start, end):
            kind = match.lastgroup or "markup"
            m_start, m_end = match.span()
            if kind == "link":
                label_end = self.text.index("](", m_start, m_end)
                spans.append(Span(m_start + 1, label_end, "link"))
                spans.append(Span(m_start, m_start + 1, "markup"))
                spans.append(Span(label_end, m_end, "markup"))
                continue
            marker = 1 if kind in ("emphasis", "code") else 2
            spans.append(Span(m_start, m_end, kind))
            spans.append(Span(m_start, m_start + marker, "markup"))
            spans.append(Span(m_end - marker, m_end, "markup"))
        return spans

    def spans_between(self, start: int, end: int) -> list[Span]:
        """Spans for every source line overlapping text[start:end]."""
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        spans: list[Span] = []
        while line_start <= end:
            line_end = text.find("\n", line_start)
            if line_end == -1:
                line_end = len(text)
            spans.extend(self._line_spans(line_start, line_end, start, end))
            if line_end >= len(text):
                break
            line_start = line_end + 1
        return spans
