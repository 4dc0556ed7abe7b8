"""Annotations as W3C Web Annotation JSON, and back (`readertui export --format json`, `import`).

An export is an `AnnotationCollection` with its one `AnnotationPage` embedded. Each annotation
has the motivation `highlighting`, a target naming its document (the path relative to the
library, percent-encoded, as the source id) with a `TextQuoteSelector` (exact, prefix, suffix)
and a `TextPositionSelector` (code-point offsets), the colour as the target's `styleClass`,
and bodies: the note (`commenting`, Markdown), one per tag (`tagging`), one per link
(`linking`). What the model has no term for (the text's hash, orphaned, confidence) uses the
`readertui:` prefix declared in the context. Reading accepts a collection, a page, a list or a
single annotation, checks everything and reports the first problem with where it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote as percent_encoded
from urllib.parse import unquote

from readertui import __version__
from readertui.core.annotations import (
    COLORS,
    DEFAULT_COLOR,
    Annotation,
    DocumentRef,
    Quote,
    normalise_tags,
)
from readertui.errors import ImportFileError

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
READERTUI_NAMESPACE = "https://readertui.invalid/ns/annotation#"
CONTEXT = [W3C_CONTEXT, {"readertui": READERTUI_NAMESPACE}]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_UUID_PREFIX = "urn:uuid:"
_OTHER_ID_PREFIX = "urn:readertui:"
# Characters kept as they are in a document path used as the source id.
_PATH_SAFE = "/-._~!$&'()*+,;=:@"


def annotation_iri(annotation_id: str) -> str:
    """An annotation id as an IRI: `urn:uuid:…` for a uuid, `urn:readertui:…` otherwise."""
    if _UUID.fullmatch(annotation_id):
        return _UUID_PREFIX + annotation_id
    return _OTHER_ID_PREFIX + annotation_id


def annotation_id_of(iri: str) -> str:
    """The annotation id inside an IRI written by `annotation_iri`; a foreign IRI as it is."""
    for prefix in (_UUID_PREFIX, _OTHER_ID_PREFIX):
        if iri.startswith(prefix) and len(iri) > len(prefix):
            return iri[len(prefix) :]
    return iri


def to_web_annotation(annotation: Annotation) -> dict[str, Any]:
    """One annotation in the Web Annotation model."""
    bodies: list[dict[str, Any]] = []
    if annotation.note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "format": "text/markdown",
                "value": annotation.note,
            }
        )
    bodies.extend(
        {"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in annotation.tags
    )
    bodies.extend(
        {"type": "SpecificResource", "purpose": "linking", "source": annotation_iri(link)}
        for link in annotation.links
    )
    quote = annotation.quote
    item: dict[str, Any] = {
        "id": annotation_iri(annotation.id),
        "type": "Annotation",
        "motivation": "highlighting",
        "created": annotation.created,
        "modified": annotation.updated,
    }
    if bodies:
        item["body"] = bodies
    item["target"] = {
        "type": "SpecificResource",
        "source": {
            "id": percent_encoded(annotation.doc.path, safe=_PATH_SAFE),
            "type": "Text",
            "title": annotation.doc.title,
            "readertui:sha256": annotation.doc.sha256,
        },
        "styleClass": annotation.color,
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": quote.exact,
                "prefix": quote.prefix,
                "suffix": quote.suffix,
            },
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
        ],
    }
    item["readertui:orphaned"] = annotation.orphaned
    item["readertui:confidence"] = annotation.confidence
    return item


def to_collection(annotations: Iterable[Annotation], generated: str) -> dict[str, Any]:
    """An AnnotationCollection holding `annotations` in one embedded page."""
    items = [to_web_annotation(annotation) for annotation in annotations]
    return {
        "@context": CONTEXT,
        "type": "AnnotationCollection",
        "label": "readertui annotations",
        "generator": {"type": "Software", "name": "readertui", "readertui:version": __version__},
        "generated": generated,
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def collection_json(annotations: Iterable[Annotation], generated: str) -> str:
    """`to_collection` as JSON text: two-space indents, keys in a fixed order, a final newline.

    Non-ASCII text is written as it is (readable), but control characters, including the C1
    ones a terminal could obey, are escaped.
    """
    text = json.dumps(to_collection(annotations, generated), ensure_ascii=False, indent=2)
    return re.sub("[\u007f-\u009f\u2028\u2029]", lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# -- reading ------------------------------------------------------------------------------


def parse_collection(text: str) -> list[Annotation]:
    """The annotations of an export's JSON text; raises ImportFileError with the first problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise ImportFileError("not JSON that can be read: nested too deeply") from None
    items = _items_of(data)
    annotations: list[Annotation] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        try:
            annotation = from_web_annotation(item)
        except _Problem as problem:
            where = f"annotation {number}"
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                where += f" ({item['id']})"
            raise ImportFileError(f"{where}: {problem}") from None
        if annotation.id in seen:
            raise ImportFileError(f"annotation {number}: the id {annotation.id} appears twice")
        seen.add(annotation.id)
        annotations.append(annotation)
    return annotations


class _Problem(Exception):
    """What is wrong with one annotation of an import file."""


def _items_of(data: object) -> list[object]:
    if isinstance(data, list):
        return data
    if not isinstance(data, Mapping):
        raise ImportFileError("not a Web Annotation export: expected a JSON object or list")
    kind = data.get("type")
    if kind == "Annotation":
        return [data]
    if kind == "AnnotationPage":
        return _page_items(data)
    if kind == "AnnotationCollection":
        first = data.get("first")
        if first is None and data.get("total", 0) == 0:
            return []
        if not isinstance(first, Mapping):
            raise ImportFileError(
                "the collection's annotations are not in the file (its first page is missing "
                "or only linked)"
            )
        items = _page_items(first)
        if first.get("next") is not None:
            raise ImportFileError("the collection has more pages than the file holds")
        return items
    raise ImportFileError(
        "not a Web Annotation export: the top level is not an AnnotationCollection, "
        "AnnotationPage, Annotation or list"
    )


def _page_items(page: Mapping[str, Any]) -> list[object]:
    items = page.get("items")
    if not isinstance(items, list):
        raise ImportFileError("the annotation page has no list of items")
    return items


def from_web_annotation(item: object) -> Annotation:
    """One Web Annotation as an Annotation; raises _Problem saying what is wrong."""
    if not isinstance(item, Mapping):
        raise _Problem("not a JSON object")
    if item.get("type") != "Annotation":
        raise _Problem('its type is not "Annotation"')
    iri = _text(item, "id", required=True)
    target = item.get("target")
    if isinstance(target, list) and len(target) == 1:
        target = target[0]
    if not isinstance(target, Mapping):
        raise _Problem("it has no target (or more than one)")
    doc = _document(target)
    quote, span = _selectors(target.get("selector"))
    start, end = span if span is not None else (0, 0)
    note, tags, links = _bodies(item.get("body", []))
    color = target.get("styleClass", DEFAULT_COLOR)
    if color not in COLORS:
        raise _Problem(f"unknown colour {color!r} (one of {', '.join(COLORS)})")
    orphaned = item.get("readertui:orphaned", False)
    if not isinstance(orphaned, bool):
        raise _Problem("readertui:orphaned is not true or false")
    confidence = item.get("readertui:confidence", 1.0)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise _Problem("readertui:confidence is not a number")
    if not 0.0 <= confidence <= 1.0:
        raise _Problem("readertui:confidence is not between 0 and 1")
    return Annotation(
        id=annotation_id_of(iri),
        doc=doc,
        quote=quote,
        start=start,
        end=end,
        color=color,
        note=note,
        tags=tags,
        links=links,
        created=_text(item, "created"),
        updated=_text(item, "modified") or _text(item, "created"),
        orphaned=orphaned,
        confidence=float(confidence),
    )


def _text(item: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = item.get(key, "")
    if not isinstance(value, str):
        raise _Problem(f"{key} is not a string")
    if required and not value:
        raise _Problem(f"it has no {key}")
    return value


def _document(target: Mapping[str, Any]) -> DocumentRef:
    source = target.get("source")
    if isinstance(source, str):
        source = {"id": source}
    if not isinstance(source, Mapping):
        raise _Problem("its target has no source document")
    path = unquote(_text(source, "id", required=True))
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise _Problem(f"the document path {path!r} is not a plain path inside a library")
    return DocumentRef(path, _text(source, "readertui:sha256"), _text(source, "title"))


def _selectors(value: object) -> tuple[Quote, tuple[int, int] | None]:
    selectors = value if isinstance(value, list) else [value] if value is not None else []
    quote: Quote | None = None
    span: tuple[int, int] | None = None
    for selector in selectors:
        if not isinstance(selector, Mapping):
            raise _Problem("a selector is not a JSON object")
        kind = selector.get("type")
        if kind == "TextQuoteSelector":
            exact = _text(selector, "exact", required=True)
            quote = Quote(exact, _text(selector, "prefix"), _text(selector, "suffix"))
        elif kind == "TextPositionSelector":
            start, end = _offset(selector.get("start")), _offset(selector.get("end"))
            if start is None or end is None or start > end:
                raise _Problem("its TextPositionSelector needs 0 <= start <= end")
            span = (start, end)
    if quote is None:
        raise _Problem("its target has no TextQuoteSelector with the quoted text")
    return quote, span


def _offset(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _bodies(value: object) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    bodies = value if isinstance(value, list) else [value]
    notes: list[str] = []
    tags: list[str] = []
    links: list[str] = []
    for body in bodies:
        if not isinstance(body, Mapping):
            raise _Problem("a body is not a JSON object")
        purpose = body.get("purpose", "commenting")
        if purpose == "linking":
            links.append(annotation_id_of(_text(body, "source", required=True)))
        elif purpose == "tagging":
            tags.append(_text(body, "value", required=True))
        elif purpose in ("commenting", "describing"):
            notes.append(_text(body, "value"))
        else:
            raise _Problem(f"a body has the purpose {purpose!r}, which readertui does not keep")
    return "\n\n".join(note for note in notes if note), normalise_tags(tags), tuple(links)
