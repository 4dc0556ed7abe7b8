"""The Markdown export: golden files, and user text that can never break the structure."""

from __future__ import annotations

import html
import json
import os
import re
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from readertui.core.annotations import Annotation, DocumentRef, Quote, new_annotation
from readertui.core.document import load_document
from readertui.core.library import Library, scan_library
from readertui.core.metadata import DocumentMetadata
from readertui.export.collect import DocumentNotes, Located, collect
from readertui.export.exporting import (
    ExportRequest,
    export_text,
    export_to_folder,
    write_if_changed,
)
from readertui.export.markdown import document_markdown
from readertui.export.markdown_text import note_item, tag_word, yaml_string
from readertui.store.store import Store

GOLDEN = Path(__file__).parent / "golden"
STAMP = "2026-01-02T03:04:05Z"
LATER = "2027-01-01T00:00:00Z"

ESSAY = """\
---
title: On Rivers
author: Ada Example
date: 1901
---

# On Rivers

## The source

Every river begins as a spring high in the hills, where the water is cold and clear.
It gathers its strength from a thousand small streams.

## The mouth

At the sea the river slows and spreads, and leaves its silt behind in wide, flat fans.
"""

LETTERS = """\
LETTERS FROM THE COAST

The harbour was full of boats this morning; the fishermen say the herring are back.
Nobody remembers a season like it, and the prices at market have fallen by half.

Write soon, and tell me whether the roads are open yet.
"""


def _markdown() -> MarkdownIt:
    # CommonMark with the GFM tables and strikethrough Obsidian understands too.
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)


def _write_library(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "rivers.md").write_text(ESSAY, encoding="utf-8")
    (root / "letters.txt").write_text(LETTERS, encoding="utf-8")
    (root / "letters.txt.meta.toml").write_text(
        'title = "Letters from the Coast"\nauthors = ["B. Writer", "C. Writer"]\n'
        'source = "A family archive"\ntags = ["sea", "family letters"]\n',
        encoding="utf-8",
    )


def _highlight(
    library: Library, rel_path: str, words: str, number: int, **fields: object
) -> Annotation:
    entry = library.find(rel_path)
    assert entry is not None
    document = load_document(entry.path, library.root)
    start = document.text.index(words)
    made = new_annotation(
        document.text,
        DocumentRef(rel_path, document.sha256, entry.metadata.title),
        start,
        start + len(words),
    )
    stamp = f"2026-01-01T00:00:{number:02d}.000000Z"
    return replace(
        made,
        id=f"00000000-0000-4000-8000-{number:012d}",
        created=stamp,
        updated=stamp,
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def annotated(tmp_path: Path) -> tuple[Library, Path]:
    """A two-document library with notes that try every way to break Markdown."""
    root = tmp_path / "library"
    _write_library(root)
    library = scan_library(root)
    first = _highlight(
        library,
        "rivers.md",
        "Every river begins as a spring high in the hills",
        1,
        note="Compare *Heraclitus*.\n\n```python\nprint('a fence that never closes')",
        tags=("water/rivers", "Greek thought"),
    )
    second = _highlight(
        library,
        "rivers.md",
        "leaves its silt behind",
        2,
        note="---\n# Not a heading of the export\n> not a quote of the document\n<div>raw html",
        tags=("1901",),
        links=(first.id,),
    )
    orphan = replace(
        _highlight(library, "rivers.md", "water is cold", 3),
        quote=Quote("a sentence that was edited away"),
        orphaned=True,
        confidence=0.0,
        note="Lost when the text changed.",
    )
    letters = _highlight(
        library,
        "letters.txt",
        "the herring are back",
        4,
        color="green",
        note="Good news — *finally*. `#notatag` [[wiki]] %% not a comment",
        tags=("sea",),
        links=(second.id, "ffffffff-0000-4000-8000-000000000000"),
    )
    db = tmp_path / "db.json"
    with Store(db) as store:
        store.save_annotations([first, second, orphan, letters])
    return library, db


def _check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("READERTUI_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_one_file_per_document_matches_the_golden_files(
    annotated: tuple[Library, Path], tmp_path: Path
) -> None:
    library, db = annotated
    out = tmp_path / "out"
    with Store(db) as store:
        result = export_to_folder(out, library, store, ExportRequest(), exported=STAMP)
    assert sorted(path.name for path in result.written) == ["letters.md", "rivers.md"]
    assert result.highlights == 4 and result.orphaned == 1
    for name in ("rivers.md", "letters.md"):
        _check_golden(name, (out / name).read_text(encoding="utf-8"))


def test_one_file_for_the_library_matches_the_golden_file(
    annotated: tuple[Library, Path],
) -> None:
    library, db = annotated
    with Store(db) as store:
        text = export_text(library, store, ExportRequest(), exported=STAMP)
    _check_golden("library.md", text)


def test_exported_markdown_has_its_parts_where_a_reader_expects_them(
    annotated: tuple[Library, Path], tmp_path: Path
) -> None:
    library, db = annotated
    with Store(db) as store:
        export_to_folder(tmp_path / "out", library, store, ExportRequest(), exported=STAMP)
    rivers = (tmp_path / "out" / "rivers.md").read_text(encoding="utf-8")
    tokens = _markdown().parse(rivers)
    front = next(token for token in tokens if token.type == "front_matter")
    fields = dict(line.split(": ", 1) for line in front.content.splitlines())
    assert json.loads(fields["title"]) == "On Rivers"
    assert json.loads(fields["author"]) == "Ada Example"
    assert json.loads(fields["exported"]) == STAMP
    # The note's "# Not a heading of the export" stays inside its list item.
    headings = [
        tokens[i + 1].content
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.level == 0
    ]
    assert headings == ["On Rivers", "Orphaned highlights"]
    # In document order, each with its short citation (author, title, heading and line).
    assert rivers.index("Every river begins") < rivers.index("leaves its silt")
    assert "> — Ada Example, “On Rivers”, The source, line 11" in rivers
    assert "> — Ada Example, “On Rivers”, The mouth, line 16" in rivers
    assert "^00000000-0000-4000-8000-000000000001" in rivers
    assert "- **Tags:** #water/rivers #Greek-thought" in rivers
    # A link to another annotation is an Obsidian block reference in the same file.
    assert "(#^00000000-0000-4000-8000-000000000001)" in rivers
    letters = (tmp_path / "out" / "letters.md").read_text(encoding="utf-8")
    assert "[“leaves its silt behind”](rivers.md#^00000000-0000-4000-8000-000000000002)" in letters
    assert "a highlight no longer here" in letters


def test_re_export_is_deterministic_apart_from_the_time(annotated: tuple[Library, Path]) -> None:
    library, db = annotated
    with Store(db) as store:
        first = export_text(library, store, ExportRequest(), exported=STAMP)
        second = export_text(library, store, ExportRequest(), exported="2027-05-05T05:05:05Z")
    assert first.replace(STAMP, "T") == second.replace("2027-05-05T05:05:05Z", "T")


def test_a_re_export_leaves_unchanged_files_alone_and_rewrites_changed_ones(
    annotated: tuple[Library, Path], tmp_path: Path
) -> None:
    library, db = annotated
    out = tmp_path / "out"
    with Store(db) as store:
        export_to_folder(out, library, store, ExportRequest(), exported=STAMP)
        before = {name: (out / name).stat().st_mtime_ns for name in ("rivers.md", "letters.md")}
        again = export_to_folder(out, library, store, ExportRequest(), exported=LATER)
        assert again.written == () and len(again.unchanged) == 2
        assert "already up to date" in again.summary()
        letters = next(a for a in store.annotations("letters.txt"))
        store.save_annotation(letters.touched(note="A changed note"))
        third = export_to_folder(out, library, store, ExportRequest(), exported=LATER)
    assert [path.name for path in third.written] == ["letters.md"]
    assert (out / "rivers.md").stat().st_mtime_ns == before["rivers.md"]
    assert "A changed note" in (out / "letters.md").read_text(encoding="utf-8")


def test_a_tag_export_goes_to_one_file_of_its_own(
    annotated: tuple[Library, Path], tmp_path: Path
) -> None:
    library, db = annotated
    with Store(db) as store:
        result = export_to_folder(
            tmp_path / "out", library, store, ExportRequest(tag="sea"), exported=STAMP
        )
    assert [path.name for path in result.written] == ["tag-sea.md"]
    text = result.written[0].read_text(encoding="utf-8")
    assert "the herring are back" in text and "Every river" not in text


def test_an_annotation_whose_document_is_gone_is_exported_as_orphaned(
    annotated: tuple[Library, Path],
) -> None:
    library, db = annotated
    (library.root / "letters.txt").unlink()
    with Store(db) as store:
        notes = collect(scan_library(library.root), store)
    gone = next(notes for notes in notes if notes.rel_path == "letters.txt")
    assert not gone.in_library and gone.placed == ()
    assert [item.annotation.orphaned for item in gone.orphaned] == [True]


# -- user text never breaks the structure ---------------------------------------------------

_MARKUP = st.sampled_from(
    [
        "---", "***", "===", "# ", "## ", "> ", "- ", "+ ", "* ", "1. ", "1) ", "```", "~~~",
        "    ", "\t", "<div>", "</div>", "<!--", "-->", "<script>", "<pre>", "|", "| --- |",
        "[x]: http://example.com", "[[", "]]", "%%", "$$", "^id", "\\", "`", "*", "_", "&amp;",
        "&#35;", "<http://x.y>", ":::", ": ", "\n", "\n\n", "\r", "\x1b[31m", "\u2028", "é",
        "漢字", "👍🏽", "\u200d", "[^1]", "==", "~~", "#tag", "!", "[", "]", "(", ")",
    ]
)  # fmt: skip
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_PICTURES |= {0x7F: "\u2421"} | {code: "\ufffd" for code in range(0x80, 0xA0)}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_USER_TEXT = st.lists(st.one_of(_MARKUP, st.text(max_size=8)), max_size=14).map("".join)


def _top_level_blocks(tokens: list[Token]) -> list[Token]:
    return [
        token
        for token in tokens
        if token.level == 0 and token.nesting >= 0 and token.type != "front_matter"
    ]


def _document_with(notes: list[str], quotes: list[str], tags: list[tuple[str, ...]]) -> str:
    items: list[Located] = []
    for number, (note, quote, own_tags) in enumerate(zip(notes, quotes, tags, strict=True)):
        annotation = Annotation(
            id=f"00000000-0000-4000-8000-{number:012d}",
            doc=DocumentRef("doc.txt"),
            quote=Quote(quote or "x"),
            start=number * 10,
            end=number * 10 + 5,
            note=note,
            tags=own_tags,
        )
        items.append(Located(annotation, line=number + 1, heading=quote[:20]))
    notes_of_document = DocumentNotes(
        rel_path="doc.txt",
        metadata=DocumentMetadata(title="A document", authors=("Someone",)),
        tags=("a",),
        placed=tuple(items),
        orphaned=(),
    )
    return document_markdown(notes_of_document, STAMP)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    notes=st.lists(_USER_TEXT, min_size=1, max_size=3),
    data=st.data(),
)
def test_any_note_stays_inside_its_block(notes: list[str], data: st.DataObject) -> None:
    quotes = data.draw(st.lists(_USER_TEXT, min_size=len(notes), max_size=len(notes)))
    tags = data.draw(
        st.lists(
            st.lists(_USER_TEXT, max_size=3).map(tuple),
            min_size=len(notes),
            max_size=len(notes),
        )
    )
    text = _document_with(notes, quotes, tags)
    blocks = _top_level_blocks(_markdown().parse(text))
    kinds = [token.type for token in blocks]
    # The document: title, byline, facts; then per highlight: quote, block id, details.
    assert kinds[:3] == ["heading_open", "paragraph_open", "bullet_list_open"], kinds
    rest = kinds[3:]
    expected: list[str] = []
    for note, own_tags in zip(notes, tags, strict=True):
        expected += ["blockquote_open", "paragraph_open"]
        if note.strip() or own_tags:
            expected.append("bullet_list_open")
    assert rest == expected, (text, rest)
    # Each block id is its own paragraph, right after its quote, and reads as written.
    lines = text.split("\n")
    ids = [token for token in blocks[3:] if token.type == "paragraph_open"]
    for number, token in enumerate(ids):
        assert token.map is not None
        assert lines[token.map[0]] == f"^00000000-0000-4000-8000-{number:012d}"
    # Every line of a note lies inside its own list.
    lists = [token for token in blocks[3:] if token.type == "bullet_list_open"]
    noted = [note for note, own_tags in zip(notes, tags, strict=True) if note.strip() or own_tags]
    for token, note in zip(lists, noted, strict=True):
        assert token.map is not None
        start, end = token.map
        inside = "\n".join(lines[start:end])
        for line in note.split("\n"):
            words = line.strip()
            if words and not _CONTROL.search(words):
                assert words.replace("%%", "\\%\\%").replace("$$", "\\$\\$") in inside


@settings(max_examples=300, deadline=None)
@given(quote=_USER_TEXT.filter(lambda text: bool(text.strip())))
@example(quote="—")  # the location line's own dash, also in the heading (quote[:20]) after it
@example(quote="a — line 1 · b")
def test_a_quote_renders_as_exactly_the_document_s_words(quote: str) -> None:
    text = _document_with([""], [quote], [()])
    rendered = _markdown().render(text)
    quoted = rendered.split("<blockquote>", 1)[1].split("</blockquote>", 1)[0]
    # The citation ("— Someone, “A document”, heading, line 1") is the block quote's last
    # paragraph; the quote's own text cannot open one (its "<" is escaped), whatever dashes
    # it holds.
    quoted = quoted.rsplit("<p>", 1)[0]
    shown = html.unescape(re.sub(r"<[^>]+>", " ", quoted))
    # Blanks and newlines at the ends are not part of what is shown; any other control is,
    # as its Unicode "control picture" (C1 controls as the replacement character).
    wanted = quote.strip(" \t\n").translate(_PICTURES)
    assert " ".join(shown.split()) == " ".join(wanted.split())


def test_tags_become_obsidian_tags() -> None:
    assert tag_word("place/Xi'an") == "#place/Xian"
    assert tag_word("New  York") == "#New-York"
    assert tag_word("1925") == "#_1925"
    assert tag_word("漢字") == "#漢字"
    assert tag_word("!!") == "!!"


def test_front_matter_strings_are_valid_yaml_and_json() -> None:
    value = 'a "quoted" \\ title\x1b\u2028 with\nlines'
    assert json.loads(yaml_string(value)) == value
    assert "\x1b" not in yaml_string(value) and "\n" not in yaml_string(value)


def test_a_note_that_opens_with_a_block_starts_on_its_own_line() -> None:
    assert note_item("**Note:**", "- one\n- two") == ["- **Note:**", "", "  - one", "  - two"]
    # A `#` that starts a line is text (issue 11 item 12), so it stays on the label's line.
    assert note_item("**Note:**", "# Big") == ["- **Note:** \\# Big"]
    fenced = "```sh\n# a comment\n```\n#tag"
    assert note_item("**Note:**", fenced)[2:] == ["  ```sh", "  # a comment", "  ```", "  \\#tag"]
    assert note_item("**Note:**", "plain\nsecond") == ["- **Note:** plain", "  second"]


def test_exported_files_are_made_like_any_file_and_keep_their_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        target = tmp_path / "notes.md"
        assert write_if_changed(target, "first\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o640)
        assert write_if_changed(target, "second\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
        assert target.read_text(encoding="utf-8") == "second\n"
        assert [path.name for path in tmp_path.iterdir()] == ["notes.md"]  # no temporary left
    finally:
        os.umask(umask)
