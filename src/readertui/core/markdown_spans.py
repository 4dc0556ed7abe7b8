"""Light Markdown styling as spans over the source, never changing a single character.

The reader shows Markdown as written, with its markup dimmed and its elements styled
(headings, emphasis, code, quotes, lists, links), so every screen cell is still one source
character and annotations map 1:1. Spans carry a *kind*; the UI maps kinds to theme styles.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_FENCE = re.compile(r"^[ ]{0,3}(```|~~~)", re.MULTILINE)
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


@dataclass(frozen=True, slots=True)
class Span:
    """Offsets start..end of the document styled as `kind` (e.g. "heading", "markup")."""

    start: int
    end: int
    kind: str


class MarkdownStyler:
    """Styles any line of one Markdown document; knows where code fences are."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._fences = self._find_fences(text)
        self._front_matter_end = self._find_front_matter(text)

    @staticmethod
    def _find_fences(text: str) -> list[int]:
        """Offsets of fence lines: opening at even indexes, closing at odd ones."""
        return [match.start() for match in _FENCE.finditer(text)]

    @staticmethod
    def _find_front_matter(text: str) -> int:
        if not text.startswith("---\n"):
            return 0
        close = text.find("\n---", 3)
        if close == -1:
            return 0
        line_end = text.find("\n", close + 1)
        return len(text) if line_end == -1 else line_end

    def in_code_block(self, offset: int) -> bool:
        """Whether `offset` lies on a fence line or between an opening and a closing fence."""
        index = bisect_right(self._fences, offset)
        if index % 2 == 1:
            return True
        # On a closing fence line itself.
        if index and index % 2 == 0:
            fence_start = self._fences[index - 1]
            return "\n" not in self.text[fence_start:offset]
        return False

    def line_spans(self, start: int, end: int) -> list[Span]:
        """Spans for the source line text[start:end]."""
        text = self.text
        line = text[start:end]
        if start < self._front_matter_end:
            return [Span(start, end, "front-matter")]
        if self.in_code_block(start):
            return [Span(start, end, "code-block")]
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            return [
                Span(start, end, f"heading{min(level, 3)}"),
                Span(start, start + heading.end(), "markup"),
            ]
        if _RULE.match(line):
            return [Span(start, end, "markup")]
        spans: list[Span] = []
        body = 0
        quote = _QUOTE.match(line)
        if quote:
            spans.append(Span(start, end, "quote"))
            spans.append(Span(start, start + quote.end(), "markup"))
            body = quote.end()
        listed = _LIST.match(line, body)
        if listed:
            spans.append(Span(start + body, start + listed.end(), "list-marker"))
        for match in _INLINE.finditer(line, body):
            kind = match.lastgroup or "markup"
            m_start, m_end = start + match.start(), start + match.end()
            if kind == "link":
                label_end = start + line.index("](", match.start())
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
            spans.extend(self.line_spans(line_start, line_end))
            if line_end >= len(text):
                break
            line_start = line_end + 1
        return spans
