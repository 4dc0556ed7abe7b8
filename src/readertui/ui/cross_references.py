"""The Cross-refs tab following the cursor: asked off the UI thread, stale answers dropped.

When the cursor moves (and the tab is on screen) after a rest, or once a run of quick moves
(a held key) has stopped, the index is asked for the cross-references of the passage at the
cursor and of the highlight there, in a worker thread. A newer move cancels the older
question (its `CancelToken`), and an answer that comes back after a newer question was asked
is never shown, so the tab never shows the passage before last. Moves within the passage
already shown ask nothing. Typing is never held up: the UI thread only starts the question
and lists the answer.

Reading goes forward, so once an answer is shown the next passage's is asked for too, in the
background, and kept with the last few answers (those of no highlight): `}` then lists its
answer at once instead of waiting for the index. Any change to the index or the annotations
forgets them.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from readertui.core.annotations import Annotation
    from readertui.core.open_document import OpenDocument
    from readertui.index import CancelToken, CrossReferences
    from readertui.ui.index_keeper import IndexKeeper
    from readertui.ui.widgets.xref_pane import XrefPane

#: Moves closer together than this are a held key: the question waits for the cursor to
#: rest this long (a held `j` asks nothing on the way).
SETTLE_DELAY = 0.06
#: "At once" for a timer (which cannot take 0).
ASK_AT_ONCE = 0.005
#: Entries per group.
GROUP_LIMIT = 5
#: How many answers (of passages with no highlight at the cursor) are kept for going back.
KEPT_ANSWERS = 16
#: How many passages after the one shown are read ahead, one after the other.
READ_AHEAD = 3
#: A cursor this close after the end of the passage shown (the blank lines between two
#: paragraphs: where `}` lands) is in the passage read ahead: its answer is waited for.
NEXT_PASSAGE_GAP = 16


class FollowerHost(Protocol):
    """What the follower needs of the reading screen."""

    @property
    def app(self) -> App[object]: ...

    @property
    def opened(self) -> OpenDocument | None: ...

    def cursor_and_highlight(self) -> tuple[int, Annotation | None]: ...

    def xref_pane(self) -> XrefPane | None:
        """The tab's pane when it is on screen (None: nothing to follow for)."""
        ...

    def set_timer(self, delay: float, callback: Callable[[], None]) -> Timer: ...

    @property
    def background_gate(self) -> threading.Event | None:
        """Closed while a key is answered: reading ahead waits at it (None: it never waits)."""
        ...


class CrossReferenceFollower:
    """Keeps the Cross-refs tab on the passage at the cursor."""

    def __init__(self, host: FollowerHost, keeper: IndexKeeper) -> None:
        self.host = host
        self.keeper = keeper
        self._timer: Timer | None = None
        self._token: CancelToken | None = None
        self._generation = 0
        # What the tab answers: (document, passage start, passage end, highlight).
        self._answered: tuple[str, int, int, Annotation | None] | None = None
        self._moved_at = 0.0
        # Answers kept for a cursor coming back or read ahead, by (document, start, end) of
        # their passage; and the read-ahead question running, if any.
        self._kept: OrderedDict[tuple[str, int, int], CrossReferences] = OrderedDict()
        self._ahead: CancelToken | None = None
        self._ahead_at: tuple[str, int] = ("", -1)  # the (document, offset) read ahead
        self._shown: tuple[str, CrossReferences] | None = None  # what reading ahead is from
        self._awaiting_ahead = False  # the cursor's answer is the one being read ahead
        self._epoch = 0  # bumped when kept answers become wrong (the index changed)
        keeper.when_ready(self._index_updated)

    @property
    def settled(self) -> bool:
        """Whether the tab answers the cursor's place (no question waiting or running)."""
        return self._timer is None and self._token is None and not self._awaiting_ahead

    def cursor_moved(self) -> None:
        """The cursor moved: ask again, unless it is still in the passage. A move after a
        rest asks at once; moves in quick succession (a held key) wait for the next rest."""
        now = time.monotonic()
        rested = now - self._moved_at >= SETTLE_DELAY
        self._moved_at = now
        pane = self.host.xref_pane()
        if pane is None:
            return
        if self._answers_cursor():
            return
        if rested and self._show_kept():
            return
        self._awaiting_ahead = rested and self._ahead_covers_cursor()
        if self._awaiting_ahead:
            self._stop_question()
            return
        self._schedule(delay=ASK_AT_ONCE if rested else SETTLE_DELAY)

    def refresh(self) -> None:
        """Ask again now (the tab was shown, the index or the annotations changed)."""
        self._answered = None
        self._forget_kept()
        if self.host.xref_pane() is not None:
            self._schedule(delay=ASK_AT_ONCE)

    def _index_updated(self) -> None:
        if self.keeper.changed:
            self.refresh()

    def stop(self) -> None:
        self._cancel()
        self._forget_kept()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    # -- inside ---------------------------------------------------------------------------------

    def _answers_cursor(self) -> bool:
        answered, opened = self._answered, self.host.opened
        if answered is None or opened is None or answered[0] != opened.rel_path:
            return False
        cursor, highlight = self.host.cursor_and_highlight()
        return answered[1] <= cursor < answered[2] and answered[3] == highlight

    def _schedule(self, delay: float = SETTLE_DELAY) -> None:
        self._cancel()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.host.set_timer(delay, self._ask)

    def _cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()
            self._token = None

    def _ask(self) -> None:
        self._timer = None
        pane, opened = self.host.xref_pane(), self.host.opened
        if pane is None:
            return
        if self._show_kept():
            return  # answered already (read ahead, or asked before)
        if self._ahead_covers_cursor():
            self._awaiting_ahead = True  # its answer is on its way
            self._generation += 1
            return
        if opened is None:
            pane.show_message("No document is open.")
            return
        index = self.keeper.index
        if index is None:
            pane.show_message(self._not_ready())
            return
        from readertui.index import CancelToken

        cursor, highlight = self.host.cursor_and_highlight()
        self._generation += 1
        generation = self._generation
        token = self._token = CancelToken()
        path = opened.rel_path
        app = self.host.app

        def work() -> None:
            from readertui.errors import ReaderError
            from readertui.index import Cancelled

            try:
                found = index.cross_references(
                    path, cursor, highlight=highlight, limit=GROUP_LIMIT, cancel=token
                )
            except Cancelled:
                return
            except ReaderError as error:
                answer: CrossReferences | str = str(error)
            except Exception as error:  # the tab says so; reading goes on
                answer = f"{type(error).__name__}: {error}"
            else:
                answer = found
            if token.cancelled:
                return
            with contextlib.suppress(RuntimeError):  # the app ended meanwhile
                app.call_from_thread(self._answer, generation, token, path, highlight, answer)

        app.run_worker(work, thread=True, group="cross-references", description="xref")

    def _answer(
        self,
        generation: int,
        token: CancelToken,
        path: str,
        highlight: Annotation | None,
        answer: CrossReferences | str,
    ) -> None:
        if generation != self._generation or token.cancelled:
            # A newer question was asked, or one is about to be (the annotations changed
            # while this one ran): this answer is stale.
            return
        self._token = None
        pane, opened = self.host.xref_pane(), self.host.opened
        if pane is None or opened is None or opened.rel_path != path:
            return
        if isinstance(answer, str):
            self._answered = None
            pane.show_message(f"The library index cannot be read: {answer}")
            return
        passage = answer.passage
        if passage is None:
            self._answered = None
            pane.show_message(
                "This document is not in the library index yet."
                if self.keeper.updating
                else "There is no passage at the cursor."
            )
            return
        self._present(pane, path, highlight, answer)
        if highlight is None:
            self._keep(path, answer)
        # Once the answer is on the screen: the question holds the interpreter in turns
        # with the screen's thread, and would slow the painting of the answer itself.
        self.host.app.call_after_refresh(self._read_ahead, path, answer)

    def _present(
        self, pane: XrefPane, path: str, highlight: Annotation | None, answer: CrossReferences
    ) -> None:
        assert answer.passage is not None
        place = answer.passage.place
        self._awaiting_ahead = False
        self._answered = (path, place.start, max(place.end, place.start + 1), highlight)
        about = f"¶ line {place.line}" if place.line is not None else "¶"
        if place.heading:
            about += f" · {place.heading}"
        if highlight is not None:
            about += " · the highlight at the cursor"
        pane.show(answer, about, highlight=highlight is not None)

    # -- answers kept and read ahead ------------------------------------------------------------

    def _keep(self, path: str, answer: CrossReferences) -> None:
        assert answer.passage is not None
        place = answer.passage.place
        key = (path, place.start, max(place.end, place.start + 1))
        self._kept[key] = answer
        self._kept.move_to_end(key)
        while len(self._kept) > KEPT_ANSWERS:
            self._kept.popitem(last=False)

    def _kept_at_cursor(self) -> tuple[str, CrossReferences] | None:
        opened = self.host.opened
        if opened is None or not self._kept:
            return None
        cursor, highlight = self.host.cursor_and_highlight()
        if highlight is not None:
            return None  # its answer has the highlight's groups: asked for
        for (path, start, end), answer in reversed(self._kept.items()):
            if path == opened.rel_path and start <= cursor < end:
                return path, answer
        return None

    def _show_kept(self) -> bool:
        """Show the kept answer of the passage at the cursor, if there is one."""
        pane, kept = self.host.xref_pane(), self._kept_at_cursor()
        if pane is None or kept is None:
            return False
        path, answer = kept
        self._stop_question()
        self._present(pane, path, None, answer)
        # Once the answer is on the screen: the question holds the interpreter in turns
        # with the screen's thread, and would slow the painting of the answer itself.
        self.host.app.call_after_refresh(self._read_ahead, path, answer)
        return True

    def _stop_question(self) -> None:
        """Cancel the question waiting or running: its answer is on its way otherwise."""
        self._cancel()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._generation += 1  # an answer still on its way is stale now

    def _ahead_covers_cursor(self) -> bool:
        """Whether the cursor, with no highlight under it, has just moved to the start of
        the passage being read ahead (as `}` does)."""
        opened = self.host.opened
        if self._ahead is None or opened is None or self._ahead_at[0] != opened.rel_path:
            return False
        cursor, highlight = self.host.cursor_and_highlight()
        return highlight is None and 0 <= cursor - self._ahead_at[1] <= NEXT_PASSAGE_GAP

    def _kept_after(self, path: str, offset: int) -> CrossReferences | None:
        """The kept answer of the passage at `offset` or, `offset` being between passages,
        of the one starting just after it."""
        for (kept_path, start, end), answer in self._kept.items():
            if kept_path == path and (
                start <= offset < end or 0 <= start - offset <= NEXT_PASSAGE_GAP
            ):
                return answer
        return None

    def _read_ahead(self, path: str, answer: CrossReferences) -> None:
        """Ask in the background for the answer of the first of the READ_AHEAD passages
        after `answer`'s that is not kept yet (each answer that comes asks for the next)."""
        index = self.keeper.index
        if index is None or answer.passage is None:
            return
        self._shown = (path, answer)
        following = -1
        for _ in range(READ_AHEAD):
            assert answer.passage is not None
            following = answer.passage.place.end  # between passages: the next is meant
            kept = self._kept_after(path, following)
            if kept is None or kept.passage is None:
                break
            answer = kept
        else:
            return  # all read ahead already
        if self._ahead is not None and self._ahead_at == (path, following):
            return  # on its way
        from readertui.index import CancelToken

        if self._ahead is not None:
            self._ahead.cancel()
        # Nobody waits for this answer yet: it gives way to the keys (see CancelToken.poll).
        token = self._ahead = CancelToken(gate=self.host.background_gate)
        self._ahead_at = (path, following)
        epoch = self._epoch
        app = self.host.app

        def work() -> None:
            from readertui.index import Cancelled

            found: CrossReferences | None
            try:
                found = index.cross_references(path, following, limit=GROUP_LIMIT, cancel=token)
            except Cancelled:
                return
            except Exception:  # the question itself says what is wrong, once it is asked
                found = None
            if found is not None and (
                found.passage is None or found.passage.place.end <= following
            ):
                found = None  # past the last passage: there is no next one
            with contextlib.suppress(RuntimeError):  # the app ended meanwhile
                app.call_from_thread(self._read, epoch, token, path, found)

        app.run_worker(work, thread=True, group="cross-references-ahead", description="xref")

    def _read(
        self, epoch: int, token: CancelToken, path: str, answer: CrossReferences | None
    ) -> None:
        if epoch != self._epoch or token.cancelled:
            return  # the index or the annotations changed meanwhile: asked again already
        if self._ahead is token:
            self._ahead = None
        if answer is not None and answer.passage is not None:
            self._keep(path, answer)
            if self._shown is not None and self._shown[0] == path:
                self._read_ahead(*self._shown)  # the next one, if not READ_AHEAD done yet
        # The cursor may have got there first (waiting for this, or with its own question
        # running): this is its answer.
        waited, self._awaiting_ahead = self._awaiting_ahead, False
        if self._answers_cursor() or (self._timer is not None and not waited):
            return
        if not self._show_kept() and waited:
            self._schedule(delay=ASK_AT_ONCE)  # it was not: ask

    def _forget_kept(self) -> None:
        self._epoch += 1
        self._kept.clear()
        self._shown = None
        self._awaiting_ahead = False
        if self._ahead is not None:
            self._ahead.cancel()
            self._ahead = None

    def _not_ready(self) -> str:
        keeper = self.keeper
        if keeper.updating:
            percent = f" ({keeper.percent}%)" if keeper.percent is not None else ""
            return f"The library is being indexed{percent}: cross-references come when it is done."
        if keeper.problem:
            return f"The library index cannot be used: {keeper.problem}"
        return "The library index is not built yet: it is built after start-up."
