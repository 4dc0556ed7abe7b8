"""What can go wrong with the library index, as typed exceptions.

A query the user typed that cannot be searched is a `QueryError` (a `ReaderError`, so the
edges show its message as one line). A search the caller gave up on (the user typed on)
ends with `Cancelled`, which the UI drops quietly. `IndexUnavailable` means the cache cannot
be used just now (it was found damaged mid-query and will be rebuilt by the next update).
"""

from __future__ import annotations

from readertui.errors import ReaderError


class QueryError(ReaderError):
    """A search query that cannot be run: empty, only excluded words, too long."""


class IndexUnavailable(ReaderError):
    """The index cache cannot be read now (damaged, or never built); an update rebuilds it."""


class Cancelled(Exception):
    """The caller cancelled the work (a newer query replaced this one)."""
