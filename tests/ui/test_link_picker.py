"""The link picker on its own: matching off the UI thread, stale answers dropped, enter typed
ahead of the answer, the list capped, a link to a highlight that is gone."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest
from textual.app import App

from readertui.core.annotations import Annotation, DocumentRef, Quote
from readertui.core.fuzzy import FuzzyMatcher
from readertui.core.link_choices import LinkChoice, link_choices, ranked
from readertui.ui.screens import link_picker
from readertui.ui.screens.link_picker import LinkPicker, choice_label


def made(id: str, exact: str, updated: str = "2025-01-01") -> Annotation:
    return Annotation(
        id=id,
        doc=DocumentRef("a.txt", "", "A", "lib"),
        quote=Quote(exact),
        start=0,
        end=len(exact),
        created=updated,
        updated=updated,
    )


SOURCE = made("source", "the highlight")


class PickerApp(App[None]):
    def __init__(self, annotations: Sequence[Annotation], source: Annotation = SOURCE) -> None:
        super().__init__()
        self.annotations = annotations
        self.source = source
        self.result: list[LinkChoice | None] = []

    def on_mount(self) -> None:
        picker = LinkPicker(self.source, self.annotations, {})
        self.push_screen(picker, self.result.append)


async def until(pilot: object, condition: Callable[[], bool]) -> None:
    for _ in range(200):
        await pilot.pause()  # type: ignore[attr-defined]
        if condition():
            return
    raise AssertionError("never happened")


def picker_of(app: App[None]) -> LinkPicker:
    screen = app.screen
    assert isinstance(screen, LinkPicker)
    return screen


async def test_enter_before_the_answer_waits_for_it_and_a_stale_answer_is_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    annotations = [made("salt", "molten salt", "2025-01-01"), made("star", "star", "2025-01-02")]
    gates: dict[str, threading.Event] = {}

    def slow_ranked(
        pool: Sequence[LinkChoice], matcher: FuzzyMatcher, stopped: Callable[[], bool]
    ) -> list[LinkChoice] | None:
        words = " ".join(matcher.query.words)
        if words in gates:
            gates[words].wait(5)
        return ranked(pool, matcher, lambda: False)  # answers even when stopped: dropped

    monkeypatch.setattr(link_picker, "ranked", slow_ranked)
    app = PickerApp(annotations)
    async with app.run_test() as pilot:
        await until(pilot, lambda: picker_of(app).up_to_date)
        picker = picker_of(app)
        assert [t.id for t in picker.matches] == ["star", "salt"]  # the newest first
        gates["m"] = threading.Event()
        await pilot.press("m")  # its answer is held back…
        await pilot.press(*"olten")
        await until(pilot, lambda: picker.up_to_date)
        assert [t.id for t in picker.matches] == ["salt"]
        gates["m"].set()  # …and comes after the answer to "molten": it is dropped
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert picker.answered == "molten" and [t.id for t in picker.matches] == ["salt"]

        gates["molten s"] = threading.Event()
        await pilot.press("space", "s")
        await pilot.press("enter")  # before the answer to "molten s": waits for it
        await pilot.pause()
        assert app.result == [] and isinstance(app.screen, LinkPicker)
        gates["molten s"].set()
        await until(pilot, lambda: app.result != [])
    (chosen,) = app.result
    assert chosen is not None and chosen.id == "salt"


async def test_the_list_shows_the_best_rows_only_and_says_how_many_matched() -> None:
    many = [made(f"n{i}", f"river number {i}", f"2025-01-01 {i:03}") for i in range(250)]
    app = PickerApp(many)
    async with app.run_test() as pilot:
        await until(pilot, lambda: picker_of(app).up_to_date)
        picker = picker_of(app)
        assert picker.options.option_count == link_picker.SHOWN
        status = str(picker.query_one("#link-status").render())
        assert status == f"250 annotations (the first {link_picker.SHOWN} listed)"
        await pilot.press(*"number 12")
        await until(pilot, lambda: picker_of(app).up_to_date)
        # "12" starts a word in 12 and 120–129: those first; then in 112 and 212; then its
        # letters with a gap (102, 132, 142… 192).
        ids = [t.id for t in picker.matches]
        assert set(ids[:11]) == {"n12", *(f"n{n}" for n in range(120, 130))}
        assert set(ids[11:13]) == {"n112", "n212"}
        assert len(ids) == 21
        assert str(picker.query_one("#link-status").render()) == "21 matches"
        assert picker.options.option_count == 21
        await pilot.press("up")  # wraps round to the last row
        assert picker.options.highlighted == 20
        await pilot.press(*"xyz")
        await until(pilot, lambda: picker_of(app).up_to_date)
        assert str(picker.query_one("#link-status").render()) == "No annotation matches."
        await pilot.press("enter")  # nothing to choose: the picker stays
        await pilot.pause()
        assert isinstance(app.screen, LinkPicker)
        await pilot.press("escape")
        await pilot.pause()
    assert app.result == [None]


async def test_a_link_to_a_highlight_that_is_gone_is_listed_to_be_removed() -> None:
    source = replace(SOURCE, links=("gone-id",))
    app = PickerApp([made("other", "other")], source)
    async with app.run_test() as pilot:
        await until(pilot, lambda: picker_of(app).up_to_date)
        picker = picker_of(app)
        assert [t.id for t in picker.matches] == ["gone-id", "other"]
        await pilot.press("enter")
        await pilot.pause()
    (chosen,) = app.result
    assert chosen is not None and chosen.id == "gone-id" and chosen.linked


def test_a_row_emphasises_the_words_typed_in_what_came_from_the_library_only() -> None:
    annotation = replace(made("salt", "Molten SALT plant"), tags=("energy",), note="salt again")
    (choice,) = link_choices(SOURCE, [annotation], {"a.txt": "Salt Report"})
    label = choice_label(
        choice, linked="", where="", orphaned="", mark="reverse", words=("salt", "or")
    )
    marked = sorted(
        label.plain[span.start : span.end] for span in label.spans if span.style == "reverse"
    )
    # In the quote, the title, the note: as typed, whatever the case; "or" in "Report".
    assert marked == ["SALT", "Salt", "or", "salt"]
    assert label.plain.splitlines() == ["“Molten SALT plant”", "Salt Report · #energy · salt again"]
    # Letters found only with gaps are not marked.
    plain = choice_label(choice, linked="", where="", orphaned="", mark="reverse", words=("mlt",))
    assert not [span for span in plain.spans if span.style == "reverse"]
