"""The link picker (`L`): every other annotation of the library, filtered fuzzily as you type.

It lists the annotations it is given as `LinkChoice`s (`readertui.core.link_choices`): links
already made first, marked `linked`, then the newest. What is typed is matched
(`readertui.core.fuzzy`) against each one's quote, note, tags and document title in a thread
worker, so typing never waits for the matching (nor opening for the list to be built: the
first worker builds it); a newer query stops the older one's worker, and an answer to an older
query is dropped by its generation number. When the new query only adds to the last answered
one, only that answer's matches are looked at again. At most `SHOWN` rows are listed, the best
ones: Textual's `OptionList` measures every row it holds, and a hundred two-line rows cost
about 0.1 s each time the list changes. Up, down, `ctrl+n` and `ctrl+p` move in the list
while the cursor stays in the field; `enter` dismisses the screen with the chosen one (once
the list answers what is typed), `escape` with None.

Quotes, notes, tags and titles come from documents and users: shown literally (`ui.literal`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from readertui.core.annotations import Annotation
from readertui.core.citation import in_quotation_marks
from readertui.core.fuzzy import FuzzyQuery
from readertui.core.link_choices import LinkChoice, link_choices, ranked
from readertui.core.shortening import one_line
from readertui.ui.dialogs.frame import dialog_css
from readertui.ui.literal import literal
from readertui.ui.widgets.literal_fields import LiteralInput

#: How many rows are listed (the best ones): more only slows the list down.
SHOWN = 50
#: What the picker's keys do, below the list.
HINT = (
    "enter links · on one marked linked, enter removes the link · ↑↓ ctrl+n ctrl+p choose "
    "· escape closes"
)
#: Characters of the highlight's own quote in the title.
_TITLE_QUOTE = 60


def choice_label(
    choice: LinkChoice,
    *,
    linked: Style | str,
    where: Style | str,
    orphaned: Style | str,
    mark: Style | str = "",
    words: Sequence[str] = (),
) -> Text:
    """A choice as list text: the quote (marked when linked), then the document's title,
    whether it is orphaned, its tags and the note's start, each line shown literally; where
    one of `words` (case-folded) is found as typed, it is emphasised with `mark`."""

    def shown(text: str, style: Style | str = "") -> Text:
        return _marked(literal(text, style=style), words, mark)

    label = Text("linked ", style=linked) if choice.linked else Text("")
    if choice.annotation is None:
        label.append_text(shown(choice.quote_line, orphaned))
        label.append("\n")
        label.append_text(shown(choice.id, where))
        return label
    label.append_text(shown(in_quotation_marks(choice.quote_line)))
    label.append("\n")
    label.append_text(shown(choice.title, where))
    if choice.orphaned:
        label.append(" · ", style=where)
        label.append("orphaned", style=orphaned)
    if choice.tags:
        label.append(" · ", style=where)
        label.append_text(shown(" ".join(f"#{tag}" for tag in choice.tags), where))
    if choice.note_line:
        label.append(" · ", style=where)
        label.append_text(shown(choice.note_line))
    return label


def _marked(text: Text, words: Sequence[str], mark: Style | str) -> Text:
    """`text` with each place a word of `words` is found emphasised (a word found only with
    gaps between its letters is not marked: marks on scattered letters would be noise)."""
    lowered = text.plain.lower()
    if not words or not mark or len(lowered) != len(text.plain):
        return text  # a letter whose lower case is longer would shift every place after it
    for word in words:
        start = lowered.find(word)
        while start >= 0:
            text.stylize(mark, start, start + len(word))
            start = lowered.find(word, start + len(word))
    return text


class LinkPicker(ModalScreen[LinkChoice | None]):
    """Choose an annotation to link to (or a linked one to unlink); None when closed."""

    DEFAULT_CSS = (
        dialog_css("LinkPicker", "#link-dialog", "$accent", width=110, height="90%")
        + """
    #link-filter {
        border: none;
        height: 1;
        padding: 0 1;
        background: $boost;
    }

    #link-title, #link-status {
        height: 1;
    }

    #link-hint {
        color: $text-muted;
        height: auto;
    }

    #link-list, #link-list:focus {
        /* Two lines a choice, each cut at the edge with an ellipsis. */
        text-wrap: nowrap;
        text-overflow: ellipsis;
        height: 1fr;
        border: none;
        background: transparent;
        padding: 0;
    }

    LinkPicker > .link-picker--linked {
        color: $accent;
        text-style: bold;
    }

    LinkPicker > .link-picker--where {
        color: $text-muted;
    }

    LinkPicker > .link-picker--orphaned {
        color: $warning;
    }

    LinkPicker > .link-picker--match {
        text-style: bold reverse;
    }
    """
    )

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "link-picker--linked",
        "link-picker--where",
        "link-picker--orphaned",
        "link-picker--match",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="link-close"),
        Binding("down", "move(1)", "Next", show=False, id="link-next"),
        Binding("up", "move(-1)", "Previous", show=False, id="link-previous"),
        Binding("ctrl+n", "move(1)", "Next", show=False, id="link-next-alt"),
        Binding("ctrl+p", "move(-1)", "Previous", show=False, id="link-previous-alt"),
    ]

    class Answered(Message):
        """What a query matched, posted by the worker; `generation` names the query."""

        def __init__(
            self,
            generation: int,
            typed: str,
            query: FuzzyQuery,
            matches: list[LinkChoice],
            choices: tuple[LinkChoice, ...] | None,
        ) -> None:
            super().__init__()
            self.generation = generation
            self.typed = typed
            self.query = query
            self.matches = matches
            #: Every choice, when this worker built them.
            self.choices = choices

    def __init__(
        self,
        source: Annotation,
        annotations: Sequence[Annotation],
        titles: Mapping[str, str],
        *,
        shown: int = SHOWN,
    ) -> None:
        """Pick one of `annotations` to link `source` to; `titles` are the titles of the
        library's documents by path."""
        super().__init__()
        self.source = source
        self._annotations = annotations
        self._titles = titles
        self.shown = shown
        #: Every choice in list order, once the first worker has built them.
        self.choices: tuple[LinkChoice, ...] | None = None
        #: Every choice the answered query matched, in list order (the first `shown` listed).
        self.matches: tuple[LinkChoice, ...] = ()
        #: What was typed when the listed answer was asked for (None: no answer yet).
        self.answered: str | None = None
        self._answered_query: FuzzyQuery | None = None
        self._generation = 0
        # Enter came before the answer to what is typed: choose when it comes.
        self._choose_when_answered = False

    def compose(self) -> ComposeResult:
        with Vertical(id="link-dialog"):
            title = Text("Link ", style="bold")
            title.append_text(
                literal(in_quotation_marks(one_line(self.source.quote.exact, _TITLE_QUOTE)))
            )
            title.append(" to…", style="bold")
            yield Static(title, id="link-title")
            yield LiteralInput(placeholder="filter: quote, note, tags, title", id="link-filter")
            yield Static(Text(""), id="link-status")
            options = OptionList(id="link-list")
            # Typing stays in the field: the list is moved with the screen's keys.
            options.can_focus = False
            yield options
            yield Static(Text(HINT), id="link-hint")

    @property
    def field(self) -> Input:
        return self.query_one("#link-filter", Input)

    @property
    def options(self) -> OptionList:
        return self.query_one("#link-list", OptionList)

    @property
    def up_to_date(self) -> bool:
        """Whether the list answers what the field holds."""
        return self.answered == self.field.value

    def on_mount(self) -> None:
        self.field.focus()
        self._start()

    # -- matching -------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._choose_when_answered = False
        self._start()

    def _start(self) -> None:
        typed = self.field.value
        query = FuzzyQuery.parse(typed)
        self._generation += 1
        earlier = self._answered_query
        # Typing on only narrows what the last answer matched: look at those alone.
        pool = self.matches if earlier is not None and query.narrows(earlier) else self.choices
        # Not the @work decorator: it names each worker by the repr of its arguments, which
        # for thousands of choices takes longer than matching them.
        self.run_worker(
            partial(self._match, self._generation, typed, query, pool),
            thread=True,
            exclusive=True,
            group="link-picker",
            description="match the link filter",
        )

    def _match(
        self, generation: int, typed: str, query: FuzzyQuery, pool: Sequence[LinkChoice] | None
    ) -> None:
        """Match one query off the UI thread (building the choices first, if not yet built)
        and post what it found."""
        worker = get_current_worker()
        built = None
        if pool is None:
            built = tuple(link_choices(self.source, self._annotations, self._titles))
            pool = built
        found = ranked(pool, query.matcher(), lambda: worker.is_cancelled)
        if found is not None and not worker.is_cancelled:
            self.post_message(self.Answered(generation, typed, query, found, built))
        # The list is on its way: meanwhile get the text each choice is matched against
        # ready, so the first letter typed does not wait for it.
        for choice in built or ():
            if worker.is_cancelled:
                break
            _ = choice.folded  # a cached property: worked out here, kept for the matching

    def on_link_picker_answered(self, message: Answered) -> None:
        message.stop()
        if message.choices is not None and self.choices is None:
            self.choices = message.choices  # built once, whatever query they came with
        # An answer to an older query, however late it comes, is never shown.
        if message.generation != self._generation:
            return
        self.matches = tuple(message.matches)
        self.answered = message.typed
        self._answered_query = message.query
        self._show()
        if self._choose_when_answered:
            self._choose()

    def _show(self) -> None:
        status = self.query_one("#link-status", Static)
        options = self.options
        options.clear_options()
        count = len(self.matches)
        if not self.choices:
            status.update(Text("There is no other annotation in the library yet."))
            return
        if not count:
            status.update(Text("No annotation matches."))
            return
        if self._answered_query is None or self._answered_query.empty:
            counted = f"{count} annotation{'s' if count != 1 else ''}"
        else:
            counted = f"{count} match{'es' if count != 1 else ''}"
        many = f" (the first {self.shown} listed)" if count > self.shown else ""
        status.update(Text(counted + many))
        linked = self.get_component_rich_style("link-picker--linked")
        where = self.get_component_rich_style("link-picker--where")
        orphaned = self.get_component_rich_style("link-picker--orphaned")
        mark = self.get_component_rich_style("link-picker--match")
        words = self._answered_query.words if self._answered_query is not None else ()
        options.add_options(
            [
                Option(
                    choice_label(
                        choice,
                        linked=linked,
                        where=where,
                        orphaned=orphaned,
                        mark=mark,
                        words=words,
                    )
                )
                for choice in self.matches[: self.shown]
            ]
        )
        options.highlighted = 0

    # -- moving and choosing --------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Move the list's cursor by `step` rows (wrapping at the ends)."""
        listed = min(len(self.matches), self.shown)
        if not listed:
            return
        options = self.options
        current = options.highlighted if options.highlighted is not None else -step
        options.highlighted = (current + step) % listed

    @property
    def chosen(self) -> LinkChoice | None:
        """The choice under the list's cursor."""
        highlighted = self.options.highlighted
        if highlighted is None or not 0 <= highlighted < min(len(self.matches), self.shown):
            return None
        return self.matches[highlighted]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click on a row
        self._choose()

    def _choose(self) -> None:
        # The list may still answer an older query: enter typed ahead waits for the answer to
        # what is typed, so it never links what happened to be listed a moment before.
        if not self.up_to_date:
            self._choose_when_answered = True
            return
        choice = self.chosen
        if choice is not None:
            self.dismiss(choice)

    def action_close(self) -> None:
        self.dismiss(None)
