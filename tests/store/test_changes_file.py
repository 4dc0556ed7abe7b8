"""Changes files: unsaved changes kept aside in the database's layout, read back exactly."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import TinyDB

from readertui.core.annotations import COLORS, Annotation, DocumentRef, Quote, now_iso
from readertui.errors import StoreError
from readertui.store.atomic_storage import AtomicJSONStorage
from readertui.store.changes_file import (
    CHANGES_KIND,
    read_changes_file,
    write_changes_file,
)
from readertui.store.errors import ChangesFileError, NotAChangesFileError
from readertui.store.layout import document_key, last_document_key
from readertui.store.merge import Snapshot
from readertui.store.store import SCHEMA_VERSION, Store
from tests.store.builders import annotation, stamp

# Any text JSON carries as UTF-8 (a lone surrogate only in a document path, as a file name).
texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
times = st.integers(min_value=0, max_value=10**12).map(stamp)
# "" (a legacy record, of no library), the sample library, or a folder's path.
libraries = st.sampled_from(["", "readertui:sample", "/home/me/reading", "/srv/caf\udce9"])


@st.composite
def any_annotations(draw: st.DrawFn) -> Annotation:
    start = draw(st.integers(min_value=0, max_value=10**9))
    return Annotation(
        id=str(draw(st.uuids(version=4))),
        doc=DocumentRef(
            draw(texts.filter(bool)) + "\udce9", draw(texts), draw(texts), draw(libraries)
        ),
        quote=Quote(draw(texts), draw(texts), draw(texts)),
        start=start,
        end=start + draw(st.integers(min_value=0, max_value=10**6)),
        color=draw(st.sampled_from(COLORS)),
        note=draw(texts),
        tags=tuple(draw(st.lists(texts, max_size=3))),
        links=tuple(draw(st.lists(texts, max_size=2))),
        created=draw(times),
        updated=draw(times),
        orphaned=draw(st.booleans()),
        confidence=draw(st.floats(min_value=0, max_value=1)),
    )


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    """Any set of changes the save queue may hold."""
    annotations = draw(st.lists(any_annotations(), max_size=4, unique_by=lambda a: a.id))
    tombstone_ids = draw(st.lists(st.uuids().map(str), max_size=3, unique=True))
    # The same path in several libraries: each its own record.
    places = draw(st.lists(st.tuples(libraries, texts.filter(bool)), max_size=4, unique=True))
    documents: dict[str, dict[str, Any]] = {}
    for library, path in places:
        identity: dict[str, Any] = {"library": library, "path": path} if library else {}
        record: dict[str, Any] = identity or {"path": path}
        if draw(st.booleans()):
            record.update(position=draw(st.integers(0, 2**40)), position_updated=draw(times))
        if draw(st.booleans()) or "position" not in record:
            record.update(tags=draw(st.lists(texts, max_size=3)), tags_updated=draw(times))
        documents[document_key(library, path)] = record
    session = {}
    for library in draw(st.lists(libraries, max_size=2, unique=True)):
        key = last_document_key(library)
        value = draw(texts.filter(bool))
        session[key] = {"key": key, "value": value, "updated": draw(times)}
    return Snapshot(
        annotations={a.id: a.to_record() for a in annotations},
        tombstones={key: {"id": key, "deleted": draw(times)} for key in tombstone_ids},
        documents=documents,
        session=session,
    )


@settings(max_examples=40, deadline=None)
@given(changes=snapshots())
def test_what_is_written_is_read_back_exactly(changes: Snapshot) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "annotations.json.unsaved-1.json"
        database = Path(folder) / "annotations.json"
        write_changes_file(path, changes, database=database)
        back, info = read_changes_file(path)
        assert back == changes
        assert info.database == database
        assert info.path == path
        assert info.schema == SCHEMA_VERSION


def test_a_changes_file_is_private_tinydb_and_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "changes.json"
    database = tmp_path / "annotations.json"
    before = now_iso()
    write_changes_file(
        path, Snapshot(tombstones={"x": {"id": "x", "deleted": before}}), database=database
    )
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    (meta,) = data["_meta"].values()
    assert meta["kind"] == CHANGES_KIND
    assert meta["database"] == str(database)
    assert meta["schema"] == SCHEMA_VERSION
    assert meta["written"] >= before
    assert list(data["tombstones"].values()) == [{"id": "x", "deleted": before}]
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.table("tombstones").all() == [{"id": "x", "deleted": before}]
    _, info = read_changes_file(path)
    assert info.written == meta["written"]


def test_a_database_is_not_a_changes_file(tmp_path: Path) -> None:
    database = tmp_path / "annotations.json"
    with Store(database) as store:
        store.set_reading_position("a.txt", 3)
    with pytest.raises(NotAChangesFileError, match="is not a readertui changes file"):
        read_changes_file(database)


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"\xff\xfe", b"[1, 2]", b'{"_meta": {"1": {"kind": "other"}}}', b"1e999"],
)
def test_anything_else_is_not_a_changes_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "changes.json"
    path.write_bytes(content)
    with pytest.raises(NotAChangesFileError) as caught:
        read_changes_file(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def _meta(**fields: Any) -> dict[str, Any]:
    return {
        "1": {"schema": SCHEMA_VERSION, "kind": CHANGES_KIND, "database": "/x/a.json"}
        | {"written": "2025-01-01T00:00:00.000000Z"}
        | fields
    }


DAMAGED: dict[str, tuple[dict[str, Any], str]] = {
    "a newer schema": ({"_meta": _meta(schema=SCHEMA_VERSION + 1)}, "a newer readertui"),
    "no database named": ({"_meta": _meta(database="")}, "does not name its database"),
    "no time": ({"_meta": _meta(written="later")}, "does not say when"),
    "a bad annotation": (
        {"_meta": _meta(), "annotations": {"1": {"id": "x", "start": "abc"}}},
        "annotations 'x'",
    ),
    "a record without its key": (
        {"_meta": _meta(), "tombstones": {"1": {"deleted": "2025-01-01T00:00:00Z"}}},
        "tombstones record 1 has no 'id'",
    ),
    "a key twice": (
        {
            "_meta": _meta(),
            "tombstones": {
                "1": {"id": "x", "deleted": "2025-01-01T00:00:00Z"},
                "2": {"id": "x", "deleted": "2025-01-02T00:00:00Z"},
            },
        },
        "appears twice",
    ),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_changes_file_is_refused_with_the_reason(tmp_path: Path, case: str) -> None:
    data, reason = DAMAGED[case]
    path = tmp_path / "changes.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ChangesFileError, match=reason) as caught:
        read_changes_file(path)
    assert not isinstance(caught.value, NotAChangesFileError)


def test_a_missing_file_or_a_fifo_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such file"):
        read_changes_file(tmp_path / "missing.json")
    if sys.platform == "win32":
        return
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_changes_file(fifo)
        except BaseException as error:  # handed back to the test
            outcome.append(error)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome and isinstance(outcome[0], StoreError)


def test_a_changes_file_is_never_written_over_its_database(tmp_path: Path) -> None:
    database = tmp_path / "annotations.json"
    with Store(database) as store:
        store.save_annotation(annotation())
    before = database.read_bytes()
    with pytest.raises(StoreError, match="it is the database the changes are for"):
        write_changes_file(database, Snapshot(), database=database)
    assert database.read_bytes() == before


def test_a_write_that_fails_raises_a_store_error(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot save to"):
        write_changes_file(blocked / "changes.json", Snapshot(), database=tmp_path / "db.json")


def test_the_changes_of_a_file_merge_into_the_database_once(tmp_path: Path) -> None:
    database = tmp_path / "annotations.json"
    kept = annotation()
    changes = Snapshot(annotations={kept.id: kept.to_record()})
    path = tmp_path / "changes.json"
    write_changes_file(path, changes, database=database)
    read, _ = read_changes_file(path)
    with Store(database) as store:
        store.merge_changes(read)
        inode = database.stat().st_ino
        store.merge_changes(read)
        assert database.stat().st_ino == inode
        assert store.annotations() == [kept]
