"""The sample library's site boilerplate is painted dim in the reader (issue 11 item 13), and
the outline the library pane shows leaves it out."""

from __future__ import annotations

from rich.style import Style

from readertui.ui.widgets.markdown_styles import MarkdownStyles
from tests.conftest import SAMPLE_LIBRARY
from tests.ui.helpers import AppFactory, wait_for_startup

MORNING_STAR = "jiayuguan-morning-star.txt"


def _style_of(app: object, words: str) -> Style:
    """The style the reader paints `words` in (the first row and segment holding them)."""
    view = app.reader  # type: ignore[attr-defined]
    for y in range(view.size.height):
        for segment in view.render_line(y):
            if words in segment.text:
                return segment.style or Style()
    raise AssertionError(f"{words!r} is not on the screen")


async def test_boilerplate_lines_are_dim_and_the_article_is_not(make: AppFactory) -> None:
    app = make(root=SAMPLE_LIBRARY, open_name=MORNING_STAR)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.pause()
        assert app.query_one(MarkdownStyles).style("boilerplate").dim
        for words in ("to main content", "Gifts from The Morning Star"):
            assert _style_of(app, words).dim, words
        for words in ("China’s socialism succeeds", "PAWEL WARGAN juxtaposes"):
            assert not _style_of(app, words).dim, words


def _style_of_exactly(app: object, text: str) -> Style:
    """The style of the first painted segment that is exactly `text`."""
    view = app.reader  # type: ignore[attr-defined]
    for y in range(view.size.height):
        for segment in view.render_line(y):
            if segment.text == text:
                return segment.style or Style()
    raise AssertionError(f"no segment {text!r} on the screen")


async def test_markdown_markup_is_dimmed_as_the_readme_says(make: AppFactory) -> None:
    """README: Markdown's "markup stays visible but dimmed". Its colour was `$text-disabled`,
    which a partial component style cannot blend with the background: it came out as plain
    white, brighter than the text."""
    app = make(open_name="notes.md")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_startup(pilot, app)
        await pilot.pause()
        styles = app.query_one(MarkdownStyles)
        for kind in ("markup", "front-matter", "boilerplate"):
            assert styles.style(kind).dim, kind
        assert _style_of_exactly(app, "`").dim
        assert not _style_of(app, "More text.").dim
