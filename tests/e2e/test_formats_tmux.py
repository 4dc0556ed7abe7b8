"""End to end, as issue 12's "Done when" walks it: a library folder with War and Peace as an
EPUB, a saved web article and a PDF paper lists all three with their titles and authors; each
opens with its outline; a highlight with a note on each survives a restart and is in
`readertui export -o -` with its chapter or page; the article shows no menu or footer text.
Needs the EPUB beside the checkout (../shared/corpus/epub)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.terminal import (
    READERTUI,
    Terminal,
    finds,
    first_hit,
    require_tools,
    status_line,
)
from tests.formats.pdf_builder import PdfPage, write_pdf

pytestmark = pytest.mark.e2e

EPUB = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "epub" / "pg2600.epub"

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>The Salt That Keeps the Lights On | Desert Herald</title>
<meta name="author" content="Mei Lin">
<meta property="og:site_name" content="Desert Herald">
<meta property="article:published_time" content="2025-06-03">
<link rel="canonical" href="https://herald.example/salt">
</head><body>
<a href="#main">Skip to main content</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/subscribe">Subscribe to the Herald</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<main id="main"><article>
<h1>The Salt That Keeps the Lights On</h1>
<p class="byline">By Mei Lin</p>
<p>At the edge of Dunhuang a tower stands above a field of mirrors, and at night the town's
lights run on heat the plant stored in molten salt during the day.</p>
<h2>How the plant works</h2>
<p>Twelve thousand mirrors follow the sun and send its light to the top of the tower, where
the salt is heated until it glows; tanks keep it hot for fifteen hours.</p>
<blockquote><p>"We sell sunlight after sunset," the plant's engineer told me.</p></blockquote>
<p>The plant has run through three winters without a night of darkness in the town.</p>
</article></main>
<div class="share">Share on Facebook Share on X Email this article</div>
<footer><p>Copyright 2025 Desert Herald Media Group. All rights reserved.</p>
<p>Privacy policy | Terms of use | Contact the newsroom</p></footer>
</body></html>
"""

BOILERPLATE = ("Skip to main content", "World news", "cookies", "Share on", "Copyright", "Privacy")


def _library(folder: Path) -> Path:
    folder.mkdir()
    (folder / "war-and-peace.epub").write_bytes(EPUB.read_bytes())
    (folder / "salt.html").write_text(ARTICLE, encoding="utf-8")
    pages = [
        PdfPage(
            heading="1 Introduction",
            paragraphs=(
                "Molten salt stores the heat of the day so that a solar plant can run through "
                "the night, which is what the plant at Dunhuang has done for three winters.",
            ),
        ),
        PdfPage(
            heading="2 Measurements",
            paragraphs=(
                "We measured the plant's output over three days of clear weather in May, and "
                "the salt kept its heat for fifteen hours after sunset on each of them.",
            ),
        ),
    ]
    write_pdf(
        folder / "paper.pdf",
        pages,
        header="Journal of Desert Energy",
        page_numbers=True,
        title="Heat Stored in Salt",
        author="Ada Okafor; Tomas Berg",
    )
    return folder


def _annotate(term: Terminal, words: str, note: str) -> None:
    """Highlight the paragraph holding `words` (found with `/`) with `note`."""
    term.keys("/", words)
    # The cursor is on a match of what was typed so far: wait for the whole query.
    term.wait_until_steady(finds(words), f"/{words} found")
    term.keys("Enter")
    term.keys("Escape")
    term.wait_until(lambda s: status_line(s).startswith("NORMAL"), "escape closes find")
    term.keys("V")
    term.wait_until(lambda s: status_line(s).startswith("VISUAL"), "V selects the paragraph")
    term.keys("n")
    term.wait_for("Markdown · ctrl+s")
    term.keys(note)
    term.wait_for(note)
    term.keys("C-s")
    term.wait_until(
        lambda s: (
            "Markdown · ctrl+s" not in s
            and status_line(s).startswith("NORMAL")
            and "1 highlight, 1 note" in status_line(s)
        ),
        "the note saved",
    )


def _open(term: Terminal, title: str, first_words: str) -> str:
    term.keys("o")
    term.wait_for("Open a document")
    term.keys(title)
    # The list is filtered after the field shows the query: enter takes the first hit of
    # the list as it is when enter comes.
    term.wait_until_steady(
        lambda s: (hit := first_hit(s)) and hit[0] == title and hit[1], f"{title} picked"
    )
    hit = first_hit(term.screen())
    assert hit is not None and title in hit[1], hit
    term.keys("Enter")
    return term.wait_until(
        lambda s: first_hit(s) is None and first_words in s, f"{title} opens", 60
    )


def test_an_epub_a_web_article_and_a_pdf_are_listed_read_annotated_and_exported(
    tmp_path: Path,
) -> None:
    require_tools()
    if not EPUB.exists():
        pytest.skip(f"War and Peace's EPUB is not beside this checkout: {EPUB}")
    library = _library(tmp_path / "library")
    db = tmp_path / "db.json"
    term = Terminal(tmp_path, 150, 45)
    try:
        term.start(str(READERTUI), "--db", str(db), "--library", str(library))
        term.wait_until_ready()
        # The library list is filled just after the footer shows.
        listed = ("War and Peace", "Leo Tolstoy", "Heat Stored in Salt", "Ada Okafor")
        screen = term.wait_until(
            lambda s: all(shown in s for shown in (*listed, "The Salt That Keeps", "Mei Lin")),
            "the library lists the three documents",
            60,
        )
        for shown in listed:
            assert shown in screen, f"{shown!r} is not in the library pane:\n{screen}"
        assert "The Salt That Keeps" in screen and "Mei Lin" in screen, screen

        _open(term, "Heat Stored", "Molten salt stores")
        screen = term.wait_until(
            lambda s: "1 Introduction" in s and "2 Measurements" in s, "the paper's outline", 30
        )
        assert "Journal of Desert Energy" not in screen  # the running header is gone
        _annotate(term, "Molten salt stores", "the paper's claim")
        term.wait_until(lambda s: "p. 1" in status_line(s), "the page in the status line")

        _open(term, "Salt That Keeps", "At the edge of Dunhuang")
        screen = term.wait_until(lambda s: "How the plant works" in s, "the article's outline", 30)
        for menu in BOILERPLATE:
            assert menu not in screen.split("╮", 3)[-1], f"{menu!r} shown in the article"
        _annotate(term, "sell sunlight", "the engineer")

        _open(term, "War and Peace", "Well, Prince, so Genoa")
        # Its outline, from the book's contents and its chapter headings.
        term.wait_until(lambda s: "CHAPTER II" in s and "Part 1" in s, "the book's outline", 30)
        _annotate(term, "It was in July, 1805", "Anna Pavlovna")
        term.keys("q")
        assert term.wait_until_closed()

        term.start(str(READERTUI), "--db", str(db), "--library", str(library))
        term.wait_until(lambda s: "1 highlight, 1 note" in s, "War and Peace's note again", 60)
        term.keys("q")
        assert term.wait_until_closed()
    finally:
        term.close()

    exported = subprocess.run(
        [str(READERTUI), "export", "-o", "-", "--db", str(db), "--library", str(library)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **term.environment()},
        check=True,
    ).stdout
    for note in ("the paper's claim", "the engineer", "Anna Pavlovna"):
        assert note in exported
    assert "“Heat Stored in Salt”, 1 Introduction, p. 1" in exported
    assert "“War and Peace”, Part 1" in exported
    assert "We sell sunlight after sunset" in exported
