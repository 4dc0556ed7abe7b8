"""What `y` copies: the quoted text and a citation saying where it comes from."""

from __future__ import annotations

from readertui.core.metadata import DocumentMetadata


def citation(metadata: DocumentMetadata, rel_path: str, line: int) -> str:
    """ "Author, “Title”, Publication, Date (file, line N)", leaving out what is unknown."""
    parts: list[str] = []
    if metadata.authors:
        parts.append(", ".join(metadata.authors))
    if metadata.title:
        parts.append(f"“{metadata.title}”")
    for extra in (metadata.publication, metadata.date):
        if extra:
            parts.append(extra)
    where = f"{rel_path}, line {line}"
    return f"{', '.join(parts)} ({where})" if parts else where


def quotation(text: str, metadata: DocumentMetadata, rel_path: str, line: int) -> str:
    """The copied text: the quote on its own lines, then a dash and the citation."""
    body = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    return f"“{body}”\n— {citation(metadata, rel_path, line)}"
