"""PRODUCT 11 with a hostile library: titles, authors, publications, headings, file names, tags
and notes that carry escape sequences, bidi controls and markup are shown literally everywhere.

Each check reads what the widgets paint (every segment of every strip) and finds no control
character, bidi control or lone surrogate there, and the markup's `[` on screen as text.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widget import Widget
from textual.widgets import Static, TabbedContent

from readertui.config import Config
from readertui.core.annotations import Annotation, DocumentRef, Quote
from readertui.store.store import Store
from readertui.ui.app import ReaderApp, make_app
from readertui.ui.dialogs.note_editor import NoteEditor
from readertui.ui.dialogs.tag_editor import TagEditor
from readertui.ui.widgets.library_pane import LibraryPane
from tests.ui.helpers import wait_for_startup

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"
REVERSE = "[reverse]X[/reverse]"
BAD_LINK = "Bad [link=http://x]markup"
OSC_TITLE = f"{ESC}]2;PWNED2{BEL}"
OSC_LINK = f"{ESC}]8;;http://evil.example{ST}click{ESC}]8;;{ST}"
OSC_CLIPBOARD = f"{ESC}]52;c;cm0gLXJmIH4K{BEL}"
CSI = f"{ESC}[2J{ESC}[H"
DCS = f"{ESC}Ptmux;{ESC}{ESC}]0;X{BEL}{ST}"
C1 = "\x9b2J \x9d0;T\x9c"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
NOT_UTF8_NAME = b"caf\xe9.txt"
SIZE = (200, 70)


def toml_string(text: str) -> str:
    """`text` as a TOML basic string, its controls written as \\u escapes."""
    escaped = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cc" or c in '"\\' else c for c in text
    )
    return f'"{escaped}"'


@pytest.fixture
def hostile_root(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    root.mkdir()
    # A sidecar: title, authors and publication.
    (root / "sidecar.txt").write_text("The sidecar document's words.\n", encoding="utf-8")
    title = toml_string(f"Side {OSC_TITLE}{REVERSE}")
    authors = f"{toml_string(BAD_LINK)}, {toml_string(f'Ann {CSI}{BIDI}Lee')}"
    publication = toml_string(f"Pub {OSC_CLIPBOARD} {C1}")
    (root / "sidecar.txt.meta.toml").write_text(
        f"title = {title}\nauthors = [{authors}]\npublication = {publication}\n",
        encoding="utf-8",
    )
    # Front matter and outline headings.
    (root / "front.md").write_text(
        f"---\ntitle: Front {OSC_LINK} [bold]F[/bold]\nauthor: Bo {DCS}\n---\n\n"
        f"# Heading {CSI} {REVERSE}\n\nText.\n\n## Sub \u202eheading {BAD_LINK}\n\nMore.\n",
        encoding="utf-8",
    )
    # The first line as the title.
    (root / "first.txt").write_text(
        f"{BAD_LINK} {OSC_TITLE}\n\nThe body of the first-line document.\n", encoding="utf-8"
    )
    # File names: a newline, an escape, a byte that is not UTF-8; a skipped one too.
    (root / "new\nline.txt").write_text("", encoding="utf-8")
    (root / f"esc{OSC_TITLE}.txt").write_text("", encoding="utf-8")
    with open(os.path.join(os.fsencode(root), NOT_UTF8_NAME), "wb") as stream:
        stream.write(b"")
    (root / f"skip\n{CSI}me.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    return root


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """An annotation of sidecar.txt with a hostile note and hostile tags (as if imported)."""
    db = tmp_path / "annotations.json"
    text = "The sidecar document's words.\n"
    annotation = Annotation(
        id="00000000-0000-4000-8000-000000000001",
        doc=DocumentRef("sidecar.txt", "", f"Side {OSC_TITLE}"),
        quote=Quote("sidecar document"),
        start=text.index("sidecar document"),
        end=text.index("sidecar document") + len("sidecar document"),
        note=f"note {OSC_CLIPBOARD} [bold]n[/bold] {BIDI}",
        tags=(f"evil{OSC_TITLE}", "[reverse]T[/reverse]", f"dir/{CSI}"),
    )
    with Store(db) as store:
        store.save_annotation(annotation)
    return db


def open_app(root: Path, db: Path, name: str) -> ReaderApp:
    return make_app(root, db, Config(), open_path=root / name)


def is_dangerous(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs") or char in BIDI or char in "\u2028\u2029"


def painted_text(app: ReaderApp, within: Widget | None = None) -> str:
    """What the screen shows (or the part of it where the widget `within` is), as the app
    composes it for the terminal, checked segment by segment to hold nothing that could
    drive the terminal."""
    region = within.region if within is not None else app.screen.region
    assert region.area, f"{within} is not on screen"
    # The strips the app would write to the terminal for this screen.
    strips = app.screen._compositor.render_strips()
    rows: list[str] = []
    for y in range(region.y, region.bottom):
        part = strips[y].crop(region.x, region.right)
        for segment in part:
            bad = [char for char in segment.text if is_dangerous(char)]
            assert not bad, f"{bad!r} painted at row {y}: {segment.text!r}"
        rows.append(part.text)
    return "\n".join(rows)


def assert_safe_text(text: str) -> None:
    bad = [char for char in text if is_dangerous(char) and char != "\n"]
    assert not bad, f"{bad!r} in {text!r}"


async def settle(pilot: object, app: ReaderApp) -> None:
    for _ in range(10):
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)  # type: ignore[attr-defined]


# --- the library pane, the notes pane, the sidebar ----------------------------------------


async def test_library_pane_shows_titles_authors_headings_and_names_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "front.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        labels = app.library_pane.option_texts()
        for label in labels:
            assert_safe_text(label)
        listed = "\n".join(labels)
        assert f"Side \u241b]2;PWNED2\u2407{REVERSE}" in listed
        assert f"{BAD_LINK}, Ann \u241b[2J\u241b[H" in listed  # authors on the second line
        assert "Front \u241b]8;;http://evil.example\u241b\\click" in listed
        assert f"Heading \u241b[2J\u241b[H {REVERSE}" in listed  # the outline of front.md
        assert f"Sub \u00b7heading {BAD_LINK}" in listed
        assert "caf\ufffd" in listed  # the title from the name's undecodable byte
        assert "skip\u240a\u241b[2J\u241b[Hme.png" in listed  # skipped, with its newline shown
        shown = painted_text(app, app.library_pane)
        assert REVERSE in shown and BAD_LINK in shown


async def test_notes_pane_shows_hostile_notes_and_tags_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        notes = app.sidebar.notes
        assert notes is not None
        labels = notes.option_texts()
        for label in labels:
            assert_safe_text(label)
        listed = "\n".join(labels)
        assert "note \u241b]52;c;cm0gLXJmIH4K\u2407 [bold]n[/bold]" in listed
        assert "#evil\u241b]2;PWNED2\u2407 #[reverse]T[/reverse]" in listed
        shown = painted_text(app, app.sidebar)
        assert "[bold]n[/bold]" in shown
        # The tag browser in the library pane lists the same tags ("/" makes a hierarchy).
        browser = "\n".join(app.library_pane.option_texts())
        assert "#evil\u241b]2;PWNED2\u2407" in browser and "#[reverse]T[" in browser
        assert "#\u241b[2J\u241b[H" in browser
        painted_text(app, app.library_pane)


async def test_sidebar_facts_show_metadata_and_file_name_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "new\nline.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        app.query_one("#sidebar-tabs", TabbedContent).active = "tab-document"
        await settle(pilot, app)
        facts = str(app.query_one("#sidebar-info", Static).render())
        assert_safe_text(facts)
        assert "new\u240aline.txt" in facts
        assert "new\u240aline.txt" in painted_text(app, app.sidebar)
        app.reading.open_document("sidecar.txt")
        await settle(pilot, app)
        facts = str(app.query_one("#sidebar-info", Static).render())
        assert_safe_text(facts)
        assert "Pub \u241b]52;c;cm0gLXJmIH4K\u2407 \ufffd2J \ufffd0;T\ufffd" in facts
        assert f"Side \u241b]2;PWNED2\u2407{REVERSE}" in facts
        painted_text(app, app.sidebar)


# --- the command palette ------------------------------------------------------------------


async def palette_shows(pilot: object, app: ReaderApp, keys: str) -> str:
    await pilot.press(*keys)  # type: ignore[attr-defined]
    await settle(pilot, app)
    assert isinstance(app.screen, CommandPalette)
    options = app.screen.query_one(CommandList)
    prompts = [
        str(options.get_option_at_index(index).prompt) for index in range(options.option_count)
    ]
    for prompt in prompts:
        assert_safe_text(prompt)
    painted_text(app, app.screen.query_one(CommandList))
    return "\n".join(prompts)


async def test_palette_lists_hostile_titles_and_headings_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "front.md")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        await pilot.press("ctrl+p")
        await settle(pilot, app)
        listed = await palette_shows(pilot, app, "")  # before anything is typed: every entry
        assert f"Open: {BAD_LINK} \u241b]2;PWNED2\u2407" in listed
        assert f"Open: Side \u241b]2;PWNED2\u2407{REVERSE}" in listed
        assert "caf\ufffd.txt" in listed  # a document without byline: its path as help
        listed = await palette_shows(pilot, app, "Bad")
        assert BAD_LINK in listed
        for _ in range(3):
            await pilot.press("backspace")
        listed = await palette_shows(pilot, app, "reverse")
        assert REVERSE in listed
        assert f"Go to: Heading \u241b[2J\u241b[H {REVERSE}" in listed
        for _ in range(7):
            await pilot.press("backspace")
        listed = await palette_shows(pilot, app, "Bad link")  # choosing a hostile entry works
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.document is not None and app.document.rel_path == "first.txt"


# --- dialogs, the help screen and the status line -----------------------------------------


async def test_tag_editor_shows_hostile_tags_and_completions_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        known = [f"evil{OSC_TITLE}", "[reverse]T[/reverse]", f"dir/{CSI}"]
        chosen: list[tuple[str, ...] | None] = []
        editor = TagEditor(f"Tags of “Side {OSC_TITLE}{REVERSE}”", (known[0],), known)
        app.push_screen(editor, chosen.append)
        await settle(pilot, app)
        await pilot.press("d")  # the completion of "dir/…" is suggested in the field
        await settle(pilot, app)
        shown = painted_text(app, app.screen.query_one("#tags-dialog"))
        assert f"Tags of “Side \u241b]2;PWNED2\u2407{REVERSE}”" in shown
        assert "evil\u241b]2;PWNED2\u2407" in shown  # in the field
        assert "dir/\u241b[2J\u241b[H" in shown  # completed, and listed as known
        await pilot.press("backspace", "escape")
        await settle(pilot, app)
        assert chosen == [(known[0],)]  # shown visibly, but not changed when not edited


async def test_note_editor_shows_a_hostile_note_and_quote_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        note = f"line one {OSC_CLIPBOARD}\n\tline two {BIDI} [bold]b[/bold]\r\n"
        chosen: list[str | None] = []
        app.push_screen(NoteEditor(f"quote {CSI} {REVERSE}", note), chosen.append)
        await settle(pilot, app)
        shown = painted_text(app, app.screen.query_one("#note-dialog"))
        assert f"quote \u241b[2J\u241b[H {REVERSE}" in shown
        assert "line one \u241b]52;c;cm0gLXJmIH4K\u2407" in shown
        assert "[bold]b[/bold]" in shown
        await pilot.press("escape")
        await settle(pilot, app)
        assert chosen == [note]  # not edited: the note is kept exactly as it was


async def test_text_pasted_into_the_note_editor_is_shown_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    from textual import events

    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        chosen: list[str | None] = []
        app.push_screen(NoteEditor("quote", ""), chosen.append)
        await settle(pilot, app)
        app.post_message(events.Paste(f"a{CSI}b\r\nc"))  # as the terminal sends it
        await settle(pilot, app)
        assert "a\u241b[2J\u241b[Hb" in painted_text(app, app.screen.query_one("#note-dialog"))
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert chosen == ["a\u241b[2J\u241b[Hb\nc"]


async def test_filters_keep_what_is_pasted_visible(hostile_root: Path, hostile_db: Path) -> None:
    from textual import events

    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        for selector in ("#library-filter", "#notes-filter"):
            field = app.query_one(selector)
            field.focus()
            await settle(pilot, app)
            app.post_message(events.Paste(f"x{OSC_TITLE}"))  # as the terminal sends it
            await settle(pilot, app)
            assert "x\u241b]2;PWNED2\u2407" in painted_text(app, field)


async def test_help_screen_and_status_line_paint_nothing_that_drives_the_terminal(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        app.status.find_state = f"find {CSI}{REVERSE}"
        app.status.show()
        await settle(pilot, app)
        assert f"find \u241b[2J\u241b[H{REVERSE}" in painted_text(app, app.status)
        await pilot.press("question_mark")
        await settle(pilot, app)
        assert "readertui — keys" in painted_text(app, app.screen.query_one("#help-body"))


# --- what the app shows: the `o` picker, annotation and tag lists, header and notifications


async def test_o_picker_lists_hostile_titles_literally_and_opens_them(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        listed = await palette_shows(pilot, app, "")
        assert f"{BAD_LINK} \u241b]2;PWNED2\u2407" in listed
        assert f"Side \u241b]2;PWNED2\u2407{REVERSE}" in listed
        assert f"{BAD_LINK}, Ann \u241b[2J\u241b[H" in listed  # the byline as help
        listed = await palette_shows(pilot, app, "Bad")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.document is not None and app.document.rel_path == "first.txt"


async def test_annotation_and_tag_lists_show_hostile_notes_and_tags_literally(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        app.library_pane.post_message(LibraryPane.TagChosen("[reverse]T[/reverse]"))
        await settle(pilot, app)
        listed = await palette_shows(pilot, app, "")
        assert "“sidecar document”" in listed
        assert "note \u241b]52;c;cm0gLXJmIH4K\u2407 [bold]n[/bold]" in listed
        await pilot.press("escape")
        await settle(pilot, app)
        app.reading.exports.choose_tag()
        await settle(pilot, app)
        listed = await palette_shows(pilot, app, "")
        assert "#evil\u241b]2;PWNED2\u2407" in listed and "#[reverse]T[/reverse]" in listed


async def test_reader_header_title_and_notifications_are_literal(
    hostile_root: Path, hostile_db: Path
) -> None:
    app = open_app(hostile_root, hostile_db, "sidecar.txt")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await settle(pilot, app)
        header = str(app.query_one("#doc-header", Static).render())
        assert header.startswith(f"Side \u241b]2;PWNED2\u2407{REVERSE} — {BAD_LINK}, Ann ")
        assert_safe_text(header)
        assert_safe_text(app.title)
        skipped = next(i for i in app.library.skipped if i.rel_path.startswith("skip"))
        app.library_pane.post_message(LibraryPane.SkippedChosen(skipped.rel_path, skipped.reason))
        await settle(pilot, app)
        for notification in app._notifications:
            assert_safe_text(notification.message)
        painted_text(app)
