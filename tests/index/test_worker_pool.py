"""The index's worker processes are stopped cleanly whatever they were doing (issue 8: `q`
during a first build ends every process at once)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.index.torn_worker import MARKER_VARIABLE

REPO = Path(__file__).resolve().parents[2]

#: Cancels a one-worker build as soon as its worker has sent half a result, then ends.
SCRIPT = textwrap.dedent(
    """
    import sys, threading, time
    from pathlib import Path
    from readertui.index import preparing
    from readertui.index.cancel import CancelToken
    from tests.index import torn_worker
    from tests.index.helpers import open_index, write_library

    preparing.prepare_file = torn_worker.send_half_a_result
    home = Path(sys.argv[1])
    marker = home / "half-sent"
    cancel = CancelToken()

    def cancel_once_half_sent():
        while not marker.exists():
            time.sleep(0.02)
        cancel.cancel()

    threading.Thread(target=cancel_once_half_sent, daemon=True).start()
    index = open_index(write_library(home / "library"), home / "index.sqlite")
    report = index.update(cancel=cancel, workers=1)
    index.close()
    print("cancelled" if report.cancelled else "not cancelled", flush=True)
    """
)


def test_a_build_cancelled_while_a_worker_sends_its_result_ends_at_once(tmp_path: Path) -> None:
    """A worker ended in the middle of sending left the pool's reading thread waiting for
    the rest of the message forever: the app stayed alive after `q`."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        MARKER_VARIABLE: str(tmp_path / "half-sent"),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.communicate()
        raise AssertionError(
            "the cancelled build never ended: the pool waits for the worker"
        ) from None
    assert (tmp_path / "half-sent").exists(), f"the worker never ran: {err}"
    assert process.returncode == 0, err
    assert out.strip() == "cancelled"
