"""Annotations in the Store: saved, deleted for good, merged with another process, migrated."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import TinyDB

from readertui.core.annotations import Annotation, DocumentRef, Quote, now_iso
from readertui.errors import StoreError
from readertui.store import atomic_storage
from readertui.store.atomic_storage import AtomicJSONStorage
from readertui.store.errors import StoreCorruptError
from readertui.store.store import SCHEMA_VERSION, Store, newest_backup
from tests.store.builders import annotation, stamp


def saved(db_path: Path) -> Any:
    return json.loads(db_path.read_text(encoding="utf-8"))


def ids(annotations: list[Annotation]) -> set[str]:
    return {a.id for a in annotations}


@pytest.fixture
def store(db_path: Path) -> Any:
    with Store(db_path) as opened:
        yield opened


# --- saving and reading ------------------------------------------------------------------------


def test_annotations_survive_reopening(db_path: Path) -> None:
    first = annotation("a.txt", 10, 20, note="**why** it matters", tags=("place/Xi'an",))
    second = annotation("b.txt", 0, 4, color="green", links=(first.id,))
    with Store(db_path) as store:
        store.save_annotation(first)
        store.save_annotation(second)
    with Store(db_path) as store:
        assert store.annotations("a.txt") == [first]
        assert store.annotation(second.id) == second
        assert store.annotations() == [first, second]


def test_a_save_is_on_disk_when_it_returns(store: Store, db_path: Path) -> None:
    highlight = annotation()
    store.save_annotation(highlight)
    (record,) = saved(db_path)["annotations"].values()
    assert record == highlight.to_record()


def test_one_document_in_text_order_and_all_by_document(store: Store) -> None:
    late = annotation("b.txt", 50, 60)
    early = annotation("b.txt", 5, 9)
    other = annotation("a.txt", 70, 80)
    store.save_annotations([late, other, early])
    assert store.annotations("b.txt") == [early, late]
    assert store.annotations() == [other, early, late]
    assert store.annotations("missing.txt") == []


def test_saving_again_replaces_by_id(store: Store, db_path: Path) -> None:
    highlight = annotation(updated=stamp(1))
    store.save_annotation(highlight)
    edited = highlight.touched(note="second thoughts")
    store.save_annotation(edited)
    assert store.annotations() == [edited]
    assert len(saved(db_path)["annotations"]) == 1


def test_a_stale_copy_never_overwrites_a_newer_edit(store: Store) -> None:
    # A copy re-anchored in a worker before the user edited the note arrives after the edit.
    original = annotation(updated=stamp(1))
    edited = annotation(id=original.id, updated=stamp(2), note="edited")
    reanchored = annotation(id=original.id, updated=stamp(1), start=3, end=8)
    store.save_annotation(edited)
    store.save_annotation(reanchored)
    assert store.annotation(original.id) == edited


def test_a_copy_with_the_same_time_replaces(store: Store) -> None:
    # Re-anchoring keeps `updated`; its new offsets must be saved.
    original = annotation(updated=stamp(1))
    store.save_annotation(original)
    moved = annotation(id=original.id, updated=stamp(1), start=40, end=45, confidence=0.8)
    store.save_annotations([moved])
    assert store.annotation(original.id) == moved


def test_nothing_to_save_writes_nothing(store: Store, db_path: Path) -> None:
    highlight = annotation()
    store.save_annotation(highlight)
    inode = db_path.stat().st_ino
    store.save_annotation(highlight)
    store.save_annotations([])
    assert db_path.stat().st_ino == inode


def test_bad_arguments_are_refused_before_anything_is_written(store: Store, db_path: Path) -> None:
    with pytest.raises(TypeError):
        store.save_annotation(annotation().to_record())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        store.save_annotation(dataclasses.replace(annotation(), id=""))
    with pytest.raises(ValueError):
        store.delete_annotation("")
    assert not db_path.exists()


def test_control_characters_and_astral_text_round_trip(db_path: Path) -> None:
    odd = annotation(
        "notes/\x00nul.txt",
        note="a\x00b\u2028c\x1b[31mred\x1b[0m \U0001f600",
        tags=("\x00", "\t tab"),
        exact="\ud7ff\U0010ffff",
    )
    with Store(db_path) as store:
        store.save_annotation(odd)
    with Store(db_path) as store:
        assert store.annotations() == [odd]


def test_a_file_name_that_is_not_utf8_round_trips(db_path: Path) -> None:
    # os.fsdecode turns a Latin-1 byte in a file name into a lone surrogate.
    name = os.fsdecode(b"caf\xe9.txt") if os.name == "posix" else "caf\udce9.txt"
    highlight = annotation(name)
    with Store(db_path) as store:
        store.save_annotation(highlight)
        store.save_annotation(annotation("plain.txt", note="嘉峪关"))
        store.set_reading_position(name, 3)
    assert "嘉峪关" in db_path.read_text(encoding="utf-8")  # only the odd record is escaped
    with Store(db_path) as store:
        assert store.annotations(name) == [highlight]
        assert store.reading_position(name) == 3


# --- deleting ----------------------------------------------------------------------------------


def test_delete_keeps_a_tombstone(store: Store, db_path: Path) -> None:
    highlight = annotation()
    store.save_annotation(highlight)
    before = now_iso()
    store.delete_annotation(highlight.id)
    assert store.annotations() == []
    assert store.annotation(highlight.id) is None
    data = saved(db_path)
    assert data["annotations"] == {}
    (tombstone,) = data["tombstones"].values()
    assert tombstone["id"] == highlight.id
    assert tombstone["deleted"] >= before


def test_deleting_twice_writes_once(store: Store, db_path: Path) -> None:
    highlight = annotation()
    store.save_annotation(highlight)
    store.delete_annotation(highlight.id)
    inode = db_path.stat().st_ino
    store.delete_annotation(highlight.id)
    assert db_path.stat().st_ino == inode


def test_a_deleted_annotation_never_comes_back_from_an_older_copy(db_path: Path) -> None:
    highlight = annotation(updated=stamp(1))
    with Store(db_path) as store:
        store.save_annotation(highlight)
        old_copy = db_path.read_bytes()
        store.delete_annotation(highlight.id)
        # Something that does not merge (say, an older readertui) puts the old file back.
        db_path.write_bytes(old_copy)
        assert store.reload_if_changed() is False
        assert store.annotation(highlight.id) is None
        store.save_annotation(annotation())
    assert highlight.id not in {r["id"] for r in saved(db_path)["annotations"].values()}
    with Store(db_path) as reopened:
        assert reopened.annotation(highlight.id) is None


def test_a_stale_save_does_not_undo_a_deletion_but_an_undo_does(store: Store) -> None:
    highlight = annotation(updated=stamp(1))
    store.save_annotation(highlight)
    store.delete_annotation(highlight.id)
    store.save_annotation(highlight)  # e.g. a re-anchored copy computed before the deletion
    assert store.annotation(highlight.id) is None
    restored = highlight.touched()  # undo stamps the restored annotation now
    store.save_annotation(restored)
    assert store.annotation(highlight.id) == restored


def test_deleting_an_annotation_stamped_in_the_future_still_deletes_it(
    store: Store, db_path: Path
) -> None:
    ahead = annotation(updated="2999-01-01T00:00:00.000000Z")
    store.save_annotation(ahead)
    store.delete_annotation(ahead.id)
    with Store(db_path) as reopened:
        assert reopened.annotations() == []


def test_a_deletion_stamped_before_the_record_s_time_still_deletes_it_everywhere(
    db_path: Path,
) -> None:
    """A clock that ran ahead stamped the note later than the deletion that follows it.
    Another process (a second Store) holds a copy: when it next writes, the merge must not
    bring the note back. That rests on the tombstone being no earlier than the record."""
    one, two = Store(db_path), Store(db_path)
    ahead = annotation(updated="2999-01-01T00:00:00.000000Z", note="from a fast clock")
    one.save_annotation(ahead)
    assert two.reload_if_changed() is True
    assert two.annotation(ahead.id) == ahead  # the other process holds the copy

    one.delete_annotation(ahead.id, when=now_iso())  # today: earlier than `updated`
    two.set_reading_position("a.txt", 3)  # writes, merging its copy with the file
    two.save_annotation(annotation("b.txt"))

    assert one.reload_if_changed() in (True, False)
    for store in (one, two):
        assert store.annotation(ahead.id) is None
    one.close()
    two.close()
    with Store(db_path) as reopened:
        assert reopened.annotation(ahead.id) is None
    (tombstone,) = saved(db_path)["tombstones"].values()
    assert tombstone["deleted"] >= ahead.updated


# --- two processes (two Store objects on one file) ---------------------------------------------


def test_two_stores_on_one_file_lose_nothing(db_path: Path) -> None:
    one, two = Store(db_path), Store(db_path)
    mine, theirs = annotation("a.txt"), annotation("b.txt")
    one.save_annotation(mine)
    two.save_annotation(theirs)  # two has not seen `mine`: it must merge, not overwrite
    one.set_reading_position("a.txt", 12)
    two.set_last_document("b.txt")
    one.close()
    two.close()
    with Store(db_path) as reopened:
        assert ids(reopened.annotations()) == {mine.id, theirs.id}
        assert reopened.reading_position("a.txt") == 12
        assert reopened.last_document() == "b.txt"


def test_newer_updated_wins_in_both_directions(db_path: Path) -> None:
    one, two = Store(db_path), Store(db_path)
    highlight = annotation(updated=stamp(1))
    one.save_annotation(highlight)
    assert two.reload_if_changed() is True
    assert two.annotation(highlight.id) == highlight

    edited_in_two = annotation(id=highlight.id, updated=stamp(2), note="from two")
    two.save_annotation(edited_in_two)
    assert one.reload_if_changed() is True
    assert one.annotation(highlight.id) == edited_in_two

    edited_in_one = annotation(id=highlight.id, updated=stamp(3), note="from one")
    one.save_annotation(edited_in_one)
    # two saves something else with its stale memory: the merge keeps one's newer edit.
    two.save_annotation(annotation("other.txt"))
    assert two.annotation(highlight.id) == edited_in_one
    one.close()
    two.close()
    with Store(db_path) as reopened:
        assert reopened.annotation(highlight.id) == edited_in_one


def test_a_deletion_in_one_store_wins_over_the_stale_copy_in_the_other(db_path: Path) -> None:
    one, two = Store(db_path), Store(db_path)
    highlight = annotation(updated=stamp(1))
    one.save_annotation(highlight)
    two.reload_if_changed()
    one.delete_annotation(highlight.id)
    two.set_reading_position("a.txt", 5)  # two still holds the annotation in memory
    assert two.annotation(highlight.id) is None
    one.close()
    two.close()
    with Store(db_path) as reopened:
        assert reopened.annotations() == []


def test_reload_reports_only_real_changes(db_path: Path) -> None:
    one, two = Store(db_path), Store(db_path)
    assert two.reload_if_changed() is False
    one.save_annotation(annotation())
    assert two.reload_if_changed() is True
    assert two.reload_if_changed() is False
    one.close()
    two.close()


def test_positions_and_tags_from_two_stores_both_survive(db_path: Path) -> None:
    one, two = Store(db_path), Store(db_path)
    one.set_reading_position("a.txt", 100)
    two.reload_if_changed()
    one.set_document_tags("a.txt", ["draft"])
    two.set_reading_position("a.txt", 200)  # newer position; two had not seen the tags
    one.close()
    two.close()
    with Store(db_path) as reopened:
        assert reopened.reading_position("a.txt") == 200
        assert reopened.document_tags("a.txt") == ("draft",)


def test_a_missing_file_is_written_again_whole(db_path: Path) -> None:
    with Store(db_path) as store:
        kept = annotation()
        store.save_annotation(kept)
        db_path.unlink()
        store.set_reading_position("a.txt", 1)
    with Store(db_path) as reopened:
        assert reopened.annotations() == [kept]


def test_a_file_broken_while_open_is_not_overwritten(store: Store, db_path: Path) -> None:
    kept = annotation()
    store.save_annotation(kept)
    db_path.write_text('{"annotations": {', encoding="utf-8")
    with pytest.raises(StoreCorruptError, match="not valid JSON"):
        store.save_annotation(annotation())
    assert db_path.read_text(encoding="utf-8") == '{"annotations": {'
    assert store.annotations() == [kept]  # reading goes on


def test_a_file_a_newer_readertui_wrote_meanwhile_is_left_alone(
    store: Store, db_path: Path
) -> None:
    store.save_annotation(annotation())
    data = saved(db_path)
    data["_meta"]["1"]["schema"] = SCHEMA_VERSION + 1
    db_path.write_text(json.dumps(data), encoding="utf-8")
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="newer readertui"):
        store.set_reading_position("a.txt", 3)
    assert db_path.read_bytes() == before


# --- the lock ----------------------------------------------------------------------------------


def test_a_held_lock_gives_up_with_a_clear_message(db_path: Path) -> None:
    store = Store(db_path, lock_timeout=0.2)
    store.save_annotation(annotation())
    before = db_path.read_bytes()
    other_process = FileLock(os.path.realpath(db_path) + ".lock")
    with other_process, pytest.raises(StoreError) as caught:
        store.save_annotation(annotation())
    message = str(caught.value)
    assert message.startswith(f"cannot save to {db_path}: another readertui process holds")
    assert f"{os.path.realpath(db_path)}.lock" in message
    assert "waited 0.2 s" in message
    assert "\n" not in message
    assert db_path.read_bytes() == before
    assert len(store.annotations()) == 1
    store.save_annotation(annotation())  # once the lock is free again, saving works
    store.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_lock_file_is_private(store: Store, db_path: Path) -> None:
    store.set_reading_position("a.txt", 1)
    lock = Path(os.path.realpath(db_path) + ".lock")
    assert lock.stat().st_mode & 0o777 == 0o600


# --- threads -----------------------------------------------------------------------------------


def test_saves_from_many_threads_are_all_kept(db_path: Path) -> None:
    store = Store(db_path)
    made: list[Annotation] = [annotation(f"doc-{n}.txt", n, n + 1) for n in range(40)]

    def save(chunk: list[Annotation]) -> None:
        for highlight in chunk:
            store.save_annotation(highlight)

    threads = [threading.Thread(target=save, args=(made[n::4],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    with Store(db_path) as reopened:
        assert ids(reopened.annotations()) == ids(made)


def test_reading_does_not_wait_for_a_write_in_progress(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = annotation()
    store.save_annotation(first)
    writing, release = threading.Event(), threading.Event()
    real_write = atomic_storage.write_bytes_atomically

    def slow_write(path: Path, payload: bytes) -> None:
        writing.set()
        release.wait(5)
        real_write(path, payload)

    monkeypatch.setattr(atomic_storage, "write_bytes_atomically", slow_write)
    writer = threading.Thread(target=store.save_annotation, args=(annotation(),))
    writer.start()
    assert writing.wait(5)
    # The UI thread reads while the writer thread waits for the disk: it sees the saved state.
    assert store.annotations() == [first]
    release.set()
    writer.join()
    store.flush()
    assert len(store.annotations()) == 2


def test_flush_returns_at_once_and_is_harmless_after_close(db_path: Path) -> None:
    store = Store(db_path)
    store.save_annotation(annotation())
    store.flush()
    store.close()
    store.flush()


# --- tags --------------------------------------------------------------------------------------


def test_tags_count_each_spelling_once_under_the_oldest(store: Store) -> None:
    store.save_annotations(
        [
            annotation(tags=("Place/Xi'an", "people"), created=stamp(2)),
            annotation(tags=("place/xi'an",), created=stamp(1)),
            annotation(tags=("place",), created=stamp(3)),
            annotation(tags=("People", "people"), created=stamp(4)),
        ]
    )
    # Hierarchical tags count only themselves: the UI builds the tree.
    assert store.tags() == {"people": 2, "place": 1, "place/xi'an": 2}


def test_tags_follow_changes(store: Store) -> None:
    tagged = annotation(tags=("todo",))
    store.save_annotation(tagged)
    assert store.tags() == {"todo": 1}
    store.delete_annotation(tagged.id)
    assert store.tags() == {}


def test_document_tags_round_trip(store: Store, db_path: Path) -> None:
    assert store.document_tags("a.txt") == ()
    store.set_document_tags("a.txt", [" draft ", "Draft", "to read/later"])
    assert store.document_tags("a.txt") == ("draft", "to read/later")
    inode = db_path.stat().st_ino
    store.set_document_tags("a.txt", ["draft", "to read/later"])
    assert db_path.stat().st_ino == inode
    with pytest.raises(TypeError):
        store.set_document_tags("a.txt", "draft")
    store.set_reading_position("a.txt", 9)
    with Store(db_path) as reopened:
        assert reopened.document_tags("a.txt") == ("draft", "to read/later")
        assert reopened.reading_position("a.txt") == 9


# --- what is in the file -----------------------------------------------------------------------


def test_unusable_records_are_kept_and_reported(db_path: Path) -> None:
    good = annotation()
    odd = {
        "no id": {"doc": {"path": "a.txt"}, "quote": {"exact": "x"}, "start": 0, "end": 1},
        "no quote": {"id": "q", "doc": {"path": "a.txt"}, "start": 0, "end": 1},
    }
    data = {
        "_meta": {"1": {"schema": SCHEMA_VERSION, "note": "kept"}},
        "annotations": {"1": good.to_record(), "2": odd["no id"], "3": odd["no quote"]},
        "tombstones": {"1": {"id": "t"}},
        "documents": {"1": {"position": 3}},
        "plugins": {"1": {"anything": ["at", "all"]}},
    }
    db_path.parent.mkdir(parents=True)
    db_path.write_text(json.dumps(data), encoding="utf-8")
    with Store(db_path) as store:
        assert store.annotations() == [good]
        assert store.annotations("a.txt") == [good]
        lines = [problem.describe(db_path) for problem in store.problems]
        problems = "\n".join(lines)
        assert len(store.problems) == 4
        assert "annotation record 2 is not used (its 'id' is missing)" in problems
        assert "annotation q is not used (it has no 'quote')" in problems
        assert "deletion t is not used (it has no 'deleted' time)" in problems
        assert "document record 1 is not used (its 'path' is missing)" in problems
        assert all(line.startswith(f"{db_path}: ") for line in lines)
        store.save_annotation(annotation("b.txt"))
    after = saved(db_path)
    assert after["annotations"]["2"] == odd["no id"]
    assert after["annotations"]["3"] == odd["no quote"]
    assert after["tombstones"]["1"] == {"id": "t"}
    assert after["documents"]["1"] == {"position": 3}
    assert after["plugins"] == data["plugins"]
    assert after["_meta"] == data["_meta"]


def test_a_number_that_cannot_be_kept_refuses_the_file_untouched(db_path: Path) -> None:
    """1e999 reads as Infinity, which JSON cannot hold: kept as a record, it would make every
    later write fail, so the file is refused as it is, in one line."""
    db_path.parent.mkdir(parents=True)
    record = annotation().to_record()
    text = json.dumps({"_meta": {"1": {"schema": SCHEMA_VERSION}}, "annotations": {"1": record}})
    db_path.write_text(text.replace('"start": 0', '"start": 1e999'), encoding="utf-8")
    before = db_path.read_bytes()
    with pytest.raises(StoreCorruptError, match="the number 1e999 is too large") as caught:
        Store(db_path)
    assert "\n" not in str(caught.value)
    assert db_path.read_bytes() == before


def test_doc_ids_stay_put_and_the_file_is_a_tinydb_file(db_path: Path) -> None:
    first, second = annotation(), annotation()
    edited = first.touched(note="edited")
    db_path.parent.mkdir(parents=True)
    tables = {
        "_meta": {"1": {"schema": SCHEMA_VERSION}},
        "annotations": {"7": first.to_record(), "3": {"broken": True}},
    }
    db_path.write_text(json.dumps(tables), encoding="utf-8")
    with Store(db_path) as store:
        store.save_annotation(second)
        store.save_annotation(edited)
    # A rewrite moves nothing: the edited record keeps its number, the new one gets the next.
    assert saved(db_path)["annotations"] == {
        "3": {"broken": True},
        "7": edited.to_record(),
        "8": second.to_record(),
    }
    with TinyDB(db_path, storage=AtomicJSONStorage) as db:
        found = {record.get("id") for record in db.table("annotations").all()}
    assert found == {first.id, second.id, None}


def test_the_file_is_compact_and_readable(store: Store, db_path: Path) -> None:
    store.save_annotation(annotation(note="嘉峪关 “quoted”"))
    text = db_path.read_text(encoding="utf-8")
    assert "嘉峪关 “quoted”" in text
    assert '": ' not in text and '", "' not in text


# --- migration ---------------------------------------------------------------------------------

# Exactly what readertui wrote with schema 1 (the store before annotations), byte for byte.
SCHEMA_1_FILE = (
    '{"_meta": {"1": {"schema": 1}}, "documents": {"1": {"path": "novels/war-and-peace.txt", '
    '"position": 1234}, "2": {"path": "嘉峪关.txt", "position": 7}}, "session": {"1": {"key": '
    '"last_document", "value": "novels/war-and-peace.txt"}}}'
)


def test_a_schema_1_file_is_migrated_to_the_current_schema(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text(SCHEMA_1_FILE, encoding="utf-8")
    highlight = annotation("novels/war-and-peace.txt", 10, 20)
    with Store(db_path) as store:
        assert store.reading_position("novels/war-and-peace.txt") == 1234
        assert store.reading_position("嘉峪关.txt") == 7
        assert store.last_document() == "novels/war-and-peace.txt"
        assert store.document_tags("嘉峪关.txt") == ()
        assert store.annotations() == []
        # Opening alone changes nothing on disk; the backup keeps the old file as it was.
        assert db_path.read_text(encoding="utf-8") == SCHEMA_1_FILE
        backup = newest_backup(db_path)
        assert backup is not None
        assert backup.read_text(encoding="utf-8") == SCHEMA_1_FILE
        store.save_annotation(highlight)
    data = saved(db_path)
    assert data["_meta"] == {"1": {"schema": SCHEMA_VERSION}}
    assert data["documents"] == {
        "1": {"path": "novels/war-and-peace.txt", "position": 1234, "tags": []},
        "2": {"path": "嘉峪关.txt", "position": 7, "tags": []},
    }
    assert data["session"]["1"] == {"key": "last_document", "value": "novels/war-and-peace.txt"}
    assert list(data["annotations"].values()) == [highlight.to_record()]
    assert data["tombstones"] == {}


def test_a_schema_1_file_written_meanwhile_by_an_old_readertui_is_merged(db_path: Path) -> None:
    with Store(db_path) as store:
        highlight = annotation()
        store.save_annotation(highlight)
        # An old readertui (schema 1, no merging) rewrites the file from its own memory.
        db_path.write_text(SCHEMA_1_FILE, encoding="utf-8")
        store.set_reading_position("a.txt", 5)
    with Store(db_path) as reopened:
        assert reopened.annotations() == [highlight]
        assert reopened.reading_position("novels/war-and-peace.txt") == 1234
        assert reopened.reading_position("a.txt") == 5
    assert saved(db_path)["_meta"] == {"1": {"schema": SCHEMA_VERSION}}


# --- properties --------------------------------------------------------------------------------

# Any text JSON can carry as UTF-8: NUL and control characters included, no lone surrogates.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
times = st.integers(min_value=0, max_value=10**12).map(stamp)


@st.composite
def annotations(draw: st.DrawFn) -> Annotation:
    start = draw(st.integers(min_value=0, max_value=10**9))
    return Annotation(
        id=str(draw(st.uuids(version=4))),
        doc=DocumentRef(draw(texts.filter(bool)), draw(texts), draw(texts)),
        quote=Quote(draw(texts), draw(texts), draw(texts)),
        start=start,
        end=start + draw(st.integers(min_value=0, max_value=10**6)),
        color=draw(st.sampled_from(["yellow", "green", "blue", "pink", "purple"])),
        note=draw(texts),
        tags=tuple(draw(st.lists(texts, max_size=4))),
        links=tuple(draw(st.lists(texts, max_size=2))),
        created=draw(times),
        updated=draw(times),
        orphaned=draw(st.booleans()),
        confidence=draw(st.floats(min_value=0, max_value=1)),
    )


@settings(max_examples=40, deadline=None)
@given(saved_annotations=st.lists(annotations(), max_size=8, unique_by=lambda a: a.id))
def test_any_annotations_round_trip_through_the_file(saved_annotations: list[Annotation]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "annotations.json"
        with Store(db_path) as store:
            store.save_annotations(saved_annotations)
        with Store(db_path) as store:
            assert sorted(store.annotations(), key=lambda a: a.id) == sorted(
                saved_annotations, key=lambda a: a.id
            )
            assert store.problems == ()


class Clock:
    """Strictly increasing now_iso times, later than anything the stores stamped before."""

    def __init__(self) -> None:
        self.last = now_iso()

    def tick(self) -> str:
        current = now_iso()
        while current <= self.last:
            current = now_iso()
        self.last = current
        return current


operations = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1),  # which writer
        st.sampled_from(["create", "edit", "delete", "reload"]),
        st.integers(min_value=0, max_value=10**6),  # which of its visible annotations
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=operations)
def test_two_interleaved_writers_lose_nothing(steps: list[tuple[int, str, int]]) -> None:
    """Every annotation whose last change was a save is in the file, as saved; no other is."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "annotations.json"
        writers = [Store(db_path), Store(db_path)]
        clock = Clock()
        last_change: dict[str, Annotation | None] = {}  # id -> its last save, None: deleted
        for who, action, pick in steps:
            writer = writers[who]
            visible = writer.annotations()
            if action == "create" or (action in ("edit", "delete") and not visible):
                start = pick % 100
                made = annotation(f"doc-{pick % 3}.txt", start, start + 5, updated=clock.tick())
                writer.save_annotation(made)
                last_change[made.id] = made
            elif action == "edit":
                # An edit from this writer's view, which may be stale: the other writer may
                # have deleted or edited it since. The edit is newer, so it wins either way.
                target = visible[pick % len(visible)]
                edited = annotation(
                    target.doc.path,
                    target.start,
                    target.end,
                    id=target.id,
                    updated=clock.tick(),
                    note=f"edit {len(last_change)}",
                )
                writer.save_annotation(edited)
                last_change[edited.id] = edited
            elif action == "delete":
                target = visible[pick % len(visible)]
                writer.delete_annotation(target.id)
                last_change[target.id] = None
            else:
                writer.reload_if_changed()
            clock.tick()  # whatever the store stamped during the call is now in the past
        for writer in writers:
            writer.close()
        expected = {a.id: a for a in last_change.values() if a is not None}
        with Store(db_path) as final:
            assert {a.id: a for a in final.annotations()} == expected
