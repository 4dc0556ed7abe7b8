"""The Cross-refs tab: what the library holds about the passage at the cursor (PRODUCT 7).

Four groups, in order: *Same passage* (the same or nearly the same text elsewhere, with its
similarity and the differing words marked), *Related* (other documents' passages sharing the
salient terms), *Shared tags* and *Links* (of the highlight under the cursor). Each entry
shows the document's title, where it is and a snippet; an empty group says why. What to
show is computed elsewhere (`ui.cross_references`): this widget only lists it, and posts
`Chosen` when an entry is picked with `enter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from readertui.ui.literal import literal
from readertui.ui.snippet_text import snippet_text

if TYPE_CHECKING:
    from readertui.index.results import CrossReference, CrossReferences, Group

_HEADINGS: dict[Group, str] = {
    "same": "Same passage",
    "related": "Related",
    "tag": "Shared tags",
    "link": "Links and backlinks",
}


def reference_where(reference: CrossReference) -> str:
    """Where an entry is, in words: its line, heading and kind (backlink) or similarity."""
    place = reference.place
    parts = [f"line {place.line}" if place.line is not None else "orphaned"]
    if place.heading:
        parts.append(place.heading)
    if reference.group == "same" and reference.score is not None:
        parts.append(f"{round(reference.score * 100)}% alike")
    elif reference.group == "backlink":
        parts.append("links here")
    elif reference.group == "link":
        parts.append("linked from here")
    return " · ".join(parts)


def reference_label(reference: CrossReference, *, title: Style, where: Style, mark: Style) -> Text:
    """An entry as list text: the document's title and where, then the snippet."""
    label = literal(reference.place.title or reference.place.path, style=title)
    label.append("  ")
    label.append_text(literal(reference_where(reference), style=where))
    label.append("\n")
    label.append_text(snippet_text(reference.snippet, mark))
    return label


class XrefPane(Vertical):
    """Lists the cross-references of one passage; posts `Chosen` for the one picked."""

    DEFAULT_CSS = """
    XrefPane {
        height: 1fr;
    }

    #xref-about {
        height: auto;
        max-height: 8;
        color: $text-muted;
        padding: 0 1;
    }

    #xref-list {
        height: 1fr;
        border: none;
        padding: 0;
    }
    """

    # escape leaves the list for the reader (the reader's own escape cancels a selection).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.focus_pane('reader')", "Back to the reader", show=False)
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "xref-pane--heading",
        "xref-pane--title",
        "xref-pane--where",
        "xref-pane--match",
    }

    DEFAULT_CSS += """
    XrefPane > .xref-pane--heading {
        text-style: bold;
        color: $accent;
    }

    XrefPane > .xref-pane--title {
        text-style: bold;
    }

    XrefPane > .xref-pane--where {
        color: $text-muted;
    }

    XrefPane > .xref-pane--match {
        text-style: bold reverse;
    }
    """

    class Chosen(Message):
        """`enter` on an entry: go there."""

        def __init__(self, reference: CrossReference) -> None:
            super().__init__()
            self.reference = reference

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: The entries by option index (None for headings and "why empty" lines).
        self.entries: list[CrossReference | None] = []
        #: What the pane says, as plain lines (for messages and tests).
        self.about = ""
        self._shown: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="xref-about")
        yield OptionList(id="xref-list")

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#xref-list", OptionList)

    def show_message(self, message: str) -> None:
        """No references to list: say why (no document, the index being built, an error)."""
        if self._shown == ("message", message):
            return
        self._shown = ("message", message)
        self._set_about(message)
        self.entries = []
        self.option_list.clear_options()

    def _set_about(self, about: str) -> None:
        """Put `about` in the line above the list. The screen is laid out again only when
        it takes another number of rows: a layout repaints every pane (tens of ms)."""
        label = self.query_one("#xref-about", Static)
        width = label.content_region.width
        console = self.app.console
        rows = _rows(about, width, console)
        label.update(literal(about), layout=rows != _rows(self.about, width, console) or not width)
        self.about = about

    def show(self, references: CrossReferences, about: str, *, highlight: bool) -> None:
        """List `references` (of the passage `about` describes); `highlight` says whether a
        highlight is under the cursor (the tag and link groups are its)."""
        key = ("references", references, about, highlight)
        if self._shown == key:
            return  # the same answer again (the cursor moved within the passage)
        self._shown = key
        self._set_about(about)
        heading = self.get_component_rich_style("xref-pane--heading")
        title = self.get_component_rich_style("xref-pane--title")
        where = self.get_component_rich_style("xref-pane--where")
        mark = self.get_component_rich_style("xref-pane--match")
        options: list[Option] = []
        entries: list[CrossReference | None] = []
        for group, found in references.groups():
            options.append(Option(Text(_HEADINGS[group], style=heading), disabled=True))
            entries.append(None)
            if not found:
                why = _why_empty(group, references, highlight)
                options.append(Option(Text(f"  {why}", style="dim italic"), disabled=True))
                entries.append(None)
            for reference in found:
                label = reference_label(reference, title=title, where=where, mark=mark)
                options.append(Option(label))
                entries.append(reference)
        option_list = self.option_list
        # In one step: clearing first would empty the list, hide its scroll bar and lay the
        # screen out, then show the bar and lay it out again (tens of ms each).
        option_list.set_options(options)
        self.entries = entries
        first = next((i for i, entry in enumerate(entries) if entry is not None), None)
        if first is not None and option_list.has_focus:
            option_list.highlighted = first

    def references(self) -> list[CrossReference]:
        """The entries listed, in order."""
        return [entry for entry in self.entries if entry is not None]

    def focus_list(self) -> None:
        """Focus the list, on its first entry."""
        option_list = self.option_list
        if option_list.highlighted is None:
            first = next((i for i, entry in enumerate(self.entries) if entry is not None), None)
            if first is not None:
                option_list.highlighted = first
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        if 0 <= index < len(self.entries):
            entry = self.entries[index]
            if entry is not None:
                self.post_message(self.Chosen(entry))


def _why_empty(group: Group, references: CrossReferences, highlight: bool) -> str:
    if group in ("tag", "link") and not highlight:
        return "No highlight at the cursor."
    if group == "tag":
        return "No other highlight shares a tag with this one."
    if group == "link":
        return "No links to or from this highlight (L links it)."
    if group == "same":
        return "This passage is not elsewhere in the library."
    return "No other passage shares this one's salient terms."


def _rows(text: str, width: int, console: Console) -> int:
    """How many rows `text` wraps to in `width` cells (at most the label's 8)."""
    if width <= 0:
        return 1
    return min(len(Text(text).wrap(console, width)), 8)
