"""`L` in a running app: link the highlight under the cursor to another annotation of the
library, picked with a fuzzy filter; unlink, undo, escape; what ends up in the database."""

from __future__ import annotations

from pathlib import Path

from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import load_document
from readertui.core.library import library_key, scan_library
from readertui.export.exporting import ExportRequest, export_text
from readertui.store.store import Store
from readertui.ui.app import ReaderApp
from readertui.ui.keymap import KEYS
from readertui.ui.screens.link_picker import LinkPicker
from tests.ui.helpers import PROSE, AppFactory, wait_for_startup
from tests.ui.test_hostile_text import painted_text
from tests.ui.test_typeahead import burst, letters, settled

SIZE = (130, 40)


def annotation_in(library: Path, rel_path: str, phrase: str, **fields: object) -> Annotation:
    """A highlight of `phrase` in the library's document `rel_path`, as the app would make it."""
    document = load_document(library / rel_path, library)
    start = document.text.index(phrase)
    ref = DocumentRef(rel_path, document.sha256, document.metadata.title, library_key(library))
    return new_annotation(document.text, ref, start, start + len(phrase), **fields)  # type: ignore[arg-type]


def seed(tmp_path: Path, *annotations: Annotation) -> None:
    with Store(tmp_path / "annotations.json") as store:
        store.save_annotations(list(annotations))


def stored(tmp_path: Path) -> dict[str, Annotation]:
    """The database as a new process would read it."""
    with Store(tmp_path / "annotations.json") as store:
        return {annotation.id: annotation for annotation in store.annotations()}


def notifications(app: ReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def answered(pilot: object, app: ReaderApp) -> LinkPicker:
    """The picker on screen once its list answers what is typed."""
    for _ in range(200):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]
        screen = app.screen
        if isinstance(screen, LinkPicker) and screen.is_mounted and screen.up_to_date:
            return screen
    raise AssertionError(f"no picker answered: {app.screen!r}")


async def saved(pilot: object, app: ReaderApp) -> None:
    assert app.saves is not None and app.saves.flush(5)
    await pilot.pause()  # type: ignore[attr-defined]


async def highlight_paragraph_0(pilot: object, app: ReaderApp) -> Annotation:
    """`v w w w enter` on the first words: the cursor rests on the new highlight."""
    await pilot.press("v", "w", "w", "w", "enter")  # type: ignore[attr-defined]
    (highlight,) = app.reader.highlights.annotations
    assert highlight.quote.exact == "Paragraph 0."
    return highlight


def source_in(app: ReaderApp, source: Annotation) -> Annotation:
    opened = app.reading.opened
    assert opened is not None
    return opened.annotations[source.id]


async def test_L_links_the_highlight_to_the_annotation_picked_by_typing(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    target = annotation_in(library, "notes.md", "Some *emphasis*", note="why it matters")
    decoy = annotation_in(library, "notes.md", "More text.")
    seed(tmp_path, target, decoy)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        source = await highlight_paragraph_0(pilot, app)
        await pilot.press("L")
        picker = await answered(pilot, app)
        assert {t.id for t in picker.matches} == {target.id, decoy.id}  # not the highlight
        assert "Link “Paragraph 0.” to…" in painted_text(app, picker.query_one("#link-title"))
        await pilot.press(*letters("emphas"))
        picker = await answered(pilot, app)
        assert [t.id for t in picker.matches] == [target.id]
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, LinkPicker)
        assert source_in(app, source).links == (target.id,)
        assert any("Linked to “Some *emphasis*”" in m for m in notifications(app))
        await saved(pilot, app)
    on_disk = stored(tmp_path)
    assert on_disk[source.id].links == (target.id,)
    assert on_disk[target.id].links == ()  # kept on the source only

    # The document's text changes: the highlight is placed again, and keeps its link.
    prose = library / "prose.txt"
    prose.write_text("A new first paragraph.\n\n" + PROSE + "\n", encoding="utf-8")
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        moved = source_in(app, source)
        assert moved.start == len("A new first paragraph.\n\n") and not moved.orphaned
        assert moved.links == (target.id,)
        await saved(pilot, app)
    on_disk = stored(tmp_path)
    assert on_disk[source.id].start == len("A new first paragraph.\n\n")
    assert on_disk[source.id].links == (target.id,)


async def test_L_on_a_linked_one_unlinks_it_and_u_undoes_a_link(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    target = annotation_in(library, "notes.md", "Some *emphasis*")
    other = annotation_in(library, "notes.md", "More text.")
    seed(tmp_path, target, other)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        source = await highlight_paragraph_0(pilot, app)
        await pilot.press("L")
        await answered(pilot, app)
        await pilot.press(*letters("emphasis"))
        await answered(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert source_in(app, source).links == (target.id,)

        # L again: the linked one is listed first, marked, and choosing it unlinks.
        await pilot.press("L")
        picker = await answered(pilot, app)
        assert [t.id for t in picker.matches] == [target.id, other.id]
        assert picker.matches[0].linked
        shown = painted_text(app, picker.options)
        assert shown.splitlines()[0].strip().startswith("linked “Some *emphasis*”")
        assert "enter removes the link" in painted_text(app, picker.query_one("#link-hint"))
        await pilot.press("enter")
        await pilot.pause()
        assert source_in(app, source).links == ()
        assert any("Link to “Some *emphasis*” removed" in m for m in notifications(app))
        await saved(pilot, app)
        assert stored(tmp_path)[source.id].links == ()

        # Link to the other one, then u: unlinked again, on disk too.
        await pilot.press("L")
        await answered(pilot, app)
        await pilot.press(*letters("more text"), "enter")
        await pilot.pause()
        assert source_in(app, source).links == (other.id,)
        await pilot.press("u")
        await pilot.pause()
        assert source_in(app, source).links == ()
        await saved(pilot, app)
    assert stored(tmp_path)[source.id].links == ()


async def test_escape_closes_the_picker_and_changes_nothing(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    target = annotation_in(library, "notes.md", "Some *emphasis*")
    seed(tmp_path, target)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        source = await highlight_paragraph_0(pilot, app)
        await saved(pilot, app)
        before = stored(tmp_path)
        await pilot.press("L")
        await answered(pilot, app)
        await pilot.press(*letters("emph"), "escape")
        await pilot.pause()
        assert not isinstance(app.screen, LinkPicker)
        assert source_in(app, source) == before[source.id]
        await saved(pilot, app)
        # u still takes back the highlight: escape added nothing to undo.
        await pilot.press("u")
        await pilot.pause()
        assert app.reader.highlights.annotations == ()
    assert stored(tmp_path) == {target.id: before[target.id]}


async def test_L_with_no_highlight_and_no_selection_only_says_so(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    seed(tmp_path, annotation_in(library, "notes.md", "Some *emphasis*"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("L")
        await pilot.pause()
        assert not isinstance(app.screen, LinkPicker)
        assert any("Nothing to link" in message for message in notifications(app))
        assert app.reader.highlights.annotations == ()


async def test_L_on_a_selection_highlights_it_and_links_it(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    target = annotation_in(library, "notes.md", "Some *emphasis*")
    seed(tmp_path, target)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("v", "w", "w", "w", "L")
        picker = await answered(pilot, app)
        (highlight,) = app.reader.highlights.annotations
        assert highlight.quote.exact == "Paragraph 0."
        assert app.reader.selection is None
        assert [t.id for t in picker.matches] == [target.id]
        await pilot.press("enter")
        await pilot.pause()
        await saved(pilot, app)
    assert stored(tmp_path)[highlight.id].links == (target.id,)


async def test_L_with_nothing_else_in_the_library_says_so(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await highlight_paragraph_0(pilot, app)
        await pilot.press("L")
        await pilot.pause()
        assert not isinstance(app.screen, LinkPicker)
        assert any("no other annotation" in message for message in notifications(app))


async def test_L_filter_and_enter_in_one_burst_link_the_right_one(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    target = annotation_in(library, "notes.md", "Some *emphasis*")
    decoy = annotation_in(library, "notes.md", "More text.")  # newer: listed first
    seed(tmp_path, target, decoy)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        # Highlight, L, the filter and enter typed with no pause: every key after L belongs
        # to the picker (its letters would otherwise move, note, delete… in the reader).
        burst(app, "v", "w", "w", "w", "enter", "L", *letters("emphasis"), "enter")
        await settled(pilot, app)
        assert not isinstance(app.screen, LinkPicker)
        (highlight,) = app.reader.highlights.annotations
        assert highlight.links == (target.id,)
        # The decoy is listed first before anything is typed: the filter got every letter.
        assert not any("xport" in message for message in notifications(app))  # `e` did not
        await saved(pilot, app)
    assert stored(tmp_path)[highlight.id].links == (target.id,)


async def test_hostile_quotes_notes_tags_and_titles_show_literally_in_the_picker(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    hostile = annotation_in(
        library,
        "hostile.txt",
        "[red]not red[/red]",
        note="\x1b[2J[bold]x[/] and more",
        tags=("[b]tag[/b]",),
    )
    seed(tmp_path, hostile)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await highlight_paragraph_0(pilot, app)
        await pilot.press("L")
        picker = await answered(pilot, app)
        shown = painted_text(app, picker.options)  # asserts no control reached the screen
        assert "“[red]not red[/red]”" in shown
        assert "\u241b[2J[bold]x[/] and more" in shown
        assert "#[b]tag[/b]" in shown
        # What is typed is literal too, and matches the note's markup as text.
        await pilot.press(*letters("[bold]"))
        picker = await answered(pilot, app)
        assert [t.id for t in picker.matches] == [hostile.id]
        painted_text(app, picker)


async def test_orphaned_annotations_are_offered_and_shown_as_orphaned(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    lost = annotation_in(library, "notes.md", "More text.")
    lost = lost.touched(orphaned=True)
    seed(tmp_path, lost)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        source = await highlight_paragraph_0(pilot, app)
        await pilot.press("L")
        picker = await answered(pilot, app)
        assert "orphaned" in painted_text(app, picker.options)
        await pilot.press("enter")
        await pilot.pause()
        assert source_in(app, source).links == (lost.id,)


async def test_a_link_made_with_L_is_in_the_markdown_export(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    target = annotation_in(library, "notes.md", "Some *emphasis*")
    seed(tmp_path, target)
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        source = await highlight_paragraph_0(pilot, app)
        await pilot.press("L")
        await answered(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        await saved(pilot, app)
    with Store(tmp_path / "annotations.json") as store:
        text = export_text(scan_library(library), store, ExportRequest(doc="prose.txt"))
    (see_also,) = [line for line in text.splitlines() if line.startswith("- **See also:**")]
    assert see_also == f"- **See also:** [“Some \\*emphasis\\*”](#^{target.id})"
    assert source.id in text


async def test_the_palette_command_opens_the_picker_as_L_does(
    make: AppFactory, tmp_path: Path, library: Path
) -> None:
    seed(tmp_path, annotation_in(library, "notes.md", "Some *emphasis*"))
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        await highlight_paragraph_0(pilot, app)
        (spec,) = [spec for spec in KEYS if spec.binding_id == "link"]
        assert (spec.keys, spec.group, spec.scope, spec.palette) == (
            "L",
            "Annotating",
            "reader",
            True,
        )
        app.reading.run_palette_action(spec)
        picker = await answered(pilot, app)
        assert len(picker.matches) == 1
