"""The merge rules: newer wins, deletions stay deleted, the order of the copies does not matter."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.store.merge import (
    Snapshot,
    merge,
    merge_document,
    normalised,
    stamp_key,
)
from tests.store.builders import stamp

IDS = ("a", "b", "c", "d", "e")


def note(annotation_id: str, n: int, text: str = "") -> dict[str, Any]:
    return {"id": annotation_id, "updated": stamp(n), "note": text}


def tombstone(annotation_id: str, n: int) -> dict[str, Any]:
    return {"id": annotation_id, "deleted": stamp(n)}


# --- times -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2025-03-01T00:00:00.000001Z", "2025-03-01T00:00:00.000001Z"),
        ("2025-03-01T01:00:00+01:00", "2025-03-01T00:00:00.000000Z"),
        ("2025-03-01T00:00:00", "2025-03-01T00:00:00.000000Z"),
        ("2025-03-01", "2025-03-01T00:00:00.000000Z"),
        ("yesterday", ""),
        (None, ""),
        (20250301, ""),
    ],
)
def test_times_compare_as_instants(text: object, key: str) -> None:
    assert stamp_key(text) == key


def test_an_offset_time_orders_by_its_instant_not_its_text() -> None:
    # As text "…T00:30+01:00" sorts after "…T00:00Z", but it is half an hour earlier.
    ours = {"id": "a", "updated": "2025-03-01T00:00:00.000000Z", "note": "ours"}
    theirs = {"id": "a", "updated": "2025-03-01T00:30:00+01:00", "note": "theirs"}
    result = merge(Snapshot(annotations={"a": ours}), Snapshot(annotations={"a": theirs}))
    assert result.annotations["a"]["note"] == "ours"


# --- annotations and tombstones ----------------------------------------------------------------


def test_newer_updated_wins_from_either_side() -> None:
    old, new = note("a", 1, "old"), note("a", 2, "new")
    assert merge(Snapshot({"a": old}), Snapshot({"a": new})).annotations["a"] is new
    assert merge(Snapshot({"a": new}), Snapshot({"a": old})).annotations["a"] is new


def test_a_tie_keeps_ours() -> None:
    ours, theirs = note("a", 1, "ours"), note("a", 1, "theirs")
    assert merge(Snapshot({"a": ours}), Snapshot({"a": theirs})).annotations["a"] is ours


def test_a_tombstone_removes_the_copy_it_is_not_older_than() -> None:
    still_there = Snapshot(annotations={"a": note("a", 5)})
    deleted = Snapshot(tombstones={"a": tombstone("a", 5)})
    for result in (merge(still_there, deleted), merge(deleted, still_there)):
        assert result.annotations == {}
        assert result.tombstones == {"a": tombstone("a", 5)}


def test_an_edit_made_after_the_deletion_survives_it() -> None:
    edited_later = Snapshot(annotations={"a": note("a", 6, "edited elsewhere")})
    deleted = Snapshot(tombstones={"a": tombstone("a", 5)})
    assert set(merge(deleted, edited_later).annotations) == {"a"}
    assert set(merge(edited_later, deleted).annotations) == {"a"}


def test_tombstones_union_keeping_the_newest_time() -> None:
    ours = Snapshot(tombstones={"a": tombstone("a", 1), "b": tombstone("b", 9)})
    theirs = Snapshot(tombstones={"a": tombstone("a", 3), "c": tombstone("c", 2)})
    assert merge(ours, theirs).tombstones == {
        "a": tombstone("a", 3),
        "b": tombstone("b", 9),
        "c": tombstone("c", 2),
    }


def test_nothing_new_returns_ours_itself() -> None:
    ours = Snapshot({"a": note("a", 1)}, {"b": tombstone("b", 1)}, {"x": {"path": "x"}})
    theirs = Snapshot({"a": dict(note("a", 1))}, {}, {"x": {"path": "x"}})
    assert merge(ours, theirs) is ours


def test_normalising_drops_what_the_snapshot_itself_deleted() -> None:
    snapshot = Snapshot({"a": note("a", 1), "b": note("b", 9)}, {"a": tombstone("a", 2)})
    assert set(normalised(snapshot).annotations) == {"b"}


# --- documents and the session -----------------------------------------------------------------


def test_document_fields_merge_by_their_own_times() -> None:
    # One process scrolled (a newer position), the other tagged (newer tags): both survive.
    scrolled = {
        "path": "a.txt",
        "position": 900,
        "position_updated": stamp(5),
        "tags": [],
        "tags_updated": stamp(1),
    }
    tagged = {
        "path": "a.txt",
        "position": 10,
        "position_updated": stamp(2),
        "tags": ["draft"],
        "tags_updated": stamp(4),
    }
    expected = {**scrolled, "tags": ["draft"], "tags_updated": stamp(4)}
    assert merge_document(scrolled, tagged) == expected
    assert merge_document(tagged, scrolled) == expected


def test_document_fields_only_one_side_knows_are_kept() -> None:
    ours = {"path": "a.txt", "position": 3}
    theirs = {"path": "a.txt", "title": "A later field"}
    assert merge_document(ours, theirs) == {
        "path": "a.txt",
        "position": 3,
        "title": "A later field",
    }


def test_session_newer_wins() -> None:
    old = {"key": "last_document", "value": "a.txt", "updated": stamp(1)}
    new = {"key": "last_document", "value": "b.txt", "updated": stamp(2)}
    result = merge(
        Snapshot(session={"last_document": new}), Snapshot(session={"last_document": old})
    )
    assert result.session["last_document"]["value"] == "b.txt"


# --- properties --------------------------------------------------------------------------------

times = st.integers(min_value=0, max_value=6)  # few values: ties are common


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    annotations = {
        annotation_id: note(annotation_id, draw(times), draw(st.sampled_from(["x", "y"])))
        for annotation_id in draw(st.sets(st.sampled_from(IDS)))
    }
    tombstones = {
        annotation_id: tombstone(annotation_id, draw(times))
        for annotation_id in draw(st.sets(st.sampled_from(IDS)))
    }
    return Snapshot(annotations, tombstones)


def newest(snapshots_: tuple[Snapshot, ...], annotation_id: str, field: str) -> str:
    table = "tombstones" if field == "deleted" else "annotations"
    return max(
        (
            stamp_key(getattr(s, table)[annotation_id][field])
            for s in snapshots_
            if annotation_id in getattr(s, table)
        ),
        default="",
    )


@settings(max_examples=300, deadline=None)
@given(ours=snapshots(), theirs=snapshots())
def test_survivors_do_not_depend_on_the_order(ours: Snapshot, theirs: Snapshot) -> None:
    assert set(merge(ours, theirs).annotations) == set(merge(theirs, ours).annotations)
    assert merge(ours, theirs).tombstones.keys() == merge(theirs, ours).tombstones.keys()


@settings(max_examples=300, deadline=None)
@given(ours=snapshots(), theirs=snapshots())
def test_exactly_the_annotations_edited_after_their_deletion_survive(
    ours: Snapshot, theirs: Snapshot
) -> None:
    both = (ours, theirs)
    result = merge(ours, theirs)
    for annotation_id in set(ours.annotations) | set(theirs.annotations):
        last_edit = newest(both, annotation_id, "updated")
        last_deletion = newest(both, annotation_id, "deleted")
        survives = annotation_id not in ours.tombstones | theirs.tombstones or (
            last_edit > last_deletion
        )
        assert (annotation_id in result.annotations) == survives
        if survives:
            # ...and as its newest version: no edit is lost to an older copy.
            assert stamp_key(result.annotations[annotation_id]["updated"]) == last_edit
    for annotation_id, record in result.annotations.items():
        # Never resurrected: whatever survives is newer than every deletion of it.
        assert stamp_key(record["updated"]) > newest(both, annotation_id, "deleted")


@settings(max_examples=200, deadline=None)
@given(a=snapshots(), b=snapshots(), c=snapshots())
def test_merging_converges_whatever_the_grouping(a: Snapshot, b: Snapshot, c: Snapshot) -> None:
    left = merge(merge(a, b), c)
    right = merge(a, merge(b, c))
    assert set(left.annotations) == set(right.annotations)
    assert left.tombstones.keys() == right.tombstones.keys()
    # A merged copy absorbs its inputs: merging one of them again changes nothing.
    assert set(merge(left, b).annotations) == set(left.annotations)
    assert merge(left, left) is left
