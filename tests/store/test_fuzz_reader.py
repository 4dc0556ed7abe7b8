"""Fuzzing the database reader: whatever the file holds, a clear StoreError or a usable store.

Arbitrary bytes and arbitrary JSON shapes (and valid databases with parts spoiled) go into
AtomicJSONStorage and Store. Never a traceback but StoreError (StoreCorruptError among them);
a file that could not be used is never rewritten; every annotation record that does not
validate is listed in `problems` and stays in the file as it was after a save.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from readertui.core.annotations import Annotation
from readertui.errors import StoreError
from readertui.store.atomic_storage import AtomicJSONStorage
from readertui.store.store import SCHEMA_VERSION, Store
from tests.store.builders import annotation, stamp
from tests.store.fuzzing import JSON, spoiled, spoiled_once

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def database_file(content: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "annotations.json"
        path.write_bytes(content)
        yield path


def valid_database() -> dict[str, Any]:
    records = [annotation(f"doc-{n}.txt", n, n + 5, updated=stamp(n)) for n in range(3)]
    return {
        "_meta": {"1": {"schema": SCHEMA_VERSION}},
        "annotations": {str(n + 1): record.to_record() for n, record in enumerate(records)},
        "tombstones": {"1": {"id": "gone", "deleted": stamp(9)}},
        "documents": {
            "1": {"path": "doc-0.txt", "position": 3, "position_updated": stamp(1), "tags": ["a"]}
        },
        "session": {"1": {"key": "last_document", "value": "doc-0.txt", "updated": stamp(2)}},
        "plugins": {"1": {"anything": [1, 2]}},
    }


def use(store: Store, data: Any = None) -> None:
    """Everything a reader of the store does; none of it may fail."""
    paths = {f"doc-{n}.txt" for n in range(3)}
    documents = data.get("documents") if isinstance(data, dict) else None
    if isinstance(documents, dict):
        paths.update(r["path"] for r in documents.values() if isinstance(r.get("path"), str))
    for path in sorted(paths):
        store.reading_position(path)
        store.document_tags(path)
    annotations = store.annotations()
    for found in annotations:
        assert store.annotation(found.id) == found
        store.annotations(found.doc.path)
        store.reading_position(found.doc.path)
        store.document_tags(found.doc.path)
    store.tags()
    store.last_document()
    store.notices()


def check_opened(path: Path, before: bytes) -> None:
    """Open the store on `path`: a StoreError leaves the file as it was; else it is usable."""
    try:
        store = Store(path)
    except StoreError as error:
        assert "\n" not in str(error)
        assert path.read_bytes() == before
        return
    with store:
        text = before.decode("utf-8-sig")
        data = json.loads(text) if text.strip() else {}  # a blank file is a new database
        use(store, data)
        rows = data.get("annotations", {})
        unusable = {problem.doc_id for problem in store.problems if problem.table == "annotations"}
        for doc_id, record in rows.items():
            try:
                Annotation.from_record(record)
            except ValueError:
                assert doc_id in unusable, (doc_id, record)
        # A save keeps every record it cannot use exactly where and as it was.
        store.save_annotation(annotation("new.txt"))
    after = json.loads(path.read_bytes())["annotations"]
    for doc_id in unusable:
        assert after[doc_id] == rows[doc_id]
    with Store(path) as reopened:
        use(reopened, data)
        assert {p.doc_id for p in reopened.problems if p.table == "annotations"} == unusable


@FUZZ
@given(content=st.binary(max_size=200))
def test_any_bytes(content: bytes) -> None:
    with database_file(content) as path:
        with suppress(StoreError):
            AtomicJSONStorage(path).read()
        check_opened(path, content)


@FUZZ
@given(data=JSON)
def test_any_json(data: Any) -> None:
    content = json.dumps(data).encode("utf-8", "surrogatepass")
    with database_file(content) as path:
        check_opened(path, content)


def _with(table: str, **fields: Any) -> dict[str, Any]:
    data = valid_database()
    data[table]["1"].update(fields)
    return data


@FUZZ
@given(data=st.one_of(spoiled_once(valid_database()), spoiled(valid_database())))
@example(data=_with("documents", position="x", tags="abc", tags_updated=5))
@example(data=_with("documents", position=[1], position_updated={"a": 1}))
@example(data=_with("tombstones", deleted=5))
@example(data=_with("tombstones", id="doc-1", deleted=None))
@example(data=_with("session", value=["x"], updated=None))
@example(data=_with("annotations", tags="notalist", start="abc"))
@example(data=_with("_meta", schema="2"))
def test_a_database_with_parts_spoiled(data: Any) -> None:
    content = json.dumps(data).encode("ascii")  # lone surrogates as \\u escapes
    with database_file(content) as path:
        check_opened(path, content)


@FUZZ
@given(
    data=spoiled(valid_database()),
    text=st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "[" * 5000]),
)
def test_numbers_and_nesting_json_cannot_keep(data: Any, text: str) -> None:
    content = json.dumps({"x": data, "y": "HOLE"}).replace('"HOLE"', text).encode("ascii")
    with database_file(content) as path:
        check_opened(path, content)
