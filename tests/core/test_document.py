"""Loading one document: format, text, metadata, hash, line count and every refusal."""

import hashlib
from pathlib import Path

import pytest

from readertui.core.document import DEFAULT_MAX_BYTES, Document, load_document
from readertui.core.library import scan_library
from readertui.core.metadata import DocumentMetadata, sidecar_path
from readertui.errors import DocumentError
from readertui.formats import MARKDOWN, PLAIN_TEXT


def test_default_limit_is_256_mib() -> None:
    assert DEFAULT_MAX_BYTES == 256 * 1024 * 1024


def test_load_plain_text_document(tmp_path: Path) -> None:
    folder = tmp_path / "essays" / "2024"
    folder.mkdir(parents=True)
    path = folder / "on-cities.txt"
    path.write_bytes("On Cities\r\n\r\nIt’s “late”.\r\n".encode("cp1252"))
    sidecar_path(path).write_text('title = "On Cities"\nauthors = ["Ann Lee"]\n', "utf-8")

    document = load_document(path, tmp_path)

    assert document.path == path
    assert document.rel_path == "essays/2024/on-cities.txt"
    assert document.text == "On Cities\n\nIt’s “late”.\n"
    assert document.format == "text"
    assert document.kind is PLAIN_TEXT
    assert document.encoding == "cp1252"
    assert document.metadata == DocumentMetadata("On Cities", ("Ann Lee",))


def test_load_markdown_document_with_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("---\ntitle: Notes\nauthor: Bo Chen\n---\n# Heading\n", "utf-8")
    document = load_document(path, tmp_path)
    assert document.format == "markdown"
    assert document.kind is MARKDOWN
    assert document.metadata == DocumentMetadata("Notes", ("Bo Chen",))
    assert document.text.startswith("---\ntitle: Notes")  # the source text stays verbatim


def test_sha256_is_of_the_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes("Grüße 😀\r\nline two\n".encode("utf-16"))  # with a BOM
    document = load_document(path, tmp_path)
    expected = hashlib.sha256("Grüße 😀\nline two\n".encode()).hexdigest()
    assert document.sha256 == expected
    assert document.sha256 is document.sha256  # computed once


def test_sha256_of_a_text_longer_than_one_hash_chunk() -> None:
    text = "ab😀\n" * 400_000  # 1.6 million characters: the hash is fed in chunks
    document = Document(Path("x.txt"), "x.txt", text, PLAIN_TEXT, "utf-8", DocumentMetadata("x"))
    assert document.sha256 == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("text", "lines"),
    [("", 0), ("one", 1), ("one\n", 2), ("one\ntwo", 2), ("\n\n", 3)],
)
def test_line_count(text: str, lines: int) -> None:
    document = Document(Path("x.txt"), "x.txt", text, PLAIN_TEXT, "utf-8", DocumentMetadata("x"))
    assert document.line_count() == lines


def test_documents_compare_by_identity(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("same\n", "utf-8")
    first, second = load_document(path, tmp_path), load_document(path, tmp_path)
    assert first != second
    assert first == first
    assert len({first, second}) == 2


def test_empty_file_is_an_empty_document(tmp_path: Path) -> None:
    path = tmp_path / "blank_page.txt"
    path.write_bytes(b"")
    document = load_document(path, tmp_path)
    assert document.text == ""
    assert document.line_count() == 0
    assert document.metadata.title == "Blank Page"


def test_title_matches_the_library_even_past_8_kb(tmp_path: Path) -> None:
    # 3,000 CJK characters are 9,000 UTF-8 bytes: a heading after them lies beyond the 8 KB
    # the library reads but within 8,192 characters. The title must not change on opening.
    path = tmp_path / "long.md"
    path.write_text("中" * 3000 + "\n\n# Late heading\n", "utf-8")
    listed = scan_library(tmp_path).entries[0].metadata.title
    assert load_document(path, tmp_path).metadata.title == listed


def test_rel_path_outside_the_root_is_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "library").mkdir()
    path = tmp_path / "elsewhere.txt"
    path.write_text("x", "utf-8")
    assert load_document(path, tmp_path / "library").rel_path == "elsewhere.txt"


# --- refusals -----------------------------------------------------------------------------


def reason_for(path: Path, root: Path, **kwargs: int) -> str:
    with pytest.raises(DocumentError) as caught:
        load_document(path, root, **kwargs)
    assert caught.value.path == str(path)
    return caught.value.reason


def test_unsupported_format_is_refused_without_reading(tmp_path: Path) -> None:
    assert reason_for(tmp_path / "paper.DOCX", tmp_path) == "not a supported format (.docx)"
    assert reason_for(tmp_path / "Makefile", tmp_path) == "not a supported format (no extension)"


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert reason_for(tmp_path / "gone.md", tmp_path) == "file not found"


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 100)
    assert reason_for(path, tmp_path) == "binary file"


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"words " * 1000)
    assert reason_for(path, tmp_path, max_bytes=100) == ("too large (5.9 KB > 100 bytes limit)")


def test_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("secret", "utf-8")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    assert reason_for(path, tmp_path) == "not readable: permission denied"
