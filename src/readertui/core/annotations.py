"""The annotation model: a highlighted span of one document, with colour, note, tags, links.

Plain frozen dataclasses with a lossless round trip to the JSON records the store keeps
(PRODUCT 5). Offsets are code-point offsets into the document's normalised text; the quote
with 32 characters of context each side lets the span be found again when the text changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

COLORS: tuple[str, ...] = ("yellow", "green", "blue", "pink", "purple")
DEFAULT_COLOR = COLORS[0]
CONTEXT_CHARS = 32


def now_iso() -> str:
    """The current time as ISO 8601 UTC with microseconds (sorts as text, orders edits)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Quote:
    """The highlighted text and the text just around it, as it was when last anchored."""

    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class DocumentRef:
    """Which document: its path relative to the library root, its text's hash and title."""

    path: str
    sha256: str = ""
    title: str = ""


@dataclass(frozen=True)
class Annotation:
    """One highlight. `orphaned` ones could not be placed in the current text."""

    id: str
    doc: DocumentRef
    quote: Quote
    start: int
    end: int
    color: str = DEFAULT_COLOR
    note: str = ""
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)
    orphaned: bool = False
    # How sure the last re-anchoring was (1.0: the quote was found exactly).
    confidence: float = 1.0

    def touched(self, **changes: Any) -> Annotation:
        """A copy with `changes` applied and `updated` set to now."""
        return replace(self, **changes, updated=now_iso())

    def overlaps(self, start: int, end: int) -> bool:
        """Whether this highlight shares at least one character with start..end."""
        return not self.orphaned and self.start < end and start < self.end

    def to_record(self) -> dict[str, Any]:
        """The JSON-ready record the store keeps."""
        return {
            "id": self.id,
            "doc": {"path": self.doc.path, "sha256": self.doc.sha256, "title": self.doc.title},
            "quote": {
                "exact": self.quote.exact,
                "prefix": self.quote.prefix,
                "suffix": self.quote.suffix,
            },
            "start": self.start,
            "end": self.end,
            "color": self.color,
            "note": self.note,
            "tags": list(self.tags),
            "links": list(self.links),
            "created": self.created,
            "updated": self.updated,
            "orphaned": self.orphaned,
            "confidence": self.confidence,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Annotation:
        """Rebuild an annotation from a stored record; raises ValueError when it is unusable."""
        try:
            doc = record["doc"]
            quote = record["quote"]
            start, end = int(record["start"]), int(record["end"])
            annotation = cls(
                id=str(record["id"]),
                doc=DocumentRef(
                    str(doc["path"]), str(doc.get("sha256", "")), str(doc.get("title", ""))
                ),
                quote=Quote(
                    str(quote["exact"]), str(quote.get("prefix", "")), str(quote.get("suffix", ""))
                ),
                start=start,
                end=end,
                color=str(record.get("color", DEFAULT_COLOR)),
                note=str(record.get("note", "")),
                tags=tuple(str(tag) for tag in record.get("tags", ())),
                links=tuple(str(link) for link in record.get("links", ())),
                created=str(record.get("created", "")),
                updated=str(record.get("updated", "")),
                orphaned=bool(record.get("orphaned", False)),
                confidence=float(record.get("confidence", 1.0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"not an annotation record: {error}") from error
        if not 0 <= start <= end:
            raise ValueError(f"bad span {start}..{end}")
        return annotation


def quote_at(text: str, start: int, end: int) -> Quote:
    """The quote of text[start:end] with its context."""
    return Quote(
        text[start:end],
        text[max(0, start - CONTEXT_CHARS) : start],
        text[end : end + CONTEXT_CHARS],
    )


def new_annotation(
    text: str,
    doc: DocumentRef,
    start: int,
    end: int,
    *,
    color: str = DEFAULT_COLOR,
    note: str = "",
    tags: Iterable[str] = (),
) -> Annotation:
    """A new highlight of text[start:end] with a fresh uuid4 id."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"cannot highlight {start}..{end} of a {len(text)}-character text")
    stamp = now_iso()
    return Annotation(
        id=str(uuid.uuid4()),
        doc=doc,
        quote=quote_at(text, start, end),
        start=start,
        end=end,
        color=color,
        note=note,
        tags=normalise_tags(tags),
        created=stamp,
        updated=stamp,
    )


def next_color(color: str) -> str:
    """The colour after `color` in the cycle of `c`."""
    index = COLORS.index(color) if color in COLORS else -1
    return COLORS[(index + 1) % len(COLORS)]


# -- tags ---------------------------------------------------------------------------------


def clean_tag(tag: str) -> str:
    """A tag as stored: trimmed, no `#` at its ends (as typed: `#tag`), inner whitespace
    collapsed, no empty hierarchy levels. Cleaning a clean tag changes nothing."""
    while True:
        parts = [" ".join(part.split()) for part in tag.strip().strip("#").split("/")]
        cleaned = "/".join(part for part in parts if part)
        if cleaned == tag:
            return cleaned
        tag = cleaned  # " # a" -> "# a" -> "a": until nothing more comes off


def tag_key(tag: str) -> str:
    """The form tags are compared in: case-insensitive."""
    return clean_tag(tag).casefold()


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Clean tags, dropping empties and case-insensitive duplicates (first spelling wins)."""
    seen: set[str] = set()
    result: list[str] = []
    for tag in tags:
        cleaned = clean_tag(tag)
        if cleaned and tag_key(cleaned) not in seen:
            seen.add(tag_key(cleaned))
            result.append(cleaned)
    return tuple(result)


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed as a comma-separated list."""
    return normalise_tags(text.split(","))


def has_tag(annotation: Annotation, tag: str) -> bool:
    """Whether the annotation carries `tag` or a tag below it (`place` matches `place/Xi'an`)."""
    wanted = tag_key(tag)
    return any(
        (key := tag_key(own)) == wanted or key.startswith(wanted + "/") for own in annotation.tags
    )
