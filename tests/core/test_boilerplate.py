"""Site boilerplate (issue 11 item 13): the lines a sidecar lists as `skip_lines` stay in the
text, verbatim, but are painted as "boilerplate" and kept out of the outline; the outline
never shows one line twice in a row."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.core.metadata import read_metadata, sidecar_problem
from tests.conftest import SAMPLE_LIBRARY

TEXT = """\
Skip to main content
A Real Title

The first paragraph of the article, long enough to be prose and not a heading at all.

Continue reading A Real Title

Section Two

Section Two

More prose follows here, a sentence that ends with a full stop as prose does.

  top of page
"""
SKIPS = ["Skip to main content", "Continue reading A Real Title", "top of page"]


def _write(tmp_path: Path, skips: object) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(TEXT, encoding="utf-8")
    lines = "skip_lines = " + (
        "[" + ", ".join(f'"{line}"' for line in skips) + "]"
        if isinstance(skips, list)
        else str(skips)
    )
    (tmp_path / "page.txt.meta.toml").write_text(f'title = "Page"\n{lines}\n', encoding="utf-8")
    return path


def _lines_of(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def test_skip_lines_are_read_from_the_sidecar(tmp_path: Path) -> None:
    path = _write(tmp_path, SKIPS)
    assert read_metadata(path, TEXT).skip_lines == tuple(SKIPS)
    assert sidecar_problem(path) is None


def test_skip_lines_that_are_not_a_list_of_text_are_a_sidecar_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, "[1, 2]")
    assert read_metadata(path, TEXT).skip_lines == ()
    problem = sidecar_problem(path)
    assert problem is not None and "skip_lines" in problem


def test_boilerplate_lines_are_styled_and_left_out_of_the_outline(tmp_path: Path) -> None:
    path = _write(tmp_path, SKIPS)
    document = load_document(path, tmp_path)
    assert document.text == TEXT  # verbatim
    titles = [entry.title for entry in document.outline()]
    assert "Continue reading A Real Title" not in titles
    assert "Skip to main content" not in titles
    # "Section Two" stands twice in a row in the text: once in the outline.
    assert titles.count("Section Two") == 1
    styler = document.styler()
    assert styler is not None
    spans = [
        (span.start, span.end)
        for span in styler.spans_between(0, len(TEXT))
        if span.kind == "boilerplate"
    ]
    # Every line equal to a listed one (blanks around it ignored), whole, and nothing else.
    assert _lines_of(TEXT, spans) == [
        "Skip to main content",
        "Continue reading A Real Title",
        "  top of page",
    ]
    # Asked for a part of the text, only the lines in that part.
    middle = TEXT.index("Continue")
    part = styler.spans_between(middle, middle + 5)
    assert [TEXT[s.start : s.end] for s in part] == ["Continue reading A Real Title"]


def test_a_document_without_skip_lines_is_shown_as_before(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(TEXT, encoding="utf-8")
    document = load_document(path, tmp_path)
    assert document.styler() is None
    titles = [entry.title for entry in document.outline()]
    assert titles.count("Section Two") == 1  # no line twice in a row, with or without a list


def test_markdown_keeps_its_own_spans_beside_the_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text("Share this\n\n# Heading\n\nSome *text*.\n", encoding="utf-8")
    (tmp_path / "page.md.meta.toml").write_text('skip_lines = ["Share this"]\n', "utf-8")
    document = load_document(path, tmp_path)
    styler = document.styler()
    assert styler is not None
    kinds = {span.kind for span in styler.spans_between(0, len(document.text))}
    assert {"boilerplate", "heading1", "emphasis"} <= kinds


# --- the sample library -------------------------------------------------------------------

BOILERPLATE = {
    "jiayuguan-morning-star.txt": ["Skip to main content", "Gifts from The Morning Star"],
    "localising-the-soviet.txt": ["top of page"],
    "technology-infrastructure.txt": [
        "Continue reading Jiayuguan – the socialist future today",
        "Continue reading China’s technology infrastructure is blazing a trail for humanity",
    ],
    "delegation-report-2025.txt": ["Privacy PolicyManage CookiesContribution SettingsJobs"],
}


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_the_sample_library_marks_its_scraping(name: str) -> None:
    library = scan_library(SAMPLE_LIBRARY)
    assert library.skipped == ()
    entry = library.find(name)
    assert entry is not None
    skips = entry.metadata.skip_lines
    for line in BOILERPLATE[name]:
        assert line in skips
    document = load_document(entry.path, SAMPLE_LIBRARY)
    lines = {line.strip() for line in document.text.split("\n")}
    # Every listed line is a line of the text (a list gone stale would mark nothing).
    assert [skip for skip in skips if skip.strip() not in lines] == []
    styler = document.styler()
    assert styler is not None
    marked = {
        document.text[span.start : span.end].strip()
        for span in styler.spans_between(0, len(document.text))
        if span.kind == "boilerplate"
    }
    assert marked == {skip.strip() for skip in skips}
    titles = [entry.title for entry in document.outline()]
    assert not [title for title in titles if title in skips or title.startswith("Continue")]
    assert all(a != b for a, b in pairwise(titles))
