"""What the first paint leaves out comes right after it: the side panes' frames, the styles of
Markdown, the garbage collector. Each test would fail if it never came back."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.style import Style

from readertui.collector_pause import pause_collector, resume_collector
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.core.document import Document, load_document
from readertui.core.workspace import CACHE_SIZE
from readertui.store.store import Store
from readertui.ui.widgets.markdown_styles import MarkdownStyles
from tests.ui.helpers import PROSE, AppFactory, wait_for_startup


def _style_of(app: object, words: str) -> Style:
    """The style the reader paints `words` in (the first row and segment holding them)."""
    view = app.reader  # type: ignore[attr-defined]
    for y in range(view.size.height):
        for segment in view.render_line(y):
            if words in segment.text:
                return segment.style or Style()
    raise AssertionError(f"{words!r} is not on the screen")


async def test_the_side_panes_are_drawn_once_started(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        assert not app.screen.has_class("-starting")
        for pane in (app.reading.library_pane, app.reading.sidebar):
            assert pane.display and pane.visible, pane.id
            assert pane.region.width > 0


async def test_markdown_is_styled_and_a_plain_text_goes_without_its_styles(
    make: AppFactory,
) -> None:
    app = make(open_name="prose.txt")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        assert not app.query(MarkdownStyles)
        app.reading.open_document("notes.md")
        await wait_for_startup(pilot, app)
        await pilot.pause()
        heading = _style_of(app, "Heading One")
        assert heading.bold and heading.underline
        assert heading.color is not None
        primary = app.current_theme.to_color_system().primary
        assert heading.color.triplet == primary.rich_color.triplet
        assert _style_of(app, "emphasis").italic
        assert not _style_of(app, "More text.").bold
        # Back to the plain text and to the Markdown: one holder of the styles, still styled.
        app.reading.open_document("prose.txt")
        await pilot.pause()
        app.reading.open_document("notes.md")
        await pilot.pause()
        assert len(app.query(MarkdownStyles)) == 1
        assert _style_of(app, "Heading One").bold


@pytest.fixture
def collector_on() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    resume_collector()
    if was_enabled:
        gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_pause_is_undone_once() -> None:
    gc.enable()
    pause_collector()
    assert not gc.isenabled()
    resume_collector()
    assert gc.isenabled()
    # Only a pause of its own is undone: a collector someone else turned off stays off.
    gc.disable()
    resume_collector()
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector_on")
async def test_the_reader_turns_the_collector_back_on_once_started(make: AppFactory) -> None:
    gc.enable()
    pause_collector()
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.pause()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    gc.unfreeze()


@pytest.mark.usefixtures("collector_on")
async def test_documents_read_in_turn_do_not_stay_alive(tmp_path: Path, make: AppFactory) -> None:
    # Objects moved out of the collector's sight are never collected: were a document frozen
    # with the cycles its finished workers leave behind, every document opened would stay in
    # memory for the rest of the session.
    root = tmp_path / "shelf"
    root.mkdir()
    names = [f"book{n}.txt" for n in range(8)]
    annotations = []
    for n, name in enumerate(names):
        (root / name).write_text(f"Book {n}\n\n{PROSE}\n", encoding="utf-8")
        document = load_document(root / name, root)
        ref = DocumentRef(document.rel_path, document.sha256, document.metadata.title)
        # A highlight each, so that opening a book places it in a worker.
        annotations.append(new_annotation(document.text, ref, 20, 40))
    with Store(tmp_path / "annotations.json") as store:
        store.save_annotations(annotations)
    gc.enable()
    pause_collector()  # as the readertui command does
    app = make(root=root, open_name=names[0])
    opened: weakref.WeakSet[Document] = weakref.WeakSet()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        for name in [*names, names[0]]:
            app.reading.open_document(name)
            for _ in range(200):
                await app.workers.wait_for_complete()
                await pilot.pause()
                document = app.document
                if document is not None and document.rel_path == name and app.reading.opened:
                    break
            assert app.document is not None and app.document.rel_path == name
            opened.add(app.document)
        await app.workers.wait_for_complete()
        gc.collect()
        # The one on screen and those the workspace keeps (CACHE_SIZE) are alive; no more.
        assert len(opened) <= CACHE_SIZE + 1
    gc.unfreeze()


async def test_quitting_at_the_first_paint_ends_cleanly(make: AppFactory) -> None:
    """The app asked to end as its first screen of text is shown (before the rest of the
    screen is mounted) ends without an error: it once raised a MountError there, and its
    traceback, locals and all, printed the whole text."""
    app = make()
    original = type(app)._display
    ended = False

    def display_then_exit(screen: object, renderable: object) -> None:
        nonlocal ended
        original(app, screen, renderable)  # type: ignore[arg-type]
        if renderable is not None and app.document is not None and not ended:
            ended = True
            app.exit()

    app._display = display_then_exit  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            if not app.is_running:
                break
            await pilot.pause(0.02)
    assert ended
    assert app._exception is None
    assert app.return_code in (0, None)
