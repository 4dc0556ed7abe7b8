"""Site boilerplate in a document: the lines its sidecar lists as `skip_lines`.

A page saved from the web keeps the site's furniture ("Skip to main content", "Continue
reading …", "top of page"). The text stays verbatim (an annotation tool never edits its
sources), so those lines are only marked: every line of the text that equals a listed one
(blanks around it left out) is a span of kind "boilerplate", painted dim by the reader, and
is never an outline entry (readertui.core.outline).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from typing import TYPE_CHECKING

from readertui.core.markdown_spans import Span

if TYPE_CHECKING:
    from readertui.formats.base import Styler

BOILERPLATE = "boilerplate"


def boilerplate_lines(text: str, skip_lines: Iterable[str]) -> list[tuple[int, int]]:
    """Start and end of every line of `text` that is one of `skip_lines`, in text order."""
    found: set[tuple[int, int]] = set()
    for wanted in {line.strip() for line in skip_lines if line.strip()}:
        # str.find runs in C: one pass per listed line, however long the text.
        at = text.find(wanted)
        while at != -1:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end == -1 else end
            if text[start:end].strip() == wanted:
                found.add((start, end))
            at = text.find(wanted, end)
    return sorted(found)


class BoilerplateStyler:
    """The format's own spans (if it styles its text) and a "boilerplate" span per skipped
    line; the lines are found when first painted."""

    def __init__(self, text: str, skip_lines: Iterable[str], inner: Styler | None) -> None:
        self.text = text
        self.inner = inner
        self._skip_lines = tuple(skip_lines)
        self._lines: list[tuple[int, int]] | None = None
        self._ends: list[int] = []

    def spans_between(self, start: int, end: int) -> list[Span]:
        """The inner styler's spans, then the boilerplate lines overlapping text[start:end]."""
        spans = list(self.inner.spans_between(start, end)) if self.inner is not None else []
        if self._lines is None:
            self._lines = boilerplate_lines(self.text, self._skip_lines)
            self._ends = [line_end for _, line_end in self._lines]
        index = bisect_left(self._ends, start)
        while index < len(self._lines) and self._lines[index][0] <= end:
            line_start, line_end = self._lines[index]
            spans.append(Span(line_start, line_end, BOILERPLATE))
            index += 1
        return spans
