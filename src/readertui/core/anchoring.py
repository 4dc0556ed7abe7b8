"""Anchoring: find where an annotation belongs in a document's current text (PRODUCT 5).

An annotation remembers its span three ways: the offsets, the quote, and 32 characters of
context either side. When the text changes, `anchor` looks for the span in this order:

1. **offsets** - the quote is still at the stored offsets and its context still agrees;
2. **exact** - an occurrence of the quote, chosen by how well its context agrees and how near
   it is to where the annotation is expected;
3. **approximate** - the quote with small edits in it, found by aligning prefix + quote +
   suffix against the text (rapidfuzz), near the expected place, then where exact pieces
   of it occur further away.

Candidates are scored as the web annotation tools score them, from quote, context and
position similarity. Unlike them, and because a highlight in the wrong place is worse than
none, the annotation is left orphaned when the best candidate scores below a minimum, when
another place scores nearly as well (a coin flip), when a short quote lacks context to rest
on, or when the candidate is far from where it is expected without strong evidence. The
score is kept, as the annotation's confidence.

The search is local first: a strong match near the expected place (exact or approximate) is
accepted before the whole text is searched, and `reanchor_all` expects each annotation where
its placed neighbours moved, which keeps re-anchoring a thousand annotations on a few
megabytes well under a second (benchmarks/anchoring.py). Everything here is pure and
deterministic.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Opcodes

from readertui.core.annotations import CONTEXT_CHARS, Annotation, Quote, quote_at

Method = Literal["offsets", "exact", "approximate"]
# A stretch of the text, low..high.
_Window = tuple[int, int]

# -- scoring ------------------------------------------------------------------------------
# A candidate's score is a weighted mean of quote, context and position evidence, each 0..1.
# The quote's weight grows with its length up to _SPECIFIC_CHARS: five matching characters
# say almost nothing about the place, so short quotes must be carried by their context.
_QUOTE_WEIGHT = 50.0
_CONTEXT_WEIGHT = 40.0  # prefix and suffix together, each by its length
_POSITION_WEIGHT = 10.0
_SPECIFIC_CHARS = 32
# Indel similarity of two unrelated 32-character pieces of English prose is 0.34 at the
# median and 0.5 at the 99th percentile (measured on War and Peace), so context only counts
# as evidence above this; a context that agrees fully counts 1.
_CONTEXT_BASELINE = 0.45
# Likewise for the quote: an alignment window always finds half the characters somewhere.
_QUOTE_BASELINE = 0.5
# An approximate match must keep at least this much of the quote (Indel similarity): one
# word changed in a 20-character quote scores about 0.8.
_MIN_QUOTE_SIMILARITY = 0.75
# Candidates `_POSITION_SCALE` characters from the expected place get half the position score.
_POSITION_SCALE = 1000
# Tuned with benchmarks/anchoring.py, run with more edits, other seeds and short quotes as
# well: wrong candidates that got past the other checks scored up to 0.60 there, right
# ones as low as 0.69.
_MIN_SCORE = 0.65
# A match near the expected place at least this good ends the search there.
_STRONG_SCORE = 0.85
# Two separate candidates closer than this in score are a coin flip: orphan instead.
_MARGIN = 0.05
# The context evidence a quote shorter than a length needs, whatever its score: one side
# of context intact gives 0.5. Under 8 characters a quote says next to nothing itself.
_SHORT_QUOTE_CONTEXT = ((8, 0.6), (_SPECIFIC_CHARS, 0.45))
# A candidate further than this from where it is expected needs evidence (its score
# without the position) of _STRONG_SCORE: with the neighbours' shifts known the right
# place is rarely further, and the whole text holds many more look-alikes (a phrase
# repeated chapters apart) than the neighbourhood does.
_NEAR_CHARS = 4096
# An end of an approximate match is firm when this many characters on one side of it are
# the quote's or the context's own; otherwise firm places this far either side compete
# with it (at most this many of them). Ends that differ by no more than _BOUNDARY_CHARS
# are the same answer, give or take.
_FIRM_CHARS = 3
_SNAP_CHARS = 8
_MAX_SNAPS = 4
_BOUNDARY_CHARS = 4
# The quote at its stored offsets is kept as it is when its context agrees this well.
_OFFSETS_CONTEXT = 0.5

# -- search -------------------------------------------------------------------------------
# How far from the expected place the first, cheap searches look.
_LOCAL_EXACT_CHARS = 4096
_LOCAL_APPROXIMATE_CHARS = 256
# The wider window for seeded approximate search, before the whole text.
_WIDE_CHARS = 1 << 16
# At most this many occurrences of the quote are scored (the nearest ones): a common word
# occurs thousands of times, and context, not the count, decides between them. A scan of
# the whole window stops after _MAX_SCANNED; the nearest are then looked for around the
# expected place.
_MAX_OCCURRENCES = 64
_MAX_SCANNED = 256
# Context characters joined to a common quote to look for it by its surroundings.
_CONTEXT_NEEDLE_CHARS = 8
# Seeds: exact pieces of prefix + quote + suffix; where they occur suggests where to align.
_SEED_CHARS = 16
_MAX_SEEDS = 8
# A piece occurring more often than this in the window is too common to suggest anything.
_MAX_SEED_HITS = 8
_SEED_CLUSTER_CHARS = 48
_MAX_SEED_CLUSTERS = 6
# Room around an aligned window for a quote that grew or shrank.
_ALIGN_SLACK = 16
# Quotes longer than this are aligned by their two ends (partial_ratio grows costly with
# the needle: 18 ms for 864 characters against unrelated text, 0.06 ms for 80).
_ALIGN_CHARS = 64
# Room either side of the context when an approximate match is aligned again.
_REFINE_CHARS = 32
# The first window searched for occurrences, either side of where they are expected.
_FIRST_REACH = 4096
# Searching the whole text for the quote costs a scan of it (three for a common quote),
# a seeded search _MAX_SEEDS scans. One anchor() or reanchor_all() call scans at most this
# many characters in all (about a fifth of a second); past that, only the wide window
# around the expected place is searched. Orphans are tried again on every open, and on a
# 100 MB text every whole-text scan counts.
_SCAN_BUDGET = 1 << 29
# How many of the preceding placed annotations give the expected shift (their median).
_HINT_NEIGHBOURS = 5
# When the expected start is a range no wider than this, the near alignment covers it all;
# a wider one is looked at around its two ends.
_LOCAL_SPAN_CHARS = 1 << 14


@dataclass(frozen=True)
class Placement:
    """Where an annotation was found: text[start:end], how, and how sure (0..1)."""

    start: int
    end: int
    method: Method
    confidence: float


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    score: float
    quote_similarity: float
    method: Method
    # Enough of the quote, and for a short quote enough of its context, to be considered.
    sound: bool
    # Within _NEAR_CHARS of where the quote is expected.
    near: bool
    # Good enough to be placed there, if no rival comes close: a score of _MIN_SCORE, or
    # when not near, evidence of _STRONG_SCORE.
    good: bool


@dataclass
class _ScanBudget:
    """Characters of whole-text scanning still allowed (shared across one reanchor_all)."""

    chars: int = _SCAN_BUDGET

    def spend(self, chars: int) -> bool:
        """Whether a scan of `chars` characters is still affordable; if so, it is counted."""
        if chars > self.chars:
            return False
        self.chars -= chars
        return True


@dataclass(frozen=True)
class _Expected:
    """Where the quote is expected to start: somewhere in low..high."""

    low: int
    high: int

    def distance(self, start: int) -> int:
        return max(self.low - start, 0, start - self.high)


def anchor(annotation: Annotation, text: str, *, hint_shift: int = 0) -> Placement | None:
    """Where `annotation` belongs in `text`, or None when it cannot be placed safely.

    `hint_shift` is how far text before the annotation is believed to have moved (for
    instance the shift of its placed neighbours): the annotation is expected at its stored
    start plus this, which is where the search begins and what "near" means when choosing.
    """
    expected = annotation.start + hint_shift
    return _anchor(annotation, text, _Expected(expected, expected), _ScanBudget())


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
    before and after it, and searches further out from there.
    """
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
            placement = _anchor(annotation, text, _Expected(guess, guess), None)
        if placement is None:
            unplaced.append(rank)
            continue
        if not unchanged or placement.method != "offsets":
            result[index] = _placed(annotation, placement, text, sha256)
        if not annotation.orphaned:
            shift = placement.start - annotation.start
            shifts[rank] = shift
            recent.append(shift)

    budget = _ScanBudget()
    preceding, following = _neighbour_shifts(shifts)
    # Annotations that were orphans already go last: the whole-text budget is better spent
    # on those that have just lost their place.
    unplaced.sort(key=lambda rank: (annotations[order[rank]].orphaned, rank))
    for rank in unplaced:
        annotation = annotations[order[rank]]
        known = [shift for shift in (preceding[rank], following[rank]) if shift is not None]
        low, high = (min(known), max(known)) if known else (0, 0)
        placement = _anchor(
            annotation, text, _Expected(annotation.start + low, annotation.start + high), budget
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


# -- the search ---------------------------------------------------------------------------


def _anchor(
    annotation: Annotation, text: str, expected: _Expected, budget: _ScanBudget | None
) -> Placement | None:
    """The search, in the order of the module docstring.

    With no `budget`, only near the expected place (steps 1-3) and only strong matches.
    """
    quote = annotation.quote
    exact = quote.exact
    if not exact or not text:
        return None
    expected = _Expected(
        min(max(expected.low, 0), len(text)), min(max(expected.high, 0), len(text))
    )
    scorer = _Scorer(quote, text, expected)

    # 1. The stored offsets, if the quote and its surroundings are still there.
    if _at_offsets(annotation, text):
        start = annotation.start
        if scorer.context(start, start + len(exact)) >= _OFFSETS_CONTEXT:
            return Placement(start, start + len(exact), "offsets", 1.0)

    # 2. The quote near the expected place, with its context.
    window = (expected.low - _LOCAL_EXACT_CHARS, expected.high + len(exact) + _LOCAL_EXACT_CHARS)
    nearby = [scorer.exact(at) for at in _occurrences(text, exact, expected.low, window)]
    best = _choose(nearby)
    if best is not None and _strong(best):
        return _placement(best)

    # 3. The quote with small edits, near the expected place.
    local = _nearest_alignment(scorer, expected)
    if local is not None and _strong(local):
        return _placement(local)
    if budget is None:
        return None

    # 4. The quote anywhere (or at least in the wide window), by context and nearness.
    wide: _Window = (expected.low - _WIDE_CHARS, expected.high + _WIDE_CHARS)
    window = (0, len(text)) if budget.spend(len(text)) else wide
    everywhere = _occurrences(text, exact, expected.low, window)
    if len(everywhere) >= _MAX_OCCURRENCES and budget.spend(2 * len(text)):
        # A common quote: also look for it by the characters just around it.
        everywhere += _context_occurrences(text, quote, expected.low)
    pool = [scorer.exact(at) for at in sorted(set(everywhere))]
    best = _choose(pool)
    if best is not None and _strong(best):
        return _placement(best)

    # 5. The quote with edits, further away: align where exact pieces of it occur. A weak
    # exact match competes with these: when the quote was edited and a copy of it stands
    # elsewhere, the edited one in its own context is the better match.
    if local is not None:
        pool.append(local)
    needle = quote.prefix + exact + quote.suffix
    around = expected.low - len(quote.prefix)
    for whole_text in (False, True):
        window = wide
        if whole_text:
            if not budget.spend(_MAX_SEEDS * len(text)):
                break
            window = (0, len(text))
        for at in _seed_positions(text, needle, len(quote.prefix), len(exact), around, window):
            candidate = scorer.aligned(at - _ALIGN_SLACK, at + len(needle) + _ALIGN_SLACK)
            if candidate is not None:
                pool.append(candidate)
        best = _choose(pool)
        if best is not None and best.good:
            return _placement(best)
    return None


def _nearest_alignment(scorer: _Scorer, expected: _Expected) -> _Candidate | None:
    """The best approximate match around the expected place (or places, if far apart)."""
    quote = scorer.quote
    before = len(quote.prefix) + _LOCAL_APPROXIMATE_CHARS
    after = len(quote.exact) + len(quote.suffix) + _LOCAL_APPROXIMATE_CHARS
    if expected.high - expected.low <= _LOCAL_SPAN_CHARS:
        return scorer.aligned(expected.low - before, expected.high + after)
    found = [
        candidate
        for at in (expected.low, expected.high)
        if (candidate := scorer.aligned(at - before, at + after)) is not None
    ]
    return max(found, key=lambda candidate: candidate.score, default=None)


def _strong(candidate: _Candidate) -> bool:
    """Good enough to end the search: nothing found further on could be better.

    Only a near candidate can be: a far one, however good, must still be compared with
    the approximate matches, in case it is a copy and the original was edited.
    """
    return candidate.sound and candidate.near and candidate.score >= _STRONG_SCORE


def _placement(candidate: _Candidate) -> Placement:
    return Placement(candidate.start, candidate.end, candidate.method, round(candidate.score, 4))


def _choose(candidates: list[_Candidate]) -> _Candidate | None:
    """The best acceptable candidate, or None when there is none or it is a coin flip."""
    acceptable = [candidate for candidate in candidates if candidate.sound]
    if not acceptable:
        return None
    best = max(acceptable, key=lambda c: (c.score, -c.start))
    for rival in acceptable:
        # Overlapping candidates are the same place found twice (or a quote like "ha ha"
        # matching itself shifted), not a rival place.
        separate = rival.end <= best.start or best.end <= rival.start
        if separate and rival.score > best.score - _MARGIN:
            return None
    return best


class _Scorer:
    """Scores candidate spans for one quote in one text, relative to where it is expected."""

    def __init__(self, quote: Quote, text: str, expected: _Expected) -> None:
        self.quote = quote
        self.text = text
        self.expected = expected
        self.quote_weight = _QUOTE_WEIGHT * min(1.0, len(quote.exact) / _SPECIFIC_CHARS)
        self.total_weight = self.quote_weight + _CONTEXT_WEIGHT + _POSITION_WEIGHT
        # A short quote rests on its context: a common phrase occurs near any place.
        self.context_floor = next(
            (floor for length, floor in _SHORT_QUOTE_CONTEXT if len(quote.exact) < length), 0.0
        )

    def context(self, start: int, end: int) -> float:
        """How well the text around start..end agrees with the stored context, 0..1.

        Each side counts by how much of it was stored: a quote that began the text has
        no prefix, and one that began two characters in has a prefix that says little.
        """
        prefix, suffix = self.quote.prefix, self.quote.suffix
        if not prefix and not suffix:
            return 1.0
        before = self.text[max(0, start - CONTEXT_CHARS) : start]
        after = self.text[end : end + CONTEXT_CHARS]
        agreed = len(prefix) * _agreement(prefix, before) + len(suffix) * _agreement(suffix, after)
        return agreed / (len(prefix) + len(suffix))

    def score(self, start: int, quote_similarity: float, context: float) -> tuple[float, float]:
        """The score of a span starting at `start`, and its evidence (without the position)."""
        weighed = self.quote_weight * _above(quote_similarity, _QUOTE_BASELINE)
        weighed += _CONTEXT_WEIGHT * context
        position = 1 / (1 + self.expected.distance(start) / _POSITION_SCALE)
        score = (weighed + _POSITION_WEIGHT * position) / self.total_weight
        return score, weighed / (self.total_weight - _POSITION_WEIGHT)

    def exact(self, start: int) -> _Candidate:
        end = start + len(self.quote.exact)
        return self._judged(start, end, 1.0, "exact")

    def _judged(self, start: int, end: int, similarity: float, method: Method) -> _Candidate:
        context = self.context(start, end)
        sound = similarity >= _MIN_QUOTE_SIMILARITY and context >= self.context_floor
        score, evidence = self.score(start, similarity, context)
        near = self.expected.distance(start) <= _NEAR_CHARS
        # Far from where it is expected, only strong evidence will do.
        good = score >= _MIN_SCORE if near else evidence >= _STRONG_SCORE
        return _Candidate(start, end, score, similarity, method, sound, near, good)

    def aligned(self, low: int, high: int) -> _Candidate | None:
        """The best approximate match of the quote, with its context, within text[low:high].

        What is found is aligned a second time in a window centred on it: the first window
        is only a rough guess (seeds suggest a place to within tens of characters), and one
        that cuts through the quote or its context bends the ends found.
        """
        found = self._aligned_once(low, high)
        if found is None or found.quote_similarity < _QUOTE_BASELINE:
            # Nothing like the quote: not worth a second look.
            return found
        quote = self.quote
        again = self._aligned_once(
            found.start - len(quote.prefix) - _REFINE_CHARS,
            found.end + len(quote.suffix) + _REFINE_CHARS,
        )
        return again if again is not None and again.score > found.score else found

    def _aligned_once(self, low: int, high: int) -> _Candidate | None:
        """aligned() in one pass.

        A quote up to _ALIGN_CHARS long is aligned with its context in one piece. A longer
        one is aligned by its head (prefix and first characters) and its tail (last
        characters and suffix), which bounds the cost of a long quote; if the span so found
        is not the quote, the other way round is tried (the head may be the edited part).
        """
        quote = self.quote
        exact, prefix = quote.exact, quote.prefix
        if len(exact) <= _ALIGN_CHARS:
            needle = prefix + exact + quote.suffix
            found = self._locate(needle, low, high, len(prefix), len(prefix) + len(exact))
            return None if found is None else self.approximate(*found)
        head = prefix + exact[:_ALIGN_CHARS]
        tail = exact[-_ALIGN_CHARS:] + quote.suffix
        # How far a long quote's length may have changed by edits inside it.
        spread = _ALIGN_SLACK + len(exact) // 8
        best: _Candidate | None = None
        for head_first in (True, False):
            if head_first:
                start = self._locate(head, low, high, len(prefix), None)
                if start is None:
                    continue
                tail_low = start[0] + len(exact) - _ALIGN_CHARS - spread
                end = self._locate(
                    tail, tail_low, tail_low + len(tail) + 2 * spread, None, _ALIGN_CHARS
                )
            else:
                end = self._locate(tail, low, high, None, _ALIGN_CHARS)
                if end is None:
                    continue
                head_low = end[1] - len(exact) - len(prefix) - spread
                start = self._locate(
                    head, head_low, head_low + len(head) + 2 * spread, len(prefix), None
                )
            if start is None or end is None:
                continue
            candidate = self.approximate(start[0], end[1])
            if candidate is not None and (best is None or candidate.score > best.score):
                best = candidate
            if best is not None and best.sound:
                break
        return best

    def approximate(self, start: int, end: int) -> _Candidate | None:
        """The approximate match start..end, with its ends checked.

        An end is firm when the characters on at least one side of it are the quote's or
        the context's own. An end with edits on both sides may be a word off (the aligner
        matched letters of an inserted word instead), so the firm places near it are
        scored too, and the best-scoring ends win; when ends that differ by more than a
        few characters score alike, the match is a coin flip and is given up.
        """
        if end <= start:
            return None
        exact, text = self.quote.exact, self.text
        if text[start:end] == exact:
            # An alignment may land on an unedited occurrence; that is an exact match.
            return self._judged(start, end, 1.0, "exact")
        options = [
            self._judged(
                low, high, Indel.normalized_similarity(exact, text[low:high]), "approximate"
            )
            for low in self._ends_near(start, self._firm_start)
            for high in self._ends_near(end, self._firm_end)
            if low < high
        ]
        if not options:
            return None
        best = max(options, key=lambda option: (option.score, -option.start, -option.end))
        for option in options:
            moved = max(abs(option.start - best.start), abs(option.end - best.end))
            if moved > _BOUNDARY_CHARS and option.score > best.score - _MARGIN:
                return None
        return best

    @staticmethod
    def _ends_near(at: int, is_firm: Callable[[int], bool]) -> list[int]:
        """`at`, and if it is not firm, the nearest firm places around it."""
        if is_firm(at):
            return [at]
        nearby = sorted(range(at - _SNAP_CHARS, at + _SNAP_CHARS + 1), key=lambda x: abs(x - at))
        return [at, *[place for place in nearby if place != at and is_firm(place)][:_MAX_SNAPS]]

    def _firm_start(self, at: int) -> bool:
        text, quote = self.text, self.quote
        if not 0 <= at <= len(text):
            return False
        before = quote.prefix[-_FIRM_CHARS:]
        return text.startswith(quote.exact[:_FIRM_CHARS], at) or (
            text[at - len(before) : at] == before if at >= len(before) and before else at == 0
        )

    def _firm_end(self, at: int) -> bool:
        text, quote = self.text, self.quote
        if not 0 <= at <= len(text):
            return False
        last = quote.exact[-_FIRM_CHARS:]
        after = quote.suffix[:_FIRM_CHARS]
        return (at >= len(last) and text[at - len(last) : at] == last) or (
            text.startswith(after, at) if after else at == len(text)
        )

    def _locate(
        self, needle: str, low: int, high: int, first: int | None, last: int | None
    ) -> tuple[int, int] | None:
        """Align `needle` within text[low:high]; where its offsets `first` and `last` land.

        `first` is mapped as the start of a span, `last` as the end of one (either may be
        None, and then comes back as -1). None when the needle matches nothing there.
        """
        text = self.text
        low, high = max(0, low), min(len(text), high)
        if high <= low:
            return None
        found = fuzz.partial_ratio_alignment(needle, text[low:high])
        if found is None or found.score == 0:
            return None
        # partial_ratio places a window as long as the needle; align the needle again,
        # globally, against that window plus room for a quote that grew, to map offsets.
        window_low = max(0, low + found.dest_start - _ALIGN_SLACK)
        window_high = min(len(text), low + found.dest_end + _ALIGN_SLACK)
        # Indel (matches and gaps only) rather than Levenshtein: substitutions would let the
        # aligner trade an inserted word for mismatched characters and blur the boundary.
        operations = Indel.opcodes(needle, text[window_low:window_high])
        start = -1 if first is None else window_low + _map_boundary(operations, first, first=True)
        end = -1 if last is None else window_low + _map_boundary(operations, last, first=False)
        return start, end


def _agreement(stored: str, actual: str) -> float:
    """Evidence, 0..1, that `actual` is the context `stored` was taken from."""
    return _above(Indel.normalized_similarity(stored, actual), _CONTEXT_BASELINE)


def _above(similarity: float, baseline: float) -> float:
    return max(0.0, (similarity - baseline) / (1 - baseline))


def _map_boundary(operations: Opcodes, offset: int, *, first: bool) -> int:
    """Where a boundary in the needle lands in the aligned window.

    `first`: the boundary before needle[offset] (a quote's start); otherwise the one after
    needle[offset - 1] (a quote's end). That character's place comes from the nearest run
    of matching characters, counted on from its end (or back from its start), so whatever
    edit sits between does not move the boundary; on a tie the quote's own side wins,
    which leaves text inserted exactly at a boundary outside the quote.
    """
    char = offset if first else offset - 1
    before: tuple[int, int] | None = None  # (distance, where char lands)
    after: tuple[int, int] | None = None
    for operation in operations:
        if operation.tag != "equal":
            continue
        src, dest, size = operation.src_start, operation.dest_start, operation.src_end
        size -= src
        if src <= char < src + size:
            before = after = (0, dest + char - src)
            break
        if src + size <= char:
            before = (char - (src + size - 1), dest + char - src)
        else:
            after = (src - char, dest - (src - char))
            break
    inside, outside = (after, before) if first else (before, after)
    chosen = (
        inside if outside is None or (inside is not None and inside[0] <= outside[0]) else outside
    )
    if chosen is None:
        return 0
    return max(0, chosen[1] + (0 if first else 1))


def _occurrences(text: str, needle: str, around: int, window: _Window) -> list[int]:
    """Starts of `needle` within the window, the nearest to `around` first, bounded.

    One forward scan finds them all when they are few (most quotes occur once). When they
    are many, the stretch searched widens around `around` until it holds enough. Only
    forward scans are used: str.rfind is markedly slower than str.find.
    """
    low, high = max(0, window[0]), min(len(text), window[1])
    found = _scan(text, needle, low, high, _MAX_SCANNED)
    reach = _FIRST_REACH
    while len(found) > _MAX_SCANNED:
        found = _scan(text, needle, max(low, around - reach), min(high, around + reach), None)
        if len(found) >= _MAX_OCCURRENCES:
            break
        reach *= 8
    found.sort(key=lambda start: (abs(start - around), start))
    return found[:_MAX_OCCURRENCES]


def _scan(text: str, needle: str, low: int, high: int, limit: int | None) -> list[int]:
    """Starts of `needle` in text[low:high], in order; stops after `limit` + 1 of them."""
    found: list[int] = []
    at = text.find(needle, low, high)
    while at != -1 and (limit is None or len(found) <= limit):
        found.append(at)
        at = text.find(needle, at + 1, high)
    return found


def _context_occurrences(text: str, quote: Quote, around: int) -> list[int]:
    """Starts of the quote found as part of the quote plus a few characters of its context."""
    starts: list[int] = []
    before = quote.prefix[-_CONTEXT_NEEDLE_CHARS:]
    after = quote.suffix[:_CONTEXT_NEEDLE_CHARS]
    if before:
        hits = _occurrences(text, before + quote.exact, around - len(before), (0, len(text)))
        starts += [hit + len(before) for hit in hits]
    if after:
        starts += _occurrences(text, quote.exact + after, around, (0, len(text)))
    return starts


def _seed_positions(
    text: str, needle: str, quote_start: int, quote_length: int, around: int, window: _Window
) -> list[int]:
    """Where the needle may start in the window, judged by exact pieces of it.

    The pieces are spread over the quote, plus one from each side of context; a small edit
    breaks only the pieces it touches. A place must be suggested by two pieces when three
    or more were looked for (one piece is often a common phrase); places suggested by more
    pieces, then those nearer `around`, come first.
    """
    offsets = _seed_offsets(len(needle), quote_start, quote_length)
    suggested: list[int] = []
    for offset in offsets:
        piece = needle[offset : offset + _SEED_CHARS]
        if not piece.strip():
            continue
        hits = _occurrences(text, piece, around + offset, window)
        if len(hits) <= _MAX_SEED_HITS:
            suggested += [hit - offset for hit in hits]
    suggested.sort()
    clusters: list[list[int]] = []
    for position in suggested:
        if clusters and position - clusters[-1][-1] <= _SEED_CLUSTER_CHARS:
            clusters[-1].append(position)
        else:
            clusters.append([position])
    votes = 2 if len(offsets) >= 3 else 1
    clusters = [cluster for cluster in clusters if len(cluster) >= votes]
    clusters.sort(key=lambda cluster: (-len(cluster), abs(cluster[0] - around)))
    return [statistics.median_low(cluster) for cluster in clusters[:_MAX_SEED_CLUSTERS]]


def _seed_offsets(needle_length: int, quote_start: int, quote_length: int) -> list[int]:
    offsets: list[int] = []
    if quote_start >= _SEED_CHARS:
        offsets.append(quote_start - _SEED_CHARS)
    pieces = min(_MAX_SEEDS - 2, quote_length // _SEED_CHARS)
    if pieces > 0:
        room = quote_length - _SEED_CHARS
        offsets += [quote_start + room * i // max(1, pieces - 1) for i in range(pieces)]
    quote_end = quote_start + quote_length
    if needle_length - quote_end >= _SEED_CHARS:
        offsets.append(quote_end)
    if not offsets:
        # A short quote with little context: the needle itself, as far as it goes.
        offsets.append(0)
    return offsets
