"""Anchoring: find where an annotation belongs in a document's current text (PRODUCT 5).

An annotation remembers its span three ways: the offsets, the quote, and 32 characters of
context either side. When the text changes, each is placed again by the quote locator
(`readertui.core.locator`): at its stored offsets if the quote is still there with its
context; else the exact quote, chosen by context and nearness to where it is expected; else
an approximate match of it. What cannot be placed safely is left orphaned, with its quote
kept for a user to re-attach it by. The locator's score is kept as the confidence.

What this module adds is where to expect each annotation: `reanchor_all` expects each one
where its placed neighbours moved, and looks near there first for all of them before it
searches further for the few it has not placed, which keeps re-anchoring a thousand
annotations on a few megabytes well under a second (benchmarks/anchoring.py). Everything
here is pure and deterministic.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Sequence
from dataclasses import replace

from readertui.core.annotations import Annotation, quote_at
from readertui.core.locator import SCAN_BUDGET, Placement, QuoteLocator, locate_quote

__all__ = ["Placement", "anchor", "reanchor_all"]

# How many of the preceding placed annotations give the expected shift (their median).
_HINT_NEIGHBOURS = 5


def anchor(annotation: Annotation, text: str, *, hint_shift: int = 0) -> Placement | None:
    """Where `annotation` belongs in `text`, or None when it cannot be placed safely.

    `hint_shift` is how far text before the annotation is believed to have moved (for
    instance the shift of its placed neighbours): the annotation is expected at its stored
    start plus this, which is where the search begins and what "near" means when choosing.
    """
    quote = annotation.quote
    return locate_quote(
        text,
        quote.exact,
        quote.prefix,
        quote.suffix,
        start=annotation.start,
        hint=annotation.start + hint_shift,
    )


def reanchor_all(annotations: Sequence[Annotation], text: str, sha256: str) -> list[Annotation]:
    """`annotations` of one document placed in its current `text` (whose hash is `sha256`).

    Returns them in the same order. One stored against this hash, not orphaned and with its
    quote at its offsets, comes back as the same object. A placed one gets its new offsets, a
    fresh quote and context taken from `text` (so the next open finds it at its offsets), the
    new hash, its confidence and orphaned=False. One that cannot be placed comes back with
    orphaned=True and confidence 0, its offsets, quote and hash untouched: they describe the
    text it was last placed in, and its quote is what a user re-attaches it by.

    `updated` is never changed: re-anchoring is not a user edit, and the store resolves
    concurrent edits by `updated`.

    Placed neighbours say where to look. A first pass, in document order, looks only near
    the stored start shifted as the few annotations placed just before it were (their
    median shift), which places nearly all of them cheaply. A second pass takes the rest,
    each expected between the shifts of its nearest neighbours placed in the first pass,
    before and after it, and searches further out from there, within one budget of
    whole-text scanning for the document.
    """
    locator = QuoteLocator(text, scan_chars=SCAN_BUDGET)
    result = list(annotations)
    order = sorted(range(len(annotations)), key=lambda i: (annotations[i].start, i))
    # The shift of each placed annotation, by its rank in `order`; None while unplaced.
    # Orphans' offsets belong to an older text, so their shifts say nothing and stay None.
    shifts: list[int | None] = [None] * len(order)
    unplaced: list[int] = []
    recent: deque[int] = deque(maxlen=_HINT_NEIGHBOURS)
    for rank, index in enumerate(order):
        annotation = annotations[index]
        unchanged = annotation.doc.sha256 == sha256 and not annotation.orphaned
        if unchanged and _at_offsets(annotation, text):
            placement: Placement | None = Placement(
                annotation.start, annotation.end, "offsets", annotation.confidence
            )
        else:
            guess = annotation.start + (statistics.median_low(recent) if recent else 0)
            quote = annotation.quote
            placement = locator.locate(
                quote.exact,
                quote.prefix,
                quote.suffix,
                start=annotation.start,
                hint=guess,
                quick=True,
            )
        if placement is None:
            unplaced.append(rank)
            continue
        if not unchanged or placement.method != "offsets":
            result[index] = _placed(annotation, placement, text, sha256)
        if not annotation.orphaned:
            shift = placement.start - annotation.start
            shifts[rank] = shift
            recent.append(shift)

    preceding, following = _neighbour_shifts(shifts)
    # Annotations that were orphans already go last: the whole-text budget is better spent
    # on those that have just lost their place.
    unplaced.sort(key=lambda rank: (annotations[order[rank]].orphaned, rank))
    for rank in unplaced:
        annotation = annotations[order[rank]]
        known = [shift for shift in (preceding[rank], following[rank]) if shift is not None]
        low, high = (min(known), max(known)) if known else (0, 0)
        quote = annotation.quote
        placement = locator.locate(
            quote.exact,
            quote.prefix,
            quote.suffix,
            hint=(annotation.start + low, annotation.start + high),
        )
        if placement is not None:
            result[order[rank]] = _placed(annotation, placement, text, sha256)
        elif not (annotation.orphaned and annotation.confidence == 0.0):
            result[order[rank]] = replace(annotation, orphaned=True, confidence=0.0)
    return result


def _neighbour_shifts(
    shifts: list[int | None],
) -> tuple[list[int | None], list[int | None]]:
    """For each rank, the shift of the nearest placed annotation before it, and after it."""
    preceding: list[int | None] = [None] * len(shifts)
    following: list[int | None] = [None] * len(shifts)
    nearest: int | None = None
    for rank, shift in enumerate(shifts):
        preceding[rank] = nearest
        nearest = shift if shift is not None else nearest
    nearest = None
    for rank in range(len(shifts) - 1, -1, -1):
        following[rank] = nearest
        nearest = shifts[rank] if shifts[rank] is not None else nearest
    return preceding, following


def _placed(annotation: Annotation, placement: Placement, text: str, sha256: str) -> Annotation:
    start, end = placement.start, placement.end
    placed = replace(
        annotation,
        start=start,
        end=end,
        quote=quote_at(text, start, end),
        doc=replace(annotation.doc, sha256=sha256),
        orphaned=False,
        confidence=placement.confidence,
    )
    return annotation if placed == annotation else placed


def _at_offsets(annotation: Annotation, text: str) -> bool:
    exact = annotation.quote.exact
    start = annotation.start
    return (
        bool(exact)
        and start >= 0
        and annotation.end - start == len(exact)
        and text.startswith(exact, start)
    )
