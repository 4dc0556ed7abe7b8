"""The concordance (`*`): every occurrence of one word across the library, in context.

One line per occurrence, keyword in context: the document's short title, the text before the
word right-aligned, the word, the text after it, so the word stands in one column down the
screen. `s` sorts by document (then position) or by the word that follows (then document);
`enter` dismisses the screen with a `LibraryJump` to that occurrence, `escape` with None.

The occurrences are found in a thread worker (a common word has thousands), and the lines
are laid out again when the screen is resized. Titles and context are the documents' own
text, shown literally (`ui.literal`); wide characters count as two cells, so the column
holds for CJK text too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from readertui.core.visible import visible_line
from readertui.errors import ReaderError
from readertui.index import Cancelled, CancelToken, Concordance, LibraryIndex, Occurrence
from readertui.ui.literal import literal
from readertui.ui.screens.library_jump import LibraryJump

Order = Literal["document", "following"]
#: How many occurrences are asked for (a header says when there were more).
OCCURRENCE_LIMIT = 2000
#: The widest the title column gets, in cells.
TITLE_CELLS = 20
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Columns:
    """Cell widths of a concordance line: title, left context, keyword (then the rest)."""

    title: int
    left: int
    keyword: int


def columns(occurrences: Sequence[Occurrence], width: int) -> Columns:
    """The columns for `occurrences` in `width` cells: the keyword column as wide as the
    widest keyword, the left context about half of what is left."""
    keyword = max((cell_len(visible_line(o.keyword)) for o in occurrences), default=1)
    widest_title = max((cell_len(visible_line(o.place.title)) for o in occurrences), default=1)
    title = max(4, min(TITLE_CELLS, widest_title, width // 5))
    left = max(8, (width - title - keyword - 1) // 2)
    return Columns(title, left, keyword)


def fit_end(text: str, cells: int) -> str:
    """The end of `text` that fits in `cells` cells, padded on the left to exactly that."""
    width = cell_len(text)
    start = 0
    while width > cells:
        width -= cell_len(text[start])
        start += 1
    return " " * (cells - width) + text[start:]


def fit_start(text: str, cells: int) -> str:
    """`text` cut or padded to exactly `cells` cells, `…` where it was cut."""
    if cell_len(text) <= cells:
        return set_cell_size(text, cells)
    return set_cell_size(text, cells - 1) + _ELLIPSIS


def occurrence_line(
    occurrence: Occurrence,
    layout: Columns,
    *,
    title: Style | str = "",
    keyword: Style | str = "",
) -> Text:
    """One occurrence as one line: short title, left context, the keyword, right context."""
    line = literal(fit_start(visible_line(occurrence.place.title), layout.title), style=title)
    line.append(" ")
    # No spaces around the keyword but the text's own: `Jiayuguan’s` reads as it is written.
    line.append(fit_end(visible_line(occurrence.left), layout.left))
    line.append(visible_line(occurrence.keyword), style=keyword)
    line.append(" " * (layout.keyword - cell_len(visible_line(occurrence.keyword))))
    line.append(visible_line(occurrence.right))
    return line


def sorted_occurrences(occurrences: Sequence[Occurrence], order: Order) -> list[Occurrence]:
    """By document (title, path, position) or by the following word (then the same)."""

    def by_document(o: Occurrence) -> tuple[str, str, int]:
        return (o.place.title.casefold(), o.place.path, o.place.start)

    if order == "following":
        return sorted(occurrences, key=lambda o: (o.following, *by_document(o)))
    return sorted(occurrences, key=by_document)


def jump_to(occurrence: Occurrence) -> LibraryJump:
    """Where choosing `occurrence` goes: the word itself."""
    place = occurrence.place
    return LibraryJump(place.path, place.start, place.end, place.title)


class ConcordanceScreen(ModalScreen[LibraryJump | None]):
    """Every occurrence of `word` in the library's index; dismissed with the one chosen."""

    DEFAULT_CSS = """
    ConcordanceScreen {
        align: center middle;
    }

    #concordance-dialog {
        width: 100%;
        height: 100%;
        margin: 1 2;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }

    #concordance-header {
        height: 1;
    }

    #concordance-hint {
        height: 1;
        color: $text-muted;
    }

    #concordance-lines, #concordance-lines:focus {
        /* One line per title, snippet or occurrence, cut at the edge with an ellipsis. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
        height: 1fr;
        border: none;
        background: transparent;
        padding: 0;
    }

    ConcordanceScreen > .concordance--title {
        color: $text-muted;
    }

    ConcordanceScreen > .concordance--keyword {
        text-style: bold;
        color: $accent;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"concordance--title", "concordance--keyword"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="concordance-close"),
        Binding("s", "toggle_order", "Sort", id="concordance-sort"),
    ]

    class Found(Message):
        """The concordance, posted by the worker thread (or a line to show instead)."""

        def __init__(self, concordance: Concordance | None, problem: str = "") -> None:
            super().__init__()
            self.concordance = concordance
            self.problem = problem

    def __init__(self, index: LibraryIndex, word: str, *, limit: int = OCCURRENCE_LIMIT) -> None:
        super().__init__()
        self.index = index
        self.word = word
        self.limit = limit
        #: How the lines are sorted now.
        self.order: Order = "document"
        #: What the index found (None until it answers).
        self.concordance: Concordance | None = None
        #: The occurrences in the order listed.
        self.occurrences: list[Occurrence] = []
        self._token: CancelToken | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="concordance-dialog"):
            yield Static(self._header(), id="concordance-header")
            yield Static(
                Text("s sort by document / following word · enter jump · escape close"),
                id="concordance-hint",
            )
            yield OptionList(id="concordance-lines")

    @property
    def lines(self) -> OptionList:
        return self.query_one("#concordance-lines", OptionList)

    def on_mount(self) -> None:
        self.lines.focus()
        self._token = CancelToken()
        self._find(self._token)

    def on_unmount(self) -> None:
        self._cancel()

    def index_updated(self, problem: str) -> None:
        """The index was brought up to date: look again (a first build's words are in it now);
        or it cannot be, and the list says why."""
        self._cancel()
        self.lines.clear_options()
        if problem:
            self.lines.add_option(
                Option(literal(f"The library index cannot be used: {problem}"), disabled=True)
            )
            return
        self._token = CancelToken()
        self._find(self._token)

    def _cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()
            self._token = None

    @work(thread=True, exclusive=True, group="concordance")
    def _find(self, token: CancelToken) -> None:
        """Ask the index off the UI thread and post what it found."""
        try:
            if self.index.document_count() == 0:
                found = self.Found(None, "No index yet: the library is still being indexed.")
            else:
                concordance = self.index.concordance(self.word, limit=self.limit, cancel=token)
                found = self.Found(concordance)
        except Cancelled:
            return  # the screen was closed
        except ReaderError as error:  # QueryError (not one word), IndexUnavailable
            found = self.Found(None, str(error))
        if not token.cancelled:
            self.post_message(found)

    def on_concordance_screen_found(self, message: Found) -> None:
        message.stop()
        self._token = None
        lines = self.lines
        if message.concordance is None:
            lines.add_option(Option(literal(message.problem), disabled=True))
            return
        self.concordance = message.concordance
        self.occurrences = sorted_occurrences(message.concordance.occurrences, self.order)
        self.query_one("#concordance-header", Static).update(self._header())
        if not self.occurrences:
            lines.add_option(Option(Text("Nowhere in the library."), disabled=True))
            return
        self._fill(None)

    def _header(self) -> Text:
        header = Text("Concordance of “", style="bold")
        # The word as the user asked for it (the index answers with its folded form).
        header.append_text(literal(self.word.strip(), style="bold"))
        header.append("”", style="bold")
        if self.concordance is None:
            return header
        count = len(self.concordance.occurrences)
        documents = len({o.place.path for o in self.concordance.occurrences})
        header.append(f": {count:,} occurrence{'s' if count != 1 else ''}")
        if count:
            header.append(f" in {documents} document{'s' if documents != 1 else ''}")
        if self.concordance.truncated:
            header.append(f" (first {count:,} shown)")
        header.append(
            " · sorted by document" if self.order == "document" else " · sorted by following word"
        )
        return header

    def _fill(self, keep: Occurrence | None) -> None:
        """List the occurrences, laid out for the list's width, the cursor on `keep` (or on
        the first)."""
        lines = self.lines
        # The scrollbar's room is always left out, so the columns do not move when it shows.
        width = (lines.size.width or self.app.size.width - 8) - (
            lines.styles.scrollbar_size_vertical
        )
        layout = columns(self.occurrences, width)
        title = self.get_component_rich_style("concordance--title")
        keyword = self.get_component_rich_style("concordance--keyword")
        lines.clear_options()
        lines.add_options(
            [
                Option(occurrence_line(o, layout, title=title, keyword=keyword))
                for o in self.occurrences
            ]
        )
        lines.highlighted = self.occurrences.index(keep) if keep in self.occurrences else 0

    def on_resize(self, event: Resize) -> None:
        if self.occurrences:
            self.call_after_refresh(lambda: self._fill(self.chosen))

    @property
    def chosen(self) -> Occurrence | None:
        """The occurrence under the list's cursor."""
        highlighted = self.lines.highlighted
        if highlighted is None or not 0 <= highlighted < len(self.occurrences):
            return None
        return self.occurrences[highlighted]

    def action_toggle_order(self) -> None:
        """Sort by the other key: document, or the following word."""
        self.order = "following" if self.order == "document" else "document"
        self.query_one("#concordance-header", Static).update(self._header())
        if self.occurrences:
            current = self.chosen
            self.occurrences = sorted_occurrences(self.occurrences, self.order)
            self._fill(current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        occurrence = self.chosen
        if occurrence is not None:
            self._cancel()
            self.dismiss(jump_to(occurrence))

    def action_close(self) -> None:
        self._cancel()
        self.dismiss(None)
