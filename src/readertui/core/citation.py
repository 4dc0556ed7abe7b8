"""Citations: what `y` copies (the quoted text and where it comes from), the short citation
an export writes beside each quote, and how a quote is put in quotation marks wherever one is
shown (lists, `y`, `list annotations`)."""

from __future__ import annotations

from readertui.core.metadata import DocumentMetadata
from readertui.core.shortening import one_line

#: The longest title or heading a short citation holds (in characters, "…" included).
SHORT_PART_CHARS = 60

#: Marks that open a quotation; a quote beginning with one has its own.
_OPENING_MARKS = '“"„«‘‚‹「『'
#: Double marks that close one; a quote ending with one has its own (a final ’ or ' is more
#: often an apostrophe, as in "the Rostóvs’", so it does not count).
_CLOSING_MARKS = '”"»」』'


def in_quotation_marks(quote: str) -> str:
    """`quote` between “ and ”, unless it begins or ends with quotation marks of its own (a
    highlight of dialogue, `“Well, Prince…`), which would be doubled: `““Well, Prince…”`."""
    if quote and (quote[0] in _OPENING_MARKS or quote[-1] in _CLOSING_MARKS):
        return quote
    return f"“{quote}”"


def citation(metadata: DocumentMetadata, rel_path: str, line: int, *, section: str = "") -> str:
    """ "Author, “Title”, Publication, Date (file, line N)", leaving out what is unknown.

    A converted document's `section` (its page or chapter: "p. 12", "Chapter III") is named
    in place of the line, which is a line of the converted text, not of the book.
    """
    parts: list[str] = []
    if metadata.authors:
        parts.append(", ".join(metadata.authors))
    if metadata.title:
        parts.append(f"“{metadata.title}”")
    for extra in (metadata.publication, metadata.date):
        if extra:
            parts.append(extra)
    where = f"{rel_path}, {section}" if section else f"{rel_path}, line {line}"
    return f"{', '.join(parts)} ({where})" if parts else where


def quotation(
    text: str, metadata: DocumentMetadata, rel_path: str, line: int, *, section: str = ""
) -> str:
    """The copied text: the quote on its own lines, then a dash and the citation."""
    body = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    where = citation(metadata, rel_path, line, section=section)
    return f"{in_quotation_marks(body)}\n— {where}"


def short_citation(
    metadata: DocumentMetadata,
    rel_path: str,
    *,
    heading: str = "",
    line: int | None = None,
    section: str = "",
) -> str:
    """What a quote carries beside it in an export: "Author, “Title”, Heading, line N".

    Short enough to stay beside a quote pasted into a draft: the first author ("et al." for
    three or more), the title cut to `SHORT_PART_CHARS`, the heading the quote is under (not
    when it only repeats the title or the section) and the line, or for a converted document
    its `section` ("p. 12", "Chapter III") in place of the line; what is unknown is left out.
    """
    parts: list[str] = []
    authors = metadata.authors
    if len(authors) == 1:
        parts.append(authors[0])
    elif len(authors) == 2:
        parts.append(f"{authors[0]} and {authors[1]}")
    elif authors:
        parts.append(f"{authors[0]} et al.")
    title = one_line(metadata.title or rel_path, SHORT_PART_CHARS)
    parts.append(f"“{title}”")
    heading = one_line(heading, SHORT_PART_CHARS)
    section = one_line(section, SHORT_PART_CHARS)
    if heading and heading.casefold() not in (title.casefold(), section.casefold()):
        parts.append(heading)
    if section:
        parts.append(section)
    elif line is not None:
        parts.append(f"line {line}")
    return ", ".join(parts)
