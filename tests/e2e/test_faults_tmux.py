"""End to end, the faults of issue 8 in a real terminal: keys in one burst, signals while an
editor is open, a terminal that goes away, a disk that fills up, a read-only database."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.terminal import (
    END_WITHIN,
    READERTUI,
    Terminal,
    end_by_signal,
    process_alive,
    require_tools,
    wait_until_ended,
)

pytestmark = pytest.mark.e2e

TEXT = "\n\n".join(
    f"Paragraph {n} tells of the steel works of Jiayuguan and its people." for n in range(40)
)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "report.txt").write_text(TEXT + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Terminal]:
    require_tools()
    # Wide enough that each paragraph is one row beside the library pane (j goes from one
    # line to the next, as the bursts below expect).
    terminal = Terminal(tmp_path, 104, 30)
    yield terminal
    terminal.close()


def open_report(term: Terminal, library: Path, db: Path) -> int:
    pid = term.start(str(READERTUI), "--db", str(db), str(library / "report.txt"))
    term.wait_until_ready()
    return pid


def annotations_in(db: Path) -> list[dict[str, object]]:
    if not db.exists():
        return []  # nothing saved yet: the database is made at the first save
    data = json.loads(db.read_text(encoding="utf-8"))
    return list(data.get("annotations", {}).values())


def notes_in(db: Path) -> list[tuple[object, object]]:
    return sorted((a["quote"]["exact"], a["note"]) for a in annotations_in(db))  # type: ignore[index]


def test_a_note_typed_in_one_burst_is_saved(term: Terminal, library: Path, tmp_path: Path) -> None:
    """`v w w n quiet ctrl+s` in one burst: q does not quit, u does not undo; then kill -9."""
    db = tmp_path / "db.json"
    pid = open_report(term, library, db)
    term.burst("2", "j", "v", "w", "w", "n", "q", "u", "i", "e", "t", "C-s")
    assert wait_until(lambda: notes_in(db) == [("Paragraph", "quiet")])
    term.wait_until_saved("1 highlight, 1 note")
    assert process_alive(pid), "a key typed into the note editor quit the app"
    os.kill(pid, signal.SIGKILL)
    assert wait_until_ended(pid, 5)
    assert notes_in(db) == [("Paragraph", "quiet")]


def test_keys_typed_while_the_process_was_stopped_are_read_and_q_still_quits(
    term: Terminal, library: Path, tmp_path: Path
) -> None:
    """SIGSTOP, keys, SIGCONT (a debugger, a job-control tool): Textual took the SIGCONT
    for the end of a ctrl+z suspension and started a second key reader; `q` then hung."""
    pid = open_report(term, library, tmp_path / "db.json")
    for line in (3, 5, 7):  # the hang came one time in three or so: three times over
        os.kill(pid, signal.SIGSTOP)
        try:
            term.keys("j", "j")
            time.sleep(0.5)  # the keys reach the terminal while the process is stopped
        finally:
            os.kill(pid, signal.SIGCONT)
        term.wait_for(f"line {line}/")
        time.sleep(0.5)  # what SIGCONT set off in the app has run
    term.keys("q")
    assert term.wait_until_closed(), "q did not quit after the process was continued"


def test_enter_and_n_in_one_burst_make_one_highlight(
    term: Terminal, library: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.json"
    open_report(term, library, db)
    term.burst("}", "v", "w", "w", "Enter", "n", "o", "n", "e", "C-s")
    # `saved` shows from the start: the new counts beside it show the note is written.
    term.wait_until_saved("1 highlight, 1 note")
    term.keys("q")
    assert term.wait_until_closed()
    assert notes_in(db) == [("Paragraph 1", "one")]


@pytest.mark.parametrize("signal_number", [signal.SIGHUP, signal.SIGTERM])
def test_a_signal_while_the_note_editor_is_open_saves_the_typed_note(
    term: Terminal, library: Path, tmp_path: Path, signal_number: signal.Signals
) -> None:
    db = tmp_path / "db.json"
    pid = open_report(term, library, db)
    term.keys("v", "w", "w", "n")
    term.wait_for("Markdown · ctrl+s")
    term.burst("k", "e", "p", "t", "Space", "o", "n", "Space", "s", "i", "g", "n", "a", "l")
    term.wait_for("kept on signal")
    end_by_signal(pid, signal_number)
    assert notes_in(db) == [("Paragraph 0", "kept on signal")]


@pytest.mark.parametrize("signal_number", [signal.SIGHUP, signal.SIGTERM])
def test_a_signal_just_after_a_burst_keeps_the_note_typed_ahead(
    term: Terminal, library: Path, tmp_path: Path, signal_number: signal.Signals
) -> None:
    # `n` and the note in one burst, the connection dropped before the editor is open: the
    # keys held meanwhile reach the editor, and what it holds is saved.
    db = tmp_path / "db.json"
    pid = open_report(term, library, db)
    term.burst("v", "w", "w", "n", "a", "h", "e", "a", "d")
    # The keys must have reached readertui before the signal (a loaded machine may take
    # longer than any fixed wait to read them); the editor is not waited for.
    term.wait_until_keys_read()
    time.sleep(0.05)
    end_by_signal(pid, signal_number)
    assert notes_in(db) == [("Paragraph 0", "ahead")]


@pytest.mark.parametrize("moment", ["start-up", "after a highlight", "note editor open"])
def test_a_closed_terminal_ends_readertui_within_two_seconds(
    library: Path, tmp_path: Path, moment: str
) -> None:
    """Closing the tmux server (the SSH connection dropped): the process ends in time, and what
    was made is saved."""
    require_tools()
    db = tmp_path / "db.json"
    term = Terminal(tmp_path, 100, 30)
    try:
        pid = term.start(str(READERTUI), "--db", str(db), str(library / "report.txt"))
        if moment != "start-up":
            term.wait_until_ready()
            term.keys("v", "w", "w", "Enter")
            if moment == "note editor open":
                term.keys("n")
                term.wait_for("Markdown · ctrl+s")
                term.burst("g", "o", "n", "e")
                term.wait_for("gone")
            else:
                term.wait_until_saved("1 highlight")
        term.kill_server()
        started = time.monotonic()
        assert wait_until_ended(pid, END_WITHIN + 1), "readertui outlived its terminal"
        assert time.monotonic() - started < END_WITHIN + 0.5
    finally:
        term.close()
    if moment == "after a highlight":
        assert notes_in(db) == [("Paragraph 0", "")]
    elif moment == "note editor open":
        assert notes_in(db) == [("Paragraph 0", "gone")]


# -- a small file system of our own: a full disk, a read-only one ---------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KB tmpfs (needs root); skips, saying why, where it cannot be mounted."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` to the last byte; the filler file."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while os.write(fd, b"x" * size):
                    pass
    finally:
        os.close(fd)
    return filler


def flow_control(tty: str) -> bool:
    """Whether the terminal device still takes ctrl+s as flow control (its cooked mode):
    read in this process, at once (an `stty` started each time is slow on a loaded machine,
    and the keys are to come before the first screen)."""
    fd = os.open(tty, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        return bool(termios.tcgetattr(fd)[0] & termios.IXON)
    finally:
        os.close(fd)


def _tty_settings(tty: str) -> str:
    """`stty -a` of a terminal device (of a tmux pane)."""
    result = subprocess.run(["stty", "-F", tty, "-a"], capture_output=True, text=True, check=False)
    return result.stdout


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_an_edit_made_while_the_disk_is_full_is_written_once_it_is_freed(
    term: Terminal, library: Path, small_disk: Path
) -> None:
    """A saved; disk full: B shows NOT SAVED; disk freed: C, and the file holds A, B and C."""
    db = small_disk / "db.json"
    open_report(term, library, db)
    term.keys("v", "w", "Enter")  # A
    assert wait_until(lambda: len(annotations_in(db)) == 1)
    filler = fill(small_disk)
    term.keys("}", "v", "w", "Enter")  # B
    term.wait_for("NOT SAVED")
    assert len(annotations_in(db)) == 1
    filler.unlink()
    term.keys("}", "v", "w", "Enter")  # C
    assert wait_until(lambda: len(annotations_in(db)) == 3)
    term.wait_until_saved("3 highlights")
    term.keys("q")
    assert term.wait_until_closed()


def test_a_change_kept_through_a_full_disk_is_written_without_another_change(
    term: Terminal, library: Path, small_disk: Path
) -> None:
    db = small_disk / "db.json"
    open_report(term, library, db)
    filler = fill(small_disk)
    term.keys("v", "w", "Enter")
    term.wait_for("NOT SAVED")
    filler.unlink()
    # Retried by itself, after a pause that grows with each failure (up to 10 s).
    term.wait_until_saved("1 highlight", timeout=60)
    assert len(annotations_in(db)) == 1
    term.keys("q")
    assert term.wait_until_closed()


def test_quitting_with_unsaved_changes_asks_and_the_next_start_merges_them(
    term: Terminal, library: Path, small_disk: Path
) -> None:
    """The database's file system turns read-only: q says what is unsaved and offers choices;
    "quit anyway" keeps the changes in a file that the next start offers to merge."""
    db = small_disk / "db.json"
    open_report(term, library, db)
    term.keys("v", "w", "w", "n")
    term.wait_for("Markdown · ctrl+s")
    term.keys("read-only", "C-s")
    assert wait_until(lambda: notes_in(db) == [("Paragraph 0", "read-only")])
    # The first editor is gone before the second is opened and waited for.
    term.wait_until_saved("1 highlight, 1 note")
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    term.keys("}", "v", "w", "n")
    term.wait_for("Markdown · ctrl+s")
    term.keys("unsaved", "Space", "note", "C-s")
    term.wait_for("NOT SAVED")
    term.keys("q")
    screen = term.wait_for("Changes are not saved")
    assert "Retry" in screen and "another file" in screen and "Quit anyway" in screen
    term.keys("q")
    assert term.wait_until_closed()
    assert notes_in(db) == [("Paragraph 0", "read-only")]
    kept = list((term.home / "data").rglob("*unsaved-*"))
    assert len(kept) == 1, kept
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    open_report(term, library, db)
    term.wait_for("Changes kept from an earlier session")
    term.keys("m")
    assert wait_until(lambda: len(notes_in(db)) == 2)
    term.keys("q")
    assert term.wait_until_closed()
    assert notes_in(db) == [("Paragraph", "unsaved note"), ("Paragraph 0", "read-only")]
    leftovers = [p for p in (term.home / "data").rglob("*unsaved-*")]
    assert leftovers == [], "the merged changes file was not removed"


SAMPLE_PIECE = Path(__file__).resolve().parents[2] / "library" / "jiayuguan-morning-star.txt"


@pytest.mark.parametrize("run", range(3))
def test_saving_never_stalls_after_a_quick_second_edit(
    term: Terminal, tmp_path: Path, run: int
) -> None:
    """Issue 8 item 1, as reported: a note typed as soon as the editor shows is saved, and so
    is every later highlight, without quitting (a kill -9 then loses nothing)."""
    db = tmp_path / "db.json"
    pid = term.start(str(READERTUI), "--db", str(db), str(SAMPLE_PIECE))
    term.wait_until_ready()
    term.keys("2", "j", "j", "j", "j", "j", "j", "j", "v", "w", "w", "n")
    term.wait_for("Markdown · ctrl+s")
    term.burst("h", "e", "l", "l", "o", "C-s")
    # A stalled save never comes (until quitting): a slow one does, so the wait is long.
    assert wait_until(lambda: [note for _, note in notes_in(db)] == ["hello"])
    term.keys("}", "v", "w", "Enter")
    assert wait_until(lambda: len(annotations_in(db)) == 2)
    term.wait_until_saved("2 highlights, 1 note")
    os.kill(pid, signal.SIGKILL)
    assert wait_until_ended(pid, 5)
    assert len(annotations_in(db)) == 2


def test_a_note_typed_while_readertui_starts_is_saved(
    term: Terminal, library: Path, tmp_path: Path
) -> None:
    """Keys typed before the first screen: the terminal no longer eats ctrl+s (flow control)
    or turns enter into ctrl+j, and readertui holds the keys until it is ready for them."""
    db = tmp_path / "db.json"
    term.start(str(READERTUI), "--db", str(db), str(library / "report.txt"))
    # The keys arrive while Python is still importing Textual (the first screen takes a
    # second or more), once readertui has taken the terminal out of its cooked mode: what
    # the terminal did before Python ran at all (ctrl+s as flow control) cannot be helped,
    # and on a loaded machine Python itself may take longer than any fixed wait to start.
    tty = term.pane_tty()
    assert wait_until(lambda: not flow_control(tty), timeout=60), _tty_settings(tty)
    term.burst("}", "v", "w", "w", "n", "q", "u", "i", "e", "t", "C-s", "}", "v", "w", "Enter")
    # Looked at once the keys are sent: a blank screen now means they came before the first.
    assert not term.screen().strip(), "the first screen was already shown: too late a test"
    if not wait_until(lambda: db.exists() and len(annotations_in(db)) == 2):
        raise AssertionError(term.screen())
    assert notes_in(db) == [("Paragraph", ""), ("Paragraph 1", "quiet")]
    term.wait_until_saved("2 highlights, 1 note")
