"""Store.merge_changes: a set of changes in one write, by the rules of a merge with the file.

The app's save queue hands the store everything it has not saved yet as one Snapshot. What
ends up in the database must be what saving the same changes one at a time gives, in one
atomic write; nothing is written when nothing changes; a bad record or a failed write
raises StoreError and leaves memory and file as they were.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from readertui.core.annotations import Annotation, normalise_tags, now_iso
from readertui.errors import StoreError
from readertui.store.merge import Snapshot
from readertui.store.store import Store
from tests.store.builders import annotation, stamp


def saved(db_path: Path) -> Any:
    return json.loads(db_path.read_text(encoding="utf-8"))


def changes_of(
    *annotations: Annotation,
    deleted: dict[str, str] | None = None,
    documents: dict[str, dict[str, Any]] | None = None,
    last: str | None = None,
) -> Snapshot:
    session = {}
    if last is not None:
        session["last_document"] = {"key": "last_document", "value": last, "updated": now_iso()}
    return Snapshot(
        annotations={a.id: a.to_record() for a in annotations},
        tombstones={key: {"id": key, "deleted": when} for key, when in (deleted or {}).items()},
        documents={path: {"path": path, **fields} for path, fields in (documents or {}).items()},
        session=session,
    )


@pytest.fixture
def store(db_path: Path) -> Any:
    with Store(db_path) as opened:
        yield opened


def test_everything_in_one_write_on_disk_when_it_returns(store: Store, db_path: Path) -> None:
    old = annotation("a.txt", updated=stamp(1))
    store.save_annotation(old)
    store.set_document_tags("a.txt", ["draft"])
    inode = db_path.stat().st_ino
    new = annotation("b.txt", updated=stamp(2))
    when = now_iso()
    store.merge_changes(
        changes_of(
            new,
            deleted={old.id: when},
            documents={
                "a.txt": {"position": 40, "position_updated": when},
                "b.txt": {"tags": ["read"], "tags_updated": when},
            },
            last="b.txt",
        )
    )
    assert db_path.stat().st_ino != inode
    data = saved(db_path)  # read from the file, not memory
    assert [r["id"] for r in data["annotations"].values()] == [new.id]
    assert [r["id"] for r in data["tombstones"].values()] == [old.id]
    documents = {r["path"]: r for r in data["documents"].values()}
    # A field group changed leaves the others as they were; a new document gets its tags.
    assert documents["a.txt"]["position"] == 40 and documents["a.txt"]["tags"] == ["draft"]
    assert documents["b.txt"]["tags"] == ["read"] and "position" not in documents["b.txt"]
    assert store.last_document() == "b.txt"
    with Store(db_path) as reopened:
        assert reopened.annotations() == [new]
        assert reopened.reading_position("a.txt") == 40
        assert reopened.document_tags("b.txt") == ("read",)


def test_nothing_changes_nothing_written(store: Store, db_path: Path) -> None:
    kept = annotation(updated=stamp(3))
    store.save_annotation(kept)
    inode = db_path.stat().st_ino
    store.merge_changes(Snapshot())
    store.merge_changes(changes_of(kept))  # the same record again
    store.merge_changes(changes_of(annotation(id=kept.id, updated=stamp(2), note="older")))
    assert db_path.stat().st_ino == inode
    assert store.annotations() == [kept]


def test_a_change_wins_a_tie_as_a_save_does(store: Store) -> None:
    placed = annotation(updated=stamp(5))
    store.save_annotation(placed)
    moved = annotation(id=placed.id, updated=stamp(5), start=40, end=45, confidence=0.8)
    store.merge_changes(changes_of(moved))
    assert store.annotation(placed.id) == moved


def test_a_deletion_is_never_earlier_than_the_record_it_deletes(db_path: Path) -> None:
    """The rule of delete_annotation, for a tombstone among the changes (a clock ahead)."""
    one, two = Store(db_path), Store(db_path)
    ahead = annotation(updated="2999-01-01T00:00:00.000000Z")
    one.save_annotation(ahead)
    two.reload_if_changed()
    one.merge_changes(changes_of(deleted={ahead.id: now_iso()}))
    two.save_annotation(annotation("b.txt"))  # merges its stale copy with the file
    assert two.annotation(ahead.id) is None
    one.close()
    two.close()
    with Store(db_path) as reopened:
        assert reopened.annotation(ahead.id) is None


def test_changes_merge_with_what_another_process_wrote(db_path: Path) -> None:
    one, two = Store(db_path), Store(db_path)
    theirs = annotation("a.txt")
    two.save_annotation(theirs)
    two.set_reading_position("a.txt", 7)
    mine = annotation("b.txt")
    one.merge_changes(
        changes_of(mine, documents={"a.txt": {"tags": ["x"], "tags_updated": now_iso()}})
    )
    one.close()
    two.close()
    with Store(db_path) as reopened:
        assert {a.id for a in reopened.annotations()} == {theirs.id, mine.id}
        assert reopened.reading_position("a.txt") == 7
        assert reopened.document_tags("a.txt") == ("x",)


BAD_CHANGES: dict[str, Snapshot] = {
    "an invalid annotation": Snapshot(
        annotations={"x": {**annotation(id="x").to_record(), "color": "mauve"}}
    ),
    "a key that is not the record's id": Snapshot(
        annotations={"y": annotation(id="x").to_record()}
    ),
    "a tombstone without a time": Snapshot(tombstones={"x": {"id": "x", "deleted": "soon"}}),
    "a position without its stamp": Snapshot(documents={"a.txt": {"path": "a.txt", "position": 3}}),
    "a negative position": Snapshot(
        documents={"a.txt": {"path": "a.txt", "position": -3, "position_updated": stamp(1)}}
    ),
    "tags that are not a list": Snapshot(
        documents={"a.txt": {"path": "a.txt", "tags": "x", "tags_updated": stamp(1)}}
    ),
    "a session record without a time": Snapshot(
        session={"last_document": {"key": "last_document", "value": "a.txt"}}
    ),
    "an empty key": Snapshot(tombstones={"": {"id": "", "deleted": stamp(1)}}),
}


@pytest.mark.parametrize("case", sorted(BAD_CHANGES))
def test_a_bad_record_is_refused_and_nothing_changes(
    case: str, store: Store, db_path: Path
) -> None:
    kept = annotation()
    store.save_annotation(kept)
    before = db_path.read_bytes()
    good = annotation("b.txt")
    bad = BAD_CHANGES[case]
    mixed = Snapshot(
        {**bad.annotations, good.id: good.to_record()}, bad.tombstones, bad.documents, bad.session
    )
    with pytest.raises(StoreError) as caught:
        store.merge_changes(mixed)
    assert "\n" not in str(caught.value)
    assert db_path.read_bytes() == before
    assert store.annotations() == [kept]
    assert store.reading_position("a.txt") is None


def test_a_failed_write_leaves_memory_and_file_as_they_were(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = annotation()
    store.save_annotation(kept)
    before = db_path.read_bytes()

    def disk_full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", disk_full)
    with pytest.raises(StoreError, match="No space left on device"):
        store.merge_changes(
            changes_of(
                annotation("b.txt"),
                deleted={kept.id: now_iso()},
                documents={"a.txt": {"position": 3, "position_updated": now_iso()}},
            )
        )
    monkeypatch.undo()
    assert db_path.read_bytes() == before
    assert store.annotations() == [kept]
    assert store.reading_position("a.txt") is None


# --- the same as one at a time -----------------------------------------------------------------

PATHS = ["a.txt", "b.txt", "notes/c.txt"]
IDS = [f"id-{n}" for n in range(6)]
# Few times, so that a change and the stored record (or its tombstone, at 10) often tie.
TIMES = st.sampled_from([1, 5, 10, 15])


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """Changes as the save queue gathers them: per id either a save or a deletion; per
    document at most one position and one set of tags; perhaps the document read last."""
    result: list[tuple[str, Any]] = []
    for annotation_id in draw(st.lists(st.sampled_from(IDS), unique=True, max_size=5)):
        if draw(st.booleans()):
            result.append(("delete", annotation_id))
        else:
            when = draw(TIMES)
            note = draw(st.text(max_size=5))
            result.append(("save", (annotation_id, when, note, draw(st.sampled_from(PATHS)))))
    for path in draw(st.lists(st.sampled_from(PATHS), unique=True, max_size=3)):
        result.append(("position", (path, draw(st.integers(min_value=0, max_value=99)))))
    for path in draw(st.lists(st.sampled_from(PATHS), unique=True, max_size=3)):
        tags = draw(st.lists(st.sampled_from(["x", "Y", "place/z", " x "]), max_size=3))
        result.append(("tags", (path, list(normalise_tags(tags)))))
    if draw(st.booleans()):
        result.append(("last", draw(st.sampled_from(PATHS))))
    return result


def starting_state(db_path: Path, seed: list[tuple[str, int]]) -> None:
    """A database with some of the same ids saved, deleted, and documents known."""
    with Store(db_path) as store:
        for annotation_id, when in seed:
            store.save_annotation(annotation("a.txt", id=annotation_id, updated=stamp(when)))
        for annotation_id, _ in seed[1::2]:
            store.delete_annotation(annotation_id, when=stamp(10))
        store.set_reading_position("a.txt", 5)
        store.set_document_tags("b.txt", ["old"])


def observe(db_path: Path) -> tuple[Any, ...]:
    with Store(db_path) as store:
        return (
            store.annotations(),
            sorted(record["id"] for record in saved(db_path)["tombstones"].values()),
            {path: store.reading_position(path) for path in PATHS},
            {path: store.document_tags(path) for path in PATHS},
            store.last_document(),
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.lists(
        st.tuples(st.sampled_from(IDS), TIMES),
        unique_by=lambda pair: pair[0],
        max_size=5,
    ),
    steps=operations(),
)
@example(seed=[("id-0", 5)], steps=[("save", ("id-0", 5, "a tie", "b.txt"))])
def test_merging_changes_equals_saving_them_one_at_a_time(
    seed: list[tuple[str, int]], steps: list[tuple[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.json"
        starting_state(base, seed)
        one_by_one, merged = Path(folder) / "one.json", Path(folder) / "merged.json"
        one_by_one.write_bytes(base.read_bytes())
        merged.write_bytes(base.read_bytes())
        # Times after anything the starting state stamped: the changes are the newest.
        moment = now_iso()
        annotations: list[Annotation] = []
        tombstones: dict[str, str] = {}
        documents: dict[str, dict[str, Any]] = {}
        last: str | None = None
        with Store(one_by_one) as store:
            for kind, value in steps:
                if kind == "save":
                    annotation_id, when, note, path = value
                    made = annotation(path, id=annotation_id, updated=stamp(when), note=note)
                    store.save_annotation(made)
                    annotations.append(made)
                elif kind == "delete":
                    store.delete_annotation(value, when=moment)
                    tombstones[value] = moment
                elif kind == "position":
                    path, offset = value
                    store.set_reading_position(path, offset)
                    documents.setdefault(path, {}).update(
                        position=offset, position_updated=now_iso()
                    )
                elif kind == "tags":
                    path, tags = value
                    store.set_document_tags(path, tags)
                    documents.setdefault(path, {}).update(tags=tags, tags_updated=now_iso())
                else:
                    store.set_last_document(value)
                    last = value
        with Store(merged) as store:
            store.merge_changes(
                changes_of(*annotations, deleted=tombstones, documents=documents, last=last)
            )
        assert observe(merged) == observe(one_by_one)
