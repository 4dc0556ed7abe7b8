"""A cancel switch that one thread sets and another's long work checks.

The UI hands one to each search or cross-reference request and flips it when a newer one
starts; the index checks it between documents while building and inside SQLite while
querying (a progress handler), so stale work stops early instead of finishing unseen.
"""

from __future__ import annotations

import threading


class CancelToken:
    """Set once with `cancel()`; `cancelled` tells whether it was."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()
