"""The library search (`ctrl+f`): ranked passages of every document, updated as you type.

What is typed is searched a moment after the last key (`DEBOUNCE`), in an exclusive thread
worker, so typing never waits for SQLite. Each search gets its own `CancelToken`; a newer one
cancels the older, and a result that still comes back late (it was past its last check) is
dropped by its generation number: what the list shows is always the answer to what the field
holds now. Up, down, `ctrl+n` and `ctrl+p` move in the list while the cursor stays in the
field; `enter` dismisses the screen with a `LibraryJump` to the chosen match, `escape` with
None.

Titles, headings and snippets are the documents' own text: shown literally (`ui.literal`),
with the matched words emphasised from the snippet's spans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from readertui.errors import ReaderError
from readertui.index import Cancelled, CancelToken, LibraryIndex, SearchHit
from readertui.ui.dialogs.frame import dialog_css
from readertui.ui.literal import literal
from readertui.ui.screens.library_jump import LibraryJump
from readertui.ui.snippet_text import snippet_text
from readertui.ui.widgets.literal_fields import LiteralInput

#: Seconds after the last key before the search starts (typing a word costs one search).
DEBOUNCE = 0.1
#: How many results are listed.
RESULT_LIMIT = 50
#: The query syntax, as `readertui.index.query` reads it.
HINT = 'Search: words  "exact phrase"  prefix*  -excluded  tag:name  note:word'
#: The keys, below the list.
KEYS = "↑↓ ctrl+n ctrl+p choose · enter open · escape close"


def hit_jump(hit: SearchHit) -> LibraryJump:
    """Where choosing `hit` goes: its first matching words, else the passage or highlight."""
    start, end = hit.matches[0] if hit.matches else (hit.place.start, hit.place.end)
    return LibraryJump(hit.place.path, start, end, hit.place.title)


def where_label(hit: SearchHit) -> str:
    """Where a hit is, in words: its line and heading (`highlight` for a `tag:`/`note:` hit)."""
    parts = ["highlight"] if hit.annotation_id is not None else []
    line = hit.match_line if hit.match_line is not None else hit.place.line
    # The line first: a long heading is what the list's edge cuts.
    parts.append(f"line {line}" if line is not None else "orphaned")
    if hit.place.heading:
        parts.append(hit.place.heading)
    return " · ".join(parts)


def hit_label(hit: SearchHit, *, title: Style | str, where: Style | str, mark: Style | str) -> Text:
    """A result as list text: the title and where it is, then the snippet, each one line."""
    label = literal(hit.place.title or hit.place.path, style=title)
    label.append("  ")
    label.append_text(literal(where_label(hit), style=where))
    label.append("\n")
    label.append_text(snippet_text(hit.snippet, mark))
    return label


@dataclass(frozen=True)
class _Answer:
    """What one search came back with: hits, or a line to show instead."""

    hits: tuple[SearchHit, ...] = ()
    problem: str = ""
    indexed: bool = True


class LibrarySearchScreen(ModalScreen[LibraryJump | None]):
    """Search the library as you type; dismissed with the chosen match, or None."""

    DEFAULT_CSS = (
        dialog_css(
            "LibrarySearchScreen", "#library-search-dialog", "$accent", width=110, height="90%"
        )
        + """
    #library-search-input {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }

    #library-search-hint, #library-search-keys {
        color: $text-muted;
        height: 1;
    }

    #library-search-status {
        height: 1;
    }

    #library-search-results, #library-search-results:focus {
        /* One line per title, snippet or occurrence, cut at the edge with an ellipsis. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
        height: 1fr;
        border: none;
        background: transparent;
        padding: 0;
    }

    LibrarySearchScreen > .library-search--title {
        text-style: bold;
    }

    LibrarySearchScreen > .library-search--where {
        color: $text-muted;
    }

    LibrarySearchScreen > .library-search--match {
        text-style: bold reverse;
    }
    """
    )

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "library-search--title",
        "library-search--where",
        "library-search--match",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="library-search-close"),
        Binding("down", "move(1)", "Next result", show=False, id="library-search-next"),
        Binding("up", "move(-1)", "Previous result", show=False, id="library-search-previous"),
        Binding("ctrl+n", "move(1)", "Next result", show=False, id="library-search-next-alt"),
        Binding(
            "ctrl+p", "move(-1)", "Previous result", show=False, id="library-search-previous-alt"
        ),
    ]

    class Answered(Message):
        """A search's answer, posted by the worker thread; `generation` names the search."""

        def __init__(self, generation: int, query: str, answer: _Answer) -> None:
            super().__init__()
            self.generation = generation
            self.query = query
            self.answer = answer

    def __init__(self, index: LibraryIndex, query: str = "", *, limit: int = RESULT_LIMIT) -> None:
        super().__init__()
        self.index = index
        self.initial_query = query
        self.limit = limit
        #: The hits listed now, in list order.
        self.hits: tuple[SearchHit, ...] = ()
        #: The query the list answers ("" before the first answer).
        self.answered_query = ""
        self._generation = 0
        self._token: CancelToken | None = None
        self._timer: Timer | None = None
        # Enter was pressed before the answer to what is typed came: choose when it comes.
        self._choose_when_answered = False
        # Whether the last answer came from an index that holds the library (not a first
        # build still under way).
        self._indexed = True

    def compose(self) -> ComposeResult:
        with Vertical(id="library-search-dialog"):
            yield LiteralInput(
                self.initial_query,
                placeholder="search the library",
                id="library-search-input",
            )
            yield Static(Text(HINT), id="library-search-hint")
            yield Static(Text(""), id="library-search-status")
            results = OptionList(id="library-search-results")
            # Typing stays in the field: the list is moved with the screen's keys.
            results.can_focus = False
            yield results
            yield Static(Text(KEYS), id="library-search-keys")

    @property
    def field(self) -> Input:
        return self.query_one("#library-search-input", Input)

    @property
    def results(self) -> OptionList:
        return self.query_one("#library-search-results", OptionList)

    @property
    def up_to_date(self) -> bool:
        """Whether the list answers what the field holds (no search waiting or running)."""
        return self._timer is None and self.answered_query == self.field.value

    def on_mount(self) -> None:
        self.field.focus()
        self.field.cursor_position = len(self.field.value)
        self._start_search()

    def on_unmount(self) -> None:
        self._cancel()

    def index_updated(self, problem: str) -> None:
        """The index was brought up to date: search again (what is typed may now be found);
        or it cannot be, and the list says why."""
        if problem:
            self.query_one("#library-search-status", Static).update(
                literal(f"The library index cannot be used: {problem}")
            )
            return
        self._start_search()

    # -- searching ------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._cancel()
        self._choose_when_answered = False
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._start_search)

    def _cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()
            self._token = None

    def _start_search(self) -> None:
        self._timer = None
        self._cancel()
        self._generation += 1
        self._token = CancelToken()
        self._search(self._generation, self.field.value, self._token)

    @work(thread=True, exclusive=True, group="library-search")
    def _search(self, generation: int, query: str, token: CancelToken) -> None:
        """Run one search off the UI thread and post what it found."""
        try:
            if self.index.document_count() == 0:
                answer = _Answer(indexed=False)
            else:
                hits = self.index.search(query, self.limit, cancel=token)
                answer = _Answer(hits=tuple(hits))
        except Cancelled:
            return  # a newer search replaced this one
        except ReaderError as error:  # QueryError, IndexUnavailable: one line
            answer = _Answer(problem=str(error))
        if not token.cancelled:
            self.post_message(self.Answered(generation, query, answer))

    def on_library_search_screen_answered(self, message: Answered) -> None:
        message.stop()
        # An answer to an older query, however late it comes, is never shown.
        if message.generation != self._generation:
            return
        self._show(message.query, message.answer)

    def _show(self, query: str, answer: _Answer) -> None:
        self.answered_query = query
        self._indexed = answer.indexed
        if answer.problem or (answer.indexed and not answer.hits):
            self._choose_when_answered = False
        self.hits = answer.hits
        status = self.query_one("#library-search-status", Static)
        results = self.results
        results.clear_options()
        if answer.problem:
            status.update(literal(answer.problem))
            return
        if not answer.indexed:
            status.update(Text(""))
            results.add_option(
                Option(
                    Text("No index yet: the library is still being indexed. Try again soon."),
                    disabled=True,
                )
            )
            return
        if not answer.hits:
            status.update(Text(""))
            results.add_option(Option(Text("Nothing found."), disabled=True))
            return
        count = len(answer.hits)
        many = " (the best shown)" if count >= self.limit else ""
        status.update(Text(f"{count} result{'s' if count != 1 else ''}{many}"))
        title = self.get_component_rich_style("library-search--title")
        where = self.get_component_rich_style("library-search--where")
        mark = self.get_component_rich_style("library-search--match")
        results.add_options(
            [Option(hit_label(hit, title=title, where=where, mark=mark)) for hit in answer.hits]
        )
        results.highlighted = 0
        if self._choose_when_answered:
            self._choose()

    # -- moving and choosing --------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Move the list's cursor by `step` results (wrapping at the ends)."""
        if not self.hits:
            return
        results = self.results
        current = results.highlighted if results.highlighted is not None else -step
        results.highlighted = (current + step) % len(self.hits)

    @property
    def chosen(self) -> SearchHit | None:
        """The result under the list's cursor."""
        highlighted = self.results.highlighted
        if highlighted is None or not 0 <= highlighted < len(self.hits):
            return None
        return self.hits[highlighted]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click on a result
        self._choose()

    def _choose(self) -> None:
        # Results for an older query are still listed while the new one runs: choosing one
        # of them would surprise, so enter typed ahead waits for the answer to what is typed.
        if self.answered_query != self.field.value:
            self._choose_when_answered = True
            if self._timer is not None:
                self._timer.stop()
                self._start_search()
            return
        hit = self.chosen
        if hit is None:
            # Asked before the library was first indexed: the answer comes once it is.
            self._choose_when_answered = not self._indexed
            return
        self._cancel()
        self.dismiss(hit_jump(hit))

    def action_close(self) -> None:
        self._cancel()
        self.dismiss(None)
