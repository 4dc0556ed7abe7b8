"""The Textual app: three panes, a status line, and the glue between the widgets and the core.

`make_app` is the one seam the CLI, the Pilot tests and the snapshot tests all build from.
The app talks to the core (library, documents, store) through their small APIs; widgets
talk up with messages and are driven with method calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from readertui.config import Config
from readertui.core.annotations import Annotation
from readertui.core.document import Document, load_document
from readertui.core.find import TextFinder, match_index
from readertui.core.library import Library, scan_library
from readertui.core.visible import visible_line
from readertui.errors import ReaderError
from readertui.store.save_queue import SaveQueue, SaveState
from readertui.store.store import Store
from readertui.ui.annotating import Annotating
from readertui.ui.choices import Choice, offer_choices
from readertui.ui.exports import Exports
from readertui.ui.key_order import KeyOrderedApp
from readertui.ui.keymap import KeySpec, app_bindings
from readertui.ui.literal import literal
from readertui.ui.widgets.library_pane import LibraryPane
from readertui.ui.widgets.reader_view import ReaderView
from readertui.ui.widgets.sidebar import Sidebar
from readertui.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual.widget import Widget

    from readertui.core.outline import OutlineEntry
    from readertui.exit_guard import ExitGuard
    from readertui.ui.dialogs.unsaved import UnsavedChoice
    from readertui.ui.widgets.find_bar import FindBar
    from readertui.ui.widgets.notes_pane import NotesPane

# Widgets and screens that the first paint does without are imported when first needed: a
# shorter start-up is the point (see `_finish_startup`).


def _reader_commands() -> type[Provider]:
    from readertui.ui.commands import ReaderCommands

    return ReaderCommands


# Below these widths the side panes fold away until asked for (PRODUCT 3: usable at 80x24).
LIBRARY_MIN_WIDTH = 100
SIDEBAR_MIN_WIDTH = 120
MIN_SIZE = (40, 10)
# Documents up to this size are read before the first paint (a few milliseconds), so the
# first screen already shows the text; larger ones load in a worker with "Opening…" shown.
SYNC_LOAD_BYTES = 8 * 1024 * 1024
# The reading position is written this long after the cursor stops moving.
SAVE_DELAY = 0.5
# How long `q` waits for the changes to be written before it asks what to do with them.
QUIT_FLUSH_TIMEOUT = 2.0
# How long the app, once ending, waits for the last changes before keeping them in a file.
SHUTDOWN_FLUSH_TIMEOUT = 3.0


class ReaderApp(KeyOrderedApp[None]):
    """readertui: read, and (soon) annotate, a library of documents."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "readertui"
    COMMANDS: ClassVar = App.COMMANDS | {_reader_commands}
    BINDINGS: ClassVar[list[BindingType]] = app_bindings()

    def __init__(
        self,
        library: Library,
        store: Store | None,
        config: Config,
        *,
        open_path: Path | None = None,
        startup_problems: tuple[str, ...] = (),
        exit_guard: ExitGuard | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.store = store
        #: Every change goes through here: written in the background, kept until it is.
        self.saves = SaveQueue(store, self._save_state_changed) if store is not None else None
        #: Set by the command line, which handles SIGHUP and SIGTERM.
        self.exit_guard = exit_guard
        #: A line for the command line to print once the terminal is back (or None).
        self.exit_note: str | None = None
        self.config = config
        self.open_path = open_path
        self.startup_problems = startup_problems
        self.document: Document | None = None
        self.outline: list[OutlineEntry] = []
        # None: follow the terminal's width; True/False: the user's choice (F2/F3).
        self.pane_choice: dict[str, bool | None] = {"library": None, "sidebar": None}
        self.peeking: set[str] = set()
        self._width, self._height = 0, 0
        self._finder: TextFinder | None = None
        self._find_origin = 0
        self._match_starts: list[int] | None = None
        self._save_timer: Timer | None = None
        self._unsaved: tuple[str, int] | None = None
        self._ended = False
        self._reported_error: str | None = None
        self._changes_file: Path | None = None
        self._recovered_files: list[Path] = []
        self._find_open = False
        self._pending_jump: str | None = None
        self.tag_counts: dict[str, int] = {}
        self.annotating = Annotating(self)
        self.exports = Exports(self)
        self.started = False
        self._find_bar: FindBar | None = None
        if config.theme in self.available_themes:
            self.theme = config.theme

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is shown literally (PRODUCT 11): messages name files and tags."""
        super().notify(
            visible_line(message),
            title=visible_line(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def keys_ready(self) -> bool:
        """Keys typed during start-up wait until the first screen of text is shown."""
        return self.started

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The widgets are kept as attributes: a query from the app looks at the screen on top,
        # which is a dialog whenever one is open.
        self._library_pane = LibraryPane(self.library, id="library")
        self._reader_view = ReaderView(reading_width=self.config.reading_width, id="reader")
        self._doc_header = Static(Text(""), id="doc-header", markup=False)
        self._sidebar = Sidebar(id="sidebar")
        self._status_line = StatusLine(id="status")
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
        yield Static(
            Text(
                f"The terminal is too small.\nreadertui needs at least {MIN_SIZE[0]}×{MIN_SIZE[1]}."
            ),
            id="too-small",
        )

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

    def on_mount(self) -> None:
        if self.exit_guard is not None:
            self.exit_guard.attach(asyncio.get_running_loop(), self._exit_signal)
        self._width, self._height = self.size
        self._apply_layout()
        self.reader.focus()
        for problem in self.startup_problems:
            self.notify(problem, severity="error", timeout=20, markup=False)
        for notice in self.store.notices() if self.store is not None else ():
            self.notify(notice, severity="warning", timeout=20)
        if self.store is None:
            self.status.saved_state = "not saving"
        self.status.show()
        first = self._first_document()
        if first is not None:
            self.open_document(first)
        else:
            self._doc_header.update(literal(f"No documents in {self.library.root}"))
            self.call_after_refresh(self._finish_startup)

    def _first_document(self) -> str | None:
        if self.open_path is not None:
            entry = self.library.entry_for_path(self.open_path)
            if entry is not None:
                return entry.rel_path
            self.notify(
                f"{self.open_path.name} is not a document that can be opened",
                severity="error",
                markup=False,
            )
        if self.saves is not None:
            last = self.saves.last_document(library=self.library.key)
            if last is not None and self.library.find(last) is not None:
                return last
        return self.library.entries[0].rel_path if self.library.entries else None

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
        self.screen.set_class(width < MIN_SIZE[0] or height < MIN_SIZE[1], "-too-small")
        for pane, name in ((self.library_pane, "library"), (self.sidebar, "sidebar")):
            visible = self._pane_visible(name)
            if pane.display != visible:
                pane.display = visible

    def action_focus_pane(self, name: str) -> None:
        """`1` `2` `3`: focus a pane, unfolding it for a moment on a narrow terminal."""
        if name == "reader":
            self.peeking.clear()
            self._apply_layout()
            self.reader.focus()
            return
        if not self._pane_visible(name):
            self.peeking.add(name)
            self._apply_layout()
        if name == "library":
            self.library_pane.focus_list()
        else:
            self.sidebar.focus_notes()

    def action_toggle_pane(self, name: str) -> None:
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

    # -- documents ----------------------------------------------------------------------------

    def open_document(self, rel_path: str) -> None:
        """Open a library document (in a worker: the UI stays responsive for big files)."""
        entry = self.library.find(rel_path)
        if entry is None:
            self.notify(f"{rel_path} is not in the library", severity="error", markup=False)
            return
        self._save_position()
        if entry.size <= SYNC_LOAD_BYTES:
            try:
                document = self._read(entry.path)
            except ReaderError as error:
                self._load_failed(str(error))
            else:
                self._show_document(document)
            return
        title = entry.metadata.title or rel_path
        self._doc_header.update(literal(f"Opening {title}…"))
        self._load(entry.path)

    def _read(self, path: Path) -> Document:
        return load_document(path, self.library.root, max_bytes=self.config.max_document_bytes)

    @work(thread=True, exclusive=True, group="load", description="load a document")
    def _load(self, path: Path) -> None:
        try:
            document = self._read(path)
        except ReaderError as error:
            self.call_from_thread(self._load_failed, str(error))
            return
        self.call_from_thread(self._show_document, document)

    def _load_failed(self, message: str) -> None:
        self.call_after_refresh(self._finish_startup)
        self._doc_header.update(Text(""))
        self.notify(message, severity="error", markup=False)

    def _show_document(self, document: Document) -> None:
        self.document = document
        self.outline = []
        self._close_find()
        position = (
            self.saves.reading_position(document.rel_path, library=self.library.key)
            if self.saves
            else None
        )
        self.reader.show_document(document, position or 0, self.config.reflow)
        self.annotating.open(document)
        if self._pending_jump is not None:
            self._jump_to_annotation(self._pending_jump)
            self._pending_jump = None
        meta = document.metadata
        header = literal(meta.title or document.rel_path, style="bold")
        if meta.byline():
            header.append_text(literal(" — " + meta.byline()))
        self._doc_header.update(header)
        self.library_pane.set_open_document(document.rel_path, [])
        self.title = visible_line(f"readertui — {meta.title or document.rel_path}")
        self.call_after_refresh(self._painted, document)

    def _painted(self, document: Document) -> None:
        # What the first screen of text does not need waits until it is painted.
        self._finish_startup()
        if document is not self.document:
            return
        self._show_facts()
        rel_path = document.rel_path
        if self.saves is not None:
            self.saves.set_last_document(rel_path, library=self.library.key)
        self._build_outline(document)

    def _finish_startup(self) -> None:
        """Mount what the first paint could do without: footer, library list, find bar."""
        if self.started:
            return
        self.started = True
        from textual.widgets import Footer

        from readertui.ui.widgets.find_bar import FindBar

        self.library_pane.populate()
        self._count_tags()
        self.sidebar.populate()
        main_screen = self.screen_stack[0]
        self._find_bar = FindBar(id="find-bar")
        main_screen.query_one("#reader-pane").mount(self._find_bar)
        main_screen.query_one("#footer-slot").remove()
        main_screen.mount(Footer(), after=self._status_line)
        # A footer mounted late has missed the bindings signal: send it again.
        self.call_after_refresh(self.refresh_bindings)
        self.call_later(self._offer_recovered_changes)

    def _show_facts(self, tags: tuple[str, ...] | None = None) -> None:
        if self.document is None:
            return
        if tags is None:
            tags = (
                self.saves.document_tags(self.document.rel_path, library=self.library.key)
                if self.saves
                else ()
            )
        self.sidebar.show_document(self.document, self.reader.reflow, tags)

    def document_tags_changed(self, tags: tuple[str, ...]) -> None:
        self._show_facts(tags)
        self.notify("Document tags saved: " + (", ".join(tags) or "none"), markup=False)

    @work(thread=True, exclusive=True, group="outline", description="build the outline")
    def _build_outline(self, document: Document) -> None:
        from readertui.core.outline import outline_for

        outline = outline_for(document.text, document.format)
        self.call_from_thread(self._outline_ready, document, outline)

    def _outline_ready(self, document: Document, outline: list[OutlineEntry]) -> None:
        if document is not self.document:
            return
        self.outline = outline
        self.library_pane.set_open_document(document.rel_path, outline)

    @on(LibraryPane.DocumentChosen)
    def _document_chosen(self, event: LibraryPane.DocumentChosen) -> None:
        if self.document is not None and event.rel_path == self.document.rel_path:
            self.action_focus_pane("reader")
            return
        self.open_document(event.rel_path)
        self.action_focus_pane("reader")

    @on(LibraryPane.OutlineChosen)
    def _outline_chosen(self, event: LibraryPane.OutlineChosen) -> None:
        self.jump_to_offset(event.offset)
        self.action_focus_pane("reader")

    @on(LibraryPane.SkippedChosen)
    def _skipped_chosen(self, event: LibraryPane.SkippedChosen) -> None:
        self.notify(f"{event.rel_path} was skipped: {event.reason}", markup=False)

    def jump_to_offset(self, offset: int) -> None:
        self.reader.move_cursor(offset, jump=True)

    def action_open_document(self) -> None:
        """`o`: choose a document by (fuzzy) name."""
        choices = [
            Choice(
                entry.metadata.title or entry.rel_path,
                partial(self.open_document, entry.rel_path),
                entry.metadata.byline() or entry.rel_path,
            )
            for entry in self.library.entries
        ]
        offer_choices(self, choices, placeholder="Open a document…")

    # -- status, saving and the reading position ---------------------------------------------

    class SaveStateChanged(Message):
        """The save queue wrote, failed to write, or was given a change (from any thread)."""

        def __init__(self, state: SaveState) -> None:
            super().__init__()
            self.state = state

    def _save_state_changed(self, state: SaveState) -> None:
        # Called on the UI thread when a change is queued, and on the save queue's thread
        # after each write. A change shows `saving…` in the same frame as the change itself:
        # a message would wait behind a burst of keys while the screen still said `saved`.
        if threading.get_ident() == self._thread_id:
            self._show_save_state(state)
        else:
            self.post_message(self.SaveStateChanged(state))

    def on_reader_app_save_state_changed(self, event: SaveStateChanged) -> None:
        self._show_save_state(event.state)

    def _show_save_state(self, reported: SaveState) -> None:
        # The newest state, not the reported one: a write that finished may be older than the
        # change made since.
        state = self.saves.state if self.saves is not None else reported
        self._show_save_label(state.label)
        if state.error is not None and state.error != self._reported_error:
            self._reported_error = state.error
            self.notify(
                f"Not saved: {state.error}. Your changes are kept and saving is tried again "
                "until it works.",
                severity="error",
                timeout=20,
                markup=False,
            )
        elif state.saved and self._reported_error is not None:
            self._reported_error = None
            self.notify("Saved: the changes that were waiting are on disk now.", markup=False)
        if state.saved:
            self._forget_recovered_files()

    def _show_save_label(self, label: str) -> None:
        self.status.saved_state = label
        self.status.show()

    @on(ReaderView.CursorMoved)
    def _cursor_moved(self, event: ReaderView.CursorMoved) -> None:
        self.status.position = event.position
        self.status.reflow = self.reader.reflow
        self.status.mode = "VISUAL" if event.position.selecting else self._base_mode()
        if self.document is not None and self.saves is not None:
            self._unsaved = (self.document.rel_path, event.position.offset)
            if self._save_timer is not None:
                self._save_timer.stop()
            self._save_timer = self.set_timer(SAVE_DELAY, self._save_position)
        self.status.show()

    def _base_mode(self) -> str:
        return "FIND" if self._finder is not None or self._find_open else "NORMAL"

    def _save_position(self) -> None:
        """Queue the reading position (the cursor has rested for a moment)."""
        if self._save_timer is not None:
            self._save_timer.stop()
        if self._unsaved is None or self.saves is None:
            return
        rel_path, offset = self._unsaved
        self._unsaved = None
        self.saves.set_reading_position(rel_path, offset, library=self.library.key)

    def flush_store(self, timeout: float = 10.0) -> bool:
        """Write everything pending now (the reading position too); True once it is on disk."""
        self._save_position()
        return self.saves.flush(timeout) if self.saves is not None else True

    def action_retry_saving(self) -> None:
        """Palette: write the changes that are waiting now, without waiting for the next try."""
        saves = self.saves
        if saves is None:
            self.notify("The annotation database is not open, so nothing is saved.", timeout=6)
        elif not saves.pending:
            self.notify("Everything is saved.", timeout=3)
        else:
            saves.retry_now()
            self.notify(f"Saving {saves.state.summary}…", timeout=3, markup=False)

    # -- ending -------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """`q`: quit once everything is saved; if it cannot be, say what and ask."""
        self._save_position()
        saves = self.saves
        if saves is not None and saves.pending:
            self._show_save_label("saving…")
            flushed = await asyncio.to_thread(saves.flush, QUIT_FLUSH_TIMEOUT)
            if not flushed:
                self._ask_about_unsaved()
                return
        self.exit()

    def _ask_about_unsaved(self) -> None:
        from readertui.store.emergency import emergency_paths
        from readertui.ui.dialogs.unsaved import UnsavedChangesDialog

        saves = self.saves
        if saves is None or any(isinstance(s, UnsavedChangesDialog) for s in self.screen_stack):
            return
        state = saves.state
        suggested = emergency_paths(saves.store.path)[0]
        self.push_screen(
            UnsavedChangesDialog(state.summary, state.error or "", suggested),
            self._unsaved_choice,
        )

    def _unsaved_choice(self, choice: UnsavedChoice | None) -> None:
        saves = self.saves
        if choice is None or saves is None:
            return  # back to reading: saving goes on being retried
        if choice.action == "retry":
            self.run_worker(self._retry_then_quit, thread=True, group="quit", exclusive=True)
        elif choice.action == "write":
            self._keep_unsaved_and_quit([choice.path] if choice.path else None)
        elif choice.action == "quit":
            self._keep_unsaved_and_quit(None)

    def _retry_then_quit(self) -> None:
        saves = self.saves
        if saves is not None and saves.flush(QUIT_FLUSH_TIMEOUT):
            self.call_from_thread(self.exit)
        else:
            self.call_from_thread(self._ask_about_unsaved)

    def _keep_unsaved_and_quit(self, places: list[Path] | None) -> None:
        """Put the unsaved changes in a changes file (the given place, else the usual ones)."""
        saves = self.saves
        if saves is None:
            self.exit()
            return
        try:
            written = saves.write_changes_file(places)
        except ReaderError as error:
            self.notify(
                f"Could not keep the changes in a file either: {error}",
                severity="error",
                timeout=20,
                markup=False,
            )
            self._ask_about_unsaved()
            return
        if written is not None:
            self._changes_file = written
            self.exit_note = f"Changes that could not be saved are kept in {written}; " + (
                "the next start offers to merge them."
                if places is None
                else f"`readertui import {written}` merges them into the database."
            )
        self.exit()

    def _exit_signal(self, number: int) -> None:
        """SIGHUP or SIGTERM (called in the event loop by the exit guard): save, then leave."""
        self.annotating.capture_open_editors()
        self._save_position()
        if self.exit_guard is not None:
            self.exit_guard.editors_captured()
        self.exit(return_code=128 + number)

    def on_unmount(self) -> None:
        # However the app ends (q, a signal, a crash, a test harness closing it): what is
        # pending is written, or kept in a changes file for the next start.
        self._shut_down()

    @property
    def has_shut_down(self) -> bool:
        """Whether the app's own shut-down ran (the changes are written or kept in a file)."""
        return self._ended

    def _shut_down(self) -> None:
        if self._ended:
            return
        self._ended = True
        self._save_position()
        saves = self.saves
        if saves is not None:
            signalled = self.exit_guard is not None and self.exit_guard.signalled is not None
            if signalled:
                return  # the exit guard writes them, within its deadline
            if not saves.close(SHUTDOWN_FLUSH_TIMEOUT) and self._changes_file is None:
                try:
                    self._changes_file = saves.write_changes_file()
                except ReaderError as error:
                    self.exit_note = f"Changes could not be saved and are lost: {error}"
                else:
                    self.exit_note = (
                        f"Changes that could not be saved are kept in {self._changes_file}; "
                        "the next start offers to merge them."
                    )
        if self.store is not None:
            self.store.close()

    # -- changes kept from an earlier session --------------------------------------------------

    def _offer_recovered_changes(self) -> None:
        from readertui.store.emergency import find_emergency_files
        from readertui.store.merge import Snapshot, merge
        from readertui.store.pending import describe_changes
        from readertui.ui.dialogs.recovered import RecoveredChangesDialog

        if self.saves is None:
            return
        found = find_emergency_files(self.saves.store.path)
        if not found:
            return
        changes = Snapshot()
        for _, file_changes, _ in found:
            changes = merge(changes, file_changes)
        paths = [path for path, _, _ in found]
        oldest = found[0][2].written

        def chosen(merge_them: bool | None) -> None:
            if not merge_them or self.saves is None:
                return
            self.saves.add_changes(changes)
            self._recovered_files.extend(paths)
            if self.document is not None:
                self.annotating.open(self.document)
            self.notify(f"Merging {describe_changes(changes)} into the database.", markup=False)

        self.push_screen(RecoveredChangesDialog(describe_changes(changes), paths, oldest), chosen)

    def _forget_recovered_files(self) -> None:
        """The merged changes files are on disk in the database now: remove them."""
        while self._recovered_files:
            path = self._recovered_files.pop()
            with contextlib.suppress(OSError):
                path.unlink()

    # -- find ---------------------------------------------------------------------------------

    def action_find(self) -> None:
        if self.document is None or not self.started:
            return
        self._find_open = True
        self._find_origin = self.reader.cursor
        self.status.mode = "FIND"
        self.status.show()
        self.find_bar.open()

    def on_find_bar_query_changed(self, event: FindBar.QueryChanged) -> None:
        if self.document is None:
            return
        if not event.query:
            self._finder = None
            self.reader.set_finder(None, None)
            self._set_find_count("")
            return
        self._finder = TextFinder(self.document.text, event.query)
        match = self._finder.match_at_or_after(self._find_origin)
        self.reader.set_finder(self._finder, match)
        self._match_starts = None
        if match is None:
            self._set_find_count("no match")
        else:
            self._set_find_count("counting…")
            self._count_matches(self._finder)

    @work(thread=True, exclusive=True, group="find-count", description="count matches")
    def _count_matches(self, finder: TextFinder) -> None:
        worker = get_current_worker()
        starts = finder.all_starts(lambda: worker.is_cancelled)
        if starts is not None:
            self.call_from_thread(self._matches_counted, finder, list(starts))

    def _matches_counted(self, finder: TextFinder, starts: list[int]) -> None:
        if finder is not self._finder:
            return
        self._match_starts = starts
        self._show_match_position()

    def _show_match_position(self) -> None:
        starts = self._match_starts
        current = self.reader.current_match
        if starts is None or current is None:
            return
        index = match_index(starts, current[0]) if starts else 0
        self._set_find_count(f"{index + 1}/{len(starts)}" if starts else "no match")

    def _set_find_count(self, text: str) -> None:
        self.find_bar.set_count(text)
        self.status.find_state = f"find {text}" if text else ""
        self.status.show()

    def on_find_bar_step(self, event: FindBar.Step) -> None:
        if self._finder is None:
            return
        cursor = self.reader.cursor
        if event.forward:
            match = self._finder.next_match(cursor)
        else:
            match = self._finder.previous_match(cursor)
        if match is None:
            self.bell()
            return
        self.reader.set_finder(self._finder, match)
        self._show_match_position()

    def on_find_bar_closed(self, event: FindBar.Closed) -> None:
        self._close_find()
        self.reader.focus()

    def _close_find(self) -> None:
        self._find_open = False
        self._finder = None
        self._match_starts = None
        self.reader.set_finder(None, None)
        if self.started:
            self.find_bar.display = False
        self.status.mode = "NORMAL"
        self.status.find_state = ""
        self.status.show()

    # -- annotations --------------------------------------------------------------------------

    @on(ReaderView.AnnotationKey)
    def _annotation_key(self, event: ReaderView.AnnotationKey) -> None:
        self.annotating.handle(event)

    def on_notes_pane_chosen(self, event: NotesPane.Chosen) -> None:
        annotation = event.annotation
        if annotation.orphaned:
            self.annotating.reattach(annotation, self.reader.selection)
            current = self.annotating.annotations.get(annotation.id)
            if current is None or not current.orphaned:  # re-attached (or gone)
                self.action_focus_pane("reader")
            return
        self.jump_to_offset(annotation.start)
        self.action_focus_pane("reader")

    def known_tag_counts(self) -> dict[str, int]:
        """Every tag in use, with how many annotations carry it."""
        return dict(self.tag_counts)

    def known_tags(self) -> list[str]:
        return list(self.tag_counts)

    @work(thread=True, exclusive=True, group="tags", description="count tags")
    def _count_tags(self) -> None:
        # Off the UI thread: the first count reads every annotation (0.8 s at 50,000).
        if self.store is not None:
            self.call_from_thread(self._tags_counted, self.store.tags(library=self.library.key))

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
        from readertui.core.annotations import has_tag

        if self.saves is None:
            return
        found = [
            a for a in self.saves.annotations(library=self.library.key) if has_tag(a, event.tag)
        ]
        self._offer_annotations(found, f"Annotations tagged #{event.tag}…")

    def action_show_strays(self) -> None:
        """Annotations whose document is not in this library (imported, or moved away)."""
        if self.saves is None:
            return
        key = self.library.key
        found = [
            a
            for a in self.saves.annotations()
            if not a.doc.belongs_to(key, a.doc.path) or self.library.find(a.doc.path) is None
        ]
        if not found:
            self.notify("Every annotation belongs to a document of this library.", timeout=4)
            return
        self._offer_annotations(found, "Annotations of documents not in this library…")

    def _offer_annotations(self, annotations: list[Annotation], placeholder: str) -> None:
        """List annotations in the palette; choosing one opens it in its document."""
        titles = {entry.rel_path: entry.metadata.title for entry in self.library.entries}
        choices = []
        for annotation in sorted(annotations, key=lambda a: (a.doc.path, a.start)):
            quote = " ".join(annotation.quote.exact.split())
            title = titles.get(annotation.doc.path)
            if not annotation.doc.belongs_to(self.library.key, annotation.doc.path):
                where = (
                    f"{annotation.doc.title or annotation.doc.path} · another library "
                    f"({annotation.doc.library})"
                )
            elif title is None:
                where = f"orphaned · {annotation.doc.title or annotation.doc.path} (not here)"
            else:
                where = title or annotation.doc.path
            note = " ".join(annotation.note.split())
            choices.append(
                Choice(
                    f"“{quote[:80]}”",
                    partial(self.open_annotation, annotation),
                    f"{where}{' · ' + note[:60] if note else ''}",
                )
            )
        offer_choices(self, choices, placeholder=placeholder)

    def open_annotation(self, annotation: Annotation) -> None:
        """Open the annotation's document (if it is not open) and put the cursor on it."""
        if not annotation.doc.belongs_to(self.library.key, annotation.doc.path):
            self.notify(
                f"“{annotation.quote.exact[:60]}” belongs to {annotation.doc.path} of another "
                f"library ({annotation.doc.library}); open that library to see it in its place.",
                severity="warning",
                timeout=10,
            )
            return
        if self.library.find(annotation.doc.path) is None:
            self.notify(
                f"“{annotation.quote.exact[:60]}” belongs to {annotation.doc.path}, which is not "
                "in this library; once the document is added, the note is placed in it again.",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        if self.document is None or self.document.rel_path != annotation.doc.path:
            self._pending_jump = annotation.id
            self.open_document(annotation.doc.path)
        else:
            self._jump_to_annotation(annotation.id)
        self.action_focus_pane("reader")

    def _jump_to_annotation(self, annotation_id: str) -> None:
        current = self.annotating.annotations.get(annotation_id)
        if current is not None and not current.orphaned:
            self.jump_to_offset(current.start)

    # -- exporting ----------------------------------------------------------------------------

    def action_export_document(self) -> None:
        self.exports.export_document()

    def action_export_library(self) -> None:
        self.exports.export_library()

    def action_export_tag(self) -> None:
        self.exports.choose_tag()

    def action_export_json(self) -> None:
        self.exports.export_json()

    # -- reading ------------------------------------------------------------------------------

    def action_toggle_reflow(self) -> None:
        if self.document is None:
            return
        self.reader.set_reflow(not self.reader.reflow)
        self._show_facts()
        state = "on" if self.reader.reflow else "off"
        self.notify(f"Reflow {state}", timeout=2)

    def action_wider(self) -> None:
        self.reader.set_reading_width(min(400, self.reader.reading_width + 4))

    def action_narrower(self) -> None:
        self.reader.set_reading_width(max(40, self.reader.reading_width - 4))

    def action_help(self) -> None:
        from readertui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def run_palette_action(self, spec: KeySpec) -> None:
        """Run a keymap action chosen in the command palette, on the widget it belongs to."""
        if spec.scope == "reader":
            self.call_later(self.reader.run_action, spec.action)
        else:
            self.call_later(self.run_action, spec.action)


def make_app(
    library_root: Path,
    db_path: Path,
    config: Config,
    *,
    open_path: Path | None = None,
    exit_guard: ExitGuard | None = None,
) -> ReaderApp:
    """Build the app on a library folder and a database file (the one seam for CLI and tests).

    Raises `ReaderError` when the library cannot be opened; a database that cannot be read
    still gives an app, for reading, with the problem shown.
    """
    library = scan_library(
        library_root,
        max_bytes=config.max_document_bytes,
        follow_outside_links=config.follow_outside_links,
    )
    problems: list[str] = []
    store: Store | None
    try:
        store = Store(db_path)
    except ReaderError as error:
        store = None
        problems.append(f"{error} — reading positions will not be saved this session.")
    return ReaderApp(
        library,
        store,
        config,
        open_path=open_path,
        startup_problems=tuple(problems),
        exit_guard=exit_guard,
    )
