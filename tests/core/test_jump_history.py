"""The jump history: back and forward like a browser, bounded, duplicates collapsed, kept."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.jump_history import JumpHistory
from readertui.core.location import Location

START = Location("war.txt", 0, 0)
END = Location("war.txt", 3_000_000, 2_999_000)
MATCH = Location("war.txt", 1_200_000, 1_199_000)
OTHER = Location("other.md", 40, 0)


def test_back_three_times_then_forward_retraces() -> None:
    history = JumpHistory()
    history.leave(START)  # G
    history.leave(END)  # /Borodinó
    history.leave(MATCH)  # open another document
    here = OTHER
    visited = []
    for _ in range(3):
        target = history.back(here)
        assert target is not None
        visited.append(target)
        here = target
    assert visited == [MATCH, END, START]
    assert history.back(here) is None
    forward = []
    while (target := history.forward(here)) is not None:
        forward.append(target)
        here = target
    assert forward == [END, MATCH, OTHER]


def test_a_new_jump_after_going_back_forgets_the_way_forward() -> None:
    history = JumpHistory()
    history.leave(START)
    history.leave(END)
    assert history.back(MATCH) == END
    history.leave(END)  # jumped elsewhere from there
    assert history.forward(OTHER) is None
    assert not history.can_go_forward


def test_the_same_place_twice_in_a_row_is_kept_once() -> None:
    history = JumpHistory()
    history.leave(START)
    history.leave(Location("war.txt", 0, 5))  # same cursor, scrolled: the newer screen wins
    assert history.back(END) == Location("war.txt", 0, 5)
    assert history.back(Location("war.txt", 0, 5)) is None


def test_going_back_skips_the_place_the_reader_is_already_at() -> None:
    history = JumpHistory()
    history.leave(START)
    history.leave(END)
    assert history.back(END) == START


def test_the_history_is_bounded() -> None:
    history = JumpHistory(limit=5)
    for offset in range(20):
        history.leave(Location("a.txt", offset))
    back = []
    here = Location("a.txt", 999)
    while (target := history.back(here)) is not None:
        back.append(target.offset)
        here = target
    assert back == [19, 18, 17, 16, 15]


def test_it_survives_as_json_and_skips_what_is_malformed() -> None:
    history = JumpHistory()
    history.leave(START)
    history.leave(END)
    history.back(MATCH)
    kept = json.loads(json.dumps(history.to_record()))
    again = JumpHistory.from_record(kept)
    assert again.to_record() == history.to_record()
    assert again.back(END) == START
    hostile = {
        "back": [["a.txt", 5, None], ["", 1, 0], ["b.txt", -1, 0], ["c.txt", True, 0], "x", []],
        "forward": "nonsense",
    }
    assert JumpHistory.from_record(hostile).to_record() == {
        "back": [["a.txt", 5, None]],
        "forward": [],
    }
    assert JumpHistory.from_record(None).to_record() == {"back": [], "forward": []}


def test_places_in_a_removed_document_are_forgotten() -> None:
    history = JumpHistory()
    history.leave(START)
    history.leave(OTHER)
    assert history.documents() == {"war.txt", "other.md"}
    history.forget_document("other.md")
    assert history.back(MATCH) == START


places = st.builds(
    Location,
    st.sampled_from(["a.txt", "b.md", "c.txt"]),
    st.integers(0, 50),
    st.one_of(st.none(), st.integers(0, 50)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(places, min_size=1, max_size=30), places)
def test_back_all_the_way_then_forward_all_the_way_returns_where_it_started(
    jumps: list[Location], here: Location
) -> None:
    history = JumpHistory()
    for place in jumps:
        history.leave(place)
    start = here
    steps = 0
    while (target := history.back(here)) is not None:
        assert not target.same_place(here)
        here = target
        steps += 1
    assert steps <= len(jumps)
    while (target := history.forward(here)) is not None:
        here = target
    assert here.same_place(start) or steps == 0
