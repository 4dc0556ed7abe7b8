"""Start-up with Python's cyclic garbage collector paused.

Starting the reader creates a few hundred thousand objects that live as long as the app
(modules, classes, parsed CSS, widgets) and next to no cyclic garbage, yet the collector
walks them again and again while they are being made: with it running, a tenth of the time
to the first screen of text goes to collections that find nothing
(benchmarks/terminal_paint.py). So the reader pauses it from the moment it starts until the
first screen of text is shown and the rest of the screen mounted, and then it runs again as
usual. What start-up made before the first document was opened (modules, classes, parsed CSS,
the screen's widgets) is moved out of the collector's sight for good (`gc.freeze`), so every
later collection has less to walk. Not the document, nor the workers that read it: a finished
worker leaves reference cycles behind, and frozen, they would keep the document alive for good.
Textual itself pauses the collector in the same way while it scrolls.
"""

from __future__ import annotations

import gc

_paused = False
_held = False


def pause_collector() -> None:
    """Pause the cyclic collector (reference counting still frees almost everything)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def freeze_startup_objects() -> None:
    """Leave what is alive now out of later collections, when the collector was paused for
    start-up (see the module: call it before the first document is opened)."""
    if _paused:
        gc.freeze()


def resume_collector() -> None:
    """Undo `pause_collector`. Does nothing when the collector was not paused here (called
    twice, or it was off)."""
    global _paused
    if not _paused:
        return
    _paused = False
    gc.enable()


def hold_collector() -> bool:
    """Keep the cyclic collector from running while a key is answered: a full collection
    of a big session (thousands of annotations, an index's answers) takes 50-100 ms, and in
    the middle of a key it shows as a stalled screen. True when this call paused it (then
    `release_collector` must follow); False when it was paused already or is off.
    """
    global _held
    if _paused or _held or not gc.isenabled():
        return False
    gc.disable()
    _held = True
    return True


def release_collector() -> None:
    """Undo `hold_collector` (the answer is on the screen): what was put off runs now,
    between keys. Does nothing when the collector is not held."""
    global _held
    if not _held:
        return
    _held = False
    gc.enable()
