"""Text that is cut says so (issue 11, item 6): the reader's header, note previews in the
Notes tab and in the list of a tag's annotations end in "…" where they were cut, between
words, and the header keeps the publication and date."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.conftest import SAMPLE_LIBRARY
from tests.ui.helpers import AppFactory, wait_for_startup

DIGEST = "technology-infrastructure.txt"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_header_keeps_the_publication_and_date_and_marks_its_cuts(
    make: AppFactory, size: tuple[int, int]
) -> None:
    app = make(root=SAMPLE_LIBRARY, open_name=DIGEST)
    async with app.run_test(size=size) as pilot:
        await wait_for_startup(pilot, app)
        header = app.query_one("#doc-header", Static)
        lines = [line.strip() for line in str(header.render()).splitlines()]
        assert len(lines) == 2
        title, byline = lines
        assert title.startswith("China’s technology infrastructure")
        assert byline.endswith("Friends of Socialist China · 2025-09-13")
        assert byline.startswith("Alessandr")  # as much of the authors as there is room for
        # What does not fit ends in "…", after a whole word when there is one.
        full_title = "China’s technology infrastructure is blazing a trail for humanity"
        for shown, whole in (
            (title, full_title),
            (byline.split(" · ")[0], "Alessandro Zancan, Sydney Loving, Callum Norris, Twm Draper"),
        ):
            if shown != whole:
                assert shown.endswith("…")
                assert whole.startswith(shown[:-1])
                if " " in shown:  # a cut inside the only word shown is allowed
                    assert whole[len(shown) - 1] in " ,"


async def test_a_short_header_is_one_line(make: AppFactory) -> None:
    app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        header = str(app.query_one("#doc-header", Static).render()).strip()
        assert header == "Long Prose — Ann Writer · 2024"


async def test_the_header_is_fitted_again_when_the_window_widens(make: AppFactory) -> None:
    app = make(root=SAMPLE_LIBRARY, open_name=DIGEST)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_startup(pilot, app)
        narrow = str(app.query_one("#doc-header", Static).render())
        await pilot.resize_terminal(200, 40)
        await pilot.pause()
        await pilot.pause()
        wide = str(app.query_one("#doc-header", Static).render())
        assert wide != narrow
        assert "Twm Draper" in wide and "…" not in wide
