"""The reading screen: the three panes and the one owner of what is open.

It holds the open document as one `OpenDocument` value, replaced whole whenever it changes
and handed to the widgets that show it; every jump goes through its `Navigation` (which keeps
the jump history); documents are opened through the core `Workspace`. Annotating, find and
exports are small helpers that talk to it through protocols. The app around it is wiring.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from readertui.collector_pause import freeze_startup_objects, resume_collector
from readertui.config import Config
from readertui.core.annotations import Annotation, has_tag, tags_include
from readertui.core.citation import in_quotation_marks
from readertui.core.document import Document
from readertui.core.jump_history import JumpHistory
from readertui.core.library import Library, LibraryEntry
from readertui.core.location import Location
from readertui.core.open_document import OpenDocument
from readertui.core.outline import OutlineEntry
from readertui.core.shortening import one_line
from readertui.core.visible import visible_line
from readertui.core.workspace import Workspace
from readertui.errors import ReaderError
from readertui.formats.converted import ConvertedFormat
from readertui.store.layout import jump_history_key
from readertui.ui.keymap import KeySpec
from readertui.ui.literal import literal
from readertui.ui.navigation import Navigation
from readertui.ui.widgets.document_header import DocumentHeader
from readertui.ui.widgets.library_pane import LibraryPane
from readertui.ui.widgets.reader_view import ReaderPosition, ReaderView
from readertui.ui.widgets.sidebar import Sidebar
from readertui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual.widget import Widget

    from readertui.core.undo import Change
    from readertui.store.save_queue import SaveQueue
    from readertui.store.store import Store
    from readertui.ui.annotating import Annotating
    from readertui.ui.cross_references import CrossReferenceFollower
    from readertui.ui.exports import Exports
    from readertui.ui.finding import Finding
    from readertui.ui.index_keeper import IndexKeeper
    from readertui.ui.library_lookup import LibraryLookups
    from readertui.ui.widgets.find_bar import FindBar
    from readertui.ui.widgets.notes_pane import NotesPane
    from readertui.ui.widgets.xref_pane import XrefPane

# The quote and note of an annotation listed in the palette (a tag's annotations), in cells.
_PICKED_QUOTE_CHARS = 80
_PICKED_NOTE_CHARS = 60
# Below these widths the side panes fold away until asked for (PRODUCT 3: usable at 80x24).
LIBRARY_MIN_WIDTH = 100
SIDEBAR_MIN_WIDTH = 120
MIN_SIZE = (40, 10)
# Documents up to this size are read before the first paint (a few milliseconds), so the
# first screen already shows the text; larger ones load in a worker with "Opening…" shown.
SYNC_LOAD_BYTES = 8 * 1024 * 1024
# The reading position is written this long after the cursor stops moving.
SAVE_DELAY = 0.5
# The characters at the cursor looked for when a web page switches view (`r`).
_RELOCATE_CHARS = 60


#: How long the first document may take to convert before the rest of the screen is
#: mounted without it (seconds).
EARLY_START_AFTER = 1.0


class ReaderScreen(Screen[None]):
    """The library, the reader and the sidebar, with the status line and footer."""

    def __init__(
        self,
        library: Library,
        store: Store | None,
        saves: SaveQueue | None,
        config: Config,
        *,
        open_path: Path | None = None,
        problems: tuple[str, ...] = (),
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__(id="_default", classes="-starting")
        self._keymap = keymap or {}
        self._library = library
        self._store = store
        self._saves = saves
        self._config = config
        self.open_path = open_path
        self.problems = problems
        self._workspace = Workspace(library, max_bytes=config.max_document_bytes)
        self._opened: OpenDocument | None = None
        # None: follow the terminal's width; True/False: the user's choice (F2/F3).
        self.pane_choice: dict[str, bool | None] = {"library": None, "sidebar": None}
        self.peeking: set[str] = set()
        self._width, self._height = 0, 0
        self._save_timer: Timer | None = None
        self._unsaved: tuple[str, int] | None = None
        self.tag_counts: dict[str, int] = {}
        self.started = False
        # The index waits for the first document's conversion to end (`_finish_startup`).
        self._index_after_document = False
        self._resumed = False
        self._too_small_mounted = False
        self._focus_before_too_small: Widget | None = None
        self._first_start = False
        self._first_peek = False
        self._first_offset = 0
        # The document and the words at the cursor to find again in the document shown next
        # (a web page switched to its whole text or back: `r`).
        self._relocate: tuple[str, str, str] | None = None
        self._find_bar: FindBar | None = None
        # Annotating (editing, undo, the clipboard) is read in when first used: after the
        # first paint, which places the open document's annotations (see _painted).
        self._annotating: Annotating | None = None
        # The library index (built in the background after start-up), ctrl+f and *, and
        # the Cross-refs tab following the cursor.
        self._keeper: IndexKeeper | None = None
        self._lookups: LibraryLookups | None = None
        self._follower: CrossReferenceFollower | None = None
        self._exports: Exports | None = None
        # Find (and its folding tables) is read in when `/` is first pressed.
        self._finding: Finding | None = None
        self._library_pane = LibraryPane(library, id="library")
        self._reader_view = ReaderView(reading_width=config.reading_width, id="reader")
        self._doc_header = DocumentHeader(id="doc-header")
        self._sidebar = Sidebar(id="sidebar")
        self._status_line = StatusLine(id="status")
        self._navigation = Navigation(
            self._kept_history(), self._reader_view, self._open_at, self._keep_history
        )
        self._reader_view.jumps = self._navigation

    # -- what the helpers and the app read ------------------------------------------------------

    @property
    def exports(self) -> Exports:
        """Exports, with their code read when first used (start-up does without it)."""
        if self._exports is None:
            from readertui.ui.exports import Exports

            self._exports = Exports(self)
        return self._exports

    @property
    def finding(self) -> Finding:
        if self._finding is None:
            from readertui.ui.finding import Finding

            self._finding = Finding(self)
        return self._finding

    @property
    def annotating(self) -> Annotating:
        if self._annotating is None:
            from readertui.ui.annotating import Annotating

            self._annotating = Annotating(self)
        return self._annotating

    @property
    def library(self) -> Library:
        return self._library

    @property
    def library_key(self) -> str:
        return self._library.key

    @property
    def store(self) -> Store | None:
        return self._store

    @property
    def saves(self) -> SaveQueue | None:
        return self._saves

    @property
    def config(self) -> Config:
        return self._config

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    @property
    def keymap(self) -> dict[str, str]:
        """The user's keys by binding id (the palette names the keys in effect)."""
        return dict(self._keymap)

    @property
    def navigation(self) -> Navigation:
        return self._navigation

    @property
    def opened(self) -> OpenDocument | None:
        """The open document (None until one is open)."""
        return self._opened

    @property
    def document(self) -> Document | None:
        return self._opened.document if self._opened is not None else None

    @property
    def outline(self) -> tuple[OutlineEntry, ...]:
        return self._opened.outline if self._opened is not None else ()

    @property
    def reader(self) -> ReaderView:
        return self._reader_view

    @property
    def status(self) -> StatusLine:
        return self._status_line

    @property
    def find_bar(self) -> FindBar:
        assert self._find_bar is not None, "the find bar is mounted after the first paint"
        return self._find_bar

    @property
    def library_pane(self) -> LibraryPane:
        return self._library_pane

    @property
    def sidebar(self) -> Sidebar:
        return self._sidebar

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            self._library_pane.border_title = "Library"
            yield self._library_pane
            with Vertical(id="reader-pane") as reader_pane:
                reader_pane.border_title = "Reader"
                yield self._doc_header
                yield self._reader_view
            self._sidebar.border_title = "Notes"
            yield self._sidebar
        yield self._status_line
        # The footer, the library list and the find bar are mounted just after the first
        # paint, so the text is on screen sooner; this keeps the footer's row meanwhile.
        yield Static(" ", id="footer-slot")
        # The "too small" message is mounted the first time the terminal is (_apply_layout).

    def on_mount(self) -> None:
        self.reader.position_listener = self._position_changed
        self._width, self._height = self.app.size
        self._apply_layout()
        self.reader.focus()
        for problem in self.problems:
            self.app.notify(problem, severity="error", timeout=20, markup=False)
        for notice in self._store.notices() if self._store is not None else ():
            self.app.notify(notice, severity="warning", timeout=20)
        if self._saves is None:
            self.status.saved_state = "not saving"
        self.status.show()
        # What start-up made so far lives as long as the app; the document does not.
        freeze_startup_objects()
        first = self._first_document()
        if first is not None:
            self.open_document(first)
        else:
            self._doc_header.update(literal(f"No documents in {self._library.root}"))
            self.call_after_refresh(self._finish_startup)

    def _first_document(self) -> str | None:
        if self.open_path is not None:
            entry = self._library.entry_for_path(self.open_path)
            if entry is not None:
                return entry.rel_path
            self.app.notify(
                f"{self.open_path.name} is not a document that can be opened",
                severity="error",
                markup=False,
            )
        if self._saves is not None:
            last = self._saves.last_document(library=self.library_key)
            if last is not None and self._library.find(last) is not None:
                return last
        # The very first start in this library: the library is shown as well (see
        # _finish_startup), so a newcomer sees there is more than this document.
        self._first_start = True
        return self._library.entries[0].rel_path if self._library.entries else None

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first resume follows the mounting of this screen, which styled every widget
        # just now (and focus, classes and themes set since restyled what they touched):
        # styling them all again would change nothing and costs a pass over the whole
        # screen before the first paint. Later resumes (after a dialog) restyle as usual.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        # The app's own size is updated a moment later: lay out for the size in the event.
        self._width, self._height = event.size
        self._apply_layout()

    def _pane_visible(self, name: str) -> bool:
        choice = self.pane_choice[name]
        if name in self.peeking:
            return True
        if choice is not None:
            return choice
        minimum = LIBRARY_MIN_WIDTH if name == "library" else SIDEBAR_MIN_WIDTH
        return self._width >= minimum

    def _apply_layout(self) -> None:
        width, height = self._width, self._height
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        if too_small and not self._too_small_mounted:
            self._too_small_mounted = True
            message = (
                f"The terminal is too small.\nreadertui needs at least {MIN_SIZE[0]}×{MIN_SIZE[1]}."
            )
            self.mount(Static(Text(message), id="too-small"))
        if too_small != self.has_class("-too-small"):
            if too_small:
                # Hidden, the focused widget loses the focus: given back when there is room.
                self._focus_before_too_small = self.focused
            else:
                self.call_after_refresh(self._focus_again, self._focus_before_too_small)
        self.set_class(too_small, "-too-small")
        for pane, name in ((self.library_pane, "library"), (self.sidebar, "sidebar")):
            visible = self._pane_visible(name)
            if pane.display != visible:
                pane.display = visible

    def _focus_again(self, widget: Widget | None) -> None:
        """After the terminal was too small: the focus where it was (the reader if that is
        gone), unless something took it meanwhile."""
        if self.focused is not None or self.has_class("-too-small"):
            return
        if widget is not None and widget.is_attached and widget.focusable:
            widget.focus()
        else:
            self.reader.focus()

    def focus_pane(self, name: str) -> None:
        """`1` `2` `3`: focus a pane, unfolding it for a moment on a narrow terminal."""
        self._first_peek = False
        if name == "reader":
            self.peeking.clear()
            self._apply_layout()
            self.reader.focus()
            return
        if not self._pane_visible(name) or self.peeking - {name}:
            # One folded pane unfolded at a time: the reader keeps its room.
            self.peeking.intersection_update({name})
            if not self._pane_visible(name):
                self.peeking.add(name)
            self._apply_layout()
        if name == "library":
            self.library_pane.focus_list()
        else:
            self.sidebar.focus_active()

    def _show_library_first(self) -> None:
        """The very first start: the library is unfolded beside the text (the keys stay the
        reader's), until the cursor first moves or another pane is asked for."""
        self._first_offset = self.reader.cursor
        if not self._pane_visible("library"):
            self.peeking.add("library")
            self._first_peek = True
            self._apply_layout()

    def step_pane(self, step: int) -> None:
        """`tab` / `shift+tab`: the next or previous pane (library, reader, sidebar), unfolding
        a folded one as `1` and `3` do."""
        if not self.started:
            return
        order = ("library", "reader", "sidebar")
        focused = self.focused
        here = "reader"
        if focused is not None:
            for name in ("library", "sidebar"):
                if self._inside(name, focused):
                    here = name
        self.focus_pane(order[(order.index(here) + step) % len(order)])

    def toggle_pane(self, name: str) -> None:
        """F2 / F3: show or hide a side pane until asked again."""
        visible = self._pane_visible(name)
        self.peeking.discard(name)
        self.pane_choice[name] = not visible
        self._apply_layout()
        if visible and self.focused is not None and self._inside(name, self.focused):
            self.reader.focus()

    def _inside(self, name: str, widget: Widget) -> bool:
        pane = self.library_pane if name == "library" else self.sidebar
        return pane in widget.ancestors_with_self

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A pane unfolded with 1 or 3 folds away again once the reader has the focus.
        if self.peeking and event.widget is self.reader:
            self.peeking.clear()
            self._apply_layout()

    # -- the open document ----------------------------------------------------------------------

    def replace_opened(self, opened: OpenDocument, changes: Sequence[Change] | None = None) -> None:
        """The open document changed (edits, placed annotations, outline): show the new one.

        `changes`, when given, are all that changed in the annotations (an edit's)."""
        if self._opened is not None and opened.document is not self._opened.document:
            return  # from a document no longer open
        before, self._opened = self._opened, opened
        self.reader.update_document(opened)
        self.sidebar.show_annotations(opened)
        self._show_counts(opened)
        self._annotations_changed(before, opened, changes)

    def reload_annotations(self) -> None:
        """Read the open document's annotations again (changes were merged from elsewhere)."""
        opened, saves = self._opened, self._saves
        if opened is None or saves is None:
            return
        stored = saves.annotations(opened.rel_path, library=self.library_key)
        fresh = OpenDocument.opened(opened.document, stored).with_outline(opened.outline)
        self._opened = fresh
        self.reader.update_document(fresh)
        self.sidebar.show_annotations(fresh)
        self.annotating.place(fresh)
        self._annotations_changed(opened, fresh)
        self._show_counts(fresh)

    def _show_counts(self, opened: OpenDocument) -> None:
        """The status line's count of the open document's highlights and notes."""
        highlights, notes = opened.highlight_counts()
        counts = f"{highlights:,} highlight{'s' if highlights != 1 else ''}"
        if notes:
            counts += f", {notes:,} note{'s' if notes != 1 else ''}"
        if counts != self.status.counts:
            self.status.counts = counts
            self.status.show()

    def _annotations_changed(
        self,
        before: OpenDocument | None,
        after: OpenDocument,
        changes: Sequence[Change] | None = None,
    ) -> None:
        """Tell the library index (and the Cross-refs tab) what changed in the annotations."""
        old = before.annotations if before is not None else {}
        new = after.annotations
        if old is new:
            return
        if changes is not None:
            # An edit says which annotations it touched: no comparing thousands per key.
            # Each is told as it is now (an edit touching one twice ends in one state).
            touched = {change.annotation_id for change in changes}
            changed = [new[key] for key in touched if key in new]
            removed = [key for key in touched if key not in new and key in old]
        else:
            # Unchanged annotations are the very same objects: compared by identity first.
            changed = [a for key, a in new.items() if (was := old.get(key)) is not a and was != a]
            removed = list(old.keys() - new.keys())
        if not changed and not removed:
            return
        if self._keeper is not None:
            self._keeper.annotations_changed(changed, removed)
        if self._follower is not None:
            self._follower.refresh()

    def open_document(self, rel_path: str) -> None:
        """Open a library document at its reading position (a jump: `ctrl+o` comes back)."""
        entry = self._library.find(rel_path)
        if entry is None:
            self.app.notify(f"{rel_path} is not in the library", severity="error", markup=False)
            return
        if self.document is not None and self.document.rel_path == rel_path:
            return
        position = (
            self._saves.reading_position(rel_path, library=self.library_key)
            if self._saves
            else None
        )
        self._navigation.go(Location(rel_path, position or 0))

    def go_to_offset(self, offset: int) -> None:
        """A jump in the open document (the outline, the palette's headings)."""
        self._navigation.jump_within(offset)

    def _open_at(self, target: Location) -> None:
        """Show `target`'s document (reading it if need be) at `target`."""
        entry = self._library.find(target.document)
        if entry is None:
            self.app.notify(
                f"{target.document} is no longer in the library", severity="error", markup=False
            )
            return
        self._save_position()
        loaded = self._workspace.loaded(target.document)
        # A book, page or PDF not converted yet takes seconds: never on the UI thread.
        if loaded is not None or (
            entry.size <= SYNC_LOAD_BYTES and not self._workspace.needs_converting(target.document)
        ):
            try:
                document = loaded or self._workspace.load(target.document)
            except ReaderError as error:
                self._load_failed(str(error))
            else:
                self._show_document(document, target)
            return
        title = entry.metadata.title or target.document
        self._doc_header.update(literal(f"Opening {title}…"))
        self.app.run_worker(
            partial(self._load, target),
            thread=True,
            exclusive=True,
            group="load",
            description="load a document",
        )

    def _load(self, target: Location) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        try:
            converting = self._workspace.needs_converting(target.document)
            if converting:
                self.app.call_from_thread(self._converting)
            # A long file's beginning (a PDF's first pages) is read while the rest converts.
            start = self._workspace.load_start(target.document) if converting else None
            if start is not None and not worker.is_cancelled:
                self.app.call_from_thread(self._show_document, start, target)
            document = self._workspace.load(target.document)
        except ReaderError as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._load_failed, str(error))
            return
        if worker.is_cancelled:
            return  # another document was asked for meanwhile
        if start is not None:
            self.app.call_from_thread(self._show_whole, start, document, target)
        else:
            self.app.call_from_thread(self._show_document, document, target)

    def _show_whole(self, start: Document, document: Document, target: Location) -> None:
        """The whole conversion, in place of its beginning shown meanwhile: the cursor and
        what is on screen stay (the beginning's text is the whole's prefix), unless the
        cursor waited at the end of the beginning for a place beyond it."""
        if self.document is not start:
            return  # another document is open now
        here = self.reader.location
        end = len(start.text)
        # Within a character of the end: clamped there (a final newline has no row).
        waited = target.offset > end and (here is None or here.offset + 1 >= end)
        self._show_document(document, target if waited or here is None else here)

    def _converting(self) -> None:
        self._set_loading("converting…")
        if not self.started:
            # The first document is being converted. Most take under a second, and the rest
            # of the screen is mounted once it is shown, as for a text; one that takes longer
            # gets the screen up meanwhile (the library, the footer, `q`) instead of holding
            # every key until it is done.
            self.set_timer(EARLY_START_AFTER, self._start_while_converting)

    def _start_while_converting(self) -> None:
        if not self.started and self.status.opening == "converting…":
            self._finish_startup()

    def _set_loading(self, state: str) -> None:
        if state != self.status.opening:
            self.status.opening = state
            self.status.show()

    def _load_failed(self, message: str) -> None:
        self._set_loading("")
        self.call_after_refresh(self._finish_startup)
        self.call_after_refresh(self._start_index_if_waiting)
        self._doc_header.update(Text(""))
        self.app.notify(message, severity="error", markup=False)

    def _show_document(self, document: Document, target: Location) -> None:
        relocate, self._relocate = self._relocate, None
        if relocate is not None and relocate[0] == document.rel_path:
            found = _found_again(document.text, relocate[1], relocate[2])
            if found is not None:
                target = Location(document.rel_path, found)
        stored = (
            self._saves.annotations(document.rel_path, library=self.library_key)
            if self._saves is not None
            else []
        )
        opened = OpenDocument.opened(document, stored)
        self._opened = opened
        self._set_loading("converting…" if document.partial else "")
        self._close_find()
        self.reader.show_document(opened, target.offset, self._config.reflow, target.top)
        self.sidebar.show_annotations(opened)
        meta = document.metadata
        self._doc_header.show(meta.title or document.rel_path, meta)
        entries = self._library.entries
        number = next(
            (n for n, entry in enumerate(entries, 1) if entry.rel_path == document.rel_path), 0
        )
        self.status.place = f"{number}/{len(entries)}" if number else ""
        self.status.title = meta.title or document.rel_path
        self._show_counts(opened)
        self.library_pane.set_open_document(document.rel_path, [])
        self.app.title = visible_line(f"readertui — {meta.title or document.rel_path}")
        self.call_after_refresh(self._painted, document)
        if document.converted is not None:
            from readertui.core.conversion_cache import take_notice

            notice = take_notice()
            if notice is not None:
                self.app.notify(notice, severity="warning", timeout=10, markup=False)

    def _painted(self, document: Document) -> None:
        # What the first screen of text does not need waits until it is painted.
        self._finish_startup()
        self._start_index_if_waiting()
        if not self.started or document is not self.document or self._opened is None:
            return
        # Placed in today's text (in a worker) once the text is on screen, not before: the
        # stored places are shown meanwhile, and are right unless the file changed. Never in
        # a beginning shown while the rest converts: those beyond it would be orphaned.
        if not document.partial:
            self.annotating.place(self._opened)
        self._show_facts()
        if self._saves is not None:
            self._saves.set_last_document(document.rel_path, library=self.library_key)
        self.app.run_worker(
            partial(self._build_outline, document),
            thread=True,
            exclusive=True,
            group="outline",
            description="build the outline",
        )

    def _build_outline(self, document: Document) -> None:
        outline = self._workspace.outline(document)
        self.app.call_from_thread(self._outline_ready, document, outline)

    def _outline_ready(self, document: Document, outline: tuple[OutlineEntry, ...]) -> None:
        opened = self._opened
        if opened is None or opened.document is not document:
            return
        self.replace_opened(opened.with_outline(outline))
        self.library_pane.set_open_document(document.rel_path, list(outline))

    def _finish_startup(self) -> None:
        """Mount what the first paint could do without: footer, library list, find bar."""
        if self.started or not self.library_pane.is_attached:
            # Started already, or the app is ending before its first paint was followed up
            # (quit at once): there is nothing to mount into.
            return
        self.started = True
        self.remove_class("-starting")
        from textual.widgets import Footer

        from readertui.ui.widgets.find_bar import FindBar

        self.library_pane.populate()
        self._count_tags()
        self.sidebar.populate()
        self._find_bar = FindBar(id="find-bar")
        self.query_one("#reader-pane").mount(self._find_bar)
        self.query_one("#footer-slot").remove()
        self.mount(Footer(), after=self._status_line)
        # A footer mounted late has missed the bindings signal: send it again.
        self.call_after_refresh(self.app.refresh_bindings)
        self.post_message(self.Started())
        if self._first_start:
            self.call_after_refresh(self._show_library_first)
        # The library index is brought up to date in the background (PRODUCT 7); while the
        # first document is still being converted, once it is shown (both want the CPUs).
        if self.document is None and self.status.opening == "converting…":
            self._index_after_document = True
        else:
            self.call_after_refresh(self.keeper.start)
        # Start-up is over once what was just mounted is on screen: collect as usual again.
        self.call_after_refresh(resume_collector)

    def _start_index_if_waiting(self) -> None:
        if self._index_after_document and not document_partial(self.document):
            self._index_after_document = False
            self.call_after_refresh(self.keeper.start)

    class Started(Message):
        """The first screen of text is shown and the rest of the screen is mounted."""

    def _show_facts(self, tags: tuple[str, ...] | None = None) -> None:
        if self.document is None:
            return
        if tags is None:
            tags = (
                self._saves.document_tags(self.document.rel_path, library=self.library_key)
                if self._saves
                else ()
            )
        self.sidebar.show_document(self.document, self.reader.reflow, tags)

    def document_tags_changed(self, tags: tuple[str, ...]) -> None:
        self._show_facts(tags)
        self._count_tags()
        self.app.notify("Document tags saved: " + (", ".join(tags) or "none"), markup=False)

    @on(LibraryPane.DocumentChosen)
    def _document_chosen(self, event: LibraryPane.DocumentChosen) -> None:
        self.open_document(event.rel_path)
        self.focus_pane("reader")

    @on(LibraryPane.OutlineChosen)
    def _outline_chosen(self, event: LibraryPane.OutlineChosen) -> None:
        self.go_to_offset(event.offset)
        self.focus_pane("reader")

    @on(LibraryPane.SkippedChosen)
    def _skipped_chosen(self, event: LibraryPane.SkippedChosen) -> None:
        self.app.notify(f"{event.rel_path} was skipped: {event.reason}", markup=False)

    def choose_document(self) -> None:
        """`o`: choose a document by (fuzzy) name."""
        from readertui.ui.choices import Choice, offer_choices

        choices = [
            Choice(
                entry.metadata.title or entry.rel_path,
                partial(self.open_document, entry.rel_path),
                entry.metadata.byline() or entry.rel_path,
                also=entry.search_words,
            )
            for entry in self._library.entries
        ]
        offer_choices(self.app, choices, placeholder="Open a document…")

    # -- the jump history -----------------------------------------------------------------------

    def _kept_history(self) -> JumpHistory:
        kept = (
            self._saves.session_value(jump_history_key(self.library_key))
            if self._saves is not None
            else None
        )
        history = JumpHistory.from_record(kept)
        for document in history.documents():
            if self._library.find(document) is None:
                history.forget_document(document)  # renamed or removed since
        return history

    def _keep_history(self, history: JumpHistory) -> None:
        if self._saves is not None:
            self._saves.set_session_value(jump_history_key(self.library_key), history.to_record())

    def jump_back(self) -> None:
        """`ctrl+o`: back to where the last jump left from, in the reader (from a side pane
        too, even with nowhere to go back to: the keys typed next are the reader's)."""
        self.focus_pane("reader")
        if not self._navigation.back():
            self.app.notify("No earlier place to go back to.", timeout=2)

    def jump_forward(self) -> None:
        """`ctrl+n`: forward again, after going back (in the reader, as `ctrl+o`)."""
        self.focus_pane("reader")
        if not self._navigation.forward():
            self.app.notify("No later place to go forward to.", timeout=2)

    # -- the reading position -------------------------------------------------------------------

    @on(ReaderView.CursorMoved)
    def _cursor_moved(self, event: ReaderView.CursorMoved) -> None:
        self._position_changed(event.position)

    def _position_changed(self, position: ReaderPosition) -> None:
        """The reader's cursor moved (told at once: see ReaderView.position_listener)."""
        status = self.status
        status.position = position
        status.reflow = self.reader.reflow
        status.mode = "VISUAL" if position.selecting else self._base_mode()
        document = self.document
        section = document.section_at(position.offset) if document is not None else None
        status.section = section.label if section is not None else ""
        # A beginning shown while the rest converts holds the cursor at its end for a place
        # beyond it: that is no reading position to keep.
        if document is not None and self._saves is not None and not document.partial:
            self._unsaved = (document.rel_path, position.offset)
            if self._save_timer is not None:
                self._save_timer.stop()
            self._save_timer = self.set_timer(SAVE_DELAY, self._save_position)
        status.show()
        if self._follower is not None:
            self._follower.cursor_moved()
        if self._first_peek and position.offset != self._first_offset:
            # Reading has begun: the library shown at the first start folds away.
            self._first_peek = False
            self.peeking.discard("library")
            self._apply_layout()

    def _base_mode(self) -> str:
        return "FIND" if self._finding is not None and self._finding.active else "NORMAL"

    def save_position(self) -> None:
        """Queue the reading position now (the app is ending, or exporting)."""
        self._save_position()

    def _save_position(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        if self._unsaved is None or self._saves is None:
            return
        rel_path, offset = self._unsaved
        self._unsaved = None
        self._saves.set_reading_position(rel_path, offset, library=self.library_key)

    def show_save_label(self, label: str) -> None:
        self.status.saved_state = label
        self.status.show()

    # -- the library: search and concordance -----------------------------------------------------

    def library_search(self) -> None:
        """`ctrl+f`: search the whole library."""
        if self.started:
            self._library_lookups().search()

    def concordance(self) -> None:
        """`*`: every occurrence of the word under the cursor, across the library."""
        if self.started and self.document is not None:
            self._library_lookups().concordance(self.document.text, self.reader.cursor)

    def _library_lookups(self) -> LibraryLookups:
        if self._lookups is None:
            from readertui.ui.library_lookup import LibraryLookups

            self._lookups = LibraryLookups(self, self.keeper)
        return self._lookups

    @property
    def keeper(self) -> IndexKeeper:
        """The library index, kept up to date in the background."""
        if self._keeper is None:
            from readertui.ui.index_keeper import IndexKeeper

            self._keeper = IndexKeeper(self)
        return self._keeper

    @property
    def takes_keys(self) -> bool:
        """Whether keys can go where they are typed: the first screen of text is up."""
        return self.started

    def close_library_lookups(self) -> None:
        """The app is ending: stop the index's work and close it."""
        if self._follower is not None:
            self._follower.stop()
        if self._keeper is not None:
            self._keeper.close()

    def library_annotations(self) -> list[Annotation]:
        """Every annotation of this library (for the index's `tag:` and `note:`)."""
        return self._saves.annotations(library=self.library_key) if self._saves else []

    def go(self, target: Location, *, mark: tuple[int, int] | None = None) -> None:
        """Go to `target` (a jump: `ctrl+o` comes back) and read there, with text[start:end]
        of its document marked when `mark` is given (the passage or words jumped to)."""
        if mark is not None:
            self.reader.mark(target.document, *mark)
        self._navigation.go(target)
        self.focus_pane("reader")

    # -- cross-references -------------------------------------------------------------------------

    def show_cross_references(self) -> None:
        """`x`: the Cross-refs tab, focused, on the passage at the cursor."""
        if not self.started:
            return
        if not self._pane_visible("sidebar"):
            self.peeking.add("sidebar")
            self._apply_layout()
        self.sidebar.focus_xref()
        keeper = self.keeper
        if not keeper.ready and not keeper.updating:
            keeper.refresh()  # not built at start-up (or it failed): build it now
        self.call_after_refresh(self._follow_cursor().refresh)

    def _follow_cursor(self) -> CrossReferenceFollower:
        if self._follower is None:
            from readertui.ui.cross_references import CrossReferenceFollower

            self._follower = CrossReferenceFollower(self, self.keeper)
        return self._follower

    @property
    def background_gate(self) -> threading.Event | None:
        gate = getattr(self.app, "background_gate", None)
        return gate if isinstance(gate, threading.Event) else None

    def xref_pane(self) -> XrefPane | None:
        """The Cross-refs tab's pane when it is on screen."""
        return self.sidebar.xref

    def cursor_and_highlight(self) -> tuple[int, Annotation | None]:
        """The cursor's offset and the highlight under it."""
        reader = self.reader
        return reader.cursor, reader.highlights.at(reader.cursor)

    def on_xref_pane_chosen(self, event: XrefPane.Chosen) -> None:
        place = event.reference.place
        if place.line is None:  # an orphaned highlight has no place to go to
            self.app.notify("That highlight is orphaned: its quote is not in its document.")
            return
        self.go(Location(place.path, place.start), mark=(place.start, place.end))

    def on_tabbed_content_tab_activated(self, event: object) -> None:
        # The Cross-refs tab shown (by key or mouse): bring it up to the cursor.
        if self.sidebar.xref is not None:
            self._follow_cursor().refresh()

    # -- find -----------------------------------------------------------------------------------

    def find(self) -> None:
        if self.document is None or not self.started:
            return
        self.finding.start()

    def on_find_bar_query_changed(self, event: FindBar.QueryChanged) -> None:
        self.finding.query_changed(event.query)

    def on_find_bar_step(self, event: FindBar.Step) -> None:
        self.finding.step(event.forward)

    def on_find_bar_closed(self, event: FindBar.Closed) -> None:
        self._close_find()
        self.reader.focus()

    def _close_find(self) -> None:
        if self._finding is not None:
            self._finding.close(find_bar_mounted=self.started)
            return
        # Find was never opened, so no match was ever shown: the status line is left as
        # closing it would leave it.
        status = self.status
        status.mode = "NORMAL"
        status.find_state = ""
        status.show()

    # -- annotations ----------------------------------------------------------------------------

    @on(ReaderView.HighlightAsked)
    def _highlight_asked(self, event: ReaderView.HighlightAsked) -> None:
        from readertui.core.editing import FollowUp

        self.annotating.annotate(event.selection, event.highlight, FollowUp.NONE)

    @on(ReaderView.NoteAsked)
    def _note_asked(self, event: ReaderView.NoteAsked) -> None:
        from readertui.core.editing import FollowUp

        self.annotating.annotate(event.selection, event.highlight, FollowUp.NOTE)

    @on(ReaderView.TagsAsked)
    def _tags_asked(self, event: ReaderView.TagsAsked) -> None:
        from readertui.core.editing import FollowUp

        self.annotating.annotate(event.selection, event.highlight, FollowUp.TAGS)

    @on(ReaderView.ColorAsked)
    def _color_asked(self, event: ReaderView.ColorAsked) -> None:
        self.annotating.cycle_color(event.highlight)

    @on(ReaderView.DeleteAsked)
    def _delete_asked(self, event: ReaderView.DeleteAsked) -> None:
        self.annotating.delete(event.highlight)

    @on(ReaderView.UndoAsked)
    def _undo_asked(self, event: ReaderView.UndoAsked) -> None:
        self.annotating.undo()

    @on(ReaderView.CopyAsked)
    def _copy_asked(self, event: ReaderView.CopyAsked) -> None:
        self.annotating.copy(event.selection, event.highlight)

    @on(ReaderView.LinkAsked)
    def _link_asked(self, event: ReaderView.LinkAsked) -> None:
        from readertui.core.editing import FollowUp

        self.annotating.annotate(event.selection, event.highlight, FollowUp.LINK)

    def on_notes_pane_chosen(self, event: NotesPane.Chosen) -> None:
        annotation = event.annotation
        if annotation.orphaned:
            self.annotating.reattach(annotation, self.reader.selection)
            current = self.annotating.annotations.get(annotation.id)
            if current is None or not current.orphaned:  # re-attached (or gone)
                self.focus_pane("reader")
            return
        self.go_to_offset(annotation.start)
        self.focus_pane("reader")

    def known_tag_counts(self) -> dict[str, int]:
        """Every tag in use, with how many annotations carry it."""
        return dict(self.tag_counts)

    def known_tags(self) -> list[str]:
        return list(self.tag_counts)

    def _count_tags(self) -> None:
        # Off the UI thread: the first count reads every annotation (0.8 s at 50,000).
        store = self._store
        if store is None:
            return

        library, key = self._library, self.library_key
        # The queue's view of document tags includes those not written yet (just given).
        reads = self._saves if self._saves is not None else store

        def count() -> None:
            counts = store.tags(library=key)
            # A document's own tags (its sidecar's and those given with `t`) count too: one
            # for each document that carries them.
            spelled = {tag.casefold(): tag for tag in counts}
            for entry in library.entries:
                own = (*entry.metadata.tags, *reads.document_tags(entry.rel_path, library=key))
                for tag in {tag.casefold(): tag for tag in own if tag}.values():
                    spelling = spelled.setdefault(tag.casefold(), tag)
                    counts[spelling] = counts.get(spelling, 0) + 1
            self.app.call_from_thread(self._tags_counted, counts)

        self.app.run_worker(count, thread=True, exclusive=True, group="tags")

    def _tags_counted(self, counts: dict[str, int]) -> None:
        self.tag_counts = counts
        self.library_pane.set_tags(counts)

    def tags_changed(self, before: Annotation | None, after: Annotation | None) -> None:
        """Keep the tag counts right after a change, without reading the store again."""
        counts = self.tag_counts
        for tag in before.tags if before is not None else ():
            key = next((known for known in counts if known.casefold() == tag.casefold()), tag)
            counts[key] = counts.get(key, 0) - 1
            if counts[key] <= 0:
                del counts[key]
        for tag in after.tags if after is not None else ():
            key = next((known for known in counts if known.casefold() == tag.casefold()), tag)
            counts[key] = counts.get(key, 0) + 1
        self.library_pane.set_tags(dict(counts))

    @on(LibraryPane.TagChosen)
    def _tag_chosen(self, event: LibraryPane.TagChosen) -> None:
        """A tag in the library pane: every annotation carrying it, across documents."""
        self.show_tag(event.tag)

    def show_tag(self, tag: str) -> None:
        """The documents and annotations carrying `tag` (or a tag below it), to choose from."""
        if self._saves is None:
            return
        found = [a for a in self._saves.annotations(library=self.library_key) if has_tag(a, tag)]
        documents = [
            entry
            for entry in self._library.entries
            if tags_include(
                (
                    *entry.metadata.tags,
                    *self._saves.document_tags(entry.rel_path, library=self.library_key),
                ),
                tag,
            )
        ]
        self._offer_annotations(found, f"Tagged #{tag}…", documents=documents)

    def show_strays(self) -> None:
        """Annotations whose document is not in this library (imported, or moved away)."""
        if self._saves is None:
            return
        key = self.library_key
        found = [
            a
            for a in self._saves.annotations()
            if not a.doc.belongs_to(key, a.doc.path) or self._library.find(a.doc.path) is None
        ]
        if not found:
            self.app.notify("Every annotation belongs to a document of this library.", timeout=4)
            return
        self._offer_annotations(found, "Annotations of documents not in this library…")

    def _offer_annotations(
        self,
        annotations: list[Annotation],
        placeholder: str,
        *,
        documents: Sequence[LibraryEntry] = (),
    ) -> None:
        """List annotations (after `documents`) in the palette; choosing one opens it in its
        document."""
        from readertui.ui.choices import Choice, offer_choices

        titles = {entry.rel_path: entry.metadata.title for entry in self._library.entries}
        choices = [
            Choice(
                entry.metadata.title or entry.rel_path,
                partial(self.open_document, entry.rel_path),
                "document" + (f" · {entry.metadata.byline()}" if entry.metadata.byline() else ""),
            )
            for entry in documents
        ]
        for annotation in sorted(annotations, key=lambda a: (a.doc.path, a.start)):
            title = titles.get(annotation.doc.path)
            if not annotation.doc.belongs_to(self.library_key, annotation.doc.path):
                where = (
                    f"{annotation.doc.title or annotation.doc.path} · another library "
                    f"({annotation.doc.library})"
                )
            elif title is None:
                where = f"orphaned · {annotation.doc.title or annotation.doc.path} (not here)"
            else:
                where = title or annotation.doc.path
            note = one_line(annotation.note, _PICKED_NOTE_CHARS)
            choices.append(
                Choice(
                    in_quotation_marks(one_line(annotation.quote.exact, _PICKED_QUOTE_CHARS)),
                    partial(self.open_annotation, annotation),
                    f"{where}{' · ' + note if note else ''}",
                )
            )
        offer_choices(self.app, choices, placeholder=placeholder)

    def open_annotation(self, annotation: Annotation) -> None:
        """Open the annotation's document (if it is not open) and put the cursor on it."""
        if not annotation.doc.belongs_to(self.library_key, annotation.doc.path):
            self.app.notify(
                f"{in_quotation_marks(one_line(annotation.quote.exact, _PICKED_NOTE_CHARS))} "
                f"belongs to {annotation.doc.path} of another "
                f"library ({annotation.doc.library}); open that library to see it in its place.",
                severity="warning",
                timeout=10,
            )
            return
        if self._library.find(annotation.doc.path) is None:
            self.app.notify(
                f"{in_quotation_marks(one_line(annotation.quote.exact, _PICKED_NOTE_CHARS))} "
                f"belongs to {annotation.doc.path}, which is not "
                "in this library; once the document is added, the note is placed in it again.",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        start = annotation.start
        if self._opened is not None and self._opened.rel_path == annotation.doc.path:
            current = self._opened.annotations.get(annotation.id)
            if current is not None and not current.orphaned:
                start = current.start  # where it is placed in today's text
        self._navigation.go(Location(annotation.doc.path, start))
        self.focus_pane("reader")

    # -- reading --------------------------------------------------------------------------------

    def toggle_reflow(self) -> None:
        """`r`: reflow on or off; on a web page, the whole page or the article only."""
        if self.document is None:
            return
        kind = self.document.kind
        if isinstance(kind, ConvertedFormat) and kind.whole_page_view:
            self._toggle_whole_page(self.document)
            return
        self.reader.set_reflow(not self.reader.reflow)
        self._show_facts()
        state = "on" if self.reader.reflow else "off"
        self.app.notify(f"Reflow {state}", timeout=2)

    def _toggle_whole_page(self, document: Document) -> None:
        """Show the web page whole, or its article only, and keep that in its sidecar (so
        exports and the index read the same text); its annotations are placed again."""
        from readertui.core.metadata import write_whole_page

        whole = not document.metadata.whole_page
        try:
            write_whole_page(document.path, whole)
            kept = ""
        except OSError as error:
            kept = f" for now: its sidecar cannot be written ({error.strerror or error})"
        except ValueError as error:
            kept = f" for now: {error}"
        self._workspace.show_whole_page(document.rel_path, whole)
        # The same words stay under the cursor, wherever the other view puts them.
        cursor, text = self.reader.cursor, document.text
        before = text[max(0, cursor - _RELOCATE_CHARS) : cursor]
        self._relocate = (document.rel_path, before, text[cursor : cursor + _RELOCATE_CHARS])
        self._open_at(Location(document.rel_path, cursor))
        shown = "Whole page shown" if whole else "Article only"
        self.app.notify(shown + kept, timeout=4 if not kept else 8, markup=False)

    def run_palette_action(self, spec: KeySpec) -> None:
        """Run a keymap action chosen in the command palette, on the widget it belongs to."""
        if spec.scope == "reader":
            self.call_later(self.reader.run_action, spec.action)
        else:
            self.call_later(self.app.run_action, spec.action)


def _found_again(text: str, before: str, after: str) -> int | None:
    """Where the words around a cursor (`before` and `after` it) are in `text`, if there."""
    for words, shift in ((before + after, len(before)), (after, 0), (before, len(before))):
        found = text.find(words) if words else -1
        if found >= 0:
            return found + shift
    return None


def document_partial(document: Document | None) -> bool:
    """Whether `document` is only the beginning of a conversion still running."""
    return document is not None and document.partial
