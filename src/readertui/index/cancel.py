"""A cancel switch that one thread sets and another's long work checks.

The UI hands one to each search or cross-reference request and flips it when a newer one
starts; the index checks it between documents while building and inside SQLite while
querying (a progress handler), so stale work stops early instead of finishing unseen.

A token may also carry a gate, for work nobody waits for (the Cross-refs tab reading the
next paragraphs ahead): while the gate is closed (the screen is answering a key), the work
pauses at its next check instead of taking turns with the screen's thread for the
interpreter. It never waits longer than GATE_WAIT_LIMIT at one check, so a gate left closed
slows that work down but never stops it.
"""

from __future__ import annotations

import threading
import time
from typing import Final

#: The longest one check waits at a closed gate (seconds).
GATE_WAIT_LIMIT: Final = 0.25
#: How often a wait at the gate looks whether the work was cancelled meanwhile (seconds).
_GATE_POLL: Final = 0.02


class CancelToken:
    """Set once with `cancel()`; `cancelled` tells whether it was. With a `gate` (an Event:
    set means open), `poll` waits while the gate is closed."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self._event = threading.Event()
        self._gate = gate

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def poll(self) -> bool:
        """Wait while the gate is closed (at most GATE_WAIT_LIMIT), then say whether the work
        was cancelled."""
        gate = self._gate
        if gate is not None and not gate.is_set():
            deadline = time.monotonic() + GATE_WAIT_LIMIT
            while not gate.is_set() and not self.cancelled:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                gate.wait(min(left, _GATE_POLL))
        return self.cancelled
