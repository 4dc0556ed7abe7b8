"""Two real processes writing one database at once: nothing is lost, and the file is never torn."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from readertui.store.store import Store

SAVES = 60

WRITER = """
import sys
import time
from pathlib import Path

from readertui.core.annotations import Annotation, DocumentRef, Quote, now_iso
from readertui.store.store import Store

db_path, name, folder, count = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
store = Store(db_path)
(folder / f"ready-{name}").touch()
go = folder / "go"
while not go.exists():
    time.sleep(0.0005)
for n in range(count):
    stamp = now_iso()
    store.save_annotation(
        Annotation(
            id=f"{name}-{n}",
            doc=DocumentRef(f"{name}.txt"),
            quote=Quote("quoted " * n),
            start=n,
            end=n + 1,
            created=stamp,
            updated=stamp,
        )
    )
    store.set_reading_position(f"{name}.txt", n)
    # A waiting writer polls the lock file (every 50 ms): a pause lets it in, so the two
    # really take turns rather than one running through all its saves.
    time.sleep(0.01)
store.close()
"""


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path, db_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    source = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(source)}
    names = ("one", "two")
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), str(db_path), name, str(tmp_path), str(SAVES)],
            env=env,
            stderr=subprocess.PIPE,
        )
        for name in names
    ]

    reads = 0
    torn: list[str] = []
    done = threading.Event()

    def watch() -> None:
        # Read the file as fast as possible while both write: every read must be whole JSON.
        nonlocal reads
        while not done.is_set():
            try:
                raw = db_path.read_bytes()
            except FileNotFoundError:
                continue
            try:
                json.loads(raw)
            except ValueError as error:
                torn.append(f"{error}: {raw[:80]!r}")
            reads += 1

    watcher = threading.Thread(target=watch)
    try:
        # Both writers have started and opened the store before either may save: released
        # together, they write at the same time rather than one after the other.
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready-{name}").exists() for name in names):
            assert time.monotonic() < deadline, "the writers never got ready"
            assert all(writer.poll() is None for writer in writers), "a writer died"
            time.sleep(0.005)
        watcher.start()
        (tmp_path / "go").touch()
        for writer in writers:
            _, stderr = writer.communicate(timeout=120)
            assert writer.returncode == 0, stderr.decode()
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
        done.set()
        if watcher.is_alive():
            watcher.join()

    assert torn == []
    assert reads > 0
    with Store(db_path) as store:
        found = {a.id for a in store.annotations()}
        assert found == {f"{name}-{n}" for name in names for n in range(SAVES)}
        assert store.reading_position("one.txt") == SAVES - 1
        assert store.reading_position("two.txt") == SAVES - 1
        assert store.problems == ()
    # The writes really interleaved: records are numbered in the order they reached the
    # file, and the two writers' records alternate many times. (Were they one after the
    # other, a broken merge would go unnoticed.)
    rows = json.loads(db_path.read_bytes())["annotations"]
    owners = [rows[doc_id]["id"].split("-")[0] for doc_id in sorted(rows, key=int)]
    switches = sum(1 for a, b in itertools.pairwise(owners) if a != b)
    assert switches >= 5, " ".join(owners)
