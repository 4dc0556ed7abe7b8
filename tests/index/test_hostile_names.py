"""File names and notes SQLite cannot take as they are (bytes that are not UTF-8, which
Python hands over as lone surrogates) are indexed, found and cross-referenced like any."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.index.stored_text import library_path, storable, stored_path
from tests.index.helpers import open_index, paths

PARAGRAPH = "The heron stood among the reeds by the old mill, waiting for the silver fish.\n"


def _hostile_library(root: Path) -> str:
    """A library of two copies of one paragraph, one under a name that is not UTF-8 (with an
    escape sequence in it too); the hostile name as readertui sees it."""
    root.mkdir(parents=True)
    hostile = os.fsencode(root) + b"/caf\xe9 \x1b[31mred.txt"
    with open(hostile, "wb") as stream:
        stream.write(b"Caf\xc3\xa9\n\n" + PARAGRAPH.encode())
    (root / "plain.txt").write_text("Plain\n\n" + PARAGRAPH, encoding="utf-8")
    return os.fsdecode(b"caf\xe9 \x1b[31mred.txt")


def test_a_file_name_that_is_not_utf8_is_indexed_found_and_cross_referenced(
    tmp_path: Path,
) -> None:
    hostile = _hostile_library(tmp_path / "library")
    index = open_index(tmp_path / "library", tmp_path / "index.sqlite3")
    report = index.update()
    assert sorted(report.indexed) == sorted([hostile, "plain.txt"])
    assert report.failed == ()
    assert sorted(paths(index.search("heron"))) == sorted([hostile, "plain.txt"])
    from_plain = index.cross_references("plain.txt", len("Plain\n\n"))
    assert [ref.place.path for ref in from_plain.same] == [hostile]
    from_hostile = index.cross_references(hostile, len("Café\n\n"))
    assert [ref.place.path for ref in from_hostile.same] == ["plain.txt"]
    # Nothing changed: the hostile document is known again by its name, not read again.
    again = open_index(tmp_path / "library", tmp_path / "index.sqlite3").update()
    assert again.indexed == () and again.unchanged == 2
    index.close()


def test_a_renamed_hostile_file_keeps_its_rows(tmp_path: Path) -> None:
    hostile = _hostile_library(tmp_path / "library")
    index = open_index(tmp_path / "library", tmp_path / "index.sqlite3")
    index.update()
    os.rename(
        os.fsencode(tmp_path / "library") + b"/" + os.fsencode(hostile),
        os.fsencode(tmp_path / "library") + b"/\xff\xfe.txt",
    )
    report = open_index(tmp_path / "library", tmp_path / "index.sqlite3").update()
    assert report.renamed == ((hostile, os.fsdecode(b"\xff\xfe.txt")),)
    index.close()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_a_stored_path_comes_back_exactly_and_sqlite_takes_it(path: str) -> None:
    stored = stored_path(path)
    stored.encode("utf-8")  # raises for a lone surrogate: what SQLite refuses
    assert library_path(stored) == path
    storable(path).encode("utf-8")


def test_a_plain_path_is_stored_as_it_is() -> None:
    assert stored_path("notes/été.md") == "notes/été.md"
    assert storable("caf\udce9") == "caf\ufffd"
