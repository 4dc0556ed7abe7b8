"""Scanning a library folder: what is listed, what is skipped and why, and how fast."""

import os
import time
import tomllib
from pathlib import Path
from typing import IO, Any

import pytest

from readertui import locations
from readertui.core.library import (
    SAMPLE_LIBRARY_KEY,
    Library,
    LibraryEntry,
    SkippedFile,
    library_key,
    scan_library,
)
from readertui.core.metadata import DocumentMetadata
from readertui.errors import LibraryError

SAMPLE_LIBRARY = Path(__file__).resolve().parents[2] / "library"


def put(root: Path, rel_path: str, data: bytes | str) -> Path:
    path = root / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def rel_paths(library: Library) -> list[str]:
    return [entry.rel_path for entry in library.entries]


# --- the sample library -------------------------------------------------------------------


def test_sample_library_lists_its_four_documents_with_sidecar_metadata() -> None:
    library = scan_library(SAMPLE_LIBRARY)
    assert library.skipped == ()
    assert len(library.entries) == 4
    for entry in library.entries:
        sidecar = tomllib.loads(Path(f"{entry.path}.meta.toml").read_text("utf-8"))
        assert entry.metadata.title == sidecar["title"]
        assert entry.metadata.authors == tuple(sidecar["authors"])
        assert entry.metadata.publication == sidecar["publication"]
        assert entry.format == "text"
        assert entry.size == entry.path.stat().st_size
    titles = [entry.metadata.title for entry in library.entries]
    assert titles == sorted(titles, key=str.casefold)


# --- what is listed and what is skipped ---------------------------------------------------


@pytest.fixture
def mixed_library(tmp_path: Path) -> Path:
    put(tmp_path, "b-notes.md", "# beta notes\n")
    put(tmp_path, "Alpha.txt", "alpha\n")
    put(tmp_path, "sub/deeper/Gamma.TXT", "Gamma\n")
    put(tmp_path, "empty.txt", b"")
    put(tmp_path, "picture.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    put(tmp_path, "sub/disguised.txt", b"\x00\x01\x02\x03" * 100)
    put(tmp_path, "sub/big.md", "x" * 5000)
    put(tmp_path, "README", "no extension")
    put(tmp_path, ".hidden.txt", "secret")
    put(tmp_path, ".git/config.txt", "hidden folder")
    put(tmp_path, "sub/.cache/x.md", "hidden folder")
    put(tmp_path, "Alpha.txt.meta.toml", 'title = "alpha, from the sidecar"\n')
    put(tmp_path, "orphan.txt.meta.toml", 'title = "no document"\n')
    return tmp_path


def test_documents_are_listed_sorted_by_title_ignoring_case(mixed_library: Path) -> None:
    library = scan_library(mixed_library, max_bytes=4096)
    assert [entry.metadata.title for entry in library.entries] == [
        "alpha, from the sidecar",
        "beta notes",
        "Empty",
        "Gamma",
    ]
    assert rel_paths(library) == ["Alpha.txt", "b-notes.md", "empty.txt", "sub/deeper/Gamma.TXT"]
    assert [entry.format for entry in library.entries] == ["text", "markdown", "text", "text"]
    assert library.entries[0].path == mixed_library / "Alpha.txt"


def test_files_that_are_not_documents_are_skipped_with_reasons(mixed_library: Path) -> None:
    library = scan_library(mixed_library, max_bytes=4096)
    assert library.skipped == (
        SkippedFile("README", "not a supported format (no extension)"),
        SkippedFile("picture.png", "not a supported format (.png)"),
        SkippedFile("sub/big.md", "too large (4.9 KB > 4.0 KB limit)"),
        SkippedFile("sub/disguised.txt", "binary file"),
    )


def test_broken_sidecar_keeps_the_document_and_is_reported(tmp_path: Path) -> None:
    put(tmp_path, "essay.txt", "Essay opening line\n")
    put(tmp_path, "essay.txt.meta.toml", 'title = "unterminated\n')
    library = scan_library(tmp_path)
    assert [entry.metadata.title for entry in library.entries] == ["Essay opening line"]
    (skipped,) = library.skipped
    assert skipped.rel_path == "essay.txt.meta.toml"
    assert skipped.reason.startswith("metadata sidecar ignored: ")


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(tmp_path, "open.txt", "fine\n")
    locked = put(tmp_path, "locked.txt", "secret\n")
    real_open = Path.open

    def guarded_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded_open)
    library = scan_library(tmp_path)
    assert rel_paths(library) == ["open.txt"]
    assert library.skipped == (SkippedFile("locked.txt", "not readable: permission denied"),)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything"
)
def test_files_and_folders_without_permission_are_skipped(tmp_path: Path) -> None:
    locked = put(tmp_path, "locked.txt", "secret\n")
    closed = put(tmp_path, "closed/inside.txt", "x").parent
    locked.chmod(0)
    closed.chmod(0)
    try:
        library = scan_library(tmp_path)
    finally:
        locked.chmod(0o600)
        closed.chmod(0o700)
    assert library.entries == ()
    assert library.skipped == (
        SkippedFile("closed/", "not readable: permission denied"),
        SkippedFile("locked.txt", "not readable: permission denied"),
    )


def test_broken_link_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    assert scan_library(tmp_path).skipped == (SkippedFile("dangling.txt", "broken link"),)


def test_symlink_loops_end_and_list_each_folder_once(tmp_path: Path) -> None:
    put(tmp_path, "books/one.txt", "One\n")
    (tmp_path / "books" / "loop").symlink_to(tmp_path)
    (tmp_path / "again").symlink_to(tmp_path / "books")
    library = scan_library(tmp_path)
    assert rel_paths(library) == ["books/one.txt"]


def test_symlinked_folder_elsewhere_is_followed_only_when_the_config_allows(
    tmp_path: Path,
) -> None:
    put(tmp_path, "outside/far.txt", "Far\n")
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "linked").symlink_to(tmp_path / "outside")
    library = scan_library(tmp_path / "library")
    assert library.entries == ()
    assert library.skipped == (SkippedFile("linked/", "a link to a folder outside the library"),)
    allowed = scan_library(tmp_path / "library", follow_outside_links=True)
    assert rel_paths(allowed) == ["linked/far.txt"]


# --- big files and lookups ----------------------------------------------------------------


def test_scan_reads_only_the_head_of_a_big_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = put(tmp_path, "tome.txt", "The Tome\n\n" + "word " * 3000)
    with path.open("r+b") as stream:
        stream.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
    read_sizes: list[int] = []
    real_open = Path.open

    class CountingReader:
        def __init__(self, stream: IO[bytes]) -> None:
            self.stream = stream

        def read(self, size: int = -1) -> bytes:
            data = self.stream.read(size)
            read_sizes.append(len(data))
            return data

        def __enter__(self) -> "CountingReader":
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

    def counting_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        return CountingReader(real_open(self, *args, **kwargs))

    monkeypatch.setattr(Path, "open", counting_open)
    started = time.perf_counter()
    library = scan_library(tmp_path)
    elapsed = time.perf_counter() - started
    assert library.entries[0].metadata.title == "The Tome"
    assert library.entries[0].size == 200 * 1024 * 1024
    assert sum(read_sizes) <= 8192
    assert elapsed < 0.5


def test_find_and_entry_for_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(tmp_path, "lib/sub/doc.md", "# Doc\n")
    (tmp_path / "alias").symlink_to(tmp_path / "lib")
    library = scan_library(tmp_path / "lib")
    entry = library.find("sub/doc.md")
    assert isinstance(entry, LibraryEntry)
    assert entry.metadata == DocumentMetadata("Doc")
    assert library.find("doc.md") is None
    monkeypatch.chdir(tmp_path / "lib")
    assert library.entry_for_path(Path("sub/../sub/doc.md")) is entry
    assert library.entry_for_path(tmp_path / "alias" / "sub" / "doc.md") is entry
    assert library.entry_for_path(tmp_path / "lib" / "sub" / "other.md") is None


# --- the root -----------------------------------------------------------------------------


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="library folder not found"):
        scan_library(tmp_path / "nowhere")


def test_root_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="not a folder"):
        scan_library(put(tmp_path, "file.txt", "x"))


def test_empty_root_is_an_empty_library(tmp_path: Path) -> None:
    assert scan_library(tmp_path) == Library(tmp_path, (), (), str(tmp_path.resolve()))


# --- the library's key ----------------------------------------------------------------------


def test_a_library_is_keyed_by_its_real_folder_however_it_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "reading"
    put(root, "a.txt", "text")
    link = tmp_path / "link-to-reading"
    link.symlink_to(root, target_is_directory=True)
    key = scan_library(root).key
    assert key == os.fsdecode(os.path.realpath(root)) == library_key(root)
    assert scan_library(link).key == key
    monkeypatch.chdir(tmp_path)
    assert scan_library(Path("reading")).key == key


def test_two_folders_with_the_same_files_are_two_libraries(tmp_path: Path) -> None:
    for name in ("one", "two"):
        put(tmp_path / name, "a.txt", "the same text")
    assert scan_library(tmp_path / "one").key != scan_library(tmp_path / "two").key


def test_the_sample_library_has_one_key_wherever_it_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a checkout, the repository's library/ is the sample library readertui ships.
    assert scan_library(SAMPLE_LIBRARY).key == SAMPLE_LIBRARY_KEY
    # A copy of its files elsewhere is the user's own library ...
    copy = tmp_path / "site-packages" / "readertui" / "sample_library"
    copy.mkdir(parents=True)
    for document in SAMPLE_LIBRARY.iterdir():
        (copy / document.name).write_bytes(document.read_bytes())
    assert scan_library(copy).key == os.fsdecode(os.path.realpath(copy))
    # ... unless it is the sample library of the installed package (a wheel): then it is
    # the same library as the checkout's, and keeps its notes across a reinstall.
    monkeypatch.setattr(locations, "_PACKAGED_SAMPLE_LIBRARY", copy)
    assert scan_library(copy).key == SAMPLE_LIBRARY_KEY
    assert scan_library(SAMPLE_LIBRARY).key != SAMPLE_LIBRARY_KEY
