"""Copying falls back to the terminal without a desktop."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual.app import App

from readertui.ui import clipboard


def test_ssh_and_headless_sessions_have_no_desktop_clipboard() -> None:
    assert not clipboard.has_desktop_clipboard({"SSH_CONNECTION": "1 2 3 4", "DISPLAY": ":0"})
    if clipboard.sys.platform.startswith("linux"):
        assert not clipboard.has_desktop_clipboard({})
        assert clipboard.has_desktop_clipboard({"WAYLAND_DISPLAY": "wayland-0"})


async def test_copy_without_a_desktop_uses_osc52() -> None:
    app: App[Any] = App()
    async with app.run_test():
        how = clipboard.copy_text(app, "quoted", env={"SSH_TTY": "/dev/pts/1"})
        assert how == "terminal clipboard (OSC 52)"
        assert app.clipboard == "quoted"


async def test_a_failing_pyperclip_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyperclip

    def broken(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard mechanism")

    monkeypatch.setattr(pyperclip, "copy", broken)
    app: App[Any] = App()
    async with app.run_test():
        how = clipboard.copy_text(app, "quoted", env={"DISPLAY": ":0"})
        assert how == "terminal clipboard (OSC 52)"
        assert app.clipboard == "quoted"


async def test_a_hanging_pyperclip_does_not_hang_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyperclip

    monkeypatch.setattr(clipboard, "DESKTOP_TIMEOUT", 0.2)
    monkeypatch.setattr(pyperclip, "copy", lambda text: time.sleep(5))
    app: App[Any] = App()
    async with app.run_test():
        started = time.monotonic()
        assert clipboard.copy_text(app, "x", env={"DISPLAY": ":0"}).endswith("(OSC 52)")
        assert time.monotonic() - started < 2
