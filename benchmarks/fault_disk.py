"""Faults 4 and 5: a disk that fills up and is freed again, and a database that turns
read-only during a session.

Both need a file system of our own: a small tmpfs the script mounts (root only). Without root,
a full disk is played by a file size limit on the running process (RLIMIT_FSIZE, set and
lifted with `prlimit`; Python ignores SIGXFSZ, so a write past the limit fails with EFBIG),
and a read-only folder by taking the folder's write permission away; a read-only file cannot
be played without root (the atomic rename only needs the folder), so that case is skipped.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from fault_edits import SAVE_WITHIN, Edit, send_edit
from fault_terminal import (
    NOT_SAVED,
    RECOVERED_DIALOG,
    SAVED,
    UNSAVED_DIALOG,
    Terminal,
    save_status,
)
from fault_world import (
    PARAGRAPHS,
    WORDS,
    Row,
    TornFile,
    World,
    changes_files,
    doc_name,
    kill_hard,
    read_database,
    wait_gone,
)

#: Once the disk is freed, the retries (0.5 s, 1 s, 2 s, ... 10 s apart) must get there by then.
WRITTEN_AFTER_FREE = 25.0
ROUNDS_PER_SESSION = 5


class SmallDisk:
    """A folder whose file system can be filled and freed, or turned read-only and back."""

    def __init__(self, folder: Path, kind: str) -> None:
        self.folder = folder
        #: "tmpfs" (mounted by us) or "rlimit"/"chmod" (the fallbacks without root).
        self.kind = kind
        self._filler = folder / "filler"

    @classmethod
    def make(cls, world: World, name: str, force_fallback: bool = False) -> SmallDisk:
        folder = world.folder(name)
        if os.geteuid() == 0 and not force_fallback:
            mounted = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(folder)],
                capture_output=True,
                text=True,
                check=False,
            )
            if mounted.returncode == 0:
                world.mounts.append(folder)
                return cls(folder, "tmpfs")
        return cls(folder, "fallback")

    # -- full and freed -------------------------------------------------------------------------

    def fill(self, pid: int) -> None:
        if self.kind == "tmpfs":
            fd = os.open(self._filler, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                for size in (65536, 4096, 1):
                    with contextlib.suppress(OSError):
                        while os.write(fd, b"x" * size):
                            pass
            finally:
                os.close(fd)
        else:
            # Files of the process may not grow past what the biggest one holds now.
            biggest = max((p.stat().st_size for p in self.folder.glob("*.json")), default=0)
            _prlimit(pid, f"{biggest}:")

    def free(self, pid: int) -> None:
        if self.kind == "tmpfs":
            self._filler.unlink(missing_ok=True)
        else:
            _prlimit(pid, "unlimited:")

    # -- read-only and back ---------------------------------------------------------------------

    def read_only(self, target: Path, what: str) -> str | None:
        """Make `target`'s folder ("folder") or the file itself ("file") read-only; None, or
        why it cannot be done here."""
        if what == "folder":
            if self.kind == "tmpfs":
                return _run(["mount", "-o", "remount,ro", str(self.folder)])
            target.parent.chmod(0o555)
            return None
        if os.geteuid() != 0:
            return "a read-only file needs root (chattr +i): renaming over it needs the folder only"
        return _run(["chattr", "+i", str(target)])

    def writable(self, target: Path, what: str) -> None:
        if what == "folder":
            if self.kind == "tmpfs":
                _run(["mount", "-o", "remount,rw", str(self.folder)])
            else:
                target.parent.chmod(0o755)
        else:
            _run(["chattr", "-i", str(target)])


def _prlimit(pid: int, limit: str) -> None:
    subprocess.run(
        ["prlimit", "--pid", str(pid), f"--fsize={limit}"], capture_output=True, check=False
    )


def _run(command: list[str]) -> str | None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return None if result.returncode == 0 else f"{' '.join(command)}: {result.stderr.strip()}"


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def has_note(db: Path, note: str) -> bool:
    try:
        return bool(read_database(db).with_note(note))
    except TornFile:
        return False


def note_edit(rng: random.Random, note: str) -> Edit:
    first = rng.randrange(WORDS - 1)
    return Edit(rng.randrange(PARAGRAPHS), first, 1, note, burst=rng.random() < 0.5)


# -- 4. disk full, then freed ---------------------------------------------------------------------


def disk_full(world: World, rng: random.Random, rounds: int, row: Row, fallback: bool) -> None:
    """Fault 4: A saved; disk full: B says NOT SAVED; freed: B (and C) written, `saved`."""
    disk = SmallDisk.make(world, "disk-full", force_fallback=fallback)
    if disk.kind == "fallback":
        probe = subprocess.run(["prlimit", "--version"], capture_output=True, check=False)
        if probe.returncode != 0:
            row.skipped = "no root to mount a tmpfs, and no prlimit for RLIMIT_FSIZE"
            return
    db = disk.folder / "annotations.json"
    expected: list[str] = []
    term = Terminal(world, "disk", 160, 50)
    pid: int | None = None
    session = ""
    worst = 0.0
    try:
        for number in range(rounds):
            if number % ROUNDS_PER_SESSION == 0:
                if pid is not None:
                    _quit(term, pid, session, row)
                session = f"s{number}"
                document = str(world.library / doc_name(number))
                pid, problem = term.start_ready(["--db", str(db), document], session)
                if problem:
                    row.fail(f"round {number}: {problem}")
                    return
            assert pid is not None
            took = _full_round(term, session, pid, disk, db, rng, number, row, expected)
            worst = max(worst, took)
        if pid is not None:
            _quit(term, pid, session, row)
    finally:
        term.kill_server()
        if pid is not None:
            disk.free(pid)
    try:
        database = read_database(db)
    except TornFile as exc:
        row.fail(str(exc))
        return
    missing = [note for note in expected if not database.with_note(note)]
    row.lost += len(missing)
    if missing:
        row.fail(f"not in the file at the end: {missing}")
    how = (
        "a 1 MB tmpfs filled to the last byte"
        if disk.kind == "tmpfs"
        else "RLIMIT_FSIZE (prlimit) at the file's size"
    )
    row.tries = f"{rounds} rounds"
    row.checked = (
        f"{how}; B shown `NOT SAVED`, file intact with A and without B; freed: B written "
        f"(with a new change C in every other round) and `saved` within {worst:.1f} s at worst"
    )


def _full_round(
    term: Terminal,
    session: str,
    pid: int,
    disk: SmallDisk,
    db: Path,
    rng: random.Random,
    number: int,
    row: Row,
    expected: list[str],
) -> float:
    """One round; the seconds from freeing the disk to `saved`."""
    a, b, c = (note_edit(rng, f"d{number} {name}") for name in "ABC")
    send_edit(term, a.keys(), a.burst, rng, session)
    expected.append(a.note or "")
    if not wait_until(lambda: has_note(db, a.note or ""), SAVE_WITHIN):
        row.fail(f"round {number}: A was not written with the disk free")
    if term.wait_for(lambda s: save_status(s) == SAVED, SAVE_WITHIN, session) is None:
        row.stalled += 1
        row.fail(f"round {number}: A: status `{save_status(term.screen(session))}`")
    disk.fill(pid)
    send_edit(term, b.keys(), b.burst, rng, session)
    expected.append(b.note or "")
    shown = term.wait_for(lambda s: save_status(s) == NOT_SAVED, SAVE_WITHIN, session)
    if shown is None:
        status = save_status(term.screen(session))
        row.fail(f"round {number}: B on a full disk: status `{status}`, never `NOT SAVED`")
    try:
        during = read_database(db)
        if not during.with_note(a.note or "") or during.with_note(b.note or ""):
            row.fail(f"round {number}: with the disk full the file does not hold A without B")
    except TornFile as exc:
        row.fail(f"round {number}: the file is torn with the disk full: {exc}")
    freed = time.monotonic()
    disk.free(pid)
    notes = [b.note or ""]
    if number % 2:
        send_edit(term, c.keys(), c.burst, rng, session)
        expected.append(c.note or "")
        notes.append(c.note or "")
    written = wait_until(lambda: all(has_note(db, note) for note in notes), WRITTEN_AFTER_FREE)
    settled = term.wait_for(lambda s: save_status(s) == SAVED, 5 if written else 0, session)
    took = time.monotonic() - freed
    if not written or settled is None:
        row.stalled += 1
        status = save_status(term.screen(session))
        what = "written" if written else "not written"
        row.fail(f"round {number}: freed: B {what}, status `{status}` {took:.0f} s on")
    return took


def _quit(term: Terminal, pid: int, session: str, row: Row, status: int | None = 0) -> None:
    """`q`, and the process ends (with `status`, and no traceback)."""
    term.send("q", session=session)
    if wait_gone(pid, SAVE_WITHIN) is None:
        row.fail(f"{session}: still running {SAVE_WITHIN:g} s after `q`")
        kill_hard(pid)
    elif (wrong := term.check_ending(session, status)) is not None:
        row.fail(f"{session}: `q`: {wrong}")


# -- 5. read-only folder and file -----------------------------------------------------------------


def read_only(world: World, rng: random.Random, rounds: int, row: Row) -> None:
    """Fault 5: the database turns read-only mid-session; `q` asks; "quit anyway" keeps the
    change in a changes file; writable again, the next start merges it with `m`."""
    disk = SmallDisk.make(world, "read-only")
    done: list[str] = []
    skipped: list[str] = []
    for number in range(rounds):
        what = ("folder", "file")[number % 2]
        folder = disk.folder / f"r{number}"
        folder.mkdir()
        db = folder / "annotations.json"
        reason = _read_only_round(world, disk, db, what, rng, number, row)
        if reason is not None:
            skipped.append(f"{what}: {reason}")
            continue
        done.append(what)
    if not done:
        row.skipped = "; ".join(sorted(set(skipped)))
        return
    row.tries = (
        f"{done.count('folder')} read-only folder, {done.count('file')} read-only file rounds"
    )
    how = "tmpfs remounted ro" if disk.kind == "tmpfs" else "folder chmod 555"
    row.checked = (
        f"folder: {how}; file: chattr +i. B shown `NOT SAVED`; `q` opened the dialog; `q` "
        "ended and kept B in a changes file; writable again, the next start offered it, `m` "
        "merged it, `saved`; A and B in the file, the changes file removed"
    )
    if skipped:
        row.checked += f" (not played: {'; '.join(sorted(set(skipped)))})"


def _read_only_round(
    world: World, disk: SmallDisk, db: Path, what: str, rng: random.Random, number: int, row: Row
) -> str | None:
    """One round; None, or why it could not be played here."""
    term = Terminal(world, f"ro{number}", 160, 50)
    label = f"round {number} ({what})"
    a, b = (note_edit(rng, f"ro{number} {name}") for name in "AB")
    doc = str(world.library / doc_name(number))
    made_read_only = False
    try:
        pid, problem = term.start_ready(["--db", str(db), doc], "first")
        if pid is None or problem:
            row.fail(f"{label}: {problem}")
            return None
        send_edit(term, a.keys(), a.burst, rng, "first")
        if not wait_until(lambda: has_note(db, a.note or ""), SAVE_WITHIN):
            row.fail(f"{label}: A was not written")
        refused = disk.read_only(db, what)
        if refused is not None:
            kill_hard(pid)
            return refused
        made_read_only = True
        before = set(changes_files(world, db))
        send_edit(term, b.keys(), b.burst, rng, "first")
        if term.wait_for(lambda s: save_status(s) == NOT_SAVED, SAVE_WITHIN, "first") is None:
            row.fail(f"{label}: B never shown `NOT SAVED`")
        term.send("q", session="first")
        choices = (UNSAVED_DIALOG, "Retry", "another file", "Quit anyway")
        dialog = term.wait_for(lambda s: all(w in s for w in choices), SAVE_WITHIN, "first")
        if dialog is None and UNSAVED_DIALOG in term.screen("first"):
            row.fail(f"{label}: the dialog does not offer retry, another file and quit anyway")
        elif dialog is None:
            row.fail(f"{label}: `q` with B unsaved did not ask")
        term.send("q", session="first")
        if wait_gone(pid, SAVE_WITHIN) is None:
            row.fail(f"{label}: still running after `q` `q` (quit anyway)")
            kill_hard(pid)
        elif (wrong := term.check_ending("first", None)) is not None:
            row.fail(f"{label}: quit anyway: {wrong}")
        kept = sorted(set(changes_files(world, db)) - before)
        if not kept:
            row.fail(f"{label}: no changes file was written for B")
        disk.writable(db, what)
        made_read_only = False
        if not has_note(db, a.note or "") or has_note(db, b.note or ""):
            row.fail(f"{label}: the read-only file does not hold A without B")
        pid = term.start(["--db", str(db), doc], "second", keep_pane=True)
        if pid is None or term.wait_for(RECOVERED_DIALOG, 30, "second") is None:
            row.fail(f"{label}: the next start did not offer the kept changes")
        term.send("m", session="second")
        if not wait_until(lambda: has_note(db, b.note or ""), SAVE_WITHIN):
            row.lost += 1
            row.fail(f"{label}: `m` did not bring B into the file")
        elif term.wait_for(lambda s: save_status(s) == SAVED, SAVE_WITHIN, "second") is None:
            row.stalled += 1
            row.fail(f"{label}: after the merge: status `{save_status(term.screen('second'))}`")
        if pid is not None:
            _quit(term, pid, "second", row)
        if not has_note(db, a.note or ""):
            row.lost += 1
            row.fail(f"{label}: A is gone")
        left = [p for p in kept if p.exists()]
        if left:
            row.fail(f"{label}: the merged changes file was not removed: {left}")
    finally:
        if made_read_only:
            disk.writable(db, what)
        term.kill_server()
    return None
