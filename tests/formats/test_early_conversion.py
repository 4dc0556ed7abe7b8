"""The document named on the command line is converted while the reader starts: the reader
then finds the conversion done, or waits for the one under way, and the file is converted
once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from readertui.core.document import load_document
from readertui.core.early_conversion import convert_early
from readertui.core.library import scan_library
from readertui.core.workspace import Workspace
from readertui.errors import DocumentError
from readertui.formats.conversion import Conversion
from tests.formats.fakes import BOOK_PAGES, SlowConverter, registered, write_book


def test_the_reader_waits_for_the_conversion_begun_at_start_and_converts_nothing_again(
    tmp_path: Path,
) -> None:
    book = write_book(tmp_path / "river.fbook")
    slow = SlowConverter(gives_start=False)
    opened: list[str] = []
    for _ in registered(slow):
        early = convert_early(book, max_bytes=10_000_000)
        assert early is not None
        assert slow.started.wait(10)  # converting before the reader asks for the book
        reader = threading.Thread(
            target=lambda: opened.append(load_document(book, tmp_path).text), daemon=True
        )
        reader.start()
        reader.join(0.3)
        assert reader.is_alive() and not opened  # the reader waits for the conversion
        slow.release.set()
        reader.join(10)
        early.join(10)
        assert opened and opened[0].startswith(BOOK_PAGES[0])
        assert slow.converts == 1
        assert not Workspace(scan_library(tmp_path)).needs_converting("river.fbook")


def test_a_plain_text_or_a_file_that_cannot_be_converted_starts_nothing_and_breaks_nothing(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Plain text.\n", encoding="utf-8")
    assert convert_early(notes, max_bytes=10_000_000) is None
    slow = SlowConverter(gives_start=False)
    slow.release.set()
    for _ in registered(slow):
        hostile = tmp_path / "hostile.fbook"
        hostile.write_text("CRASH " + "x" * 500, encoding="utf-8")
        early = convert_early(hostile, max_bytes=10_000_000)
        assert early is not None
        early.join(10)
        assert not early.is_alive()  # it failed quietly: the reader says why when opening it


class FailingConverter(SlowConverter):
    """Describes the book, then fails to convert it once released (a slow broken file)."""

    def __init__(self) -> None:
        super().__init__(gives_start=False)

    def convert(self, path: Path, *, whole_page: bool = False) -> Conversion:
        super().convert(path, whole_page=whole_page)
        raise ValueError("the parser exploded\non this file")


def test_a_conversion_that_fails_fails_once_for_everyone_waiting_for_it(tmp_path: Path) -> None:
    # The early start and the reader ask for the same book: a failure is not paid twice
    # (a converter timing out would otherwise keep `converting…` on screen for twice as long).
    hostile = write_book(tmp_path / "hostile.fbook")
    slow = FailingConverter()
    reasons: list[str] = []

    def open_it() -> None:
        try:
            load_document(hostile, tmp_path)
        except DocumentError as error:
            reasons.append(error.reason)

    for _ in registered(slow):
        early = convert_early(hostile, max_bytes=10_000_000)
        assert early is not None and slow.started.wait(10)
        reader = threading.Thread(target=open_it, daemon=True)
        reader.start()
        time.sleep(0.2)  # the reader waits for the conversion under way
        slow.release.set()
        reader.join(10)
        early.join(10)
        assert slow.converts == 1
        assert reasons == ["cannot be read: the parser exploded on this file"]
