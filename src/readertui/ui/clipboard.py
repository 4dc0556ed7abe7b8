"""Copy text: the desktop clipboard where there is one, else the terminal's (OSC 52).

Over SSH, pyperclip would fill the *remote* machine's clipboard, so there the terminal
escape sequence OSC 52 is used: it reaches the local terminal (tmux forwards it with
`set -s set-clipboard on`). pyperclip can also hang or raise on a headless box; it runs with
a timeout and any failure falls back to OSC 52. No clipboard is never an error.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from typing import Any

from textual.app import App

DESKTOP_TIMEOUT = 2.0


def has_desktop_clipboard(env: Mapping[str, str] = os.environ) -> bool:
    """Whether a local desktop clipboard is likely reachable from this process."""
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(env.get("WAYLAND_DISPLAY") or env.get("DISPLAY"))


def _copy_with_pyperclip(text: str) -> bool:
    result: list[bool] = []

    def attempt() -> None:
        try:
            import pyperclip

            pyperclip.copy(text)
            result.append(True)
        except Exception:
            result.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(DESKTOP_TIMEOUT)
    return bool(result and result[0])


def copy_text(app: App[Any], text: str, env: Mapping[str, str] = os.environ) -> str:
    """Copy `text`; returns how ("system clipboard" or "terminal clipboard (OSC 52)")."""
    # The terminal route is always taken as well: it costs nothing, and over tmux or SSH it
    # is the one that reaches the reader's own machine.
    app.copy_to_clipboard(text)
    if has_desktop_clipboard(env) and _copy_with_pyperclip(text):
        return "system clipboard"
    return "terminal clipboard (OSC 52)"
