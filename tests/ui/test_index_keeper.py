"""Worker processes from inside a Textual app: Textual swaps `sys.stderr` for a capture of
prints whose file number is -1, and multiprocessing's first pool hands that number to the
helper process it starts ("bad value(s) in fds_to_keep"), so the background index build
crashed the app. `start_process_helper` starts the helper with the real stderr first.

Each case runs in a fresh interpreter: once started, the helper stays for the process's
life, and a test run has usually started it already."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import contextlib, multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from readertui.ui.index_keeper import start_process_helper


    class Capture:  # what Textual puts in sys.stderr while an app runs
        def write(self, text):
            return len(text)

        def flush(self):
            pass

        def fileno(self):
            return -1


    if __name__ == "__main__":
        with contextlib.redirect_stderr(Capture()):
            if {start}:
                start_process_helper()
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                print(pool.submit(abs, -7).result())
    """
)


def _run(start: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT.format(start=start)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_worker_processes_start_inside_an_app_once_the_helper_is_started() -> None:
    result = _run(start=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7"


def test_without_it_the_first_pool_fails_so_the_case_above_means_something() -> None:
    result = _run(start=False)
    assert result.returncode != 0
    assert "fds_to_keep" in result.stderr
