"""Outlines: Markdown headings, heading-like lines of plain text, and big texts."""

import time
from pathlib import Path

import pytest

from readertui.core.decoding import read_text_file
from readertui.core.outline import MAX_OUTLINE_ENTRIES, OutlineEntry, outline_for
from readertui.formats.headings import markdown_outline, plain_outline

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "gutenberg"


def titles(entries: list[OutlineEntry]) -> list[tuple[str, int]]:
    return [(entry.title, entry.level) for entry in entries]


def assert_offsets_start_lines(text: str, entries: list[OutlineEntry]) -> None:
    for entry in entries:
        assert entry.offset == 0 or text[entry.offset - 1] == "\n"
        assert entry.title in text[entry.offset : text.find("\n", entry.offset) % (len(text) + 1)]


# --- Markdown -----------------------------------------------------------------------------

MARKDOWN = """\
# Title

Intro with a #hashtag and C# code.

## Part one ##

```python
# a comment, not a heading
```

~~~~
## inside a tilde fence
```
still inside: the fence needs ~~~~ to close
~~~~

   ### Indented three spaces
    #### Indented four: code, not a heading
#NoSpace
######## Seven hashes
###### Six # with inner hash ######
#

## Last
"""


def test_markdown_atx_headings_with_levels_and_offsets() -> None:
    entries = markdown_outline(MARKDOWN)
    assert titles(entries) == [
        ("Title", 1),
        ("Part one", 2),
        ("Indented three spaces", 3),
        ("Six # with inner hash", 6),
        ("Last", 2),
    ]
    assert entries[0].offset == 0
    assert MARKDOWN[entries[2].offset :].startswith("   ### Indented")
    assert_offsets_start_lines(MARKDOWN, entries)


def test_markdown_front_matter_comments_are_not_headings() -> None:
    text = "---\n# just a YAML comment\ntitle: x\n---\n# Real heading\n"
    assert titles(markdown_outline(text)) == [("Real heading", 1)]
    assert text[markdown_outline(text)[0].offset :].startswith("# Real heading")


def test_unclosed_fence_hides_the_rest() -> None:
    assert titles(markdown_outline("# Before\n```\n# after\n")) == [("Before", 1)]


def test_backtick_fence_with_backticks_in_info_is_not_a_fence() -> None:
    assert titles(markdown_outline("``` a`b\n# Heading\n")) == [("Heading", 1)]


# --- plain text ---------------------------------------------------------------------------

PLAIN = """\
BOOK ONE: 1805

CHAPTER I

“Well, Prince,” said the first line of a paragraph that goes on
for several lines, as hard-wrapped text does.

Part of the reason was money.

A Short Title Line

A line that ends like a sentence.

“A quotation standing alone”

    INDENTED CAPITALS

CHAPTER II
is not alone: the next line follows at once.

Chapter the Second

* * *

Volume 3

This is an isolated line but it has far too many words to be a title

Epilogue"""


def test_plain_heading_like_lines_and_levels() -> None:
    entries = plain_outline(PLAIN)
    assert titles(entries) == [
        ("BOOK ONE: 1805", 1),
        ("CHAPTER I", 2),
        ("A Short Title Line", 2),
        ("INDENTED CAPITALS", 2),
        ("Chapter the Second", 2),
        ("Volume 3", 1),
        ("Epilogue", 1),
    ]
    assert entries[0].offset == 0
    assert PLAIN[entries[3].offset :].startswith("    INDENTED CAPITALS")
    assert_offsets_start_lines(PLAIN, entries)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PREFACE", [("PREFACE", 1)]),
        ("PREFACE\n", [("PREFACE", 1)]),
        ("PREFACE\nmore", []),
        ("text\n\nSECTION 4\n", [("SECTION 4", 2)]),
        ("text\n\nSECTION 4\nmore", []),
        ("\n\n\nCONTENTS\n\n\n", [("CONTENTS", 1)]),
        ("", []),
        ("x" * 61, []),
    ],
)
def test_plain_first_and_last_lines(text: str, expected: list[tuple[str, int]]) -> None:
    assert titles(plain_outline(text)) == expected


def test_plain_outline_is_capped() -> None:
    text = "\n\n".join(f"CHAPTER {number}" for number in range(MAX_OUTLINE_ENTRIES + 50))
    entries = plain_outline(text)
    assert len(entries) == MAX_OUTLINE_ENTRIES
    assert entries[-1].title == f"CHAPTER {MAX_OUTLINE_ENTRIES - 1}"


def test_markdown_outline_is_capped() -> None:
    text = "\n".join(f"## Heading {number}" for number in range(MAX_OUTLINE_ENTRIES + 50))
    assert len(markdown_outline(text)) == MAX_OUTLINE_ENTRIES


def test_outline_for_picks_the_format() -> None:
    text = "# Heading\n\nCHAPTER I\n\n"
    assert titles(outline_for(text, "markdown")) == [("Heading", 1)]
    assert titles(outline_for(text, "text")) == [("CHAPTER I", 2)]


# --- the Gutenberg corpus -----------------------------------------------------------------


@pytest.fixture(scope="module")
def war_and_peace() -> str:
    path = CORPUS / "pg2600.txt"
    if not path.is_file():
        pytest.skip("the Gutenberg corpus is not next to the repo")
    return read_text_file(path, max_bytes=1 << 30).text


def test_war_and_peace_outline_has_books_and_chapters(war_and_peace: str) -> None:
    entries = plain_outline(war_and_peace)
    found = titles(entries)
    # This copy starts inside Book One's first chapter, so its first heading is CHAPTER II.
    assert found[0] == ("CHAPTER II", 2)
    assert ("BOOK TWO: 1805", 1) in found
    assert ("FIRST EPILOGUE: 1813 - 20", 2) in found
    assert (
        sum(1 for title, _ in found if title == "CHAPTER I") == 16
    )  # books two to fifteen, two epilogues
    book_two = found.index(("BOOK TWO: 1805", 1))
    assert found[book_two + 1] == ("CHAPTER I", 2)
    assert_offsets_start_lines(war_and_peace, entries)
    # Dialogue standing alone is no heading.
    assert not any(title.startswith("“") for title, _ in found)


def test_outline_of_a_hundred_megabytes_takes_well_under_a_few_seconds(
    war_and_peace: str,
) -> None:
    # 32 copies: about 100 MB, the far end of what a library holds.
    text = war_and_peace * 32
    started = time.perf_counter()
    plain_outline(text)
    markdown_outline(text)
    assert time.perf_counter() - started < 5
