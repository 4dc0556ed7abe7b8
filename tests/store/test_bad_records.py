"""Annotation records that do not validate are kept in the file untouched, and reported.

A hand edit (or another program) can leave anything in a record: `start: "abc"`, `quote: null`,
`tags: "notalist"` (once listed as `#n #o #t …`), offsets out of range, a colour not in the
palette. Such a record is never shown (mangled or not), never rewritten or dropped by a save
or a merge, counted in one line and listed with its reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from readertui.core.annotations import MAX_OFFSET
from readertui.store.store import SCHEMA_VERSION, Store, problems_notice
from tests.store.builders import annotation, stamp

BAD_ID = "bad-one"

# Each case: what is changed in a valid record, and words the reason must hold.
BAD_FIELDS: dict[str, tuple[dict[str, Any], str]] = {
    "start is text": ({"start": "abc"}, "'start' is 'abc', not a whole number"),
    "quote is null": ({"quote": None}, "'quote' is null, not an object"),
    "tags is a string": ({"tags": "notalist"}, "'tags' is 'notalist', not a list of text"),
    "a tag is a number": ({"tags": ["ok", 3]}, "'tags' holds 3"),
    "start is huge": ({"start": 10**30, "end": 10**30 + 1}, "'start' is a number of 100 bits"),
    "end past the limit": ({"end": MAX_OFFSET + 1}, f"not from 0 to {MAX_OFFSET}"),
    "end is negative": ({"end": -5}, "'end' is -5"),
    "end before start": ({"start": 9, "end": 3}, "span 9..3 ends before it starts"),
    "start is a bool": ({"start": True}, "'start' is True, not a whole number"),
    "start is a float": ({"start": 1.5}, "'start' is 1.5, not a whole number"),
    "note is a number": ({"note": 5}, "'note' is 5, not text"),
    "note is a list": ({"note": ["a"]}, "'note' is a list, not text"),
    "colour not in the palette": ({"color": "red"}, "colour 'red' is not one of yellow"),
    "confidence above 1": ({"confidence": 2}, "'confidence' is 2, not from 0 to 1"),
    "orphaned is text": ({"orphaned": "yes"}, "'orphaned' is 'yes', not true or false"),
    "links is an object": ({"links": {"a": 1}}, "'links' is an object, not a list of text"),
    "no document path": ({"doc": {"title": "t"}}, "it has no doc's 'path'"),
    "a lone surrogate in the note": ({"note": "caf\udce9"}, "note holds a lone surrogate"),
    "a lone surrogate in a tag": ({"tags": ["\ud800"]}, "tags holds a lone surrogate"),
    "created is a number": ({"created": 2025}, "'created' is 2025, not text"),
}


def write_db(path: Path, records: dict[str, Any]) -> bytes:
    """A database file with these annotation records (doc_id -> record); its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"_meta": {"1": {"schema": SCHEMA_VERSION}}, "annotations": records}
    # ensure_ascii: the surrogate cases can only be written escaped, as readertui writes them.
    path.write_text(json.dumps(data), encoding="utf-8")
    return path.read_bytes()


def bad_record(change: dict[str, Any]) -> dict[str, Any]:
    record = annotation("a.txt", 0, 5, id=BAD_ID, updated=stamp(5)).to_record()
    record.update(change)
    return record


def rows(path: Path, table: str = "annotations") -> dict[str, Any]:
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))[table]
    return found


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_a_bad_record_is_hidden_reported_and_kept_untouched(case: str, db_path: Path) -> None:
    change, reason = BAD_FIELDS[case]
    good = annotation("a.txt", 10, 20, updated=stamp(1))
    bad = bad_record(change)
    write_db(db_path, {"1": good.to_record(), "2": bad})

    with Store(db_path) as store:
        # Never shown, mangled or not.
        assert store.annotations() == [good]
        assert store.annotations("a.txt") == [good]
        assert store.annotation(BAD_ID) is None
        assert set(store.tags()) == set(good.tags)
        (problem,) = store.problems
        assert (problem.table, problem.doc_id, problem.key) == ("annotations", "2", BAD_ID)
        assert reason in problem.reason, problem.reason
        assert "\n" not in problem.describe(db_path)
        (notice,) = store.notices()
        assert notice == problems_notice(db_path, store.problems)
        assert notice.startswith(f"1 record in {db_path} cannot be used")
        # A save rewrites the file: the bad record stays as it was, where it was.
        store.save_annotation(annotation("b.txt"))
        store.delete_annotation(good.id)
    assert rows(db_path)["2"] == bad
    with Store(db_path) as reopened:
        assert len(reopened.problems) == 1


def test_a_bad_record_survives_a_merge_with_another_process(db_path: Path) -> None:
    bad = bad_record({"tags": "notalist"})
    write_db(db_path, {"5": bad})
    one, two = Store(db_path), Store(db_path)
    one.save_annotation(annotation("a.txt"))
    two.save_annotation(annotation("b.txt"))  # merges the file, which holds the bad record
    # Even a valid record with the same id leaves the bad one where it is.
    fixed = annotation("a.txt", id=BAD_ID, updated=stamp(9))
    one.save_annotation(fixed)
    two.set_reading_position("b.txt", 4)
    one.close()
    two.close()
    assert rows(db_path)["5"] == bad
    with Store(db_path) as store:
        assert store.annotation(BAD_ID) == fixed
        assert [(p.doc_id, p.key) for p in store.problems] == [("5", BAD_ID)]


def test_a_record_fixed_by_hand_is_used_again(db_path: Path) -> None:
    bad = bad_record({"start": "abc"})
    write_db(db_path, {"1": bad})
    store = Store(db_path)
    assert store.annotations() == []
    # The user mends the file while the app runs: the next look at it finds a good record.
    write_db(db_path, {"1": {**bad, "start": 0}})
    assert store.reload_if_changed() is True
    assert [a.id for a in store.annotations()] == [BAD_ID]
    assert store.problems == ()
    assert store.notices() == ()
    store.close()


def test_records_that_are_not_objects_or_lack_an_id_are_reported_by_number(db_path: Path) -> None:
    write_db(db_path, {"3": {"quote": {"exact": "x"}}, "4": {"id": ""}})
    with Store(db_path) as store:
        names = [problem.name for problem in store.problems]
        assert names == ["record 3", "record 4"]
        assert store.notices()[0].startswith(f"2 records in {db_path} cannot be used and are")


def test_saving_an_annotation_that_would_not_validate_is_refused(
    db_path: Path,
) -> None:
    with Store(db_path) as store:
        for bad in (
            annotation(color="mauve"),
            annotation(start=5, end=2),
            annotation(note="\udce9"),
            annotation(start=MAX_OFFSET + 1, end=MAX_OFFSET + 2),
        ):
            with pytest.raises(ValueError, match="cannot save annotation"):
                store.save_annotation(bad)
    assert not db_path.exists()
