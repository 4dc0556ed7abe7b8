"""The W3C Web Annotation JSON export and `readertui import` of it (PRODUCT 8).

What a user relies on: the JSON is a Web Annotation collection other tools can read; the
golden file shows it byte for byte; export → import into an empty database → export gives the
same text, and a second import adds nothing; annotations of documents that are not in the
library are kept, orphaned; a file that is wrong anywhere is rejected with a reason and
imports nothing; and an import never undoes a newer edit or a deletion made here.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readertui import __version__
from readertui.cli import main
from readertui.core.annotations import (
    COLORS,
    Annotation,
    DocumentRef,
    Quote,
    new_annotation,
    normalise_tags,
    quote_at,
)
from readertui.core.document import Document, load_document
from readertui.core.library import Library, scan_library
from readertui.errors import ImportFileError
from readertui.export import web_annotation
from readertui.export.exporting import ExportRequest, export_text
from readertui.export.importing import ImportResult, import_annotations, read_import_file
from readertui.export.web_annotation import collection_json, parse_collection
from readertui.store.store import Store

GOLDEN = Path(__file__).parent / "golden" / "library.json"
UPDATE_GOLDEN = os.environ.get("READERTUI_UPDATE_GOLDEN") == "1"
STAMP = "2026-01-02T03:04:05Z"
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

TEXTS = {
    "a.txt": (
        "Alpha\n\n"
        "The quick brown fox jumps over the lazy dog.\n"
        "A second line, with more words in it, and a comma or two.\n"
    ),
    "b.txt": (
        "Beta\n\n"
        "It was a bright cold day in April, and the clocks were striking thirteen.\n"
        "Winston Smith slipped quickly through the glass doors of Victory Mansions.\n"
    ),
    "c.txt": "Gamma\n\nNothing is highlighted in this one.\n",
}

ID_FOX = "11111111-1111-4111-8111-111111111111"
ID_DOG = "22222222-2222-4222-8222-222222222222"
ID_CLOCKS = "33333333-3333-4333-8333-333333333333"
ID_LOST = "44444444-4444-4444-8444-444444444444"


def at(day: int, hour: int = 0) -> str:
    """A fixed time in the form the store writes (microseconds, `Z`)."""
    return f"2025-06-{day:02d}T{hour:02d}:00:00.000000Z"


@dataclass(frozen=True)
class Shelf:
    """A small library written by the test, with its documents loaded."""

    root: Path
    library: Library
    documents: dict[str, Document]

    def highlight(self, rel_path: str, words: str, **fields: Any) -> Annotation:
        """A new highlight of the first occurrence of `words` in the document, of this
        library (as the reader makes them)."""
        document = self.documents[rel_path]
        start = document.text.index(words)
        ref = DocumentRef(rel_path, document.sha256, document.metadata.title, self.library.key)
        return new_annotation(document.text, ref, start, start + len(words), **fields)


def make_shelf(root: Path) -> Shelf:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in TEXTS.items():
        (root / name).write_text(text, encoding="utf-8")
    documents = {name: load_document(root / name, root) for name in TEXTS}
    return Shelf(root, scan_library(root), documents)


@pytest.fixture
def shelf(tmp_path: Path) -> Shelf:
    return make_shelf(tmp_path / "library")


def fixed_annotations(shelf: Shelf) -> list[Annotation]:
    """Annotations with fixed ids and times: two documents, a link, and one orphan."""
    fox = shelf.highlight(
        "a.txt",
        "quick brown fox",
        note="Why *this* matters.\n\nA second paragraph — with ünïcödé.",
        tags=("animal", "place/Jiayuguan"),
    )
    dog = shelf.highlight("a.txt", "lazy dog", color="green")
    clocks = shelf.highlight(
        "b.txt", "the clocks were striking thirteen", color="blue", note="Orwell", tags=("time",)
    )
    lost = Annotation(
        id=ID_LOST,
        doc=DocumentRef(
            "gone/missing file.txt", "0" * 64, "A document that moved away", shelf.library.key
        ),
        quote=Quote("words no longer here", "some ", " at all"),
        start=40,
        end=60,
        color="pink",
        note="Kept although its document is gone.",
        tags=("lost",),
        created=at(4),
        updated=at(4),
        orphaned=True,
        confidence=0.0,
    )
    return [
        replace(fox, id=ID_FOX, created=at(1, 10), updated=at(2, 11)),
        replace(dog, id=ID_DOG, links=(ID_CLOCKS,), created=at(1, 12), updated=at(1, 12)),
        replace(clocks, id=ID_CLOCKS, links=(ID_FOX,), created=at(3), updated=at(3, 9)),
        lost,
    ]


def saved_store(path: Path, annotations: list[Annotation]) -> Path:
    with Store(path) as store:
        store.save_annotations(annotations)
    return path


def export_json(shelf: Shelf, db: Path) -> str:
    with Store(db) as store:
        return export_text(shelf.library, store, ExportRequest(format="json"), exported=STAMP)


def records(db: Path) -> list[dict[str, Any]]:
    with Store(db) as store:
        return [annotation.to_record() for annotation in store.annotations()]


def import_file(shelf: Shelf, file: Path, db: Path) -> ImportResult:
    annotations = read_import_file(file)
    with Store(db) as store:
        return import_annotations(annotations, store, shelf.library)


def cli(*args: str) -> int:
    try:
        return main(list(args))
    except SystemExit as exit_info:
        return int(exit_info.code or 0)


# --- the Web Annotation model ---------------------------------------------------------------


def test_export_is_a_w3c_annotation_collection(shelf: Shelf, tmp_path: Path) -> None:
    db = saved_store(tmp_path / "db.json", fixed_annotations(shelf))
    data = json.loads(export_json(shelf, db))

    assert W3C_CONTEXT in data["@context"]
    assert data["type"] == "AnnotationCollection"
    assert data["generated"] == STAMP
    items = data["first"]["items"]
    assert data["first"]["type"] == "AnnotationPage"
    assert data["total"] == len(items) == 4
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {f"urn:uuid:{i}" for i in (ID_FOX, ID_DOG, ID_CLOCKS, ID_LOST)}
    for item in items:
        assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", item["id"])
        assert item["type"] == "Annotation"
        assert item["motivation"] == "highlighting"

    fox = by_id[f"urn:uuid:{ID_FOX}"]
    target = fox["target"]
    assert target["source"]["id"] == "a.txt"
    assert target["source"]["title"] == "Alpha"
    assert target["styleClass"] == "yellow"
    selectors = {selector["type"]: selector for selector in target["selector"]}
    quote = selectors["TextQuoteSelector"]
    assert quote["exact"] == "quick brown fox"
    assert quote["prefix"] == "Alpha\n\nThe "
    assert quote["suffix"].startswith(" jumps over the lazy dog.")
    position = selectors["TextPositionSelector"]
    start = TEXTS["a.txt"].index("quick brown fox")
    assert (position["start"], position["end"]) == (start, start + len("quick brown fox"))
    assert TEXTS["a.txt"][position["start"] : position["end"]] == quote["exact"]

    bodies = fox["body"]
    notes = [body for body in bodies if body["purpose"] == "commenting"]
    assert notes == [
        {
            "type": "TextualBody",
            "purpose": "commenting",
            "format": "text/markdown",
            "value": "Why *this* matters.\n\nA second paragraph — with ünïcödé.",
        }
    ]
    tags = [body for body in bodies if body["purpose"] == "tagging"]
    assert [body["type"] for body in tags] == ["TextualBody", "TextualBody"]
    assert [body["value"] for body in tags] == ["animal", "place/Jiayuguan"]

    dog = by_id[f"urn:uuid:{ID_DOG}"]
    assert dog["target"]["styleClass"] == "green"
    assert [body["purpose"] for body in dog["body"]] == ["linking"]
    assert dog["body"][0]["source"] == f"urn:uuid:{ID_CLOCKS}"

    lost = by_id[f"urn:uuid:{ID_LOST}"]
    assert lost["readertui:orphaned"] is True
    assert fox["readertui:orphaned"] is False


def test_export_names_the_readertui_version_that_wrote_it(shelf: Shelf, tmp_path: Path) -> None:
    db = saved_store(tmp_path / "db.json", fixed_annotations(shelf))
    data = json.loads(export_json(shelf, db))
    assert data["generator"]["name"] == "readertui"
    assert data["generator"]["readertui:version"] == __version__


def test_export_matches_the_golden_file(
    shelf: Shelf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A release changes the version, not the format: the golden file holds a fixed one.
    monkeypatch.setattr(web_annotation, "__version__", "0.0.0+golden")
    db = saved_store(tmp_path / "db.json", fixed_annotations(shelf))
    text = export_json(shelf, db)
    if UPDATE_GOLDEN:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8", newline="\n")
        pytest.skip(f"rewrote {GOLDEN}")
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        "the JSON export changed; if that is intended, rerun with READERTUI_UPDATE_GOLDEN=1 "
        "and review the diff of tests/export/golden/library.json"
    )


# --- round trips ----------------------------------------------------------------------------


def test_export_import_into_an_empty_database_gives_the_same_annotations(
    shelf: Shelf, tmp_path: Path
) -> None:
    source = saved_store(tmp_path / "source.json", fixed_annotations(shelf))
    exported = tmp_path / "export.json"
    exported.write_text(export_json(shelf, source), encoding="utf-8")

    fresh = tmp_path / "fresh.json"
    first = import_file(shelf, exported, fresh)
    assert (first.added, first.updated, first.unchanged, first.refused) == (4, 0, 0, 0)
    assert first.not_in_library == 1
    after_first = records(fresh)
    assert after_first == records(source)

    second = import_file(shelf, exported, fresh)
    assert (second.added, second.updated, second.refused) == (0, 0, 0)
    assert second.unchanged == 4
    assert "0 added, 0 updated, 4 unchanged" in second.summary(exported)
    assert records(fresh) == after_first
    assert export_json(shelf, fresh) == export_json(shelf, source)


def test_annotations_of_a_document_not_in_the_library_are_kept_orphaned(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    placed = shelf.highlight("b.txt", "bright cold day")
    elsewhere = replace(
        placed,
        id=str(uuid.uuid4()),
        doc=DocumentRef("other/shelf.txt", placed.doc.sha256, "Elsewhere"),
    )
    assert not elsewhere.orphaned
    file = tmp_path / "in.json"
    file.write_text(collection_json([placed, elsewhere], STAMP), encoding="utf-8")
    db = tmp_path / "db.json"

    result = import_file(shelf, file, db)
    assert (result.added, result.not_in_library) == (2, 1)
    assert "1 for documents not in the library (orphaned)" in result.summary(file)
    with Store(db) as store:
        kept = store.annotation(elsewhere.id)
        assert store.annotation(placed.id) == placed
    assert kept is not None
    assert kept.orphaned is True
    assert kept.quote == elsewhere.quote
    assert kept.doc.path == "other/shelf.txt"

    args = ["--library", str(shelf.root), "--db", str(db)]
    assert cli("list", "annotations", *args) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row[:2] for row in rows] == [
        ["b.txt:3", placed.id],
        ["other/shelf.txt:orphaned", elsewhere.id],
    ]
    assert rows[1][2] == "“bright cold day”"


# --- Hypothesis: any annotation survives the round trip ------------------------------------

_CONTROLS = "\x00\x07\x08\t\n\r\x1b\x7f\x85\x9b\u2028\u2029"
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(_CONTROLS + 'ab #/é\U0001f600[]*\\"'), max_size=20),
)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC).isoformat(timespec="microseconds")[:-6] + "Z"
)
ids = st.uuids(version=4).map(str)
tag_lists = st.lists(st.text(max_size=12), max_size=4).map(normalise_tags)
# File names as os.fsdecode gives them: any bytes, UTF-8 where they decode, each byte that does
# not as a lone surrogate (U+DC80..U+DCFF). No control characters: an import refuses them.
name_pieces = st.one_of(
    st.characters(blacklist_categories=("Cc", "Cs")).map(lambda char: char.encode("utf-8")),
    st.integers(min_value=0x80, max_value=0xFF).map(lambda byte: bytes([byte])),
)
path_parts = (
    st.lists(name_pieces, min_size=1, max_size=8)
    .map(lambda pieces: b"".join(pieces).decode("utf-8", "surrogateescape"))
    .filter(lambda part: "/" not in part and part not in (".", ".."))
    .filter(lambda part: not re.search("[\x00-\x1f\x7f-\x9f]", part))
)
doc_paths = st.lists(path_parts, min_size=1, max_size=3).map("/".join)


@st.composite
def stored_annotations(draw: st.DrawFn) -> Annotation:
    """Any annotation in the form the store keeps it (tags normalised, `updated` set)."""
    start = draw(st.integers(min_value=0, max_value=10**6))
    return Annotation(
        id=draw(ids),
        doc=DocumentRef(draw(doc_paths), draw(st.text(max_size=64)), draw(texts)),
        quote=Quote(draw(texts.filter(bool)), draw(texts), draw(texts)),
        start=start,
        end=start + draw(st.integers(min_value=0, max_value=1000)),
        color=draw(st.sampled_from(COLORS)),
        note=draw(texts),
        tags=draw(tag_lists),
        links=tuple(draw(st.lists(ids, max_size=3))),
        created=draw(st.one_of(st.just(""), times)),
        updated=draw(times),
        orphaned=draw(st.booleans()),
        confidence=draw(st.floats(min_value=0.0, max_value=1.0)),
    )


@given(st.lists(stored_annotations(), max_size=6, unique_by=lambda a: a.id), times)
@settings(max_examples=150, deadline=None)
def test_parse_collection_reads_back_what_collection_json_wrote(
    annotations: list[Annotation], generated: str
) -> None:
    text = collection_json(annotations, generated)
    # No raw control character (C0, DEL, C1) reaches the file: it may be printed (-o -).
    assert not re.search("[\x00-\x1f\x7f-\x9f]", text.replace("\n", ""))
    assert parse_collection(text) == annotations


@st.composite
def library_annotations(draw: st.DrawFn, shelf: Shelf) -> Annotation:
    """A highlight of a span of a library document, or of a document not in the library."""
    where = draw(st.sampled_from([*shelf.documents, "gone/away.txt"]))
    document = shelf.documents.get(where)
    if document is None:
        ref = DocumentRef(where, draw(st.text(max_size=8)), draw(texts))
        quote = Quote(draw(texts.filter(bool)), draw(texts), draw(texts))
        start = draw(st.integers(min_value=0, max_value=500))
        end = start + len(quote.exact)
    else:
        length = len(document.text)
        start = draw(st.integers(min_value=0, max_value=length - 1))
        end = draw(st.integers(min_value=start + 1, max_value=min(length, start + 30)))
        ref = DocumentRef(where, document.sha256, document.metadata.title)
        quote = quote_at(document.text, start, end)
    return Annotation(
        id=draw(ids),
        doc=ref,
        quote=quote,
        start=start,
        end=end,
        color=draw(st.sampled_from(COLORS)),
        note=draw(texts),
        tags=draw(tag_lists),
        links=tuple(draw(st.lists(ids, max_size=2))),
        created=draw(times),
        updated=draw(times),
        orphaned=draw(st.booleans()),
        confidence=draw(st.floats(min_value=0.0, max_value=1.0)),
    )


@given(data=st.data())
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_export_import_export_gives_the_same_json(
    shelf: Shelf, tmp_path: Path, data: st.DataObject
) -> None:
    annotations = data.draw(
        st.lists(library_annotations(shelf), max_size=6, unique_by=lambda a: a.id)
    )
    run = tmp_path / uuid.uuid4().hex
    run.mkdir()
    first = export_json(shelf, saved_store(run / "source.json", annotations))
    file = run / "export.json"
    file.write_text(first, encoding="utf-8")

    fresh = run / "fresh.json"
    result = import_file(shelf, file, fresh)
    assert result.added == len(annotations)
    assert export_json(shelf, fresh) == first

    again = import_file(shelf, file, fresh)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(annotations))


def test_a_tag_survives_export_and_import(shelf: Shelf, tmp_path: Path) -> None:
    highlight = shelf.highlight("a.txt", "quick brown fox", tags=["# #hash"])
    source = saved_store(tmp_path / "source.json", [highlight])
    file = tmp_path / "export.json"
    file.write_text(export_json(shelf, source), encoding="utf-8")
    fresh = tmp_path / "fresh.json"
    import_file(shelf, file, fresh)
    assert records(fresh) == records(source)


@pytest.mark.skipif(os.name == "nt", reason="a backslash separates folders on Windows")
def test_a_document_named_with_a_backslash_survives_export_and_import(tmp_path: Path) -> None:
    name = "back\\slash.txt"
    root = tmp_path / "library"
    root.mkdir()
    (root / name).write_text("Title\n\nSome words to highlight.\n", encoding="utf-8")
    shelf = Shelf(root, scan_library(root), {name: load_document(root / name, root)})
    assert shelf.library.find(name) is not None
    source = saved_store(tmp_path / "source.json", [shelf.highlight(name, "words")])
    file = tmp_path / "export.json"
    file.write_text(export_json(shelf, source), encoding="utf-8")
    fresh = tmp_path / "fresh.json"
    import_file(shelf, file, fresh)
    assert records(fresh) == records(source)


# --- malformed files: a reason, and nothing imported ---------------------------------------


def valid_export(shelf: Shelf) -> dict[str, Any]:
    """A valid export of the fixed annotations, as data to spoil."""
    annotations = [a for a in fixed_annotations(shelf) if a.id != ID_LOST]
    return json.loads(collection_json(annotations, STAMP))


def spoil(change: Callable[[dict[str, Any]], object]) -> Callable[[Shelf], bytes]:
    def build(shelf: Shelf) -> bytes:
        data = valid_export(shelf)
        change(data)
        return json.dumps(data).encode("utf-8")

    return build


def first_item(data: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = data["first"]["items"][0]
    return item


def position_selector(data: dict[str, Any]) -> dict[str, Any]:
    selectors = first_item(data)["target"]["selector"]
    found: dict[str, Any] = next(s for s in selectors if s["type"] == "TextPositionSelector")
    return found


def drop_quote_selector(data: dict[str, Any]) -> None:
    target = first_item(data)["target"]
    target["selector"] = [s for s in target["selector"] if s["type"] != "TextQuoteSelector"]


def set_position(start: object, end: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        position_selector(data).update(start=start, end=end)

    return change


def set_source(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        first_item(data)["target"]["source"]["id"] = path

    return change


def duplicate_last(data: dict[str, Any]) -> None:
    items = data["first"]["items"]
    items.append(dict(items[-1]))


def spoil_last(data: dict[str, Any]) -> None:
    data["first"]["items"][-1]["target"]["styleClass"] = "mauve"


def set_colour(data: dict[str, Any]) -> None:
    first_item(data)["target"]["styleClass"] = "orange"


def set_note(note: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        first_item(data)["body"] = [{"type": "TextualBody", "purpose": "commenting", "value": note}]

    return change


def set_quote(exact: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        selectors = first_item(data)["target"]["selector"]
        next(s for s in selectors if s["type"] == "TextQuoteSelector")["exact"] = exact

    return change


def add_tag(tag: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        first_item(data)["body"] = [{"type": "TextualBody", "purpose": "tagging", "value": tag}]

    return change


def items_not_a_list(data: dict[str, Any]) -> None:
    data["items"] = data.pop("first")


def no_items_anywhere(data: dict[str, Any]) -> None:
    del data["first"]


def huge_number(shelf: Shelf) -> bytes:
    text = json.dumps(valid_export(shelf))
    return text.replace('"startIndex": 0', '"startIndex": ' + "9" * 5000).encode("utf-8")


def at_position(start: int) -> Callable[[dict[str, Any]], None]:
    return set_position(start, start + 1)


# The names of the first annotation of `valid_export`, as a reason must show it.
FIRST = "annotation 1 (urn:uuid:"

MALFORMED: dict[str, tuple[Callable[[Shelf], bytes], str]] = {
    "not JSON": (lambda shelf: b"{not json", "not JSON"),
    "a JSON string": (lambda shelf: b'"annotations"', "not a Web Annotation export"),
    "a JSON number": (lambda shelf: b"42", "not a Web Annotation export"),
    "an object of another type": (
        lambda shelf: b'{"type": "Playlist", "items": []}',
        "not a Web Annotation export",
    ),
    "no TextQuoteSelector": (spoil(drop_quote_selector), "TextQuoteSelector"),
    "start after end": (spoil(set_position(9, 3)), "TextPositionSelector"),
    "negative start": (spoil(set_position(-1, 3)), "TextPositionSelector"),
    "a bool as end": (spoil(set_position(0, True)), "TextPositionSelector"),
    "a duplicate id": (spoil(duplicate_last), "appears twice"),
    "a path out of the library": (spoil(set_source("../etc/passwd")), "not a plain path"),
    "an encoded path out": (spoil(set_source("%2E%2E/etc/passwd")), "not a plain path"),
    "an absolute path": (spoil(set_source("/etc/passwd")), "not a plain path"),
    "an unknown colour": (spoil(set_colour), "unknown colour"),
    "one bad item among good ones": (spoil(spoil_last), "annotation 3"),
    "non-UTF-8 bytes": (
        lambda shelf: json.dumps(valid_export(shelf), ensure_ascii=False).encode("cp1252"),
        "not UTF-8",
    ),
    "a 5,000-digit number": (huge_number, "a whole number has more than 4300 digits"),
    "NaN": (lambda shelf: b'{"type": "AnnotationCollection", "total": NaN}', "NaN is not"),
    "a number too large for a float": (
        lambda shelf: b'{"type": "Annotation", "x": 1e999}',
        "the number 1e999 is too large",
    ),
    "a start past any document": (spoil(at_position(10**30)), "'start' is a number of"),
    "a lone surrogate in a note": (
        spoil(set_note("caf\udce9")),
        f"{FIRST}{ID_FOX}): its note holds a lone surrogate",
    ),
    "a lone surrogate in a quote": (
        spoil(set_quote("\ud800x")),
        "its quote holds a lone surrogate",
    ),
    "a lone surrogate in a tag": (spoil(add_tag("\udfff")), "its tags holds a lone surrogate"),
    "a newline in a path": (spoil(set_source("notes/a%0Ab.txt")), "holds a control character"),
    "a raw newline in a path": (spoil(set_source("a\nb.txt")), "holds a control character"),
    "an escape in a path": (spoil(set_source("a%1B]2;x%07.txt")), "holds a control character"),
    "DEL in a path": (spoil(set_source("a\x7f.txt")), "holds a control character"),
    "a C1 control in a path": (spoil(set_source("a%C2%9B.txt")), "holds a control character"),
    "collection items that are not a list": (
        spoil(items_not_a_list),
        "the collection's items are not a list",
    ),
    "a collection with no items anywhere": (
        spoil(no_items_anywhere),
        "it has no items, and its first page is missing",
    ),
}


def one_error_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_file_is_rejected_with_a_reason_and_imports_nothing(
    case: str, shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, reason = MALFORMED[case]
    file = tmp_path / "import.json"
    file.write_bytes(build(shelf))
    with pytest.raises(ImportFileError, match=re.escape(reason)):
        read_import_file(file)

    missing = tmp_path / "never" / "db.json"
    assert cli("import", "--library", str(shelf.root), "--db", str(missing), str(file)) == 1
    err = one_error_line(capsys.readouterr().err)
    assert reason in err and str(file) in err
    assert not missing.exists()
    assert not missing.parent.exists()

    db = saved_store(tmp_path / "db.json", [shelf.highlight("c.txt", "Nothing")])
    before = db.read_bytes()
    assert cli("import", "--library", str(shelf.root), "--db", str(db), str(file)) == 1
    assert reason in one_error_line(capsys.readouterr().err)
    assert db.read_bytes() == before


def test_the_file_the_malformed_cases_spoil_imports_as_it_is(shelf: Shelf, tmp_path: Path) -> None:
    # The malformed cases start from this file: it must import, or they prove nothing.
    file = tmp_path / "import.json"
    file.write_text(json.dumps(valid_export(shelf)), encoding="utf-8")
    result = import_file(shelf, file, tmp_path / "db.json")
    assert result.added == 3


def test_a_collection_with_its_items_at_the_top_level_imports_them(
    shelf: Shelf, tmp_path: Path
) -> None:
    data = valid_export(shelf)
    data["items"] = data.pop("first")["items"]  # no `first` page: the items sit in the collection
    file = tmp_path / "flat.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    result = import_file(shelf, file, tmp_path / "db.json")
    assert (result.added, result.updated, result.unchanged) == (3, 0, 0)
    with Store(tmp_path / "db.json") as store:
        assert {a.id for a in store.annotations()} == {ID_FOX, ID_DOG, ID_CLOCKS}


def test_an_empty_collection_imports_nothing_and_says_so(shelf: Shelf, tmp_path: Path) -> None:
    file = tmp_path / "empty.json"
    file.write_text('{"type": "AnnotationCollection", "total": 0}', encoding="utf-8")
    result = import_file(shelf, file, tmp_path / "db.json")
    assert result.summary(file) == f"imported {file}: 0 added, 0 updated, 0 unchanged"


def test_a_folder_is_not_an_import_file(
    shelf: Shelf, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "export.json"
    folder.mkdir()
    db = tmp_path / "db.json"
    assert cli("import", "--library", str(shelf.root), "--db", str(db), str(folder)) == 1
    assert "is a folder" in one_error_line(capsys.readouterr().err)
    assert not db.exists()


# --- an import never undoes a newer change here ---------------------------------------------


def write_export(path: Path, annotations: list[Annotation]) -> Path:
    path.write_text(collection_json(annotations, STAMP), encoding="utf-8")
    return path


def test_an_older_import_does_not_overwrite_a_newer_edit(shelf: Shelf, tmp_path: Path) -> None:
    old = replace(shelf.highlight("a.txt", "lazy dog", note="first thought"), updated=at(1))
    newer = replace(old, note="second thought", tags=("revised",), updated=at(5))
    db = saved_store(tmp_path / "db.json", [newer])
    file = write_export(tmp_path / "old.json", [old])

    result = import_file(shelf, file, db)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    with Store(db) as store:
        assert store.annotation(old.id) == newer


def test_a_newer_import_updates_the_database(shelf: Shelf, tmp_path: Path) -> None:
    old = replace(shelf.highlight("a.txt", "lazy dog", note="first thought"), updated=at(1))
    newer = replace(old, note="second thought", color="purple", updated=at(5))
    db = saved_store(tmp_path / "db.json", [old])
    file = write_export(tmp_path / "new.json", [newer])

    result = import_file(shelf, file, db)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
    assert "1 updated" in result.summary(file)
    with Store(db) as store:
        assert store.annotation(old.id) == newer


def test_an_annotation_deleted_here_is_not_resurrected(shelf: Shelf, tmp_path: Path) -> None:
    gone = replace(shelf.highlight("b.txt", "Victory Mansions"), updated=at(1))
    kept = replace(shelf.highlight("b.txt", "bright cold day"), updated=at(1))
    db = saved_store(tmp_path / "db.json", [gone, kept])
    file = write_export(tmp_path / "backup.json", [gone, kept])
    with Store(db) as store:
        store.delete_annotation(gone.id, when=at(2))

    result = import_file(shelf, file, db)
    assert (result.added, result.updated, result.unchanged, result.refused) == (0, 0, 1, 1)
    assert "1 deleted here, not restored" in result.summary(file)
    with Store(db) as store:
        assert store.annotation(gone.id) is None
        assert store.annotations() == [kept]


def test_a_copy_from_the_same_moment_does_not_replace_ours(shelf: Shelf, tmp_path: Path) -> None:
    """An export made where the document was missing marks the note orphaned; importing it
    where the document is must not orphan ours, which was placed in the real text."""
    ours = replace(shelf.highlight("a.txt", "lazy dog", note="thought"), updated=at(3))
    theirs = replace(ours, orphaned=True, confidence=0.0)
    db = saved_store(tmp_path / "db.json", [ours])
    file = write_export(tmp_path / "elsewhere.json", [theirs])

    result = import_file(shelf, file, db)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 1)
    with Store(db) as store:
        assert store.annotation(ours.id) == ours


def test_annotations_made_by_another_tool_are_placed_as_they_are_imported(
    tmp_path: Path,
) -> None:
    """Another tool keeps 10 characters of context, straight quotation marks where the text
    has curly ones, offsets of a slightly different text and no hash. The import places
    each where its quote is, with readertui's own quote and context; one whose quote is not
    in the document is kept orphaned, and the summary says so."""
    root = tmp_path / "library"
    root.mkdir()
    text = (
        "Chapter One\n\n"
        "“We learned from the experiences of the Soviet Union,” he said. "
        "“China saved socialism.”\n\n"
        "The molten salt plant stands outside Dunhuang, in the desert.\n"
    )
    (root / "notes.txt").write_text(text, encoding="utf-8")
    library = scan_library(root)

    def made_elsewhere(exact: str, at: int, name: str) -> dict[str, Any]:
        start = text.index(exact.replace('"', "”")) if at < 0 else at
        return {
            "type": "Annotation",
            "id": f"https://elsewhere.example/annotations/{name}",
            "created": "2025-03-04T05:06:07Z",
            "target": {
                "source": "notes.txt",
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": exact,
                        "prefix": text[max(0, start - 10) : start].replace("“", '"'),
                        "suffix": text[start + len(exact) : start + len(exact) + 10],
                    },
                    # Offsets of the text as the other tool saw it: three characters off.
                    {"type": "TextPositionSelector", "start": start + 3, "end": start + 3},
                ],
            },
        }

    items = [
        made_elsewhere('China saved socialism."', -1, "china"),
        made_elsewhere("molten salt plant", -1, "salt"),
        made_elsewhere("a quotation nowhere in it", 20, "nowhere"),
    ]
    for item in items:
        selector = item["target"]["selector"][1]
        selector["end"] = selector["start"] + len(item["target"]["selector"][0]["exact"])
    file = tmp_path / "elsewhere.json"
    file.write_text(json.dumps({"type": "AnnotationCollection", "items": items}), "utf-8")
    db = tmp_path / "db.json"

    with Store(db) as store:
        result = import_annotations(read_import_file(file), store, library)
        china, salt, nowhere = (
            store.annotation(f"https://elsewhere.example/annotations/{name}")
            for name in ("china", "salt", "nowhere")
        )
    assert (result.added, result.not_found) == (3, 1)
    assert result.summary(file).endswith("; 1 whose quote is not in its document (orphaned)")
    for placed, words in ((china, "China saved socialism.”"), (salt, "molten salt plant")):
        assert placed is not None and not placed.orphaned
        assert text[placed.start : placed.end] == words
        assert placed.quote == quote_at(text, placed.start, placed.end)
        assert placed.doc.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert nowhere is not None and nowhere.orphaned
    assert nowhere.quote.exact == "a quotation nowhere in it"
