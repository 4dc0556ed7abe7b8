"""The Textual app: three panes, a status line, and the glue between the widgets and the core.

`make_app` is the one seam the CLI, the Pilot tests and the snapshot tests all build from.
The app talks to the core (library, documents, store) through their small APIs; widgets
talk up with messages and are driven with method calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType
from textual.command import Provider
from textual.message import Message
from textual.notifications import Notification, Notify, SeverityLevel

from readertui.collector_pause import hold_collector, release_collector
from readertui.config import Config
from readertui.core.document import Document
from readertui.core.library import Library, scan_library
from readertui.core.visible import visible_line
from readertui.errors import ReaderError
from readertui.store.save_queue import SaveQueue, SaveState
from readertui.store.store import Store
from readertui.ui.key_order import KeyOrderedApp
from readertui.ui.keymap import app_bindings, palette_key, resolve_user_keys
from readertui.ui.screens.reader import ReaderScreen

if TYPE_CHECKING:
    from readertui.core.outline import OutlineEntry
    from readertui.exit_guard import ExitGuard
    from readertui.ui.dialogs.unsaved import UnsavedChoice
    from readertui.ui.widgets.find_bar import FindBar
    from readertui.ui.widgets.library_pane import LibraryPane
    from readertui.ui.widgets.reader_view import ReaderView
    from readertui.ui.widgets.sidebar import Sidebar
    from readertui.ui.widgets.status_line import StatusLine

# Widgets and screens that the first paint does without are imported when first needed: a
# shorter start-up is the point (see `_finish_startup`).


def _reader_commands() -> type[Provider]:
    from readertui.ui.commands import ReaderCommands

    return ReaderCommands


# How long `q` waits for the changes to be written before it asks what to do with them.
QUIT_FLUSH_TIMEOUT = 2.0
# How long the app, once ending, waits for the last changes before keeping them in a file.
SHUTDOWN_FLUSH_TIMEOUT = 3.0
# The longest a signal waits for the keys typed ahead to be delivered before saving what
# the open editors hold (seconds; within exit_guard.CAPTURE_WAIT).
SIGNAL_KEYS_WAIT = 0.4
# The longest garbage collection and background work are put off after a key (seconds;
# see _answer_key_first).
KEY_QUIET_LIMIT = 0.5


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
        conversions = sys.modules.get("readertui.formats.conversion_process")
        if conversions is not None:
            conversions.allow_new()  # an app before this one, in this process, stopped them
        self.library = library
        self.store = store
        #: Every change goes through here: written in the background, kept until it is.
        self.saves = SaveQueue(store, self._save_state_changed) if store is not None else None
        #: Set by the command line, which handles SIGHUP and SIGTERM.
        self.exit_guard = exit_guard
        #: A line for the command line to print once the terminal is back (or None).
        self.exit_note: str | None = None
        self.config = config
        #: Open (set) unless a key is being answered: background work for later waits at
        #: it (see _answer_key_first).
        self.background_gate = threading.Event()
        self.background_gate.set()
        self._ended = False
        self._exit_task: asyncio.Task[None] | None = None
        self._reported_error: str | None = None
        #: The "Not saved" message on screen, taken back once saving works again.
        self._failure_message: Notification | None = None
        self._changes_file: Path | None = None
        self._recovered_files: list[Path] = []
        #: The user's keys (`[keys]` in config.toml) by binding id; {} for the defaults.
        self.keymap, key_problems = resolve_user_keys(config.keys)
        self.set_keymap(self.keymap)
        # Textual's footer finds the palette's key under this name.
        self.COMMAND_PALETTE_BINDING = palette_key(self.keymap)  # type: ignore[misc]
        #: The one screen under every dialog: it owns what is open.
        self.reading = ReaderScreen(
            library,
            store,
            self.saves,
            config,
            open_path=open_path,
            problems=(*startup_problems, *key_problems),
            keymap=self.keymap,
        )
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

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self.background_gate.is_set():
            self._answer_key_first()
        await super().on_event(event)

    def _answer_key_first(self) -> None:
        """Until a key's answer is on the screen, nothing else holds the interpreter: no
        garbage collection (a full one takes 50-100 ms in a big session), and work done in
        the background for later (the Cross-refs tab reading ahead) pauses at the gate.
        Both go on once the screen is painted or, should nothing ever paint, a moment later.
        """
        self.background_gate.clear()
        hold_collector()
        self.call_after_refresh(self._key_answered)
        self.set_timer(KEY_QUIET_LIMIT, self._key_answered)

    def _key_answered(self) -> None:
        release_collector()
        self.background_gate.set()

    def keys_ready(self) -> bool:
        """Keys typed during start-up wait until the first screen of text is shown, and
        those typed after `ctrl+f` or `*` until its screen is."""
        return self.reading.takes_keys

    # -- the reading screen and what tests and the command line look at -----------------------

    def get_default_screen(self) -> ReaderScreen:
        return self.reading

    @property
    def started(self) -> bool:
        return self.reading.started

    @property
    def document(self) -> Document | None:
        return self.reading.document

    @property
    def outline(self) -> tuple[OutlineEntry, ...]:
        return self.reading.outline

    @property
    def reader(self) -> ReaderView:
        return self.reading.reader

    @property
    def status(self) -> StatusLine:
        return self.reading.status

    @property
    def find_bar(self) -> FindBar:
        return self.reading.find_bar

    @property
    def library_pane(self) -> LibraryPane:
        return self.reading.library_pane

    @property
    def sidebar(self) -> Sidebar:
        return self.reading.sidebar

    def on_mount(self) -> None:
        if self.exit_guard is not None:
            self.exit_guard.attach(asyncio.get_running_loop(), self._exit_signal)
        from readertui.ui.resume_guard import guard_resume

        guard_resume()

    def on_reader_screen_started(self, event: ReaderScreen.Started) -> None:
        self.call_later(self._offer_recovered_changes)

    # -- the keys of the app (each is the reading screen's) -----------------------------------

    def action_focus_pane(self, name: str) -> None:
        self.reading.focus_pane(name)

    def action_next_pane(self) -> None:
        if self.screen is self.reading:
            self.reading.step_pane(1)
        else:
            self.screen.focus_next()  # a dialog's own fields, as Textual moves them

    def action_previous_pane(self) -> None:
        if self.screen is self.reading:
            self.reading.step_pane(-1)
        else:
            self.screen.focus_previous()

    def action_toggle_pane(self, name: str) -> None:
        self.reading.toggle_pane(name)

    def action_find(self) -> None:
        self.reading.find()

    def action_open_document(self) -> None:
        self.reading.choose_document()

    def action_library_search(self) -> None:
        self.reading.library_search()

    def action_concordance(self) -> None:
        self.reading.concordance()

    def action_show_cross_references(self) -> None:
        self.reading.show_cross_references()

    def action_jump_back(self) -> None:
        self.reading.jump_back()

    def action_jump_forward(self) -> None:
        self.reading.jump_forward()

    def action_show_strays(self) -> None:
        self.reading.show_strays()

    def action_export_document(self) -> None:
        self.reading.exports.export_document()

    def action_export_library(self) -> None:
        self.reading.exports.export_library()

    def action_export_tag(self) -> None:
        self.reading.exports.choose_tag()

    def action_export_json(self) -> None:
        self.reading.exports.export_json()

    def action_toggle_reflow(self) -> None:
        self.reading.toggle_reflow()

    def action_wider(self) -> None:
        self.reader.set_reading_width(min(400, self.reader.reading_width + 4))

    def action_narrower(self) -> None:
        self.reader.set_reading_width(max(40, self.reader.reading_width - 4))

    def action_help(self) -> None:
        from readertui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.keymap))

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
            self._forget_failure_message()
            self._failure_message = Notification(
                f"Not saved: {state.error}. Your changes are kept and saving is tried again "
                "until it works.",
                severity="error",
                timeout=20,
                markup=False,
            )
            self.post_message(Notify(self._failure_message))  # as `notify`, kept to take back
        elif state.saved and self._reported_error is not None:
            self._reported_error = None
            # The failure is over: its message (shown for 20 s) would only contradict `saved`.
            self._forget_failure_message()
            self.notify("Saved: the changes that were waiting are on disk now.", markup=False)
        if state.saved:
            self._forget_recovered_files()

    def _forget_failure_message(self) -> None:
        """Take the last "Not saved" message off the screen (other messages stay)."""
        message, self._failure_message = self._failure_message, None
        if message is not None:
            self._unnotify(message)  # Textual's own removal (a toast that timed out)

    def _show_save_label(self, label: str) -> None:
        self.reading.show_save_label(label)

    def _save_position(self) -> None:
        self.reading.save_position()

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
        """SIGHUP or SIGTERM (called in the event loop by the exit guard): the keys typed
        ahead reach where they were going first (`n` and a note typed in one burst, the
        connection dropped before the editor was open), then save, then leave."""
        # Behind the keys already read, which are in the app's queue still.
        if not self.call_later(self._wait_for_held_keys, number):
            self._exit_now(number)

    def _wait_for_held_keys(self, number: int) -> None:
        # In a task of its own: the app's queue must run on to deliver them.
        self._exit_task = asyncio.get_running_loop().create_task(self._exit_after_held_keys(number))

    async def _exit_after_held_keys(self, number: int) -> None:
        deadline = time.monotonic() + SIGNAL_KEYS_WAIT
        while self.holding_keys and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        # The keys delivered last are in the editor's queue: typed into it before it is read.
        await self._drain_queues(deadline)
        self._exit_now(number)

    def _exit_now(self, number: int) -> None:
        self.reading.annotating.capture_open_editors()
        self._save_position()
        if self.exit_guard is not None:
            self.exit_guard.editors_captured()
        self.exit(return_code=128 + number)

    def on_unmount(self) -> None:
        # However the app ends (q, a signal, a crash, a test harness closing it): what is
        # pending is written, or kept in a changes file for the next start.
        self._key_answered()
        self._shut_down()

    @property
    def has_shut_down(self) -> bool:
        """Whether the app's own shut-down ran (the changes are written or kept in a file)."""
        return self._ended

    def _shut_down(self) -> None:
        if self._ended:
            return
        self._ended = True
        conversions = sys.modules.get("readertui.formats.conversion_process")
        if conversions is not None:
            conversions.stop_all()  # quitting never waits for a book being converted
        self._save_position()
        self.reading.close_library_lookups()
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
            self.reading.reload_annotations()
            self.notify(f"Merging {describe_changes(changes)} into the database.", markup=False)

        self.push_screen(RecoveredChangesDialog(describe_changes(changes), paths, oldest), chosen)

    def _forget_recovered_files(self) -> None:
        """The merged changes files are on disk in the database now: remove them."""
        while self._recovered_files:
            path = self._recovered_files.pop()
            with contextlib.suppress(OSError):
                path.unlink()


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
