"""`x` and the Cross-refs tab on the sample library: the teacher's words in the Morning Star
piece find the report's and the digest's versions under *Same passage*, the tab follows the
cursor, `enter` jumps there (marked) and `ctrl+o` comes back; the index is built in the
background after start-up with its progress in the status line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from readertui.config import Config
from readertui.core.annotations import DocumentRef, new_annotation
from readertui.store.store import Store
from readertui.ui import cross_references
from readertui.ui.app import ReaderApp, make_app
from readertui.ui.widgets.xref_pane import XrefPane
from tests.ui.helpers import wait_for_startup
from tests.ui.library_hosts import until

SAMPLE = Path(__file__).resolve().parents[2] / "library"
MORNING_STAR = "jiayuguan-morning-star.txt"
REPORT = "delegation-report-2025.txt"
DIGEST = "technology-infrastructure.txt"  # the digest page ("Gifts from The Morning Star")
TEACHER = "China saved socialism"


def _app(tmp_path: Path, name: str = MORNING_STAR, size: str = "") -> ReaderApp:
    return make_app(SAMPLE, tmp_path / "db.json", Config(), open_path=SAMPLE / name)


def _pane(app: ReaderApp) -> XrefPane:
    pane = app.reading.sidebar.xref
    assert pane is not None, "the Cross-refs tab is not shown"
    return pane


def _settled(app: ReaderApp) -> bool:
    follower = app.reading._follower
    return (
        follower is not None
        and follower.settled
        and app.reading.keeper.ready
        and app.reading.sidebar.xref is not None
    )


def _record_indexing(app: ReaderApp) -> list[str]:
    """Every `indexing` text the status line shows from now on, in order (the list fills)."""
    status = app.reading.status
    original = status.show
    shown: list[str] = []

    def watch() -> None:
        original()
        shown.append(status.indexing)

    status.show = watch  # type: ignore[method-assign]
    return shown


async def _cross_references_at(pilot: object, app: ReaderApp, phrase: str) -> XrefPane:
    document = app.document
    assert document is not None
    app.reader.move_cursor(document.text.index(phrase), jump=True)
    await pilot.press("x")  # type: ignore[attr-defined]
    await until(pilot, lambda: _settled(app) and bool(_pane(app).entries), "cross-references")  # type: ignore[arg-type]
    return _pane(app)


async def test_x_lists_the_teachers_words_in_the_report_and_the_digest_under_same_passage(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = await _cross_references_at(pilot, app, TEACHER)
        same = [r for r in pane.references() if r.group == "same"]
        paths = {r.place.path for r in same}
        assert REPORT in paths and DIGEST in paths
        report = next(r for r in same if r.place.path == REPORT)
        assert TEACHER in report.snippet.text
        # x focuses the tab's list, on its first entry.
        assert app.focused is pane.option_list
        assert pane.option_list.highlighted is not None
        assert "Same passage" in str(pane.option_list.get_option_at_index(0).prompt)


async def test_enter_lands_on_the_reports_passage_marked_and_ctrl_o_returns(
    tmp_path: Path,
) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = await _cross_references_at(pilot, app, TEACHER)
        start = app.reader.cursor
        entries = pane.entries
        index = next(i for i, r in enumerate(entries) if r is not None and r.place.path == REPORT)
        pane.option_list.highlighted = index
        target = entries[index]
        assert target is not None
        await pilot.press("enter")
        await until(
            pilot,
            lambda: app.document is not None and app.document.rel_path == REPORT,
            "the report opens",
        )
        await pilot.pause()
        assert app.reader.cursor == target.place.start
        assert app.reader.marked == (target.place.start, target.place.end)
        assert TEACHER in app.document.text[target.place.start : target.place.end]
        assert app.focused is app.reader
        await pilot.press("ctrl+o")
        await until(
            pilot,
            lambda: app.document is not None and app.document.rel_path == MORNING_STAR,
            "back in the Morning Star piece",
        )
        assert app.reader.cursor == start
        assert app.reader.marked is None


async def test_the_tab_follows_the_cursor_from_passage_to_passage(tmp_path: Path) -> None:
    app = _app(tmp_path, REPORT)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = await _cross_references_at(pilot, app, TEACHER)
        first = pane.about
        assert any(r.place.path == MORNING_STAR for r in pane.references())
        app.reading.focus_pane("reader")
        document = app.document
        assert document is not None
        app.reader.move_cursor(document.text.index("molten salt"), jump=True)
        await until(pilot, lambda: _settled(app) and pane.about != first, "the tab follows")
        assert not any(
            r.group == "same" and r.place.path == MORNING_STAR for r in pane.references()
        ), "still the teacher's passage"
        related = [r for r in pane.references() if r.group == "related"]
        assert related, "the molten salt paragraph has related passages"


async def test_stale_answers_are_never_shown(tmp_path: Path) -> None:
    """Moves faster than the answers: the tab ends on the last passage, whatever order the
    answers come back in."""
    app = _app(tmp_path, REPORT)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = await _cross_references_at(pilot, app, TEACHER)
        app.reading.focus_pane("reader")
        document = app.document
        assert document is not None
        follower = app.reading._follow_cursor()
        for phrase in ("molten salt", "JISCO", TEACHER, "Dunhuang"):
            app.reader.move_cursor(document.text.index(phrase), jump=True)
            await pilot.pause()
            follower._ask()  # asked at once, each: several questions in flight
        last = document.text.index("Dunhuang")
        await until(pilot, lambda: _settled(app), "the last answer")
        index = app.reading.keeper.index
        assert index is not None
        expected = index.passage_at(REPORT, last)
        assert expected is not None
        assert pane.about.startswith(f"¶ line {expected.place.line}")


async def test_shared_tags_of_the_highlight_under_the_cursor(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        document = app.document
        assert document is not None
        # A tagged highlight in the report, then one with the same tag here.
        app.reading.open_document(REPORT)
        await until(
            pilot, lambda: app.document is not None and app.document.rel_path == REPORT, "report"
        )
        report = app.document
        assert report is not None
        app.reader.move_cursor(report.text.index("molten salt"), jump=True)
        await pilot.press("v", "w", "w", "t", *"energy", "enter")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await until(
            pilot,
            lambda: app.document is not None and app.document.rel_path == MORNING_STAR,
            "back",
        )
        app.reader.move_cursor(document.text.index(TEACHER), jump=True)
        await pilot.press("v", "w", "w", "t", *"energy", "enter")
        await pilot.pause()
        app.reader.move_cursor(document.text.index(TEACHER), jump=True)
        pane = await _cross_references_at(pilot, app, TEACHER)
        await until(
            pilot,
            lambda: any(r.group == "tag" for r in _pane(app).references()),
            "the shared tag",
        )
        tagged = [r for r in _pane(app).references() if r.group == "tag"]
        assert [r.place.path for r in tagged] == [REPORT]
        assert tagged[0].tags == ("energy",)
        assert "the highlight at the cursor" in pane.about


async def test_links_and_backlinks_of_the_highlight_under_the_cursor(tmp_path: Path) -> None:
    """A highlight of the report links to the teacher's words here: from here it is a
    backlink; from the report, a link."""
    here_text = (SAMPLE / MORNING_STAR).read_text(encoding="utf-8")
    there_text = (SAMPLE / REPORT).read_text(encoding="utf-8")
    here_at = here_text.index(TEACHER)
    there_at = there_text.index("molten salt")
    here = new_annotation(here_text, DocumentRef(MORNING_STAR), here_at, here_at + len(TEACHER))
    there = new_annotation(there_text, DocumentRef(REPORT), there_at, there_at + len("molten salt"))
    there = replace(there, links=(here.id,))
    with Store(tmp_path / "db.json") as store:
        store.save_annotations([here, there])
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        await until(pilot, lambda: app.reader.highlights.at(here_at) is not None, "placed")
        pane = await _cross_references_at(pilot, app, TEACHER)
        (backlink,) = [r for r in pane.references() if r.group == "backlink"]
        assert backlink.place.path == REPORT and backlink.annotation_id == there.id
        assert "links here" in str(
            pane.option_list.get_option_at_index(pane.entries.index(backlink)).prompt
        )
        pane.option_list.highlighted = pane.entries.index(backlink)
        await pilot.press("enter")
        await until(
            pilot, lambda: app.document is not None and app.document.rel_path == REPORT, "there"
        )
        assert app.reader.cursor == there.start
        await pilot.press("x")
        await until(
            pilot,
            lambda: _settled(app) and any(r.group == "link" for r in _pane(app).references()),
            "the link from there",
        )
        (link,) = [r for r in _pane(app).references() if r.group == "link"]
        assert link.place.path == MORNING_STAR and link.annotation_id == here.id


async def test_before_the_index_is_built_the_tab_says_why(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        keeper = app.reading.keeper
        assert not keeper.ready  # the tests turn the start-up build off
        await pilot.press("x")
        await until(pilot, lambda: app.reading.sidebar.xref is not None, "the tab")
        # x builds it when it was not built at start-up; meanwhile the tab says so.
        assert "indexed" in _pane(app).about or keeper.ready
        await until(pilot, lambda: _settled(app) and bool(_pane(app).entries), "it comes")


@pytest.mark.usefixtures("index_at_start")
@pytest.mark.parametrize("in_processes", [False, True], ids=["here", "in-worker-processes"])
async def test_the_index_is_built_after_start_up_with_progress_in_the_status_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_processes: bool
) -> None:
    """Also with the documents cut up in worker processes, as for a large library: inside
    the app, multiprocessing's helper must still start (it once could not: Textual's capture
    of stderr has no file number)."""
    from readertui.ui import index_keeper

    if in_processes:
        monkeypatch.setattr(index_keeper, "BACKGROUND_POOL_BYTES", 0)
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        status = app.reading.status
        shown = _record_indexing(app)
        await wait_for_startup(pilot, app)
        await until(pilot, lambda: app.reading.keeper.ready, "the index is built")
        assert any(text.startswith("indexing ") for text in shown)
        assert status.indexing == ""
        assert app.reading.keeper.index is not None
        assert app.reading.keeper.index.document_count() == 4
        # ctrl+f now opens at once: nothing to wait for.
        await pilot.press("x")
        await until(pilot, lambda: _settled(app) and bool(_pane(app).entries), "cross-refs")


async def test_x_at_80_columns_unfolds_the_sidebar_and_escape_returns(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_startup(pilot, app)
        assert not app.reading.sidebar.display
        await _cross_references_at(pilot, app, TEACHER)
        assert app.reading.sidebar.display
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.reader
        assert not app.reading.sidebar.display


@pytest.mark.usefixtures("index_at_start")
async def test_a_defect_of_the_background_index_never_ends_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hostile library once crashed the app from the background build (a file name the
    index could not store). Whatever the index raises, the reader goes on and the tab says
    why."""
    from readertui.index import library_index

    def broken(self: object, *args: object, **kwargs: object) -> object:
        raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(library_index.LibraryIndex, "update", broken)
    app = _app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        keeper = app.reading.keeper
        await until(pilot, lambda: bool(keeper.problem), "the update fails")
        assert "UnicodeEncodeError" in keeper.problem
        await pilot.press("x")
        await until(pilot, lambda: app.reading.sidebar.xref is not None, "the tab")
        await until(pilot, lambda: "cannot be used" in _pane(app).about, "the tab says why")
        await pilot.press("escape", "j")
        assert app.is_running


async def test_the_next_passage_is_read_ahead_so_brace_lists_it_without_asking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading goes forward: once a passage's answer is shown, the next one's is asked in the
    background, and `}` lists it at once. An edit to the annotations forgets what was read
    ahead (its Shared tags and Links could be out of date)."""
    from readertui.index import library_index

    asked: list[int] = []
    real = library_index.LibraryIndex.cross_references

    def counting(self: object, path: str, offset: int, **kwargs: object) -> object:
        asked.append(offset)
        return real(self, path, offset, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(library_index.LibraryIndex, "cross_references", counting)
    app = _app(tmp_path, REPORT)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = await _cross_references_at(pilot, app, TEACHER)
        follower = app.reading._follow_cursor()
        read_ahead = 1 + cross_references.READ_AHEAD
        await until(
            pilot, lambda: follower._ahead is None and len(follower._kept) == read_ahead, "ahead"
        )
        app.reading.focus_pane("reader")
        index = app.reading.keeper.index
        assert index is not None
        before = len(asked)
        await pilot.press("}")
        cursor = app.reader.cursor
        expected = index.passage_at(REPORT, cursor)
        assert expected is not None
        # Listed at once, from what was read ahead: the index was not asked about the cursor.
        assert pane.about.startswith(f"¶ line {expected.place.line}")
        assert cursor not in asked[before:]
        await until(pilot, lambda: follower._ahead is None, "the next read-ahead")
        # Highlighting here changes the annotations: what was read ahead is forgotten (its
        # Shared tags and Links could be out of date), so only answers asked since are kept.
        read_before = list(follower._kept.values())
        await pilot.press("v", "w", "enter")
        await until(pilot, lambda: _settled(app) and follower._ahead is None, "asked again")
        assert app.reading.opened is not None and app.reading.opened.annotations
        assert follower._kept
        assert not any(kept is old for kept in follower._kept.values() for old in read_before)


async def test_brace_waits_for_the_passage_being_read_ahead_instead_of_asking_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`}` pressed while the next passage is still being read ahead waits for that answer
    (asking the same question twice would only make both slower)."""
    import threading

    from readertui.index import library_index

    asked: list[int] = []
    gate = threading.Event()
    gate.set()
    real = library_index.LibraryIndex.cross_references

    def gated(self: object, path: str, offset: int, **kwargs: object) -> object:
        asked.append(offset)
        gate.wait(10)
        return real(self, path, offset, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(library_index.LibraryIndex, "cross_references", gated)
    app = _app(tmp_path, REPORT)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for_startup(pilot, app)
        pane = await _cross_references_at(pilot, app, TEACHER)
        follower = app.reading._follow_cursor()
        read_ahead = 1 + cross_references.READ_AHEAD
        await until(
            pilot, lambda: follower._ahead is None and len(follower._kept) == read_ahead, "ahead"
        )
        app.reading.focus_pane("reader")
        index = app.reading.keeper.index
        assert index is not None
        gate.clear()  # the next read-ahead is slow
        await pilot.press("}")  # listed from what was read ahead; reads one more ahead
        await until(pilot, lambda: follower._ahead is not None, "reading ahead")
        before = len(asked)
        for _ in range(cross_references.READ_AHEAD):  # through what was read ahead...
            await pilot.press("}")
            if follower._awaiting_ahead:
                break  # ...to the passage still being read ahead
        assert follower._awaiting_ahead and not follower.settled
        shown = pane.about
        gate.set()
        await until(pilot, lambda: follower.settled and pane.about != shown, "the answer")
        expected = index.passage_at(REPORT, app.reader.cursor)
        assert expected is not None
        assert pane.about.startswith(f"¶ line {expected.place.line}")
        assert app.reader.cursor not in asked[before:]  # not asked a second time


@pytest.mark.usefixtures("index_at_start")
async def test_while_another_readertui_updates_the_index_the_status_line_says_so(
    tmp_path: Path,
) -> None:
    from filelock import FileLock

    from readertui.index.cache import default_index_path

    app = _app(tmp_path)
    index_path = default_index_path(app.reading.library)
    index_path.parent.mkdir(parents=True, exist_ok=True)
    other_process = FileLock(str(index_path) + ".update-lock")
    other_process.acquire()
    async with app.run_test(size=(140, 40)) as pilot:
        try:
            status = app.reading.status
            shown = _record_indexing(app)
            # Not wait_for_startup: it waits for every worker, and the index's waits here.
            await until(pilot, lambda: app.reading.started, "the start-up")
            waiting = "indexing: another readertui first"
            await until(pilot, lambda: waiting in shown, "the status line tells of the wait")
            await pilot.pause(0.3)
            assert status.indexing == waiting and not app.reading.keeper.ready
        finally:
            # Also when the test fails: the app's update must have its turn before it ends.
            other_process.release()
        await until(pilot, lambda: app.reading.keeper.ready, "the index is built after")
        assert status.indexing == ""
