"""What the command line prints is data, never commands: controls are shown, joiners kept."""

from __future__ import annotations

import io
import sys

import pytest

from readertui.cli.output import EXIT_ERROR, fail, say

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
HOSTILE_NAME = "a\x1b]2;PWNED\x07\u202egnp.exe\x9b2J" + b"\xff".decode("utf-8", "surrogateescape")


def capture_stdout(monkeypatch: pytest.MonkeyPatch) -> io.BytesIO:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")  # a locale that is not UTF-8
    monkeypatch.setattr(sys, "stdout", stream)
    return raw


def test_say_prints_one_line_with_controls_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = capture_stdout(monkeypatch)
    say(f"wrote {HOSTILE_NAME}\nsecond.md")
    printed = raw.getvalue().decode("utf-8")
    assert printed.count("\n") == 1 and printed.endswith("\n")
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    assert "\u202e" not in printed
    assert printed == "wrote a\u241b]2;PWNED\u2407\u00b7gnp.exe\ufffd2J\ufffd\u240asecond.md\n"


def test_say_keeps_zero_width_joiners(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = capture_stdout(monkeypatch)
    say(f"{FAMILY}\tfamily")
    assert raw.getvalue().decode("utf-8") == f"{FAMILY}\u2409family\n"


def test_fail_shows_controls_in_its_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert fail(f"cannot read {HOSTILE_NAME}: {FAMILY}") == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err and "\x9b" not in err
    assert FAMILY in err
    assert "\u241b]2;PWNED\u2407" in err
