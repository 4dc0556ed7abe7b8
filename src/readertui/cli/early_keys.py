"""Keys typed while readertui starts reach it as typed.

Until Textual puts the terminal in raw mode (half a second after the command starts), the
terminal driver still "cooks" what is typed: `ctrl+s` is taken as flow control (XOFF) and never
arrives, `enter` arrives as `ctrl+j`, and typed keys are echoed over the screen. So a note
typed in one burst right after starting lost its `ctrl+s`. `take_keys_early` turns that
cooking off first thing, keeping what was already typed, and returns the call that puts the
terminal back as it was once the app has ended.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable


def _nothing() -> None:
    return None


def take_keys_early() -> Callable[[], None]:
    """Stop the terminal from cooking keys; the call that restores it (a no-op elsewhere)."""
    try:
        import termios
    except ImportError:  # not a POSIX terminal (Windows): nothing to do
        return _nothing
    try:
        fd = sys.stdin.fileno()
        if not os.isatty(fd):
            return _nothing
        original = termios.tcgetattr(fd)
    except (OSError, ValueError, termios.error):
        return _nothing
    changed = [*original[:6], list(original[6])]
    # No flow control, no CR -> NL translation; no line editing, no echo. Signals (ctrl+c)
    # are left to Textual, which takes them as keys once it runs.
    changed[0] &= ~(termios.IXON | termios.ICRNL | termios.INLCR | termios.IGNCR)
    changed[3] &= ~(termios.ICANON | termios.ECHO | termios.IEXTEN)
    changed[6][termios.VMIN] = 1
    changed[6][termios.VTIME] = 0
    try:
        # TCSANOW: keys already typed stay in the input queue.
        termios.tcsetattr(fd, termios.TCSANOW, changed)
    except (OSError, termios.error):
        return _nothing

    def restore() -> None:
        with contextlib.suppress(OSError, termios.error):
            termios.tcsetattr(fd, termios.TCSADRAIN, original)

    return restore
