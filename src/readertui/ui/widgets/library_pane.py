"""The library pane: a filter, the documents with their metadata, the open document's outline
and the files that were skipped, with why.

Titles, authors, headings, tags and file names come from files: each is shown literally
(`ui.literal`), controls and markup included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message

from readertui.core.library import Library, LibraryEntry
from readertui.ui.literal import literal

if TYPE_CHECKING:
    from textual.widgets import Input, OptionList

    from readertui.core.outline import OutlineEntry

# Option ids say what an entry is: "doc:<rel path>", "at:<offset>", "tag:<tag>",
# "skipped:<n>".
DOC_PREFIX = "doc:"
OUTLINE_PREFIX = "at:"
TAG_PREFIX = "tag:"
SKIPPED_PREFIX = "skipped:"


def entry_matches(entry: LibraryEntry, query: str) -> bool:
    """Whether every word of `query` occurs in the entry's title, authors, date or path."""
    haystack = f"{entry.metadata.title} {entry.search_words}".casefold()
    return all(word in haystack for word in query.casefold().split())


def tag_tree(tags: dict[str, int]) -> list[tuple[str, int]]:
    """Tags with their parents filled in (`place` above `place/Xi'an`), each with the number
    of annotations carrying it or a tag below it, in tree order."""
    totals: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for tag, count in tags.items():
        parts = tag.split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            key = path.casefold()
            spelling.setdefault(key, path)
            totals[key] = totals.get(key, 0) + count
    ordered = sorted(totals, key=lambda key: key.split("/"))
    return [(spelling[key], totals[key]) for key in ordered]


class LibraryPane(Vertical):
    """Lists the library; `enter` opens a document or jumps to an outline entry."""

    # escape leaves the filter for the list, and the list for the reader.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Back", show=False),
        Binding("slash", "filter", "Filter", show=False),
    ]

    class DocumentChosen(Message):
        def __init__(self, rel_path: str) -> None:
            super().__init__()
            self.rel_path = rel_path

    class OutlineChosen(Message):
        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    class TagChosen(Message):
        """A tag was chosen: list every annotation carrying it."""

        def __init__(self, tag: str) -> None:
            super().__init__()
            self.tag = tag

    class SkippedChosen(Message):
        def __init__(self, rel_path: str, reason: str) -> None:
            super().__init__()
            self.rel_path = rel_path
            self.reason = reason

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.open_rel_path: str | None = None
        self.outline: list[OutlineEntry] = []
        self.filter_text = ""
        self.populated = False
        self.tags: dict[str, int] = {}

    def populate(self) -> None:
        """Mount the filter and the list (after the first paint: the text comes first)."""
        if self.populated:
            return
        self.populated = True
        from textual.widgets import OptionList

        from readertui.ui.widgets.literal_fields import LiteralInput

        self.mount(
            LiteralInput(placeholder="filter…", id="library-filter"), OptionList(id="library-list")
        )
        self.call_after_refresh(self.rebuild)

    @property
    def option_list(self) -> OptionList:
        from textual.widgets import OptionList

        return self.query_one("#library-list", OptionList)

    def set_tags(self, tags: dict[str, int]) -> None:
        """The tags in use, with counts (the tag browser)."""
        if tags != self.tags:
            self.tags = dict(tags)
            self.rebuild()

    def set_open_document(self, rel_path: str | None, outline: list[OutlineEntry]) -> None:
        self.open_rel_path = rel_path
        self.outline = outline
        self.rebuild()

    def rebuild(self) -> None:
        """List the documents matching the filter, the outline of the open one, the skipped."""
        if not self.populated or not self.query("#library-list"):
            return
        from textual.widgets.option_list import Option

        options: list[Option | None] = []
        entries = [e for e in self.library.entries if entry_matches(e, self.filter_text)]
        options.append(Option(Text(f"Documents ({len(entries)})", style="bold"), disabled=True))
        for entry in entries:
            options.append(Option(self._label(entry), id=DOC_PREFIX + entry.rel_path))
            if entry.rel_path == self.open_rel_path:
                for item in self.outline:
                    indent = "  " * item.level
                    options.append(
                        Option(
                            literal(indent + item.title, style="italic"),
                            id=f"{OUTLINE_PREFIX}{item.offset}",
                        )
                    )
        tags = tag_tree(self.tags)
        words = self.filter_text.casefold().split()
        tags = [(tag, count) for tag, count in tags if all(w in tag.casefold() for w in words)]
        if tags:
            options.append(None)
            options.append(Option(Text(f"Tags ({len(tags)})", style="bold"), disabled=True))
            for tag, count in tags:
                depth = tag.count("/")
                label = literal("  " * depth + "#" + tag.rsplit("/", 1)[-1])
                label.append(f"  {count}", style="dim")
                options.append(Option(label, id=TAG_PREFIX + tag))
        if self.library.skipped:
            options.append(None)
            count = len(self.library.skipped)
            options.append(Option(Text(f"Skipped ({count})", style="bold"), disabled=True))
            for number, skipped in enumerate(self.library.skipped):
                label = literal(skipped.rel_path)
                label.append("\n")
                label.append_text(literal(skipped.reason, style="dim"))
                options.append(Option(label, id=f"{SKIPPED_PREFIX}{number}"))
        option_list = self.option_list
        highlighted = option_list.highlighted_option
        option_list.clear_options()
        option_list.add_options(options)
        keep = highlighted.id if highlighted is not None else None
        if keep is not None and self._index_of(keep) is not None:
            option_list.highlighted = self._index_of(keep)

    def _label(self, entry: LibraryEntry) -> Text:
        meta = entry.metadata
        label = literal(meta.title or entry.rel_path)
        if entry.rel_path == self.open_rel_path:
            label.stylize("bold")
        byline = ", ".join(part for part in (", ".join(meta.authors), meta.date) if part)
        if byline:
            label.append("\n")
            label.append_text(literal(byline, style="dim"))
        return label

    def _index_of(self, option_id: str) -> int | None:
        try:
            return self.option_list.get_option_index(option_id)
        except Exception:
            return None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value
        self.rebuild()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """enter in the filter: to the list, on the first document that matched."""
        event.stop()
        self.focus_list(first_match=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith(DOC_PREFIX):
            self.post_message(self.DocumentChosen(option_id.removeprefix(DOC_PREFIX)))
        elif option_id.startswith(OUTLINE_PREFIX):
            self.post_message(self.OutlineChosen(int(option_id.removeprefix(OUTLINE_PREFIX))))
        elif option_id.startswith(TAG_PREFIX):
            self.post_message(self.TagChosen(option_id.removeprefix(TAG_PREFIX)))
        elif option_id.startswith(SKIPPED_PREFIX):
            item = self.library.skipped[int(option_id.removeprefix(SKIPPED_PREFIX))]
            self.post_message(self.SkippedChosen(item.rel_path, item.reason))

    def action_filter(self) -> None:
        """`/` in the pane: to its filter box (tab moves between panes, not inside one)."""
        if self.query("#library-filter"):
            self.query_one("#library-filter").focus()

    async def action_leave(self) -> None:
        if self.query("#library-filter") and self.query_one("#library-filter").has_focus:
            self.focus_list(first_match=True)
        else:
            await self.app.run_action("focus_pane('reader')")

    def focus_list(self, *, first_match: bool = False) -> None:
        """Focus the list, on the open document (or on the first document listed)."""
        option_list = self.option_list
        target = None if first_match else self._index_of(DOC_PREFIX + (self.open_rel_path or ""))
        if target is None:
            target = next(
                (
                    index
                    for index in range(option_list.option_count)
                    if (option_list.get_option_at_index(index).id or "").startswith(DOC_PREFIX)
                ),
                None,
            )
        if target is not None:
            option_list.highlighted = target
        option_list.focus()

    def option_texts(self) -> list[str]:
        """The plain text of every entry listed (for tests and the palette)."""
        option_list = self.option_list
        return [
            str(option_list.get_option_at_index(index).prompt)
            for index in range(option_list.option_count)
        ]
