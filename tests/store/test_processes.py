"""Two real processes writing one database at once: nothing is lost, and the file is never torn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from readertui.store.store import Store

WRITER = """
import sys
import time
from pathlib import Path

from readertui.core.annotations import Annotation, DocumentRef, Quote, now_iso
from readertui.store.store import Store

db_path, name, go, count = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
store = Store(db_path)
while not go.exists():
    time.sleep(0.001)
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
store.close()
"""


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path, db_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    go = tmp_path / "go"
    source = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": str(source)}
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), str(db_path), name, str(go), "50"],
            env=env,
            stderr=subprocess.PIPE,
        )
        for name in ("one", "two")
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
    watcher.start()
    go.touch()
    try:
        for writer in writers:
            _, stderr = writer.communicate(timeout=120)
            assert writer.returncode == 0, stderr.decode()
    finally:
        done.set()
        watcher.join()

    assert torn == []
    assert reads > 0
    with Store(db_path) as store:
        found = {a.id for a in store.annotations()}
        assert found == {f"{name}-{n}" for name in ("one", "two") for n in range(50)}
        assert store.reading_position("one.txt") == 49
        assert store.reading_position("two.txt") == 49
        assert store.problems == []
