"""The index's worker processes end with the work they were given, whatever they were doing
and however the app ends (issue 8: `q` during a first build ends every process at once; a
killed app leaves nothing behind)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.index.worker_stand_ins import MARKER_VARIABLE

REPO = Path(__file__).resolve().parents[2]

#: Runs a two-worker build whose workers is the stand-in named in argv[2]; with "cancel" in
#: argv[3], cancels it as soon as the stand-in is at work.
SCRIPT = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from readertui.index import preparing
    from readertui.index.cancel import CancelToken
    from tests.index import worker_stand_ins
    from tests.index.helpers import open_index, write_library

    home, stand_in, how = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    preparing.prepare_file = getattr(worker_stand_ins, stand_in)
    cancel = CancelToken()

    def cancel_once_at_work():
        while not (home / "at-work").exists():
            time.sleep(0.02)
        cancel.cancel()

    if how == "cancel":
        threading.Thread(target=cancel_once_at_work, daemon=True).start()
    texts = {f"doc{number}.txt": f"A fox, number {number}.\\n" for number in range(8)}
    index = open_index(write_library(home / "library", texts), home / "index.sqlite")
    if how == "search":
        from readertui.cli import main
        preparing.POOL_BYTES = 0  # a build in worker processes, however small the library
        sys.exit(main(["search", "fox", "--library", str(home / "library")]))
    # Two workers: with four documents handed out, one waits in the pool, not yet begun.
    report = index.update(cancel=cancel, workers=2)
    index.close()
    print("cancelled" if report.cancelled else "not cancelled", flush=True)
    """
)


def start(home: Path, stand_in: str, how: str) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        MARKER_VARIABLE: str(home / "at-work"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    # Output to files, not pipes: processes left behind would hold a pipe open, and reading
    # it to its end would wait for them.
    with open(home / "out", "w") as out, open(home / "err", "w") as err:
        return subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(home), stand_in, how],
            cwd=REPO,
            env=environment,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,  # its process group holds every process it starts
        )


def ended(process: subprocess.Popen[str], home: Path, timeout: float) -> tuple[str, str]:
    """Wait for `process` to end (AssertionError after `timeout`); its output and errors."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {timeout} s") from None
    return (home / "out").read_text(), (home / "err").read_text()


def group_members(group: int) -> list[int]:
    """The live processes (not zombies) of process group `group`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] not in ("Z", "X") and int(fields[2]) == group:
            found.append(int(name))
    return found


def wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            errors = (path.parent / "err").read_text()
            raise AssertionError(f"the stand-in worker never started: {errors}")
        time.sleep(0.02)


def ended_within(group: int, timeout: float) -> list[int]:
    """Wait until group `group` has no live process; those still alive after `timeout`."""
    deadline = time.monotonic() + timeout
    while group_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    return group_members(group)


def test_a_build_cancelled_while_a_worker_sends_its_result_ends_at_once(tmp_path: Path) -> None:
    """A worker ended in the middle of sending left the pool's reading thread waiting for
    the rest of the message forever: the app stayed alive after `q`. Nothing is printed."""
    process = start(tmp_path, "send_half_a_result", "cancel")
    try:
        out, err = ended(process, tmp_path, 30)
        assert (tmp_path / "at-work").exists(), f"the worker never ran: {err}"
        assert process.returncode == 0, err
        assert out.strip() == "cancelled"
        assert err == "", "the stop printed on the user's terminal"
        assert ended_within(process.pid, 10) == []
    finally:
        if group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


def test_workers_end_when_the_app_is_killed_outright(tmp_path: Path) -> None:
    """`kill -9` of the app in the middle of a build: its worker, the forkserver and the
    resource tracker do not stay behind."""
    process = start(tmp_path, "work_for_ever", "build")
    try:
        wait_for(tmp_path / "at-work", process)
        assert len(group_members(process.pid)) >= 3  # the app, the forkserver, a worker
        process.kill()
        process.wait()
        left = ended_within(process.pid, 10)
        assert left == [], f"still running 10 s after the app was killed: {left}"
    finally:
        if group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


def test_search_told_to_stop_by_kill_stops_its_build_and_says_so(tmp_path: Path) -> None:
    """`kill` (SIGTERM) of `readertui search` during its index build: one line on stderr,
    exit 143, and no worker process left."""
    process = start(tmp_path, "work_for_ever", "search")
    try:
        wait_for(tmp_path / "at-work", process)
        process.send_signal(signal.SIGTERM)
        _, err = ended(process, tmp_path, 20)
        assert process.returncode == 128 + signal.SIGTERM
        assert err.splitlines()[-1:] == ["readertui: stopped (SIGTERM)"], err
        assert "Traceback" not in err
        assert ended_within(process.pid, 10) == []
    finally:
        if group_members(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
