"""Continuing after a stop that was not a suspension.

Textual's Linux driver takes every SIGCONT for the end of a suspension (ctrl+z, SIGTSTP) and
starts the terminal's application mode again, with a second thread reading keys. A process
stopped by SIGSTOP (a debugger, a job-control tool, a stalled session being poked) gets
SIGCONT too: the second reader then took keys beside the first, and at `q` the app waited
for ever for the first one to end. Here SIGCONT resumes only when the driver did suspend.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


def guard_resume() -> None:
    """Wrap the driver's SIGCONT handler (call on the main thread, once the driver has put it
    in place: when the app is mounted)."""
    if threading.current_thread() is not threading.main_thread():
        return
    on_continue = signal.getsignal(signal.SIGCONT)
    driver = getattr(on_continue, "__self__", None)
    if not callable(on_continue) or not hasattr(driver, "_must_signal_resume"):
        return  # not Textual's Linux driver (another driver, or a headless test run)

    def continued(number: int, frame: FrameType | None) -> None:
        # Set by the driver's SIGTSTP handler when it suspended application mode, cleared
        # when it resumes it.
        if getattr(driver, "_must_signal_resume", False):
            on_continue(number, frame)

    signal.signal(signal.SIGCONT, continued)
