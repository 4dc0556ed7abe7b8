"""A library scan remembers what converted files said of themselves: the next scan (the next
start) does not open them again, unless a file, or its converter, changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readertui.core import description_cache
from readertui.core.library import scan_library
from readertui.formats.converted import ConvertedFormat
from tests.formats.fakes import FakeConverter, fake_converter, fake_format, write_book

__all__ = ["fake_converter", "fake_format"]  # fixtures, used by name


def _next_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process holds in memory, as a new process would."""
    monkeypatch.setattr(description_cache, "_stores", {})


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    write_book(root / "ferry.fbook")
    (root / "locked.fbook").write_text("DRM and nothing else", encoding="utf-8")
    return root


def test_the_next_scan_does_not_describe_the_files_again(
    library: Path,
    fake_format: ConvertedFormat,
    fake_converter: FakeConverter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = scan_library(library)
    assert fake_converter.describes == 2
    _next_start(monkeypatch)
    again = scan_library(library)
    assert fake_converter.describes == 2  # remembered, the refusal too
    assert again.entries == first.entries
    assert [s.reason for s in again.skipped] == [s.reason for s in first.skipped]
    assert [s.reason for s in again.skipped] == ["DRM-protected"]


def test_a_changed_file_or_a_new_converter_version_is_described_again(
    library: Path,
    fake_format: ConvertedFormat,
    fake_converter: FakeConverter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scan_library(library)
    book = library / "ferry.fbook"
    book.write_text(book.read_text(encoding="utf-8") + "\fChapter Four\n\nMore.", "utf-8")
    os.utime(book, ns=(1, 1))  # a new modification time, whatever the clock's resolution
    _next_start(monkeypatch)
    scan_library(library)
    assert fake_converter.describes == 3  # the changed file only
    fake_converter.version = 2
    _next_start(monkeypatch)
    scan_library(library)
    assert fake_converter.describes == 5


def test_a_damaged_or_unwritable_memory_only_means_describing_again(
    library: Path,
    fake_format: ConvertedFormat,
    fake_converter: FakeConverter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scan_library(library)
    from readertui.core.conversion_cache import default_folder

    remembered = default_folder() / description_cache.FILE_NAME
    remembered.write_bytes(b'{"format": 1, "entries": {"x": [')  # torn
    _next_start(monkeypatch)
    titles = [entry.metadata.title for entry in scan_library(library).entries]
    assert fake_converter.describes == 4
    assert titles == [entry.metadata.title for entry in scan_library(library).entries]
    remembered.unlink()
    remembered.mkdir()  # cannot be written as a file: no error, described again next time
    _next_start(monkeypatch)
    scan_library(library)
    _next_start(monkeypatch)
    scan_library(library)
    assert fake_converter.describes == 8
