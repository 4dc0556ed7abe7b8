"""Converted documents (EPUB, web pages, PDF; here a made-up converter) in the app: the status
line names the page or chapter at the cursor, `y` cites it, and a document not converted yet
is converted in the background — its first pages shown at once when the converter can give
them, the annotations beyond them kept until the whole text is there."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readertui.config import Config
from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.document import Document
from readertui.store.store import Store
from readertui.ui.app import ReaderApp, make_app
from tests.formats.fakes import BOOK_PAGES, FakeConverter, SlowConverter, registered, write_book
from tests.ui.helpers import rendered_text, wait_for_startup

WHOLE = "\n\n".join(BOOK_PAGES)


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    write_book(root / "river.fbook")
    return root


@pytest.fixture
def fake() -> Iterator[FakeConverter]:
    converter = FakeConverter()
    for _ in registered(converter):
        yield converter


def app_on(root: Path, tmp_path: Path) -> ReaderApp:
    return make_app(root, tmp_path / "db.json", Config(), open_path=root / "river.fbook")


def status_text(app: ReaderApp) -> str:
    return rendered_text(app.reading.status)


async def test_the_status_line_names_the_page_at_the_cursor(
    shelf: Path, tmp_path: Path, fake: FakeConverter
) -> None:
    app = app_on(shelf, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_startup(pilot, app)
        assert app.document is not None and app.document.format == "fbook"
        assert "p. 1" in status_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert "p. 3" in status_text(app) and "p. 1" not in status_text(app)
        assert [entry.title for entry in app.outline] == [
            "Chapter One",
            "Chapter Two",
            "Chapter Three",
        ]


async def test_the_page_stays_in_a_narrow_status_line_where_the_line_goes(
    shelf: Path, tmp_path: Path, fake: FakeConverter
) -> None:
    app = app_on(shelf, tmp_path)
    async with app.run_test(size=(40, 20)) as pilot:
        await wait_for_startup(pilot, app)
        shown = status_text(app)
        assert "p. 1" in shown and "line" not in shown


async def test_y_cites_the_page_instead_of_the_line(
    shelf: Path, tmp_path: Path, fake: FakeConverter
) -> None:
    app = app_on(shelf, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("G", "V", "y")
        await pilot.pause()
    assert app.clipboard == (
        "“The colour of the river was grey that year.”\n"
        "— Ann Author, Bo Writer, “The Book of Chapter One”, Fake Press, 2001 (river.fbook, p. 3)"
    )


# --- converted in the background ------------------------------------------------------------


def stored_highlights(root: Path, db: Path) -> tuple[Annotation, Annotation]:
    """A highlight on the first page and one on the last, made on the whole text."""
    ref = DocumentRef("river.fbook", "", "The Book")
    first_at, last_at = WHOLE.index("The ferry"), WHOLE.index("grey that year")
    first = new_annotation(WHOLE, ref, first_at, first_at + len("The ferry"))
    last = new_annotation(WHOLE, ref, last_at, last_at + len("grey that year"), note="grey")
    with Store(db) as store:
        store.save_annotations([first, last])
    return first, last


async def wait_until(pilot: object, condition: object, seconds: float = 10) -> None:
    # Not app.workers.wait_for_complete(): the conversion worker is held on purpose.
    ends = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > ends:
            raise AssertionError("waited in vain")
        await pilot.pause(0.02)  # type: ignore[attr-defined]


async def test_a_slow_conversion_shows_its_first_pages_then_the_whole(
    shelf: Path, tmp_path: Path
) -> None:
    slow = SlowConverter(gives_start=True)
    first, last = stored_highlights(shelf, tmp_path / "db.json")
    for _ in registered(slow):
        app = app_on(shelf, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda app=app: app.document is not None)
            start = app.document
            assert start is not None and start.partial and start.text == BOOK_PAGES[0]
            await wait_until(pilot, slow.started.is_set)
            assert "converting…" in status_text(app)
            # The screen answers meanwhile, and the first page's highlight is shown.
            await pilot.press("j")
            await pilot.pause()
            opened = app.reading.opened
            assert opened is not None
            assert [a.id for a in opened.highlights()] == [first.id]
            # The highlight beyond the first page is kept, not orphaned against it.
            assert not opened.annotations[last.id].orphaned
            cursor = app.reader.cursor
            slow.release.set()
            await wait_until(
                pilot, lambda app=app: app.document is not None and not app.document.partial
            )
            await app.workers.wait_for_complete()
            await pilot.pause()
            whole: Document | None = app.document
            assert whole is not None and whole.text == WHOLE
            assert app.reader.cursor == cursor
            assert "converting…" not in status_text(app)
            opened = app.reading.opened
            assert opened is not None and opened.settled
            placed = opened.annotations[last.id]
            assert not placed.orphaned and WHOLE[placed.start : placed.end] == "grey that year"
            assert sorted(a.id for a in opened.highlights()) == sorted([first.id, last.id])
    assert slow.converts == 1


async def test_a_slow_conversion_without_a_beginning_says_it_is_converting(
    shelf: Path, tmp_path: Path
) -> None:
    slow = SlowConverter(gives_start=False)
    for _ in registered(slow):
        app = app_on(shelf, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, slow.started.is_set)
            await pilot.pause()
            assert app.document is None
            assert "converting…" in status_text(app)
            assert "Opening The Book of Chapter One…" in rendered_text(app.reading._doc_header)
            slow.release.set()
            await wait_until(pilot, lambda app=app: app.document is not None)
            await wait_for_startup(pilot, app)
            assert app.document is not None and app.document.text == WHOLE
            assert "converting…" not in status_text(app)


async def test_a_converted_document_opens_from_the_cache_without_a_worker(
    shelf: Path, tmp_path: Path, fake: FakeConverter
) -> None:
    app = app_on(shelf, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_startup(pilot, app)
    again = app_on(shelf, tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:
        # Read before the first paint, as a text file of its size is.
        assert again.document is not None and again.document.text == WHOLE
        await wait_for_startup(pilot, again)
    assert fake.converts == 1


async def test_a_reading_position_beyond_the_first_pages_is_reached_once_converted(
    shelf: Path, tmp_path: Path
) -> None:
    from readertui.core.library import library_key

    position = WHOLE.index("grey that year")
    with Store(tmp_path / "db.json") as store:
        store.set_reading_position("river.fbook", position, library=library_key(shelf))
    slow = SlowConverter(gives_start=True)
    for _ in registered(slow):
        app = app_on(shelf, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, slow.started.is_set)
            await wait_until(pilot, lambda app=app: app.document is not None)
            await pilot.pause()
            slow.release.set()
            await wait_until(
                pilot, lambda app=app: app.document is not None and not app.document.partial
            )
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.reader.cursor == position
            assert "p. 3" in status_text(app)
        # Never saved as the end of the first page while it waited.
        with Store(tmp_path / "db.json") as store:
            assert store.reading_position("river.fbook", library=library_key(shelf)) in (
                position,
                None,
            )


# --- `r` on a web page: the whole page or the article --------------------------------------


@pytest.fixture
def web_page() -> Iterator[FakeConverter]:
    converter = FakeConverter()
    for _ in registered(converter, whole_page_view=True):
        yield converter


async def test_r_on_a_web_page_shows_the_whole_page_and_keeps_it_in_the_sidecar(
    shelf: Path, tmp_path: Path, web_page: FakeConverter
) -> None:
    from tests.formats.fakes import MENU

    (shelf / "river.fbook.meta.toml").write_text('# my notes\ntitle = "River"\n', encoding="utf-8")
    (kept,) = stored_highlights(shelf, tmp_path / "db.json")[1:]
    app = app_on(shelf, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("G")
        await pilot.pause()
        words_at_cursor = app.document.text[app.reader.cursor :] if app.document else ""
        await pilot.press("r")
        await wait_until(
            pilot, lambda: app.document is not None and app.document.text.startswith(MENU)
        )
        await wait_for_startup(pilot, app)
        document = app.document
        assert document is not None and document.metadata.whole_page
        assert document.text[app.reader.cursor :] == words_at_cursor  # the same words
        opened = app.reading.opened
        assert opened is not None and opened.settled
        placed = opened.annotations[kept.id]
        assert not placed.orphaned and placed.start == kept.start + len(MENU) + 2
        sidecar = (shelf / "river.fbook.meta.toml").read_text(encoding="utf-8")
        assert sidecar == '# my notes\ntitle = "River"\nwhole_page = true\n'
        await pilot.press("r")
        await wait_until(
            pilot, lambda: app.document is not None and not app.document.text.startswith(MENU)
        )
        await wait_for_startup(pilot, app)
    assert (
        (shelf / "river.fbook.meta.toml")
        .read_text(encoding="utf-8")
        .endswith("whole_page = false\n")
    )
    assert web_page.whole_pages == [False, True]  # the article again came from the cache


async def test_r_on_a_web_page_whose_sidecar_cannot_be_written_works_for_the_session(
    shelf: Path, tmp_path: Path, web_page: FakeConverter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readertui.core import metadata
    from tests.formats.fakes import MENU

    def refuse(path: Path, whole_page: bool) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(metadata, "write_whole_page", refuse)
    app = app_on(shelf, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.press("r")
        await wait_until(
            pilot, lambda: app.document is not None and app.document.text.startswith(MENU)
        )
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any(
            "for now: its sidecar cannot be written (Permission denied)" in m for m in messages
        )
    assert not (shelf / "river.fbook.meta.toml").exists()


async def test_r_on_a_book_still_switches_reflow(
    shelf: Path, tmp_path: Path, fake: FakeConverter
) -> None:
    app = app_on(shelf, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_startup(pilot, app)
        before = app.document
        await pilot.press("r")
        await pilot.pause()
        assert app.document is before and not (shelf / "river.fbook.meta.toml").exists()


async def test_keys_are_not_held_while_the_first_document_converts(
    shelf: Path, tmp_path: Path
) -> None:
    """Opening a book not converted yet must not hold every key (`q` included) until it is:
    the screen is up meanwhile, with the library and the footer."""
    slow = SlowConverter(gives_start=False)
    for _ in registered(slow):
        app = app_on(shelf, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, slow.started.is_set)
            await wait_until(pilot, lambda app=app: app.reading.started)
            assert app.document is None and "converting…" in status_text(app)
            await pilot.press("1")  # to the library pane, at once
            await pilot.pause()
            assert not app.holding_keys
            assert app.focused is not None and app.library_pane in app.focused.ancestors_with_self
            # The library index waits: its build would take the CPUs from the conversion.
            assert app.reading._index_after_document
            slow.release.set()
            await wait_until(pilot, lambda app=app: app.document is not None)
            assert app.document is not None and app.document.text == WHOLE
            await wait_until(pilot, lambda app=app: not app.reading._index_after_document)
