"""The Markdown export as a paper draft needs it (issue 11 item 12): each quote with its short
citation beside it, `^id` block ids as an option, a note's `#` kept as text, and the
document's tags told apart from a highlight's."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from readertui.cli import main
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.citation import short_citation
from readertui.core.document import load_document
from readertui.core.library import scan_library
from readertui.core.metadata import DocumentMetadata
from readertui.export.exporting import ExportRequest, export_text
from readertui.export.markdown_text import note_item
from readertui.store.store import Store

ESSAY = """\
---
title: On Rivers
author: Ada Example
date: 1901
tags: [water]
---

# On Rivers

## The source

Every river begins as a spring high in the hills, where the water is cold and clear.

## The mouth

At the sea the river slows and spreads, and leaves its silt behind in wide, flat fans.
"""
STAMP = "2026-01-02T03:04:05Z"


@pytest.fixture
def shelf(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "library"
    root.mkdir()
    (root / "rivers.md").write_text(ESSAY, encoding="utf-8")
    document = load_document(root / "rivers.md", root)
    ref = DocumentRef("rivers.md", document.sha256, document.metadata.title)

    def highlight(words: str, **fields: object) -> object:
        start = document.text.index(words)
        return new_annotation(document.text, ref, start, start + len(words), **fields)  # type: ignore[arg-type]

    source = highlight(
        "Every river begins as a spring",
        note="#idea for chapter two\n# Not a heading\nplain line",
        tags=("source",),
    )
    mouth = highlight("leaves its silt behind", tags=("delta",))
    db = tmp_path / "db.json"
    with Store(db) as store:
        store.save_annotations([source, mouth])  # type: ignore[list-item]
        store.set_document_tags("rivers.md", ("essay",), library=scan_library(root).key)
    return root, db


def _export(shelf: tuple[Path, Path], **request: object) -> str:
    root, db = shelf
    library = scan_library(root)
    with Store(db) as store:
        return export_text(
            library,
            store,
            ExportRequest(doc="rivers.md", **request),  # type: ignore[arg-type]
            exported=STAMP,
        )


def test_each_quote_carries_its_short_citation(shelf: tuple[Path, Path]) -> None:
    text = _export(shelf)
    assert "> — Ada Example, “On Rivers”, The source, line 12" in text
    assert "> — Ada Example, “On Rivers”, The mouth, line 16" in text
    assert "> — line " not in text


def test_short_citation_leaves_out_what_is_unknown_or_repeated() -> None:
    two = DocumentMetadata(title="Letters", authors=("B. Writer", "C. Writer"))
    assert short_citation(two, "l.txt", heading="LETTERS", line=3) == (
        "B. Writer and C. Writer, “Letters”, line 3"
    )
    many = DocumentMetadata(title="Report", authors=("A", "B", "C"))
    assert short_citation(many, "r.txt", line=1) == "A et al., “Report”, line 1"
    assert short_citation(DocumentMetadata(title=""), "notes/a.txt") == "“notes/a.txt”"
    long_title = DocumentMetadata(title="word " * 40)
    assert len(short_citation(long_title, "x.txt")) <= 62


def test_block_ids_are_on_for_obsidian_and_off_for_plain(shelf: tuple[Path, Path]) -> None:
    obsidian = _export(shelf)
    plain = _export(shelf, style="plain")
    assert [line for line in obsidian.splitlines() if line.startswith("^")]
    assert not [line for line in plain.splitlines() if line.startswith("^")]
    assert "^" not in plain
    assert not [line for line in _export(shelf, block_ids=False).splitlines() if "^" in line]
    forced = _export(shelf, style="plain", block_ids=True)
    assert len([line for line in forced.splitlines() if line.startswith("^")]) == 2


def test_the_cli_takes_style_and_block_ids(
    shelf: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root, db = shelf
    where = ["--library", str(root), "--db", str(db), "-o", "-"]

    def export(*options: str) -> str:
        assert main(["export", *where, *options]) == 0
        return capsys.readouterr().out

    def ids(text: str) -> int:
        return sum(line.startswith("^") for line in text.splitlines())

    assert ids(export()) == 2
    assert ids(export("--style", "obsidian")) == 2
    assert ids(export("--style", "plain")) == 0
    assert ids(export("--no-block-ids")) == 0
    assert ids(export("--style", "plain", "--block-ids")) == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["export", *where, "--style", "fancy"])
    assert exit_info.value.code == 2
    assert "fancy" in capsys.readouterr().err
    # A JSON export has neither: asking for them is a mistake, said in one line.
    assert main(["export", *where, "--format", "json", "--no-block-ids"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--format markdown" in err


def test_a_hash_at_the_start_of_a_note_line_stays_text(shelf: tuple[Path, Path]) -> None:
    text = _export(shelf)
    tokens = MarkdownIt("commonmark").use(front_matter_plugin).parse(text)
    headings = [
        tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "heading_open"
    ]
    assert headings == ["On Rivers"]
    rendered = MarkdownIt("commonmark").use(front_matter_plugin).render(text)
    assert "#idea for chapter two" in rendered and "# Not a heading" in rendered
    # Obsidian takes `#idea` at the start of a line as a tag: escaped, it is text.
    assert "- **Note:** \\#idea for chapter two" in text
    assert "  \\# Not a heading" in text


def test_document_tags_and_highlight_tags_have_their_own_labels(
    shelf: tuple[Path, Path],
) -> None:
    text = _export(shelf)
    assert "- **Document tags:** #water #essay" in text
    assert "- **Tags:** #source" in text and "- **Tags:** #delta" in text
    assert "- **Tags:** #essay" not in text


@pytest.mark.parametrize("note", ["a\n\t# b", "\t# b", "a\n   # c", " \t#tag", "# x\n## y"])
def test_a_hash_after_blanks_or_a_tab_stays_text_too(note: str) -> None:
    item = "\n".join(note_item("**Note:**", note))
    tokens = MarkdownIt("commonmark").parse(item)
    assert not [token for token in tokens if token.type == "heading_open"], item
    shown = MarkdownIt("commonmark").render(item)
    assert "#" in shown and "\\#" not in shown


def test_a_hash_in_a_notes_fenced_code_is_left_as_written() -> None:
    item = note_item("**Note:**", "```sh\n# a comment\n```\n# after")
    assert "  # a comment" in item and "  \\# after" in item
