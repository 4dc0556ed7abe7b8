"""Start-up with Python's cyclic garbage collector paused.

Starting the reader creates a few hundred thousand objects that live as long as the app
(modules, classes, parsed CSS, widgets) and next to no cyclic garbage, yet the collector
walks them again and again while they are being made: with it running, a tenth of the time
to the first screen of text goes to collections that find nothing
(benchmarks/terminal_paint.py). So the reader pauses it from the moment it starts until the
first screen of text is shown and the rest of the screen mounted; then everything alive by
then is moved out of the collector's sight for good (`gc.freeze`) and it runs again as usual,
with less to walk on every later collection too. Textual itself pauses the collector in the
same way while it scrolls.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    """Pause the cyclic collector (reference counting still frees almost everything)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector(*, freeze: bool = True) -> None:
    """Undo `pause_collector`; with `freeze`, what is alive now is left out of later
    collections (for an app that goes on running: not when it has ended, since what it
    left behind would then never be collected).

    Does nothing when the collector was not paused here (called twice, or it was off).
    """
    global _paused
    if not _paused:
        return
    _paused = False
    if freeze:
        gc.freeze()
    gc.enable()


def freeze_survivors() -> None:
    """Leave what is alive now out of later collections: called once an opened document's
    annotations are placed, when thousands of them (and their quotes) were just made and
    will live until another document is opened. A full collection walking them again and
    again would hold the screen up for a tenth of a second each time; they hold no cycles,
    so reference counting still frees them when the document is closed.
    """
    if gc.isenabled():
        gc.freeze()
