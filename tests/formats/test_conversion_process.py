"""Converting in a process of its own: the same conversion as in this one; a converter that
crashes, hangs or is stopped gives a DocumentError with a reason, never takes this process
down; a child whose parent is gone stops."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from readertui.core.conversion_cache import StoredConversion
from readertui.errors import DocumentError
from readertui.formats import conversion_process
from readertui.formats.conversion_process import allow_new, convert_in_child, stop_all
from tests.formats.fakes import FakeConverter, write_book

REPO = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_child_gives_the_conversion_made_here(tmp_path: Path) -> None:
    book = write_book(tmp_path / "river.lazy")
    stored = convert_in_child("tests.formats.lazy_converter:LAZY_CONVERTER", book)
    assert stored is not None
    here = StoredConversion.of(FakeConverter().convert(book))  # what LAZY_CONVERTER makes
    assert stored.conversion() == here.conversion()


def test_a_refusal_and_a_failure_come_back_as_their_reasons(tmp_path: Path) -> None:
    where = "tests.formats.lazy_converter:LAZY_CONVERTER"
    locked = tmp_path / "locked.lazy"
    locked.write_text("DRM and nothing else", encoding="utf-8")
    with pytest.raises(DocumentError) as refused:
        convert_in_child(where, locked)
    assert refused.value.reason == "DRM-protected"
    broken = tmp_path / "broken.lazy"
    broken.write_text("CRASH here", encoding="utf-8")
    with pytest.raises(DocumentError) as failed:
        convert_in_child(where, broken)
    assert failed.value.reason == "cannot be read: the parser exploded on this file"


def test_a_converter_that_crashes_its_process_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    book = write_book(tmp_path / "river.crash")
    with pytest.raises(DocumentError) as crashed:
        convert_in_child("tests.formats.child_converters:CRASHING_CONVERTER", book)
    assert crashed.value.reason.startswith("cannot be read: its converter crashed (signal ")


def test_a_conversion_that_takes_too_long_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conversion_process, "TIMEOUT", 1.0)
    book = write_book(tmp_path / "river.endless")
    started = time.monotonic()
    with pytest.raises(DocumentError) as slow:
        convert_in_child("tests.formats.child_converters:ENDLESS_CONVERTER", book)
    assert "took longer than 1 s" in slow.value.reason
    assert time.monotonic() - started < 30


def test_stop_all_ends_a_conversion_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("READERTUI_TEST_PID_FILE", str(pid_file))
    book = write_book(tmp_path / "river.endless")
    outcome: list[BaseException] = []

    def convert() -> None:
        try:
            convert_in_child("tests.formats.child_converters:ENDLESS_CONVERTER", book)
        except DocumentError as error:
            outcome.append(error)

    worker = threading.Thread(target=convert)
    worker.start()
    deadline = time.monotonic() + 30
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pid_file.read_text(encoding="utf-8"))
    stop_all()  # the app quits
    allow_new()  # for the tests after this one
    worker.join(10)
    assert not worker.is_alive() and len(outcome) == 1
    assert not _alive(child)


def test_once_the_app_quits_no_conversion_starts(tmp_path: Path) -> None:
    # A thread that was waiting for a conversion when the app quit must not start one the
    # app would then wait for, up to TIMEOUT, before it can end.
    book = write_book(tmp_path / "river.lazy")
    stop_all()
    try:
        started = time.monotonic()
        with pytest.raises(DocumentError) as refused:
            convert_in_child("tests.formats.lazy_converter:LAZY_CONVERTER", book)
        assert refused.value.reason == "not converted: the reader is quitting"
        assert time.monotonic() - started < 1
    finally:
        allow_new()  # a new app in this process
    assert convert_in_child("tests.formats.lazy_converter:LAZY_CONVERTER", book) is not None


def test_a_child_whose_parent_is_gone_stops(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    book = write_book(tmp_path / "river.endless")
    parent = textwrap.dedent(
        f"""
        import os, sys, threading, time
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from readertui.formats.conversion_process import convert_in_child
        threading.Thread(
            target=convert_in_child,
            args=("tests.formats.child_converters:ENDLESS_CONVERTER", Path({str(book)!r})),
            daemon=True,
        ).start()
        while not os.path.exists({str(pid_file)!r}):
            time.sleep(0.05)
        os._exit(0)  # killed, or ended without stopping its child
        """
    )
    env = {**os.environ, "READERTUI_TEST_PID_FILE": str(pid_file)}
    subprocess.run([sys.executable, "-c", parent], env=env, timeout=60, check=True)
    child = int(pid_file.read_text(encoding="utf-8"))
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)
