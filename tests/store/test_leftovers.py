"""What a crash leaves: a temporary file beside the database, or an empty database file.

A `kill -9` between writing the temporary file and renaming it leaves the temporary file (12 MB
with a large database) for good unless the next open removes it; that is only safe while
holding the lock file every writer holds while its temporary file exists. An empty database
file is not silently taken for a new one when a backup holds annotations.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from readertui.store.atomic_storage import stale_temporaries
from readertui.store.errors import StoreCorruptError
from readertui.store.store import Store, backup_folder
from tests.store.builders import annotation

# A writer that dies (kill -9) after its temporary file is complete, before the rename.
DYING_WRITER = """
import os
import sys
import time
from pathlib import Path

from readertui.core.annotations import Annotation, DocumentRef, Quote
from readertui.store.store import Store

store = Store(Path(sys.argv[1]))
real_replace = os.replace


def stall(source, target):
    print("written", flush=True)
    time.sleep(600)  # killed here


os.replace = stall
big = Quote("x" * 100_000)
store.save_annotation(Annotation(id="lost", doc=DocumentRef("a.txt"), quote=big, start=0, end=1))
"""


def temporaries(db_path: Path) -> list[str]:
    return sorted(entry.name for entry in db_path.parent.iterdir() if entry.suffix == ".tmp")


def test_a_write_killed_before_its_rename_leaves_nothing_after_the_next_open(
    tmp_path: Path, db_path: Path
) -> None:
    kept = annotation()
    with Store(db_path) as store:
        store.save_annotation(kept)
    before = db_path.read_bytes()
    script = tmp_path / "dying.py"
    script.write_text(DYING_WRITER, encoding="utf-8")
    source = Path(__file__).resolve().parents[2] / "src"
    writer = subprocess.Popen(
        [sys.executable, str(script), str(db_path)],
        env={**os.environ, "PYTHONPATH": str(source)},
        stdout=subprocess.PIPE,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline() == b"written\n"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
        writer.stdout.close()  # type: ignore[union-attr]
    (leftover,) = temporaries(db_path)
    assert leftover.startswith(f".{db_path.name}.")
    assert db_path.read_bytes() == before

    with Store(db_path) as store:
        assert store.annotations() == [kept]
    assert temporaries(db_path) == []
    assert db_path.read_bytes() == before


def test_only_our_own_temporary_files_are_removed(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    ours = [f".{db_path.name}.abcd_123.tmp", f".{db_path.name}.zz99zz99.tmp"]
    others = [
        f".{db_path.name}.tmp",  # no random part
        f".{db_path.name}.ABCDEFGH.tmp",  # not how ours are named
        f".{db_path.name}.abcd1234567.tmp",  # too long
        ".other.json.abcd1234.tmp",  # another file's
        f"{db_path.name}.abcd1234.tmp",  # not hidden
        "notes.tmp",
    ]
    for name in ours + others:
        (db_path.parent / name).write_bytes(b"x" * 1000)
    assert [path.name for path in stale_temporaries(db_path)] == sorted(ours)
    Store(db_path).close()
    assert temporaries(db_path) == sorted(others)


def test_a_temporary_file_is_left_while_another_process_holds_the_lock(db_path: Path) -> None:
    """Another writer holds the lock: its temporary file may be a write in progress."""
    db_path.parent.mkdir(parents=True)
    in_progress = db_path.parent / f".{db_path.name}.k3y9x2aa.tmp"
    in_progress.write_bytes(b"{}")
    lock = FileLock(str(db_path) + ".lock")
    with lock.acquire(timeout=1):
        Store(db_path).close()
        assert in_progress.exists()
    Store(db_path).close()
    assert not in_progress.exists()


def test_temporary_files_beside_a_symlinked_database_are_found_by_its_real_name(
    tmp_path: Path,
) -> None:
    if sys.platform == "win32":
        pytest.skip("symlinks")
    real = tmp_path / "synced" / "real.json"
    with Store(real) as store:
        store.save_annotation(annotation())
    link = tmp_path / "annotations.json"
    link.symlink_to(real)
    leftover = real.parent / ".real.json.a1b2c3d4.tmp"
    leftover.write_bytes(b"{")
    Store(link).close()
    assert not leftover.exists()


def test_opening_without_leftovers_creates_nothing(db_path: Path) -> None:
    Store(db_path).close()
    assert not db_path.parent.exists()


# --- an empty database file --------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b" \n\t "])
def test_an_empty_database_beside_a_backup_is_refused_untouched(
    db_path: Path, content: bytes
) -> None:
    with Store(db_path) as store:
        store.save_annotation(annotation())
    backup = backup_folder(db_path) / f"{db_path.stem}-20250101-000000.json"
    backup.parent.mkdir()
    backup.write_bytes(db_path.read_bytes())
    db_path.write_bytes(content)

    with pytest.raises(StoreCorruptError) as caught:
        Store(db_path)
    assert caught.value.newest_backup == backup
    assert "the file is empty" in str(caught.value)
    assert str(backup) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert db_path.read_bytes() == content


def test_an_empty_database_with_only_empty_backups_starts_anew_with_a_notice(
    db_path: Path,
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    backup = backup_folder(db_path) / f"{db_path.stem}-20250101-000000.json"
    backup.parent.mkdir()
    backup.write_bytes(b"")
    highlight = annotation()
    with Store(db_path) as store:
        assert store.notices() == (f"{db_path} was empty; a new database was started",)
        store.save_annotation(highlight)
    assert [r["id"] for r in json.loads(db_path.read_bytes())["annotations"].values()] == [
        highlight.id
    ]
    with Store(db_path) as reopened:
        assert reopened.notices() == ()


def test_a_database_emptied_while_open_is_written_again_whole(db_path: Path) -> None:
    """Memory holds everything: the file being emptied meanwhile loses nothing (no refusal)."""
    first = annotation()
    store = Store(db_path)
    store.save_annotation(first)
    db_path.write_bytes(b"")
    time.sleep(0.01)
    second = annotation()
    store.save_annotation(second)
    store.close()
    with Store(db_path) as reopened:
        assert {a.id for a in reopened.annotations()} == {first.id, second.id}
