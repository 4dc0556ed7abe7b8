"""Each library its own namespace: two libraries with an `a.txt` never share notes, positions,
tags or the document read last, and records made before libraries had identities (legacy, no
library) still show in every library that has their path (issue 8, item 9)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.annotations import Annotation
from readertui.store.layout import (
    check_changes,
    document_key,
    last_document_key,
    record_key,
)
from readertui.store.merge import Snapshot
from readertui.store.store import SCHEMA_VERSION, Store
from tests.store.builders import annotation, stamp

HOME = "/home/reader/reading"
WORK = "/srv/work/reports"


def of_library(highlight: Annotation, library: str) -> Annotation:
    return replace(highlight, doc=replace(highlight.doc, library=library))


def saved(db_path: Path) -> Any:
    return json.loads(db_path.read_text(encoding="utf-8"))


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


# --- annotations -------------------------------------------------------------------------------


def test_one_library_never_sees_another_s_annotations_of_the_same_path(db_path: Path) -> None:
    home = of_library(annotation("a.txt", note="home's"), HOME)
    work = of_library(annotation("a.txt", note="work's"), WORK)
    with Store(db_path) as store:
        store.save_annotations([home, work])
    with Store(db_path) as store:
        assert store.annotations("a.txt", library=HOME) == [home]
        assert store.annotations(library=WORK) == [work]
        assert store.annotations("a.txt", library="/elsewhere") == []
        # Without a library: everything, as before (the strays list, `list problems`).
        assert {a.id for a in store.annotations()} == {home.id, work.id}
        assert {a.id for a in store.annotations("a.txt")} == {home.id, work.id}


def test_a_legacy_annotation_shows_in_every_library_with_its_path(db_path: Path) -> None:
    legacy = annotation("a.txt", note="made before libraries had keys")
    home = of_library(annotation("a.txt", 10, 15), HOME)
    with Store(db_path) as store:
        store.save_annotations([legacy, home])
        assert store.annotations("a.txt", library=HOME) == [legacy, home]
        assert store.annotations("a.txt", library=WORK) == [legacy]
        # "" asks for the legacy annotations only.
        assert store.annotations(library="") == [legacy]


def test_the_library_is_kept_in_the_record_and_survives_reopening(db_path: Path) -> None:
    home = of_library(annotation("a.txt"), HOME)
    with Store(db_path) as store:
        store.save_annotation(home)
    (record,) = saved(db_path)["annotations"].values()
    assert record["doc"]["library"] == HOME
    with Store(db_path) as store:
        assert store.annotation(home.id) == home
        assert store.annotations(library=HOME)[0].doc.library == HOME


def test_tags_are_counted_per_library(db_path: Path) -> None:
    with Store(db_path) as store:
        store.save_annotations(
            [
                of_library(annotation("a.txt", tags=("river",)), HOME),
                of_library(annotation("a.txt", tags=("river", "mine")), WORK),
                annotation("b.txt", tags=("old",)),  # legacy: counted everywhere
            ]
        )
        assert store.tags(library=HOME) == {"old": 1, "river": 1}
        assert store.tags(library=WORK) == {"mine": 1, "old": 1, "river": 1}
        assert store.tags() == {"mine": 1, "old": 1, "river": 2}
        # The counts are cached per library: asking again gives the same.
        assert store.tags(library=HOME) == {"old": 1, "river": 1}


# --- documents and the session -----------------------------------------------------------------


def test_reading_positions_and_tags_are_per_library(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_reading_position("a.txt", 100, library=HOME)
        store.set_reading_position("a.txt", 200, library=WORK)
        store.set_document_tags("a.txt", ["poem"], library=HOME)
    with Store(db_path) as store:
        assert store.reading_position("a.txt", library=HOME) == 100
        assert store.reading_position("a.txt", library=WORK) == 200
        assert store.reading_position("a.txt", library="/elsewhere") is None
        assert store.document_tags("a.txt", library=HOME) == ("poem",)
        assert store.document_tags("a.txt", library=WORK) == ()
    records = sorted(saved(db_path)["documents"].values(), key=lambda r: r["library"])
    assert [(r["library"], r["path"], r["position"]) for r in records] == [
        (HOME, "a.txt", 100),
        (WORK, "a.txt", 200),
    ]


def test_a_library_reads_the_legacy_record_until_it_has_its_own(db_path: Path) -> None:
    with Store(db_path) as store:
        store.set_reading_position("a.txt", 50)  # legacy: no library
        store.set_document_tags("a.txt", ["old"])
        assert store.reading_position("a.txt", library=HOME) == 50
        assert store.document_tags("a.txt", library=HOME) == ("old",)
        store.set_reading_position("a.txt", 70, library=HOME)
        # Its own position now; its tags are still the legacy ones (it set none).
        assert store.reading_position("a.txt", library=HOME) == 70
        assert store.document_tags("a.txt", library=HOME) == ("old",)
        store.set_document_tags("a.txt", [], library=HOME)
        assert store.document_tags("a.txt", library=HOME) == ()
        # The legacy record is never changed by a library: another library still reads it.
        assert store.reading_position("a.txt", library=WORK) == 50
        assert store.document_tags("a.txt", library=WORK) == ("old",)
        assert store.reading_position("a.txt") == 50


def test_the_document_read_last_is_per_library_with_the_legacy_one_as_fallback(
    db_path: Path,
) -> None:
    with Store(db_path) as store:
        store.set_last_document("old.txt")  # legacy
        store.set_last_document("a.txt", library=HOME)
        store.set_last_document("b.txt", library=WORK)
    with Store(db_path) as store:
        assert store.last_document(library=HOME) == "a.txt"
        assert store.last_document(library=WORK) == "b.txt"
        assert store.last_document(library="/new") == "old.txt"
        assert store.last_document() == "old.txt"
    keys = {record["key"] for record in saved(db_path)["session"].values()}
    assert keys == {"last_document", last_document_key(HOME), last_document_key(WORK)}


# --- the file format ---------------------------------------------------------------------------

# What readertui wrote with schema 2, before libraries had identities.
SCHEMA_2: dict[str, Any] = {
    "_meta": {"1": {"schema": 2}},
    "annotations": {"1": annotation("a.txt", id="old-1", tags=("t",)).to_record()},
    "tombstones": {"1": {"id": "gone", "deleted": stamp(5)}},
    "documents": {
        "1": {"path": "a.txt", "position": 12, "tags": ["x"], "tags_updated": stamp(1)},
        "2": {"path": "b.txt", "tags": []},
    },
    "session": {"1": {"key": "last_document", "value": "a.txt", "updated": stamp(2)}},
}


def test_a_schema_2_file_keeps_every_record_as_a_legacy_one(db_path: Path) -> None:
    write_json(db_path, SCHEMA_2)
    with Store(db_path) as store:
        assert [a.id for a in store.annotations("a.txt", library=HOME)] == ["old-1"]
        assert store.reading_position("a.txt", library=HOME) == 12
        assert store.document_tags("a.txt", library=WORK) == ("x",)
        assert store.last_document(library=HOME) == "a.txt"
        store.set_reading_position("b.txt", 3, library=HOME)
    data = saved(db_path)
    assert data["_meta"] == {"1": {"schema": SCHEMA_VERSION}}
    assert SCHEMA_VERSION == 3
    for table in ("annotations", "tombstones", "session"):
        assert data[table] == SCHEMA_2[table]
    # The old records stay as they were, at their numbers; the library's is a new one.
    assert data["documents"]["1"] == SCHEMA_2["documents"]["1"]
    assert data["documents"]["2"] == SCHEMA_2["documents"]["2"]
    assert data["documents"]["3"]["library"] == HOME
    assert data["documents"]["3"]["position"] == 3


def test_a_document_record_with_a_library_that_is_not_text_is_kept_and_reported(
    db_path: Path,
) -> None:
    bad = {"library": 7, "path": "a.txt", "position": 1, "position_updated": stamp(1)}
    write_json(db_path, {"_meta": {"1": {"schema": SCHEMA_VERSION}}, "documents": {"1": bad}})
    with Store(db_path) as store:
        assert [(p.table, p.name) for p in store.problems] == [("documents", "a.txt")]
        assert "'library'" in store.problems[0].reason
        store.set_reading_position("a.txt", 9, library=HOME)
    assert saved(db_path)["documents"]["1"] == bad


def test_two_processes_keep_two_libraries_documents_apart(db_path: Path) -> None:
    with Store(db_path) as one, Store(db_path) as two:
        one.set_reading_position("a.txt", 1, library=HOME)
        two.set_reading_position("a.txt", 2, library=WORK)
        one.set_document_tags("a.txt", ["mine"], library=HOME)
        assert one.reading_position("a.txt", library=WORK) == 2
    with Store(db_path) as store:
        assert store.reading_position("a.txt", library=HOME) == 1
        assert store.reading_position("a.txt", library=WORK) == 2
        assert store.document_tags("a.txt", library=WORK) == ()


# --- keys and merged changes -------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    first=st.tuples(st.text(max_size=8), st.text(max_size=8)),
    second=st.tuples(st.text(max_size=8), st.text(max_size=8)),
)
def test_document_key_is_injective(first: tuple[str, str], second: tuple[str, str]) -> None:
    assert (document_key(*first) == document_key(*second)) == (first == second)


@settings(max_examples=200, deadline=None)
@given(first=st.text(max_size=12), second=st.text(max_size=12))
def test_last_document_key_is_injective(first: str, second: str) -> None:
    assert (last_document_key(first) == last_document_key(second)) == (first == second)


def test_the_edge_cases_of_document_key_stay_apart() -> None:
    pairs = [("", "a.txt"), ("a.txt", ""), ("", "\0a.txt"), ("\0", "a.txt"), ("", '\0["", "a"]')]
    pairs += [("", '["", "a"]'), ("a", "b/c"), ("a/b", "c")]
    assert len({document_key(*pair) for pair in pairs}) == len(pairs)
    # Legacy records keep their path as their key, as before libraries had identities.
    assert document_key("", "notes/a.txt") == "notes/a.txt"
    assert last_document_key("") == "last_document"


def test_a_record_s_key_is_its_library_and_path() -> None:
    assert record_key("documents", {"path": "a.txt"}) == document_key("", "a.txt")
    assert record_key("documents", {"library": HOME, "path": "a.txt"}) == document_key(
        HOME, "a.txt"
    )
    assert record_key("documents", {"library": 3, "path": "a.txt"}) is None
    assert record_key("session", {"key": last_document_key(HOME)}) == last_document_key(HOME)


def test_merged_changes_keep_two_libraries_documents_apart(db_path: Path) -> None:
    home = {"library": HOME, "path": "a.txt", "position": 5, "position_updated": stamp(1)}
    work = {"library": WORK, "path": "a.txt", "tags": ["w"], "tags_updated": stamp(1)}
    legacy = {"path": "a.txt", "position": 9, "position_updated": stamp(1)}
    session = {"key": last_document_key(HOME), "value": "a.txt", "updated": stamp(1)}
    changes = Snapshot(
        documents={
            document_key(HOME, "a.txt"): home,
            document_key(WORK, "a.txt"): work,
            document_key("", "a.txt"): legacy,
        },
        session={last_document_key(HOME): session},
    )
    with Store(db_path) as store:
        store.merge_changes(changes)
    with Store(db_path) as store:
        assert store.reading_position("a.txt", library=HOME) == 5
        assert store.reading_position("a.txt", library=WORK) == 9  # the legacy one
        assert store.document_tags("a.txt", library=WORK) == ("w",)
        assert store.document_tags("a.txt", library=HOME) == ()
        assert store.last_document(library=HOME) == "a.txt"
        assert store.last_document(library=WORK) is None
    assert len(saved(db_path)["documents"]) == 3


def test_a_document_change_under_another_key_is_refused() -> None:
    record = {"library": HOME, "path": "a.txt", "position": 5, "position_updated": stamp(1)}
    for wrong in ("a.txt", document_key(WORK, "a.txt"), document_key(HOME, "b.txt")):
        try:
            check_changes(Snapshot(documents={wrong: record}))
        except ValueError as error:
            assert "not its key" in str(error)
        else:
            raise AssertionError(f"{wrong!r} was taken for the key of {record}")
    check_changes(Snapshot(documents={document_key(HOME, "a.txt"): record}))
