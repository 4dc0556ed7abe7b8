"""Annotations as W3C Web Annotation JSON, and back (`readertui export --format json`, `import`).

An export is an `AnnotationCollection` with its one `AnnotationPage` embedded. Each annotation
has the motivation `highlighting`, a target naming its document (the path relative to the
library, percent-encoded, as the source id) with a `TextQuoteSelector` (exact, prefix, suffix)
and a `TextPositionSelector` (code-point offsets), for a converted document a
`FragmentSelector` naming the page or chapter in the file (`page=12` by RFC 8118 for a PDF, an
EPUB CFI for an EPUB chapter; an import ignores it, as any selector it does not use), the
colour as the target's `styleClass`, and bodies: the note (`commenting`, Markdown), one per tag
(`tagging`), one per link (`linking`). What the model has no term for (the text's hash,
orphaned, confidence) uses the `readertui:` prefix declared in the context. The library an
annotation belongs to is left out: its key is the folder's full path, which says more about the
user than notes shared should (a home folder, a user name), and an import gives every
annotation the library it is imported into. Reading accepts a collection (its items in an
embedded first page, or at its top level), a page, a list or a single annotation, checks
everything by the rules the store keeps annotations by, and reports the first problem with
where it is.

A document path that is not UTF-8 (a file name with an undecodable byte, held as a lone
surrogate) is percent-encoded from its bytes, and strings holding one are written with the
JSON escape (`\udce9`), so an import finds the same document again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote as percent_encoded
from urllib.parse import unquote_to_bytes

from readertui import __version__
from readertui.core.annotations import (
    COLORS,
    DEFAULT_COLOR,
    Annotation,
    DocumentRef,
    Quote,
    check_annotation,
    normalise_tags,
)
from readertui.core.visible import visible_line
from readertui.errors import ImportFileError
from readertui.store.atomic_storage import parse_json

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
READERTUI_NAMESPACE = "https://readertui.invalid/ns/annotation#"
CONTEXT = [W3C_CONTEXT, {"readertui": READERTUI_NAMESPACE}]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_UUID_PREFIX = "urn:uuid:"
_OTHER_ID_PREFIX = "urn:readertui:"
# Characters kept as they are in a document path used as the source id.
_PATH_SAFE = "/-._~!$&'()*+,;=:@"
# Control characters (C0, DEL, C1) have no place in a document path: it names export files.
_PATH_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


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


#: What a FragmentSelector's value conforms to: an EPUB CFI, else a PDF's fragment (RFC 8118,
#: which updates the RFC 3778 the Web Annotation model names for PDF fragments).
EPUB_CFI_SPEC = "http://www.idpf.org/epub/linking/cfi/epub-cfi.html"
PDF_FRAGMENT_SPEC = "http://tools.ietf.org/rfc/rfc3778"


def fragment_selector(fragment: str) -> dict[str, str]:
    """The FragmentSelector of a converted document's section ("page=12", "epubcfi(…)")."""
    spec = EPUB_CFI_SPEC if fragment.startswith("epubcfi(") else PDF_FRAGMENT_SPEC
    return {"type": "FragmentSelector", "value": fragment, "conformsTo": spec}


def to_web_annotation(annotation: Annotation, fragment: str = "") -> dict[str, Any]:
    """One annotation in the Web Annotation model; `fragment` is where its page or chapter
    is in a converted document's file ("page=12"), if it has one."""
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
            "id": source_id(annotation.doc.path),
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
    if fragment and not annotation.orphaned:
        item["target"]["selector"].append(fragment_selector(fragment))
    item["readertui:orphaned"] = annotation.orphaned
    item["readertui:confidence"] = annotation.confidence
    return item


def source_id(path: str) -> str:
    """A document path as the percent-encoded source id, from its bytes: a file name's
    undecodable byte (a lone surrogate, see os.fsdecode) is its own %XX."""
    return percent_encoded(_path_bytes(path), safe=_PATH_SAFE)


def path_of_source_id(source: str) -> str:
    """The document path of a source id written by `source_id` (ValueError if it has none)."""
    try:
        return unquote_to_bytes(_path_bytes(source)).decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise ValueError("it holds a lone surrogate that is not a file name's byte") from None


def _path_bytes(path: str) -> bytes:
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # A surrogate no file name gives (a hand-edited record): kept as UTF-16 would.
        return path.encode("utf-8", "surrogatepass")


def to_collection(
    annotations: Iterable[Annotation],
    generated: str,
    fragments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An AnnotationCollection holding `annotations` in one embedded page; `fragments` maps
    an annotation's id to its section's fragment (see `to_web_annotation`)."""
    fragments = fragments or {}
    items = [
        to_web_annotation(annotation, fragments.get(annotation.id, ""))
        for annotation in annotations
    ]
    return {
        "@context": CONTEXT,
        "type": "AnnotationCollection",
        "label": "readertui annotations",
        "generator": {"type": "Software", "name": "readertui", "readertui:version": __version__},
        "generated": generated,
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def collection_json(
    annotations: Iterable[Annotation],
    generated: str,
    fragments: Mapping[str, str] | None = None,
) -> str:
    """`to_collection` as JSON text: two-space indents, keys in a fixed order, a final newline.

    Non-ASCII text is written as it is (readable), but control characters, including the C1
    ones a terminal could obey, are escaped.
    """
    collection = to_collection(annotations, generated, fragments)
    text = json.dumps(collection, ensure_ascii=False, indent=2)
    # Lone surrogates (file names that are not UTF-8) only as escapes: UTF-8 cannot hold them.
    # C1 controls, bidi controls, line separators and lone surrogates as \u escapes: the
    # value is the same, and a terminal showing the file is never driven by it.
    escaped = "[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ud800-\udfff]"
    return re.sub(escaped, lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# -- reading ------------------------------------------------------------------------------


def parse_collection(text: str) -> list[Annotation]:
    """The annotations of an export's JSON text; raises ImportFileError with the first problem."""
    try:
        data = parse_json(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except ValueError as error:
        raise ImportFileError(f"not JSON that can be read: {error}") from None
    return parse_data(data)


def parse_data(data: object) -> list[Annotation]:
    """The annotations of an export already parsed from JSON (see `parse_collection`)."""
    items = _items_of(data)
    annotations: list[Annotation] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        try:
            annotation = from_web_annotation(item)
        except _Problem as problem:
            where = f"annotation {number}"
            if isinstance(item, Mapping) and isinstance(item.get("id"), str):
                where += f" ({visible_line(item['id'])})"
            raise ImportFileError(f"{where}: {problem}") from None
        if annotation.id in seen:
            raise ImportFileError(
                f"annotation {number}: the id {visible_line(annotation.id)} appears twice"
            )
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
        if first is None and "items" in data:
            # Not how the model nests them, but unambiguous: the collection holds its items.
            return _page_items(data, "the collection's items are not a list")
        if first is None and data.get("total", 0) == 0:
            return []
        if not isinstance(first, Mapping):
            raise ImportFileError(
                "the collection's annotations are not in the file (it has no items, and its "
                "first page is missing or only linked)"
            )
        items = _page_items(first)
        if first.get("next") is not None:
            raise ImportFileError("the collection has more pages than the file holds")
        return items
    raise ImportFileError(
        "not a Web Annotation export: the top level is not an AnnotationCollection, "
        "AnnotationPage, Annotation or list"
    )


def _page_items(
    page: Mapping[str, Any], problem: str = "the annotation page has no list of items"
) -> list[object]:
    items = page.get("items")
    if not isinstance(items, list):
        raise ImportFileError(problem)
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
    annotation = Annotation(
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
    try:
        # What the store would refuse to keep: a span too large, text that is not text.
        check_annotation(annotation)
    except ValueError as error:
        raise _Problem(str(error)) from None
    return annotation


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
    try:
        path = path_of_source_id(_text(source, "id", required=True))
    except ValueError as error:
        raise _Problem(f"its document path is not a file name: {error}") from None
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise _Problem(f"the document path {path!r} is not a plain path inside a library")
    if _PATH_CONTROLS.search(path):
        # It would become an export's file name, and reach terminals in listings.
        raise _Problem(f"the document path {path!r} holds a control character")
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
