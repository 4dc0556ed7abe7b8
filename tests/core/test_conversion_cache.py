"""The conversion cache (readertui.core.conversion_cache): a converted file is kept whole and
loads fast; a torn, corrupt or older entry is ignored and written anew; a cache that cannot
be written is no error; the folder stays under its bound; two readertui processes converting
the same file at once both succeed; a converter upgrade converts again and the annotations
follow the new text."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from readertui.core import conversion_cache
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.conversion_cache import (
    MAGIC,
    ConversionCache,
    StoredConversion,
    decode,
    default_folder,
    encode,
)
from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.core.markdown_spans import Span
from readertui.core.workspace import Workspace
from readertui.formats.base import OutlineEntry
from readertui.formats.conversion import Conversion, ConvertedMetadata, Section
from readertui.formats.converted import ConvertedFormat
from tests.formats.fakes import FakeConverter, fake_converter, fake_format, registered, write_book

__all__ = ["fake_converter", "fake_format"]  # fixtures, used by name

SAMPLE = Conversion(
    text="Chapter I\n\n“Well, Prince” — ünïcödé and \x1b[31m escapes kept as text.\n",
    spans=(Span(0, 9, "heading1"), Span(11, 24, "emphasis")),
    outline=(OutlineEntry("Chapter I", 0, 1),),
    sections=(Section(0, "Chapter I", "epubcfi(/6/4[ch01]!)"),),
    metadata=ConvertedMetadata(
        title="War and Peace", authors=("Leo Tolstoy",), language="en", url="https://x.org"
    ),
)


def stored_sample() -> StoredConversion:
    return StoredConversion.of(SAMPLE)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    write_book(root / "river.fbook")
    return root


def entries() -> list[Path]:
    return sorted(default_folder().glob("*.conv"))


# --- the layout ---------------------------------------------------------------------------


def test_an_entry_holds_the_whole_conversion() -> None:
    assert decode(encode(stored_sample())).conversion() == SAMPLE  # type: ignore[union-attr]


def test_it_lives_in_the_user_cache_folder() -> None:
    from readertui.locations import cache_dir

    assert default_folder() == cache_dir() / "conversions"


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 1]), id="a flipped bit"),
        pytest.param(lambda data: data + b"more", id="something appended"),
        pytest.param(lambda data: b"readertui conversion 0\n" + data[len(MAGIC) :], id="older"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: os.urandom(200), id="noise"),
        pytest.param(lambda data: MAGIC + (10**6).to_bytes(8, "little") + b"{", id="bad header"),
    ],
)
def test_a_spoilt_entry_is_ignored(spoil: object) -> None:
    data = encode(stored_sample())
    assert decode(spoil(data)) is None  # type: ignore[operator]


def test_a_spoilt_entry_is_converted_again_and_rewritten(
    library: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    first = load_document(library / "river.fbook", library)
    (entry,) = entries()
    entry.write_bytes(entry.read_bytes()[:100])
    again = load_document(library / "river.fbook", library)
    assert fake_converter.converts == 2 and again.text == first.text
    assert decode(entry.read_bytes()) is not None
    load_document(library / "river.fbook", library)
    assert fake_converter.converts == 2


def test_a_cached_load_of_a_war_and_peace_sized_book_takes_milliseconds(tmp_path: Path) -> None:
    # ~3.2 MB of text with a span every 30 characters and 365 chapters, as War and Peace.
    paragraph = "Well, Prince, so Genoa and Lucca are now just family estates. " * 8 + "\n\n"
    text = paragraph * (3_200_000 // len(paragraph))
    spans = tuple(Span(at, at + 10, "emphasis") for at in range(0, len(text) - 10, 30))
    step = len(text) // 365
    sections = tuple(
        Section(n * step, f"Chapter {n + 1}", f"epubcfi(/6/{2 * n + 2}!)") for n in range(365)
    )
    outline = tuple(OutlineEntry(s.label, s.offset, 2) for s in sections)
    stored = StoredConversion.of(
        Conversion(text, spans, outline, sections, ConvertedMetadata(title="War and Peace"))
    )
    cache = ConversionCache(tmp_path / "cache")
    assert cache.put("wp.conv", stored)
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        loaded = cache.get("wp.conv")
        timings.append(time.perf_counter() - began)
    assert loaded is not None and loaded.text == text and len(loaded.starts) == len(spans)
    # Measured here: ~15 ms. The bound leaves room for a busy machine.
    assert min(timings) < 0.1, timings
    began = time.perf_counter()
    assert loaded.spans_between(1_600_000, 1_602_000)
    assert time.perf_counter() - began < 0.1


# --- when it cannot be written ------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_is_no_error(
    library: Path, fake_format: ConvertedFormat, fake_converter: FakeConverter
) -> None:
    folder = default_folder()
    folder.mkdir(parents=True)
    folder.chmod(0o500)
    conversion_cache._noticed = False
    try:
        document = load_document(library / "river.fbook", library)
        load_document(library / "river.fbook", library)
        assert document.text.startswith("Chapter One")
        assert fake_converter.converts == 2  # not kept, so converted each time
        notice = conversion_cache.take_notice()
        assert notice is not None and str(folder) in notice and "not cached" in notice
        assert conversion_cache.take_notice() is None  # said once
    finally:
        folder.chmod(0o700)


def test_a_cache_folder_that_refuses_files_is_no_error(
    library: Path,
    fake_format: ConvertedFormat,
    fake_converter: FakeConverter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a read-only folder does, for a test run as root too.
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(conversion_cache.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(conversion_cache, "_noticed", False)
    document = load_document(library / "river.fbook", library)
    assert document.text.startswith("Chapter One") and entries() == []
    notice = conversion_cache.take_notice()
    assert (
        notice
        == f"conversions are not cached: {default_folder()} is not writable (Permission denied)"
    )
    load_document(library / "river.fbook", library)
    assert conversion_cache.take_notice() is None  # said once


def test_a_full_disk_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(conversion_cache.os, "replace", full)
    cache = ConversionCache(tmp_path / "cache")
    assert not cache.put("a.conv", stored_sample())
    assert list((tmp_path / "cache").iterdir()) == []  # no temporary file left behind


# --- bounded ------------------------------------------------------------------------------


def test_the_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    size = len(encode(stored_sample()))
    cache = ConversionCache(tmp_path / "cache", max_bytes=int(size * 2.5))
    for number, name in enumerate(("a.conv", "b.conv")):
        cache.put(name, stored_sample())
        os.utime(cache.path_of(name), ns=(number * 10**9, number * 10**9))
    assert cache.get("a.conv") is not None  # used now: b is the least recently used
    cache.put("c.conv", stored_sample())
    assert sorted(path.name for path in cache.folder.iterdir()) == ["a.conv", "c.conv"]


# --- two processes ------------------------------------------------------------------------

_CONVERT_AND_CHECK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from readertui.core.conversion_cache import ConversionCache, StoredConversion
    from tests.core.test_conversion_cache import big_conversion
    cache = ConversionCache(Path(sys.argv[1]))
    stored = StoredConversion.of(big_conversion())
    for _ in range(20):
        cache.put("same.conv", stored)
        got = cache.get("same.conv")
        assert got is not None and got.text == stored.text, "torn entry"
    print("ok")
    """
)


def big_conversion() -> Conversion:
    text = "a line of a long book\n" * 50_000
    spans = tuple(Span(at, at + 5, "emphasis") for at in range(0, len(text) - 5, 100))
    return Conversion(text, spans, (), (), ConvertedMetadata(title="Long"))


def test_two_processes_writing_the_same_entry_never_see_a_torn_one(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _CONVERT_AND_CHECK, str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert out.strip() == "ok"
    assert [path.name for path in folder.iterdir()] == ["same.conv"]  # no temporary left


# --- a converter upgrade ------------------------------------------------------------------


def test_a_new_converter_version_converts_again_and_annotations_follow(library: Path) -> None:
    old = FakeConverter(version=1)
    for _ in registered(old):
        workspace = Workspace(scan_library(library))
        document = workspace.load("river.fbook")
        start = document.text.index("grey that year")
        before = document.text.index("colour")
        annotation = new_annotation(
            document.text,
            DocumentRef("river.fbook", document.sha256, "The Book", workspace.library.key),
            start,
            start + len("grey that year"),
            note="the river's colour",
        )
        assert before < start
    new = FakeConverter(version=2)  # spells "colour" "color": one character shorter
    for _ in registered(new):
        workspace = Workspace(scan_library(library))
        document = workspace.load("river.fbook")
        assert new.converts == 1 and "color of the river" in document.text
        placement = workspace.place(document, [annotation])
        (placed,) = placement.annotations
        assert not placed.orphaned
        assert document.text[placed.start : placed.end] == "grey that year"
        assert placed.start == annotation.start - 1
    # Each version has its own entry.
    assert sorted(path.name.split("-", 1)[1] for path in entries()) == [
        "fbook-v1.conv",
        "fbook-v2.conv",
    ]
