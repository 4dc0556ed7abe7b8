"""The annotation model: a highlighted span of one document, with colour, note, tags, links.

Immutable dataclasses with a lossless round trip to the JSON records the store keeps
(PRODUCT 5). Offsets are code-point offsets into the document's normalised text; the quote
with 32 characters of context each side lets the span be found again when the text changes.

They behave as `@dataclass(frozen=True)` classes do (`dataclasses.replace` and `fields` work,
assigning a field raises FrozenInstanceError, equal when their fields are, hashable), but
their methods are written out here: a dataclass compiles the ones it makes when the module
is imported, and this module is imported before the reader's first paint, where that cost
several milliseconds (benchmarks/callgrind_paint.py).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import FrozenInstanceError, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, NoReturn

COLORS: tuple[str, ...] = ("yellow", "green", "blue", "pink", "purple")
DEFAULT_COLOR = COLORS[0]
CONTEXT_CHARS = 32
#: The largest offset a record may hold: far beyond any document, and exact in every JSON
#: reader (JavaScript's numbers are exact up to 2**53).
MAX_OFFSET = 2**53


def now_iso() -> str:
    """The current time as ISO 8601 UTC with microseconds (sorts as text, orders edits)."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _frozen_setattr(self: object, name: str, value: object) -> NoReturn:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> NoReturn:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


_set = object.__setattr__
# created and updated were not given: now.
_NOW: Any = object()


@dataclass(init=False, repr=False, eq=False)
class Quote:
    """The highlighted text and the text just around it, as it was when last anchored."""

    exact: str
    prefix: str = ""
    suffix: str = ""

    def __init__(self, exact: str, prefix: str = "", suffix: str = "") -> None:
        _set(self, "exact", exact)
        _set(self, "prefix", prefix)
        _set(self, "suffix", suffix)

    __setattr__ = _frozen_setattr
    __delattr__ = _frozen_delattr

    def __repr__(self) -> str:
        return f"Quote(exact={self.exact!r}, prefix={self.prefix!r}, suffix={self.suffix!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Quote) and other.__class__ is self.__class__:
            return (self.exact, self.prefix, self.suffix) == (
                other.exact,
                other.prefix,
                other.suffix,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.exact, self.prefix, self.suffix))


@dataclass(init=False, repr=False, eq=False)
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

    def __init__(self, path: str, sha256: str = "", title: str = "", library: str = "") -> None:
        _set(self, "path", path)
        _set(self, "sha256", sha256)
        _set(self, "title", title)
        _set(self, "library", library)

    __setattr__ = _frozen_setattr
    __delattr__ = _frozen_delattr

    def __repr__(self) -> str:
        return (
            f"DocumentRef(path={self.path!r}, sha256={self.sha256!r}, title={self.title!r}, "
            f"library={self.library!r})"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DocumentRef) and other.__class__ is self.__class__:
            return (self.path, self.sha256, self.title, self.library) == (
                other.path,
                other.sha256,
                other.title,
                other.library,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.path, self.sha256, self.title, self.library))

    def in_library(self, library: str) -> bool:
        """Whether the document is one of the library with key `library` (or legacy)."""
        return self.library in ("", library)

    def belongs_to(self, library: str, path: str) -> bool:
        """Whether this is the document at `path` of the library with key `library`: the
        path matches and the library is the same or legacy ("")."""
        return self.path == path and self.library in ("", library)


@dataclass(init=False, repr=False, eq=False)
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

    def __init__(
        self,
        id: str,
        doc: DocumentRef,
        quote: Quote,
        start: int,
        end: int,
        color: str = DEFAULT_COLOR,
        note: str = "",
        tags: tuple[str, ...] = (),
        links: tuple[str, ...] = (),
        created: str = _NOW,
        updated: str = _NOW,
        orphaned: bool = False,
        confidence: float = 1.0,
    ) -> None:
        _set(self, "id", id)
        _set(self, "doc", doc)
        _set(self, "quote", quote)
        _set(self, "start", start)
        _set(self, "end", end)
        _set(self, "color", color)
        _set(self, "note", note)
        _set(self, "tags", tags)
        _set(self, "links", links)
        _set(self, "created", now_iso() if created is _NOW else created)
        _set(self, "updated", now_iso() if updated is _NOW else updated)
        _set(self, "orphaned", orphaned)
        _set(self, "confidence", confidence)

    __setattr__ = _frozen_setattr
    __delattr__ = _frozen_delattr

    def _values(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.doc,
            self.quote,
            self.start,
            self.end,
            self.color,
            self.note,
            self.tags,
            self.links,
            self.created,
            self.updated,
            self.orphaned,
            self.confidence,
        )

    def __repr__(self) -> str:
        return (
            f"Annotation(id={self.id!r}, doc={self.doc!r}, quote={self.quote!r}, "
            f"start={self.start!r}, end={self.end!r}, color={self.color!r}, "
            f"note={self.note!r}, tags={self.tags!r}, links={self.links!r}, "
            f"created={self.created!r}, updated={self.updated!r}, "
            f"orphaned={self.orphaned!r}, confidence={self.confidence!r})"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Annotation) and other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

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
