"""Annotations as Markdown: one file per document, or one for the library (PRODUCT 8).

The shape, readable in Obsidian, in a plain Markdown viewer and through pandoc:

    ---                                   front matter: title, author, source, date, tags,
    title: "…"                            exported (a single file for the library has one
    exported: "2026-01-01T00:00:00Z"      for the library instead)
    ---

    # Title                               then, per highlight in document order:

    > the quoted text, escaped            a block quote of the document's words,
    >
    > — Author, “Title”, CHAPTER I, line 12   with its short citation, so that a quote
                                          pasted into a draft says where it comes from

    ^3f1c…                                the annotation's id, as an Obsidian block id
                                          (`MarkdownStyle.block_ids`)

    - **Note:** the note's own Markdown   the note, confined to its list item
    - **Tags:** #one #place/Jiayuguan     the highlight's tags ("Document tags" above
    - **See also:** [“…”](#^ab12…)        are the document's); links to other annotations

Highlights that could not be placed follow under "Orphaned highlights". The output depends
only on the annotations and the `exported` time given, so a re-export changes what changed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote as percent_encoded

from readertui.core.annotations import Annotation
from readertui.core.citation import in_quotation_marks, short_citation
from readertui.core.metadata import DocumentMetadata
from readertui.export.collect import DocumentNotes, Located
from readertui.export.markdown_text import (
    block_quote,
    literal_line,
    note_item,
    tag_word,
    yaml_list,
    yaml_string,
)

LINK_QUOTE_CHARS = 60
ORPHANS_HEADING = "Orphaned highlights"


@dataclass(frozen=True)
class MarkdownStyle:
    """How the Markdown is written: with Obsidian's `^id` block ids after each quote (and links
    to them), or without (plain Markdown, where a link names its quote instead)."""

    block_ids: bool = True


@dataclass(frozen=True)
class LinkTarget:
    """Where a linked annotation is: its document, the file its export lands in, its quote."""

    doc_path: str
    file_name: str  # the export file of its document ("" when exported as one file)
    quote: str


def block_id(annotation_id: str) -> str:
    """The Obsidian block id of an annotation: its id with only letters, digits and `-`."""
    return re.sub(r"[^A-Za-z0-9-]", "-", annotation_id) or "annotation"


def document_markdown(
    notes: DocumentNotes,
    exported: str,
    links: Mapping[str, LinkTarget] | None = None,
    *,
    own_file: str = "",
    style: MarkdownStyle = MarkdownStyle(),
) -> str:
    """One document's export file: front matter, title, byline, then its highlights.

    `own_file` is the name of the file this is written to ("" for standard output), so links
    to annotations of the same document stay within it.
    """
    metadata = notes.metadata
    front = ["---", f"title: {yaml_string(metadata.title or notes.rel_path)}"]
    if len(metadata.authors) == 1:
        front.append(f"author: {yaml_string(metadata.authors[0])}")
    elif metadata.authors:
        front.append(f"author: {yaml_list(metadata.authors)}")
    if metadata.source:
        front.append(f"source: {yaml_string(metadata.source)}")
    if metadata.date:
        front.append(f"date: {yaml_string(metadata.date)}")
    tag_words = _front_matter_tags(notes.tags)
    if tag_words:
        front.append(f"tags: {yaml_list(tag_words)}")
    front.extend([f"exported: {yaml_string(exported)}", "---", ""])
    body = _document_section(notes, 1, links or {}, own_file, style)
    return "\n".join(front + body).rstrip("\n") + "\n"


def library_markdown(
    documents: Iterable[DocumentNotes],
    exported: str,
    title: str,
    links: Mapping[str, LinkTarget] | None = None,
    *,
    style: MarkdownStyle = MarkdownStyle(),
) -> str:
    """Every document's highlights in one file, each document a first-level section."""
    documents = list(documents)
    count = sum(notes.count for notes in documents)
    lines = [
        "---",
        f"title: {yaml_string(title)}",
        f"documents: {len(documents)}",
        f"highlights: {count}",
        f"exported: {yaml_string(exported)}",
        "---",
        "",
    ]
    for notes in documents:
        lines.extend(_document_section(notes, 1, links or {}, "", style))
    if not documents:
        lines.extend(["# " + literal_line(title), "", "_No highlights._", ""])
    return "\n".join(lines).rstrip("\n") + "\n"


def _front_matter_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    # Obsidian's tags property holds tag names without `#`.
    words = (tag_word(tag) for tag in tags)
    return tuple(dict.fromkeys(word[1:] for word in words if word.startswith("#")))


def _document_section(
    notes: DocumentNotes,
    level: int,
    links: Mapping[str, LinkTarget],
    own_file: str,
    style: MarkdownStyle,
) -> list[str]:
    metadata = notes.metadata
    lines = [f"{'#' * level} {literal_line(metadata.title or notes.rel_path)}", ""]
    byline = (", ".join(metadata.authors), metadata.publication, metadata.date)
    facts = [literal_line(part) for part in byline if part]
    if facts:
        lines.extend([" · ".join(facts), ""])
    about = [f"- **File:** {literal_line(notes.rel_path)}"]
    if metadata.source:
        about.append(f"- **Source:** {literal_line(metadata.source)}")
    if notes.tags:
        about.append(f"- **Document tags:** {' '.join(tag_word(tag) for tag in notes.tags)}")
    if notes.problem:
        about.append(f"- **Not read:** {literal_line(notes.problem)}")
    lines.extend([*about, ""])
    if not notes.count:
        lines.extend(["_No highlights._", ""])
    for item in notes.placed:
        lines.extend(_highlight(item, notes, links, own_file, style))
    if notes.orphaned:
        lines.extend(
            [
                f"{'#' * (level + 1)} {ORPHANS_HEADING}",
                "",
                "Not found in the current text; each quote is as it was last seen.",
                "",
            ]
        )
        for item in notes.orphaned:
            lines.extend(_highlight(item, notes, links, own_file, style))
    return lines


def _highlight(
    item: Located,
    notes: DocumentNotes,
    links: Mapping[str, LinkTarget],
    own_file: str,
    style: MarkdownStyle,
) -> list[str]:
    annotation = item.annotation
    doc_path = notes.rel_path
    lines = block_quote(annotation.quote.exact) or [">"]
    lines.extend([">", f"> — {_citation(item, notes.metadata, doc_path)}", ""])
    if style.block_ids:
        lines.extend([f"^{block_id(annotation.id)}", ""])
    details: list[str] = []
    if annotation.note.strip():
        details.extend(note_item("**Note:**", annotation.note))
    if annotation.tags:
        details.append(f"- **Tags:** {' '.join(tag_word(tag) for tag in annotation.tags)}")
    if annotation.links:
        references = [
            _reference(link, doc_path, links, own_file, style) for link in annotation.links
        ]
        details.append(f"- **See also:** {'; '.join(references)}")
    if details:
        lines.extend([*details, ""])
    return lines


def _citation(item: Located, metadata: DocumentMetadata, doc_path: str) -> str:
    """The short citation beside a quote: author, title, heading and line (or orphaned)."""
    if item.annotation.orphaned:
        source = short_citation(metadata, doc_path)
        return f"{literal_line(source)}, orphaned: not found in the current text"
    return literal_line(
        short_citation(
            metadata, doc_path, heading=item.heading, line=item.line, section=item.section
        )
    )


def _reference(
    link_id: str,
    doc_path: str,
    links: Mapping[str, LinkTarget],
    own_file: str,
    style: MarkdownStyle,
) -> str:
    target = links.get(link_id)
    if target is None:
        return f"a highlight no longer here ({literal_line(link_id)})"
    words = " ".join(target.quote.split())
    if len(words) > LINK_QUOTE_CHARS:
        words = words[: LINK_QUOTE_CHARS - 1].rstrip() + "…"
    text = in_quotation_marks(literal_line(words))
    if not style.block_ids:
        # Nothing to point at: the quote, and its document when it is another one.
        if target.doc_path == doc_path:
            return text
        return f"{text} ({literal_line(target.doc_path)})"
    if target.doc_path == doc_path or not target.file_name or not own_file:
        file_part = ""
    else:
        relative = posixpath.relpath(target.file_name, posixpath.dirname(own_file) or ".")
        file_part = percent_encoded(relative)
    return f"[{text}]({file_part}#^{block_id(link_id)})"


def link_targets(
    annotations: Iterable[Annotation], file_names: Mapping[str, str]
) -> dict[str, LinkTarget]:
    """Every annotation a link may point at, by id; `file_names` maps documents to files."""
    return {
        annotation.id: LinkTarget(
            annotation.doc.path, file_names.get(annotation.doc.path, ""), annotation.quote.exact
        )
        for annotation in annotations
    }
