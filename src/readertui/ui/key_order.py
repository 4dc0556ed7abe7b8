"""Keys take effect in the order they were typed, however fast they come (type-ahead).

Textual hands each key to the focused widget's message queue and lets it bubble up to the
app's bindings through more queues, so a key that opens a dialog (`n`), moves the focus (`1`,
`tab`) or closes a dialog (`ctrl+s`) takes effect only after the keys typed behind it were
already handed to the old target: `n quiet` typed in one burst quit the app with its `q`.

`KeyOrderedApp` holds the keys that come after such a key until its effect has settled: every
message queue of the app and its screens has drained and the screen on top is ready for keys
(mounted, with its focus placed). Then the held keys are delivered one by one, each to what
has the focus at that moment. Keys that only move the cursor or type into a text field go
through at once, so holding costs nothing in ordinary reading. A key is never held longer than
`KEY_HOLD_LIMIT`: a screen that never becomes ready delays keys, it never swallows them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from time import monotonic
from typing import Final, TypeVar

from textual import events, on
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message

ReturnType = TypeVar("ReturnType")

#: The longest a key waits for the screen it was typed at to become ready (seconds).
KEY_HOLD_LIMIT: Final = 5.0

#: The longest one round of waiting for the message queues may take (seconds).
ROUND_LIMIT: Final = 0.2

#: Keys that move the focus or confirm or close something, whatever they are bound to.
SETTLING_KEYS: Final = frozenset({"enter", "escape", "tab", "shift+tab", "ctrl+s"})

#: Actions that only move a cursor or scroll, or change a selection: the keys bound to them
#: are delivered at once (they go down the same path as the key before them, so stay in order).
STEADY_ACTIONS: Final = frozenset(
    {
        "cursor_down",
        "cursor_up",
        "cursor_left",
        "cursor_right",
        "word_next",
        "word_previous",
        "paragraph_next",
        "paragraph_previous",
        "document_start",
        "document_end",
        "page_down",
        "page_up",
        "half_page_down",
        "half_page_up",
        "toggle_selection",
        "select_paragraph",
        "cancel_selection",
        "highlight_next",
        "highlight_previous",
        "first",
        "last",
        "scroll_up",
        "scroll_down",
        "scroll_home",
        "scroll_end",
        "scroll_left",
        "scroll_right",
        "page_left",
        "page_right",
        "wider",
        "narrower",
    }
)


def _action_name(action: str) -> str:
    """`focus_pane('library')` -> `focus_pane`; `app.focus_next` -> `focus_next`."""
    return action.split("(", 1)[0].rsplit(".", 1)[-1]


class KeyOrderedApp(App[ReturnType]):
    """An App that delivers keys in order across dialogs and focus changes (see the module)."""

    class KeysReleased(Message):
        """The effect of a key has settled: deliver the keys held meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self._held: deque[events.Key | events.Paste] = deque()
        self._settle_task: asyncio.Task[None] | None = None
        self._settled_at_limit = False

    # -- what subclasses say ------------------------------------------------------------------

    def keys_ready(self) -> bool:
        """Whether the app takes keys at all yet (e.g. its first screen is on show)."""
        return True

    # -- the gate ------------------------------------------------------------------------------

    @property
    def holding_keys(self) -> bool:
        """Whether keys are being held (for tests and the status of start-up)."""
        return bool(self._held) or self._settle_task is not None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if self._held or self._settle_task is not None or not self._ready_for_keys():
                self._held.append(event)
                self._start_settling()
                return
            await self._deliver(event)
            return
        await super().on_event(event)

    async def _deliver(self, event: events.Key | events.Paste) -> None:
        settles = isinstance(event, events.Key) and self._key_settles(event)
        await super().on_event(event)
        if settles:
            self._start_settling()

    def _key_settles(self, event: events.Key) -> bool:
        """Whether the effect of `event` may change where the next key goes."""
        if event.key in SETTLING_KEYS:
            return True
        focused = self.focused
        if focused is not None and focused.check_consume_key(event.key, event.character):
            return False  # typed into a text field: the next key goes there too
        try:
            bound = self.screen.active_bindings.get(event.key)
        except Exception:  # no screen yet: be careful
            return True
        if bound is None:
            return False
        return _action_name(bound.binding.action) not in STEADY_ACTIONS

    def _ready_for_keys(self) -> bool:
        if not self.keys_ready():
            return False
        try:
            screen = self.screen
        except Exception:
            return False
        if not screen.is_mounted:
            return False
        # A dialog is ready once its focus is placed (its text field, its list).
        return screen.focused is not None or screen is self.screen_stack[0]

    def _start_settling(self) -> None:
        if self._settle_task is None:
            self._settle_task = asyncio.create_task(self._settle())

    async def _settle(self) -> None:
        """Wait until every queue has drained and the top screen takes keys (or the limit)."""
        deadline = monotonic() + KEY_HOLD_LIMIT
        at_limit = True
        try:
            while monotonic() < deadline:
                await self._drain_queues(deadline)
                if self._queues_empty() and self._ready_for_keys():
                    at_limit = False
                    break
                await asyncio.sleep(0.002)
        finally:
            self._settle_task = None
            self._settled_at_limit = at_limit
            self.post_message(self.KeysReleased())

    def _message_pumps(self) -> list[DOMNode]:
        pumps: list[DOMNode] = [self]
        for screen in self.screen_stack:
            pumps.extend(screen.walk_children(with_self=True))
        return pumps

    async def _drain_queues(self, deadline: float) -> None:
        """Return once each pump has handled everything that was in its queue on the call."""
        remaining = 0
        done = asyncio.Event()

        def handled() -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                done.set()

        for pump in self._message_pumps():
            if pump.call_later(handled):
                remaining += 1
        if remaining:
            # A pump removed meanwhile (a dialog closing) never runs its callback: give up on
            # the round soon, and look again at the pumps there are then.
            wait = min(ROUND_LIMIT, max(0.0, deadline - monotonic()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), wait)

    def _queues_empty(self) -> bool:
        return all(pump.message_queue_size == 0 for pump in self._message_pumps())

    def on_unmount(self) -> None:
        # The app is ending: nothing is left to deliver the held keys to.
        self._held.clear()
        if self._settle_task is not None:
            self._settle_task.cancel()

    @on(KeysReleased)
    async def _release_held_keys(self, message: KeysReleased) -> None:
        force = self._settled_at_limit
        self._settled_at_limit = False
        while self._held and self._settle_task is None:
            if not force and not self._ready_for_keys():
                self._start_settling()
                return
            force = False
            await self._deliver(self._held.popleft())
