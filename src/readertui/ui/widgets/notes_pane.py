"""The Notes tab: this document's annotations in order, a filter, and the orphans.

Imported only once the sidebar is filled, after the first paint. The filter takes words
(matched in quote and note), `#tag` (that tag or one below it) and `@colour`; all must match.
`enter` on an annotation jumps to it; on an orphan it re-attaches it to the reader's current
selection. Quotes, notes and tags (which may be imported) are shown literally (`ui.literal`).
"""

from __future__ import annotations

import contextlib
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from readertui.core.annotations import COLORS, Annotation, has_tag
from readertui.core.citation import in_quotation_marks
from readertui.core.open_document import OpenDocument
from readertui.core.shortening import one_line
from readertui.ui.literal import literal
from readertui.ui.widgets.literal_fields import LiteralInput

# Marker colours for the list (the reader's own highlight colours come from the theme).
_MARKER = {
    "yellow": "yellow",
    "green": "green",
    "blue": "blue",
    "pink": "magenta",
    "purple": "purple",
}
_QUOTE_CHARS = 160
# The list shows at most this many entries: thousands of notes are found with the filter,
# and rebuilding a list of thousands would stall every keypress.
MAX_LISTED = 200


def annotation_matches(annotation: Annotation, query: str) -> bool:
    """Whether the annotation passes the filter `query` (words, #tags, @colours)."""
    haystack = f"{annotation.quote.exact}\n{annotation.note}".casefold()
    for word in query.split():
        if word.startswith("#") and len(word) > 1:
            if not has_tag(annotation, word[1:]):
                return False
        elif word.startswith("@") and word[1:].casefold() in COLORS:
            if annotation.color != word[1:].casefold():
                return False
        elif word.casefold() not in haystack:
            return False
    return True


def annotation_label(annotation: Annotation) -> Text:
    """Quote (shortened), note and tags of an annotation, as list text."""
    quote = one_line(annotation.quote.exact, _QUOTE_CHARS)
    label = Text("■ ", style=_MARKER.get(annotation.color, "yellow"))
    label.append_text(literal(in_quotation_marks(quote)))
    if annotation.note:
        label.append("\n")
        note = one_line(annotation.note, _QUOTE_CHARS)
        label.append_text(literal(f"✎ {note}", style="italic"))
    if annotation.tags:
        label.append("\n")
        label.append_text(literal(" ".join(f"#{tag}" for tag in annotation.tags), style="dim"))
    return label


class NotesPane(Vertical):
    """Lists annotations; posts `Chosen` for the one picked with enter."""

    # escape leaves the filter for the list, and the list for the reader.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", show=False),
        Binding("slash", "filter", "Filter", show=False),
    ]

    DEFAULT_CSS = """
    NotesPane {
        height: 1fr;
    }

    #notes-filter {
        border: none;
        height: 1;
        padding: 0 1;
        background: $surface;
    }

    #notes-list, #notes-list:focus {
        height: 1fr;
        border: none;
        background: transparent;
        padding: 0;
    }
    """

    class Chosen(Message):
        def __init__(self, annotation: Annotation) -> None:
            super().__init__()
            self.annotation = annotation

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The open document whose annotations are listed (handed over by the screen).
        self.opened: OpenDocument | None = None
        self.query_text = ""
        self._rebuild_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield LiteralInput(placeholder="filter: words #tag @colour", id="notes-filter")
        yield OptionList(id="notes-list")

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#notes-list", OptionList)

    @property
    def annotations(self) -> list[Annotation]:
        """The open document's annotations: placed ones in text order, then the orphans."""
        if self.opened is None:
            return []
        return sorted(self.opened.annotations.values(), key=lambda a: (a.orphaned, a.start, a.end))

    def show(self, opened: OpenDocument) -> None:
        self.opened = opened
        # Rebuilt a moment later, once: the reader repaints the new highlight first, and a
        # burst of changes costs one rebuild.
        if self._rebuild_timer is None:
            self._rebuild_timer = self.set_timer(0.05, self._timed_rebuild)

    def _timed_rebuild(self) -> None:
        self._rebuild_timer = None
        self.rebuild()

    def rebuild(self) -> None:
        if not self.is_mounted or not self.query("#notes-list"):
            return
        everything = self.annotations
        shown = [a for a in everything if annotation_matches(a, self.query_text)]
        placed = [a for a in shown if not a.orphaned]
        orphans = [a for a in shown if a.orphaned]
        options: list[Option | None] = []
        if not everything:
            options.append(
                Option(
                    Text(
                        "No notes yet. Select text with v (or V), then press enter to "
                        "highlight, n to add a note, t to tag.",
                        style="dim",
                    ),
                    disabled=True,
                )
            )
        for annotation in placed[:MAX_LISTED]:
            options.append(Option(annotation_label(annotation), id=annotation.id))
        if len(placed) > MAX_LISTED:
            more = f"… and {len(placed) - MAX_LISTED:,} more: type in the filter to find them"
            options.append(Option(Text(more, style="dim"), disabled=True))
        if orphans:
            options.append(None)
            header = Text(f"Orphaned ({len(orphans)})", style="bold")
            header.append(
                "\nNo longer found in the text. Select the new place in the reader, then "
                "press enter here to re-attach.",
                style="dim",
            )
            options.append(Option(header, disabled=True))
            for annotation in orphans[:MAX_LISTED]:
                options.append(Option(annotation_label(annotation), id=annotation.id))
        option_list = self.option_list
        highlighted = option_list.highlighted_option
        option_list.clear_options()
        option_list.add_options(options)
        if highlighted is not None and highlighted.id is not None:
            # It may have been filtered out or deleted.
            with contextlib.suppress(OptionDoesNotExist):
                option_list.highlighted = option_list.get_option_index(highlighted.id)
        if option_list.highlighted is None:
            self.highlight_first()

    def action_filter(self) -> None:
        """`/` in the pane: to its filter box (tab moves between panes, not inside one)."""
        self.query_one("#notes-filter", Input).focus()

    async def action_leave(self) -> None:
        if self.query_one("#notes-filter", Input).has_focus:
            if self.option_list.highlighted is None:
                self.highlight_first()
            self.option_list.focus()
        else:
            await self.app.run_action("focus_pane('reader')")

    def highlight_first(self) -> None:
        """Put the list's cursor on the first annotation (so enter always has a target)."""
        option_list = self.option_list
        for index in range(option_list.option_count):
            if not option_list.get_option_at_index(index).disabled:
                option_list.highlighted = index
                return

    def on_mount(self) -> None:
        # The list itself may not be mounted yet when this pane is.
        self.call_after_refresh(self.rebuild)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self.rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = self.opened.annotations.get(event.option.id or "") if self.opened else None
        if chosen is not None:
            self.post_message(self.Chosen(chosen))

    def option_texts(self) -> list[str]:
        """The plain text of every entry listed (for tests)."""
        option_list = self.option_list
        return [
            str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)
        ]
