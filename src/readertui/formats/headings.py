"""Finding the headings of a text: `#` lines in Markdown, heading-like lines in plain text.

Plain-text headings are guessed: `CHAPTER IV`, `BOOK TWO: 1806`, short title lines standing
between blank lines. Both scans run over whole documents of 100 MB, so they search with one
compiled regex and look at the few candidate lines in Python. The formats import this module
when a document's outline is first asked for (in a worker, after the first paint), so its
regexes are not compiled at start-up.
"""

import re
from collections.abc import Iterator

from readertui.core.metadata import parse_front_matter
from readertui.formats.base import MAX_OUTLINE_ENTRIES, OutlineEntry

# A line that may be a fence or an ATX heading. Searching for "\n" followed by one lets the
# regex engine skip ahead quickly (4x faster than ^ with re.MULTILINE or a lookbehind);
# the first line is checked on its own.
_MARKDOWN_LINE_BODY = r" {0,3}(?:`{3,}|~{3,}|#{1,6}(?![^ \t\n]))[^\n]*"
_MARKDOWN_LINE = re.compile(rf"\n({_MARKDOWN_LINE_BODY})")
_MARKDOWN_FIRST_LINE = re.compile(_MARKDOWN_LINE_BODY)
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")

# A heading line is at most this long once stripped.
_MAX_HEADING_CHARS = 60
# Candidate lines may carry indentation (Gutenberg centres some headings with spaces).
_MAX_CANDIDATE_CHARS = 120
_MAX_TITLE_WORDS = 8

# A line with a blank line (or the start of the text) before it and a blank line after it.
# The literal "\n\n" prefix keeps the search fast; the first and last lines of the text are
# checked separately, since looking for (?:\A|\n\n) or \n?\Z here is several times slower.
_ISOLATED_LINE = re.compile(rf"\n\n([^\n]{{1,{_MAX_CANDIDATE_CHARS}}})(?=\n\n)")
_KEYWORD = re.compile(
    r"(CHAPTER|BOOK|PART|VOLUME|SECTION|PROLOGUE|EPILOGUE|PREFACE|INTRODUCTION|CONTENTS|APPENDIX)"
    r"\b(.*)",
    re.IGNORECASE,
)
_KEYWORD_LEVELS = {"BOOK": 1, "PART": 1, "VOLUME": 1, "CHAPTER": 2, "SECTION": 2}
# What may follow a numbering keyword in a heading ("Chapter 4", "Book the First", "PART IV"),
# as opposed to prose that happens to start with the word ("Part of the reason…").
_NUMBER_WORDS = frozenset(
    {
        "the", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen", "twenty", "first", "second", "third", "fourth", "fifth",
        "sixth", "seventh", "eighth", "ninth", "tenth", "last", "final",
    }
)  # fmt: skip
# A short line ending like this is a sentence, a quotation or an aside, not a title.
_SENTENCE_ENDINGS = tuple(".,;:!?\"'“”‘’«»)]}")


def markdown_outline(text: str) -> list[OutlineEntry]:
    """The ATX headings (`#` to `######`) of a Markdown text, skipping fenced code blocks."""
    _, body_start = parse_front_matter(text)  # `# comments` in front matter are not headings
    entries: list[OutlineEntry] = []
    fence = ""  # the opening fence while inside a fenced code block
    for line, offset in _markdown_candidates(text, body_start):
        fence_match = _FENCE.fullmatch(line)
        if fence_match is not None:
            marker, info = fence_match.groups()
            if not fence:
                # A backtick fence's info string cannot contain backticks (CommonMark).
                if not (marker[0] == "`" and "`" in info):
                    fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence) and not info.strip():
                fence = ""
            continue
        if fence:
            continue
        heading = _ATX.fullmatch(line)
        if heading is None:
            continue
        hashes, rest = heading.groups()
        title = _CLOSING_HASHES.sub("", rest or "").strip()
        if title:
            entries.append(OutlineEntry(title, offset, len(hashes)))
            if len(entries) >= MAX_OUTLINE_ENTRIES:
                break
    return entries


def _markdown_candidates(text: str, start: int) -> Iterator[tuple[str, int]]:
    """Lines from `start` on that may be fences or headings, with their offsets."""
    if start == 0:
        first = _MARKDOWN_FIRST_LINE.match(text)
        if first is not None:
            yield first.group(), 0
    # From the newline ending the front matter, so the body's first line is seen too.
    for match in _MARKDOWN_LINE.finditer(text, max(start - 1, 0)):
        yield match.group(1), match.start(1)


def plain_outline(text: str) -> list[OutlineEntry]:
    """The heading-like lines of a plain text: lines standing alone that read as headings."""
    entries: list[OutlineEntry] = []
    # The first line, when a blank line, or a newline ending the text, or nothing follows.
    first_end = text.find("\n")
    if first_end == -1:
        _add_heading(entries, text, 0)
    elif text.startswith("\n\n", first_end) or first_end == len(text) - 1:
        _add_heading(entries, text[:first_end], 0)
    for match in _ISOLATED_LINE.finditer(text):
        if len(entries) >= MAX_OUTLINE_ENTRIES:
            return entries
        _add_heading(entries, match.group(1), match.start(1))
    # The last line, when a blank line precedes it and only a newline (or nothing) follows.
    end = len(text) - 1 if text.endswith("\n") else len(text)
    start = text.rfind("\n", 0, end) + 1
    if start >= 2 and text[start - 2 : start] == "\n\n" and start < end:
        _add_heading(entries, text[start:end], start)
    return entries[:MAX_OUTLINE_ENTRIES]


def _add_heading(entries: list[OutlineEntry], line: str, offset: int) -> None:
    level = _heading_level(line.strip())
    if level is not None:
        entries.append(OutlineEntry(line.strip(), offset, level))


def _heading_level(line: str) -> int | None:
    """The outline level of a stripped line standing alone, or None if it is no heading."""
    if not line or len(line) > _MAX_HEADING_CHARS:
        return None
    keyword = _KEYWORD.match(line)
    if keyword is not None and _numbering_follows(keyword.group(2)):
        return _KEYWORD_LEVELS.get(keyword.group(1).upper(), 1)
    first = line[0]
    if not (first.isupper() or first.isdigit()):
        return None  # quotations, list bullets, ornaments ("* * *")
    if any(char.isalpha() for char in line) and not any(char.islower() for char in line):
        return 2  # all capitals: "PROCLAMATION", "MOSCOW, OCTOBER 30, 1812"
    if len(line.split()) <= _MAX_TITLE_WORDS and not line.endswith(_SENTENCE_ENDINGS):
        return 2
    return None


def _numbering_follows(rest: str) -> bool:
    rest = rest.lstrip(" \t.:-–—")
    if not rest:
        return True
    if rest[0].isdigit() or rest[0].isupper():
        return True
    return rest.split()[0].strip(".:,").lower() in _NUMBER_WORDS
