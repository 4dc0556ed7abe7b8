"""The annotation model: a highlighted span of one document, with colour, note, tags, links.

Plain frozen dataclasses with a lossless round trip to the JSON records the store keeps
(PRODUCT 5). Offsets are code-point offsets into the document's normalised text; the quote
with 32 characters of context each side lets the span be found again when the text changes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

COLORS: tuple[str, ...] = ("yellow", "green", "blue", "pink", "purple")
DEFAULT_COLOR = COLORS[0]
CONTEXT_CHARS = 32
#: The largest offset a record may hold: far beyond any document, and exact in every JSON
#: reader (JavaScript's numbers are exact up to 2**53).
MAX_OFFSET = 2**53


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
    """Which document: its library and path relative to the library's root, its text's hash
    and title.

    `library` is the library's key (`readertui.core.library.library_key`). "" marks a
    *legacy* annotation, made before libraries had identities: it belongs to whichever
    library has a document at its path.
    """

    path: str
    sha256: str = ""
    title: str = ""
    library: str = ""

    def in_library(self, library: str) -> bool:
        """Whether the document is one of the library with key `library` (or legacy)."""
        return self.library in ("", library)

    def belongs_to(self, library: str, path: str) -> bool:
        """Whether this is the document at `path` of the library with key `library`: the
        path matches and the library is the same or legacy ("")."""
        return self.path == path and self.library in ("", library)


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
        doc = {"path": self.doc.path, "sha256": self.doc.sha256, "title": self.doc.title}
        if self.doc.library:
            doc = {"library": self.doc.library, **doc}
        return {
            "id": self.id,
            "doc": doc,
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
    def from_record(cls, record: object) -> Annotation:
        """Rebuild an annotation from a stored record; ValueError says why it is unusable.

        Only a record that holds a real annotation comes back (see `check_annotation`):
        every field present has its type, and nothing is converted, so a `tags` string is
        not taken for a list of its letters, nor `"12"` for a number. Fields that older
        records may lack have their defaults. The message completes "not used (…)".
        """
        if not isinstance(record, Mapping):
            raise ValueError(f"it is {_kind(record)}, not an object")
        doc = _get(record, "doc", Mapping, "an object")
        quote = _get(record, "quote", Mapping, "an object")
        confidence = _get(record, "confidence", int | float, "a number", default=1.0)
        if not 0 <= confidence <= 1:  # before float(): a huge int would overflow it
            raise ValueError(f"its 'confidence' is {_shown(confidence)}, not from 0 to 1")
        annotation = cls(
            id=_get(record, "id", str, "text"),
            doc=DocumentRef(
                _get(doc, "path", str, "text", within="doc"),
                _get(doc, "sha256", str, "text", within="doc", default=""),
                _get(doc, "title", str, "text", within="doc", default=""),
                _get(doc, "library", str, "text", within="doc", default=""),
            ),
            quote=Quote(
                _get(quote, "exact", str, "text", within="quote"),
                _get(quote, "prefix", str, "text", within="quote", default=""),
                _get(quote, "suffix", str, "text", within="quote", default=""),
            ),
            start=_get(record, "start", int, "a whole number"),
            end=_get(record, "end", int, "a whole number"),
            color=_get(record, "color", str, "text", default=DEFAULT_COLOR),
            note=_get(record, "note", str, "text", default=""),
            tags=_texts(record, "tags"),
            links=_texts(record, "links"),
            created=_get(record, "created", str, "text", default=""),
            updated=_get(record, "updated", str, "text", default=""),
            orphaned=_get(record, "orphaned", bool, "true or false", default=False),
            confidence=float(confidence),
        )
        check_annotation(annotation)
        return annotation


def check_annotation(annotation: Annotation) -> None:
    """Raise ValueError saying why `annotation` cannot be kept, if it cannot.

    A keepable annotation has an id and a document path, a span 0 <= start <= end <=
    MAX_OFFSET, a colour of COLORS, a confidence from 0 to 1, and text fields that are
    text with no lone surrogate, except the document's path, title and library: those come
    from file names, where an undecodable byte becomes one (os.fsdecode). Anything else would be
    shown mangled, or stop every export. The store checks what it saves by these rules and
    an import what it reads.
    """
    if not isinstance(annotation.id, str) or not annotation.id:
        raise ValueError("its 'id' is empty")
    doc = annotation.doc
    for name, value in (
        ("document path", doc.path),
        ("title", doc.title),
        ("sha256", doc.sha256),
        ("library", doc.library),
    ):
        if not isinstance(value, str):
            raise ValueError(f"its {name} is {_kind(value)}, not text")
    if not doc.path:
        raise ValueError("its document path is empty")
    start, end = annotation.start, annotation.end
    for which, offset in (("start", start), ("end", end)):
        if type(offset) is not int or not 0 <= offset <= MAX_OFFSET:
            raise ValueError(f"its {which!r} is {_shown(offset)}, not from 0 to {MAX_OFFSET}")
    if end < start:
        raise ValueError(f"its span {start}..{end} ends before it starts")
    if annotation.color not in COLORS:
        colours = ", ".join(COLORS)
        raise ValueError(f"its colour {_shown(annotation.color)} is not one of {colours}")
    confidence = annotation.confidence
    if type(confidence) not in (int, float) or not 0 <= confidence <= 1:
        raise ValueError(f"its 'confidence' is {_shown(confidence)}, not from 0 to 1")
    if not isinstance(annotation.orphaned, bool):
        raise ValueError("its 'orphaned' is not true or false")
    quote = annotation.quote
    texts = (
        ("id", annotation.id),
        ("quote", quote.exact),
        ("quote's prefix", quote.prefix),
        ("quote's suffix", quote.suffix),
        ("note", annotation.note),
        ("'created'", annotation.created),
        ("'updated'", annotation.updated),
        *(("tags", tag) for tag in annotation.tags),
        *(("links", link) for link in annotation.links),
    )
    try:
        # One look at all of them: nearly always they are fine, and this is 50k records' worth
        # of opening a database.
        joined = "".join(value for _, value in texts)
        if not has_lone_surrogate(joined):
            return
    except TypeError:
        pass
    for name, value in texts:
        if not isinstance(value, str):
            raise ValueError(f"its {name} holds {_kind(value)}, not text")
        if has_lone_surrogate(value):
            raise ValueError(f"its {name} holds a lone surrogate (U+D800..U+DFFF), not text")


def has_lone_surrogate(text: str) -> bool:
    """Whether `text` holds a code point of U+D800..U+DFFF, which UTF-8 cannot encode."""
    return not text.isascii() and _SURROGATE.search(text) is not None


_SURROGATE = re.compile("[\ud800-\udfff]")
_REQUIRED: Any = object()
# Longer values are cut in a reason, which must stay one readable line.
_SHOWN_CHARS = 40


def _get(
    record: Mapping[str, Any],
    name: str,
    kind: Any,
    described: str,
    *,
    within: str = "",
    default: Any = _REQUIRED,
) -> Any:
    """record[name], which must be a `kind` (never a bool but for bool); `default` if missing."""
    value = record.get(name, _REQUIRED)
    # The common case first, cheaply: opening 50k annotations checks 750k fields.
    if type(value) is kind or (value is not _REQUIRED and _is_a(value, kind)):
        return value
    field_name = f"{within}'s {name!r}" if within else repr(name)
    if value is _REQUIRED:
        if default is _REQUIRED:
            raise ValueError(f"it has no {field_name}")
        return default
    raise ValueError(f"its {field_name} is {_shown(value)}, not {described}")


def _is_a(value: object, kind: Any) -> bool:
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))


def _texts(record: Mapping[str, Any], name: str) -> tuple[str, ...]:
    values = _get(record, name, list, "a list of text", default=[])
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"its {name!r} holds {_shown(value)}, not only text")
    return tuple(values)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _shown(value: object) -> str:
    """`value` in a one-line reason: a short repr, a huge number by its size (not its digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**18:
        return f"a number of {value.bit_length()} bits"
    if not isinstance(value, str | int | float) or value is None:
        return _kind(value)
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else shown[: _SHOWN_CHARS - 1] + "…"


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
    return tags_include(annotation.tags, tag)


def tags_include(tags: Iterable[str], tag: str) -> bool:
    """Whether `tags` hold `tag` or a tag below it (`place` matches `place/Xi'an`)."""
    wanted = tag_key(tag)
    return any((key := tag_key(own)) == wanted or key.startswith(wanted + "/") for own in tags)
