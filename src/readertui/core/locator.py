"""The quote locator: where a quote, with whatever context is known, stands in a text.

A quote is the passage itself (`exact`) and, when known, some text just before it
(`prefix`) and just after it (`suffix`), of any length: 32 characters in readertui's own
annotations, 10 or 300 in other tools', none in a bare citation. A *hint* says where it is
expected. `locate_quote` looks for it in this order:

1. **offsets** - when `start` is given (an annotation's stored start): the quote is still
   there and its context still agrees (where it agrees only in part, nowhere else may
   clearly beat it);
2. **exact** - an occurrence of the quote, chosen by how well its context agrees and how near
   it is to the hint;
3. **approximate** - the quote with small edits in it (typos, a word changed), found by
   aligning context + quote + context against the text (rapidfuzz), near the hint first,
   then where exact pieces of it occur further away.

Only what was given is compared: a 10-character prefix with the 10 characters before a
candidate, a missing one with nothing (a side longer than 32 characters counts half by its
nearest 32; of one longer than 1,024, only the nearest 1,024 are read). Differences of kind
are not edits: curly and straight quotes, the dashes (hyphen, en and em dash, minus), line
breaks, tabs and no-break spaces against spaces, CRLF against LF line ends. Candidates are
compared with both sides folded to one kind each (`readertui.core.folding`, one character
for one, so offsets do not move; only CRLF line ends in a text change lengths, and are
mapped back).

Candidates are scored as the web annotation tools score them, from quote, context and
position similarity. Unlike them (Hypothesis's client has no minimum score and no margin,
and its users see highlights move to look-alike passages: hypothesis/client #7571), and
because a highlight in the wrong place is worse than none, the locator returns None - an
orphan - when the best candidate scores below a minimum; when another place scores nearly
as well (a coin flip); when a quote under 32 characters is found only with edits and has
too little context (or, with none, a longer one keeps less than nine in ten of its
letters); or when the candidate is far from the hint without strong evidence (which a
word or a character on its own never is). A hint moves the score by at most a tenth: it
decides between places the context cannot tell apart, never against a clearly better
context. An approximate match that overlaps the quote as it is yields to it: the text
inserted or deleted at its ends was edited around the quote.

The search is local first, and cheap where it can be: a quick look near the hint in the
text as it is (which places nearly every annotation whose document was edited elsewhere);
then near the hint in the folded text; then the whole text, scanned blind to quotes and
dashes (with a hint, spaces are compared as they are: scanning by words would cost several
times as much, and alignment, which reads the folded text, finds the quote whose line
breaks moved; see `_Scan`).
`QuoteLocator` keeps what can be shared between many quotes in one text; `locate_quote`
is one quote in one text. Everything here is pure and deterministic.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol, cast

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Opcodes

from readertui.core.annotations import CONTEXT_CHARS
from readertui.core.folding import MARKS, FoldedText, fold, join_crlf, plain_line_ends

Method = Literal["offsets", "exact", "approximate"]
#: Where a quote is expected to start: one offset, or a range low..high of them.
Hint = int | tuple[int, int]
# A stretch of the text, low..high.
_Window = tuple[int, int]

# -- scoring ------------------------------------------------------------------------------
# A candidate's score is a weighted mean of quote, context and position evidence, each 0..1.
# The quote's weight grows with its length up to _SPECIFIC_CHARS: five matching characters
# say almost nothing about the place, so short quotes must be carried by their context.
_QUOTE_WEIGHT = 50.0
# Prefix and suffix together, each side by its length up to CONTEXT_CHARS (a longer side
# is compared whole but counts no more); the whole weight once _FULL_CONTEXT_CHARS are given
# in all, less for a few characters (one space agrees with a sixth of all places). A quote
# shorter than _SPECIFIC_CHARS with less context than that is only found without edits.
_CONTEXT_WEIGHT = 40.0
_FULL_CONTEXT_CHARS = 16
# Of a side of context longer than this, only the nearest this many characters are
# compared: context is kept by the tens or hundreds, and comparing tens of thousands of
# characters with the text around every candidate would take seconds.
_MAX_CONTEXT_CHARS = 1024
# Only when a hint is given.
_POSITION_WEIGHT = 10.0
_SPECIFIC_CHARS = 32
# Indel similarity of two unrelated pieces of English prose (measured on War and Peace):
# at 32 characters 0.34 at the median and 0.5 at the 99th percentile; at 16 characters and
# up the 99th percentile stays under 0.5, at 300 it is 0.45. So context only counts as
# evidence above this; a context that agrees fully counts 1.
_CONTEXT_BASELINE = 0.45
# Likewise for the quote: an alignment window always finds half the characters somewhere.
_QUOTE_BASELINE = 0.5
# An approximate match must keep at least this much of the quote (Indel similarity): one
# word changed in a 20-character quote scores about 0.8. A shorter quote must keep more, up
# to _SHORT_QUOTE_SIMILARITY more for a very short one: three letters changed in twelve
# leave a look-alike, not the quote.
_MIN_QUOTE_SIMILARITY = 0.75
_SHORT_QUOTE_SIMILARITY = 0.1
# Without _FULL_CONTEXT_CHARS of context, a match with edits must keep this much (a typo or
# two); a generated text's repeated phrase matched 0.85 of a quote that was gone.
_BARE_QUOTE_SIMILARITY = 0.9
# Candidates `_POSITION_SCALE` characters from the expected place get half the position
# score: two copies of a passage with the same context are told apart by the hint alone
# (their scores differ by the margin) when one is at the hint and the other this far off.
_POSITION_SCALE = 500
# Tuned with benchmarks/anchoring.py, run with more edits, other seeds and short quotes as
# well: wrong candidates that got past the other checks scored up to 0.60 there, right
# ones as low as 0.69.
_MIN_SCORE = 0.65
# A match near the expected place at least this good ends the search there.
_STRONG_SCORE = 0.85
# Two separate candidates closer than this in score are a coin flip: orphan instead.
_MARGIN = 0.05
# The context evidence a quote shorter than a length needs, whatever its score, when any
# context was given: one side of context intact gives 0.5. Under 8 characters a quote says
# next to nothing itself.
_SHORT_QUOTE_CONTEXT = ((8, 0.6), (_SPECIFIC_CHARS, 0.45))
# A candidate further than this from where it is expected needs evidence (its score
# without the position) of _STRONG_SCORE: with the neighbours' shifts known the right
# place is rarely further, and the whole text holds many more look-alikes (a phrase
# repeated chapters apart) than the neighbourhood does.
_NEAR_CHARS = 4096
# That evidence is weighed against no less than a whole quote's weight: a word or a
# character matches itself wholly, but says next to nothing of the place (near the hint,
# the position's weight does the same for it).
_LEAST_EVIDENCE = _QUOTE_WEIGHT
# An end of an approximate match is firm when this many characters on one side of it are
# the quote's or the context's own; otherwise firm places this far either side compete
# with it (at most this many of them). Ends that differ by no more than _BOUNDARY_CHARS
# are the same answer, give or take.
_FIRM_CHARS = 3
# A firm end is taken as it is only with this much context on its side.
_SURE_CHARS = 8
_SNAP_CHARS = 8
_MAX_SNAPS = 4
_BOUNDARY_CHARS = 4
# An end that is not firm is also looked for where the text is most like this many of the
# quote's first (or last) characters, unless the alignment keeps less of the quote than
# _HOPELESS_SIMILARITY (it is not the quote, wherever its ends are).
_EDGE_CHARS = 48
_HOPELESS_SIMILARITY = 0.6
# How far such an end is looked for, at most, when the span found is much longer or shorter
# than the quote.
_MAX_SPREAD = 48
# Ends that score alike are a coin flip only if they also need about as many edits: in a
# long quote one typo against a word more or less scores alike, but it is no contest.
_TIE_EDITS = 2
# Strings longer than this together are compared within a band of edits, at first this
# wide (see _similarity).
_BANDED_CHARS = 4096
_FIRST_BAND = 256
# A span of a long quote that needs more edits than this (a few thousand characters
# rewritten) is not taken for it: a band that wide already costs about 0.1 s for every
# 100,000 characters of quote, and a wider one nearly as much as a whole comparison.
_MOST_EDITS = 1 << 14
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
# the needle: 18 ms for 864 characters against unrelated text, 0.06 ms for 80). For the
# same reason only this much of each side of context takes part in an alignment.
_ALIGN_CHARS = 64
_ALIGN_CONTEXT_CHARS = CONTEXT_CHARS
# Room either side of the context when an approximate match is aligned again.
_REFINE_CHARS = 32
# The near search of the folded text folds the stretch it reads at once when it is no
# longer than this, with this much room beyond what it reads.
_NEAR_FOLD_CHARS = 1 << 16
_NEAR_FOLD_MARGIN = 512
# The first window searched for occurrences, either side of where they are expected.
_FIRST_REACH = 4096
# How many characters of whole-text scanning reanchor_all may spend on one document:
# searching the whole text for the quote costs a scan of it (three for a common quote), a
# seeded search _MAX_SEEDS scans. This is about a fifth of a second; past that, only the
# wide window around the expected place is searched. Orphans are tried again on every
# open, and on a 100 MB text every whole-text scan counts.
SCAN_BUDGET = 1 << 29
# When the expected start is a range no wider than this, the near alignment covers it all;
# a wider one is looked at around its two ends.
_LOCAL_SPAN_CHARS = 1 << 14


@dataclass(frozen=True)
class Placement:
    """Where a quote was found: text[start:end], how, and how sure (0..1)."""

    start: int
    end: int
    method: Method
    confidence: float


def locate_quote(
    text: str,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    *,
    start: int | None = None,
    hint: Hint | None = None,
) -> Placement | None:
    """Where the quote `exact` (with `prefix` before it and `suffix` after, as far as they
    are known) stands in `text`, or None when it cannot be placed safely (an orphan).

    `start` is where the quote began in the text it was taken from (an annotation's stored
    start); when it is still there with its context, that is the answer ("offsets").
    `hint` is where it is expected now: an offset, or a range of them when only bounds are
    known; it defaults to `start`. Without either, every place is as likely as any other,
    and a quote that occurs twice with nothing in its context to tell the two apart is an
    orphan. Offsets are code points of `text`; context may be of any length, and only as
    much of the text as was given is compared with it.
    """
    return QuoteLocator(text).locate(exact, prefix, suffix, start=start, hint=hint)


class QuoteLocator:
    """`locate_quote` for many quotes in one text: it prepares the text once for all of
    them (folding only what is read), and may bound the whole-text scanning they do
    together.

    `scan_chars`: how many characters all the `locate` calls may scan in the whole text
    together (None: no bound). Past it, a quote with a hint is looked for only within 64K
    characters of the hint, and one without a hint is not looked for.
    """

    def __init__(self, text: str, *, scan_chars: int | None = None) -> None:
        self.text = text
        self._work, self._joined = join_crlf(text)
        # Where each joined CRLF's CR was in `text`, for mapping offsets the other way.
        self._crs = [at + index for index, at in enumerate(self._joined)]
        self._folded = FoldedText(self._work)
        self._marks = FoldedText(self._work, MARKS)
        self._budget = _ScanBudget(scan_chars)

    def locate(
        self,
        exact: str,
        prefix: str = "",
        suffix: str = "",
        *,
        start: int | None = None,
        hint: Hint | None = None,
        quick: bool = False,
    ) -> Placement | None:
        """Where the quote stands in the text; see `locate_quote`.

        `quick`: only a sure match near the hint, in the text as it is (no folding of
        kinds), which is cheap and places nearly every quote whose text was edited
        elsewhere; None then means "look further", not "orphan".
        """
        quote = _Query(exact, prefix, suffix)
        if "\r" in exact or "\r" in prefix or "\r" in suffix:
            quote = _Query(plain_line_ends(exact), plain_line_ends(prefix), plain_line_ends(suffix))
        if len(quote.prefix) > _MAX_CONTEXT_CHARS or len(quote.suffix) > _MAX_CONTEXT_CHARS:
            quote = quote._replace(
                prefix=quote.prefix[-_MAX_CONTEXT_CHARS:], suffix=quote.suffix[:_MAX_CONTEXT_CHARS]
            )
        work = self._work
        if not quote.exact or not work:
            return None
        # The quote at its stored offsets with its context partly changed: kept there
        # unless the search finds a place that clearly beats it (a copy of the passage,
        # with one word changed near the quote, may have taken the original's offsets).
        in_place: int | None = None
        if start is not None:
            at = self._to_work(start) if self._crs else start
            there = self._at_offsets(quote, at)
            if there == "as given":
                return self._placement(at, at + len(quote.exact), "offsets", 1.0)
            if there == "in part":
                in_place = at
            hint = start if hint is None else hint
        if hint is None:
            expected = None
        elif isinstance(hint, int) and not self._crs:
            place = min(max(hint, 0), len(work))
            expected = _Expected(place, place)
        else:
            expected = self._expected(hint)
        if quick:
            found = None if expected is None else self._near_as_it_is(quote, expected)
        else:
            found = self._anywhere(quote, expected)
        if in_place is not None and not self._beats(found, quote, in_place, expected):
            return self._placement(in_place, in_place + len(quote.exact), "offsets", 1.0)
        if found is None:
            return None
        return self._placement(found.start, found.end, found.method, round(found.score, 4))

    # -- the steps --------------------------------------------------------------------------

    def _at_offsets(self, quote: _Query, at: int) -> Literal["as given", "in part"] | None:
        """Whether the quote is at offset `at` with its context as given (or none was
        given), or with its context agreeing at least _OFFSETS_CONTEXT; None if neither."""
        if at < 0 or not self._work.startswith(quote.exact, at):
            return None
        if not (quote.prefix or quote.suffix):
            return "as given"
        end = at + len(quote.exact)
        work = self._work
        if work.startswith(quote.suffix, end) and work.endswith(quote.prefix, 0, at):
            return "as given"  # no need to weigh it
        agreement = _context(quote, work, at, end, _context_weights(quote))
        return "in part" if agreement >= _OFFSETS_CONTEXT else None

    def _beats(
        self, found: _Candidate | None, quote: _Query, at: int, expected: _Expected | None
    ) -> bool:
        """Whether `found` is elsewhere than the quote at offset `at` and scores clearly
        better than it."""
        if found is None or (found.start < at + len(quote.exact) and at < found.end):
            return False
        folded = _Query(fold(quote.exact), fold(quote.prefix), fold(quote.suffix))
        in_place = _Scorer(folded, self._folded, expected).exact(at)
        return found.score >= in_place.score + _MARGIN

    def _near_as_it_is(self, quote: _Query, expected: _Expected) -> _Candidate | None:
        """The quick look: a strong match near the expected place, in the unfolded text.

        An approximate match that differs from the quote only in kind (a straight quote for
        a curly one) is left to the folded search, where it is exact.
        """
        found, _ = _near(_Scorer(quote, self._work, expected))
        if found is None or found.method == "exact":
            return found
        return None if _kinds_differ(quote, self._work, found) else found

    def _anywhere(self, quote: _Query, expected: _Expected | None) -> _Candidate | None:
        """The whole search, with kinds folded: near the expected place, then further."""
        folded = _Query(fold(quote.exact), fold(quote.prefix), fold(quote.suffix))
        local = _Local([], None)
        if expected is not None:
            # Near the expected place only a stretch of the text is read: fold it once.
            view, base = self._folded_near(folded, expected)
            moved = _Expected(expected.low - base, expected.high - base)
            found, local = _near(_Scorer(folded, view, moved))
            if found is not None:
                return _moved(found, base)
            local = _Local(
                [_moved(candidate, base) for candidate in local.exact],
                None if local.aligned is None else _moved(local.aligned, base),
            )
        scorer = _Scorer(folded, self._folded, expected)
        if expected is None:
            # No near search has compared spaces with line breaks: scan fully folded.
            scan = _Scan(self._folded, folded)
        else:
            scan = _Scan(self._marks, _Query(*(MARKS.apply(part) for part in quote)))
        return _far(scorer, local, self._budget, scan)

    def _folded_near(self, quote: _Query, expected: _Expected) -> tuple[_Text, int]:
        """The text the near search reads, folded, and the offset it starts at.

        That is the quote's window either side of the expected place, its context and
        alignment room, with a margin so that no candidate comes near a cut end (where the
        start of the stretch would pass for the start of the text). Beyond _NEAR_FOLD_CHARS
        (neighbours that moved far apart) the lazily folded whole text serves instead.
        """
        context = len(quote.prefix) + len(quote.suffix)
        reach = _LOCAL_EXACT_CHARS + len(quote.exact) + 2 * context + _NEAR_FOLD_MARGIN
        low = max(0, expected.low - reach)
        high = min(len(self._work), expected.high + reach)
        if high - low > _NEAR_FOLD_CHARS:
            return self._folded, 0
        return fold(self._work[low:high]), low

    def _expected(self, hint: Hint) -> _Expected:
        low, high = (hint, hint) if isinstance(hint, int) else (min(hint), max(hint))
        if self._crs:
            low, high = self._to_work(low), self._to_work(high)
        limit = len(self._work)
        return _Expected(min(max(low, 0), limit), min(max(high, 0), limit))

    def _to_work(self, offset: int) -> int:
        """An offset of the text as an offset of the text with its CRLFs joined."""
        return offset - bisect.bisect_left(self._crs, offset) if self._crs else offset

    def _placement(self, start: int, end: int, method: Method, confidence: float) -> Placement:
        if self._joined:
            # A boundary before a joined line end falls before its CR (on either side).
            start += bisect.bisect_left(self._joined, start)
            end += bisect.bisect_left(self._joined, end)
        return Placement(start, end, method, confidence)


# -- queries and texts ---------------------------------------------------------------------


class _Query(NamedTuple):
    """A quote as looked for: the passage and the context given either side of it."""

    exact: str
    prefix: str
    suffix: str


class _Text(Protocol):
    """What the search reads of a text: a str, or the text with kinds folded."""

    def __len__(self) -> int: ...

    def __getitem__(self, key: slice, /) -> str: ...

    def startswith(self, prefix: str, start: int, /) -> bool: ...

    def find(self, sub: str, start: int, end: int, /) -> int: ...


def _kinds_differ(quote: _Query, text: str, candidate: _Candidate) -> bool:
    """Whether the candidate's span is the quote but for differences of kind (then the
    folded search finds it exactly, and its ends for sure). Folding keeps lengths, so only
    a span as long as the quote can be; one with other edits as well is left as found."""
    exact, span = quote.exact, text[candidate.start : candidate.end]
    return len(span) == len(exact) and fold(span) == fold(exact)


# -- candidates -------------------------------------------------------------------------------


class _Candidate(NamedTuple):
    """A place the quote may be. (Candidates, expected places and queries are NamedTuples:
    re-anchoring builds thousands of them, and a frozen dataclass costs several times as
    much to build.)"""

    start: int
    end: int
    score: float
    quote_similarity: float
    method: Method
    # Enough of the quote, and for a short quote enough of its context, to be considered.
    sound: bool
    # Within _NEAR_CHARS of where the quote is expected (or nothing is expected).
    near: bool
    # Good enough to be placed there, if no rival comes close: a score of _MIN_SCORE, or
    # when not near, evidence of _STRONG_SCORE.
    good: bool


@dataclass
class _ScanBudget:
    """Characters of whole-text scanning still allowed (None: no bound)."""

    chars: int | None

    def spend(self, chars: int) -> bool:
        """Whether a scan of `chars` characters is still affordable; if so, it is counted."""
        if self.chars is None:
            return True
        if chars > self.chars:
            return False
        self.chars -= chars
        return True


class _Expected(NamedTuple):
    """Where the quote is expected to start: somewhere in low..high."""

    low: int
    high: int

    def distance(self, start: int) -> int:
        return max(self.low - start, 0, start - self.high)


# -- the search ---------------------------------------------------------------------------


class _Local(NamedTuple):
    """What the search near the expected place found, to compete with what is found
    further away: the occurrences of the quote it scored, and its best alignment."""

    exact: list[_Candidate]
    aligned: _Candidate | None


def _moved(candidate: _Candidate, base: int) -> _Candidate:
    return candidate._replace(start=candidate.start + base, end=candidate.end + base)


def _near(scorer: _Scorer) -> tuple[_Candidate | None, _Local]:
    """Near the expected place: a strong match, if there is one, and what else was found.

    The occurrences and the alignment compete later with matches further away. The
    occurrences must: the text scanned further away may not fold spaces, and two copies
    near the hint whose line breaks or no-break spaces differ from the quote's are a coin
    flip there too, not one copy (the one the alignment landed on) alone.
    """
    expected = scorer.expected
    assert expected is not None
    text, exact = scorer.text, scorer.quote.exact
    # The quote near the expected place, with its context.
    window = (expected.low - _LOCAL_EXACT_CHARS, expected.high + len(exact) + _LOCAL_EXACT_CHARS)
    nearby = [scorer.exact(at) for at in _occurrences(text, exact, expected.low, window)]
    best = _choose(nearby)
    if best is not None and _strong(best):
        return best, _Local(nearby, None)
    # The quote with small edits, near the expected place. It competes with the exact
    # matches: when two of them tied, the alignment has landed on one (or on a third place),
    # and that is no reason to prefer it.
    local = _nearest_alignment(scorer, expected)
    if local is not None:
        best = _choose([*nearby, local])
        if best is not None and _strong(best):
            return best, _Local(nearby, local)
    return None, _Local(nearby, local)


@dataclass(frozen=True)
class _Scan:
    """What the search of the whole text (or the wide window) scans for `quote`: `text`,
    folded as the quote is.

    With a hint, quotes and dashes are folded but not spaces and line breaks. Scanning the
    fully folded text would find a quote whose line breaks fell elsewhere directly, but by
    its words (spaces are of a kind), each far more common than the quote, at several times
    the cost of a plain scan; and every annotation that re-anchoring does not place near
    its hint scans the whole text. Such a quote is found all the same: near the hint the
    search folds everything, and further away seeds (exact pieces of the quote, most
    without a line break) say where to align, and the alignment, which reads the fully
    folded text, finds it exact. Without a hint (a quote from elsewhere, a citation) there
    is no near search, and the text is scanned fully folded.
    """

    text: _Text
    quote: _Query

    @property
    def needle(self) -> str:
        """The quote with the context that takes part in alignments."""
        quote = self.quote
        context = _ALIGN_CONTEXT_CHARS
        return quote.prefix[-context:] + quote.exact + quote.suffix[:context]


def _far(scorer: _Scorer, local: _Local, budget: _ScanBudget, scan: _Scan) -> _Candidate | None:
    """The quote anywhere (or in the wide window around the expected place), exact and then
    with edits, competing with `local`, what the search near the expected place found."""
    text, quote, expected = scorer.text, scorer.quote, scorer.expected
    exact = quote.exact
    everywhere_affordable = budget.spend(len(text))
    if expected is None and not everywhere_affordable:
        return None
    around = 0 if expected is None else expected.low
    whole: _Window = (0, len(text))
    wide: _Window = whole
    if expected is not None:
        wide = (expected.low - _WIDE_CHARS, expected.high + _WIDE_CHARS)

    # The quote anywhere (or at least in the wide window), by context and nearness.
    scanned = scan.quote
    window = whole if everywhere_affordable else wide
    everywhere = _occurrences(scan.text, scanned.exact, around, window)
    if len(everywhere) >= _MAX_OCCURRENCES and budget.spend(2 * len(text)):
        # A common quote: also look for it by the characters just around it.
        everywhere += _context_occurrences(scan.text, scanned, around)
    pool = [scorer.exact(at) for at in sorted(set(everywhere))] + local.exact
    best = _choose(pool)
    if best is not None and _strong(best):
        return best

    # The quote with edits, further away: align where exact pieces of it occur. A weak
    # exact match competes with these: when the quote was edited and a copy of it stands
    # elsewhere, the edited one in its own context is the better match.
    if local.aligned is not None:
        pool.append(local.aligned)
    quote_start = len(scorer.align_prefix)
    for whole_text in (False, True) if expected is not None else (True,):
        window = wide
        if whole_text:
            if not budget.spend(_MAX_SEEDS * len(text)):
                break
            window = whole
        starts = _seed_positions(
            scan, quote_start, len(exact), around - quote_start, window, hinted=expected is not None
        )
        for at in starts:
            candidate = scorer.aligned(at - _ALIGN_SLACK, at + len(scan.needle) + _ALIGN_SLACK)
            if candidate is not None:
                pool.append(candidate)
        best = _choose(pool)
        if best is not None and best.good:
            return best
    return None


def _nearest_alignment(scorer: _Scorer, expected: _Expected) -> _Candidate | None:
    """The best approximate match around the expected place (or places, if far apart)."""
    before = len(scorer.align_prefix) + _LOCAL_APPROXIMATE_CHARS
    after = len(scorer.quote.exact) + len(scorer.align_suffix) + _LOCAL_APPROXIMATE_CHARS
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


def _choose(candidates: list[_Candidate]) -> _Candidate | None:
    """The best acceptable candidate, or None when there is none or it is a coin flip."""
    acceptable = [candidate for candidate in candidates if candidate.sound]
    if not acceptable:
        return None
    best = max(acceptable, key=lambda c: (c.score, -c.start))
    if best.method == "approximate":
        # The quote as it is, overlapping an approximate match, is the same place: what the
        # match takes in or leaves out at its ends was edited around the quote, not in it.
        # (Text inserted just before a quote, beginning with the quote's letters, makes the
        # match that swallows it agree with the context better than the quote itself.)
        verbatim = [c for c in acceptable if c.method != "approximate" and _overlap(c, best)]
        if verbatim:
            best = max(verbatim, key=lambda c: (c.score, -c.start))
    for rival in acceptable:
        # Overlapping candidates are the same place found twice (or a quote like "ha ha"
        # matching itself shifted), not a rival place.
        if not _overlap(rival, best) and rival.score > best.score - _MARGIN:
            return None
    return best


def _overlap(one: _Candidate, other: _Candidate) -> bool:
    return one.start < other.end and other.start < one.end


class _Scorer:
    """Scores candidate spans for one quote in one text, relative to where it is expected
    (nowhere in particular when `expected` is None)."""

    def __init__(self, quote: _Query, text: _Text, expected: _Expected | None) -> None:
        self.quote = quote
        self.text = text
        self.expected = expected
        # The parts of the context that take part in alignments.
        self.align_prefix = quote.prefix[-_ALIGN_CONTEXT_CHARS:]
        self.align_suffix = quote.suffix[:_ALIGN_CONTEXT_CHARS]
        self._edit_rules: tuple[bool, float, float] | None = None
        self.weights = weights = _context_weights(quote)
        given = weights[0] + weights[1]
        self.quote_weight = _QUOTE_WEIGHT * min(1.0, len(quote.exact) / _SPECIFIC_CHARS)
        self.context_weight = _CONTEXT_WEIGHT * min(1.0, given / _FULL_CONTEXT_CHARS)
        self.position_weight = 0.0 if expected is None else _POSITION_WEIGHT
        self.total_weight = self.quote_weight + self.context_weight + self.position_weight
        # A short quote rests on its context, when it has one: a common phrase occurs near
        # any place. With none, only its rarity (the margin) and the hint can place it.
        self.context_floor = 0.0
        if given:
            for length, floor in _SHORT_QUOTE_CONTEXT:
                if len(quote.exact) < length:
                    self.context_floor = floor
                    break

    @property
    def edit_rules(self) -> tuple[bool, float, float]:
        """For a match with edits: whether one is allowed at all, the quote similarity it
        needs and the context it needs.

        Without context, a short quote is only recognised as it is: two letters changed in
        twelve match half the words of a text (a look-alike, not the quote); and a longer
        one must keep _BARE_QUOTE_SIMILARITY of itself, its letters being all the evidence.
        With context, a short quote found only with edits needs the context a very short
        one does.
        """
        if self._edit_rules is not None:
            return self._edit_rules
        length, given = len(self.quote.exact), self.weights[0] + self.weights[1]
        specific = min(1.0, length / _SPECIFIC_CHARS)
        allowed = given >= _FULL_CONTEXT_CHARS or length >= _SPECIFIC_CHARS
        similarity = _MIN_QUOTE_SIMILARITY + _SHORT_QUOTE_SIMILARITY * (1 - specific)
        if given < _FULL_CONTEXT_CHARS:
            similarity = max(similarity, _BARE_QUOTE_SIMILARITY)
        floor = self.context_floor
        if given and length < _SPECIFIC_CHARS:
            floor = max(floor for _, floor in _SHORT_QUOTE_CONTEXT)
        self._edit_rules = (allowed, similarity, floor)
        return self._edit_rules

    def context(self, start: int, end: int) -> float:
        """How well the text around start..end agrees with the given context, 0..1."""
        return _context(self.quote, self.text, start, end, self.weights)

    def score(self, start: int, quote_similarity: float, context: float) -> tuple[float, float]:
        """The score of a span starting at `start`, and its evidence (without the position)."""
        weighed = self.quote_weight * _above(quote_similarity, _QUOTE_BASELINE)
        weighed += self.context_weight * context
        position = 0.0
        if self.expected is not None:
            position = _POSITION_WEIGHT / (1 + self.expected.distance(start) / _POSITION_SCALE)
        score = (weighed + position) / self.total_weight
        return score, weighed / max(self.total_weight - self.position_weight, _LEAST_EVIDENCE)

    def exact(self, start: int) -> _Candidate:
        end = start + len(self.quote.exact)
        return self._judged(start, end, 1.0, "exact")

    def _judged(self, start: int, end: int, similarity: float, method: Method) -> _Candidate:
        context = self.context(start, end)
        if similarity == 1.0:
            sound = context >= self.context_floor
        else:
            allowed, least_similarity, floor = self.edit_rules
            sound = allowed and similarity >= least_similarity and context >= floor
        score, evidence = self.score(start, similarity, context)
        near = self.expected is None or self.expected.distance(start) <= _NEAR_CHARS
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
        again = self._aligned_once(
            found.start - len(self.align_prefix) - _REFINE_CHARS,
            found.end + len(self.align_suffix) + _REFINE_CHARS,
        )
        return again if again is not None and again.score > found.score else found

    def _aligned_once(self, low: int, high: int) -> _Candidate | None:
        """aligned() in one pass.

        A quote up to _ALIGN_CHARS long is aligned with its context in one piece. A longer
        one is aligned by its head (prefix and first characters) and its tail (last
        characters and suffix), which bounds the cost of a long quote; if the span so found
        is not the quote, the other way round is tried (the head may be the edited part).
        """
        exact, prefix, suffix = self.quote.exact, self.align_prefix, self.align_suffix
        if len(exact) <= _ALIGN_CHARS:
            needle = prefix + exact + suffix
            found = self._locate(needle, low, high, len(prefix), len(prefix) + len(exact))
            return None if found is None else self.approximate(*found)
        head = prefix + exact[:_ALIGN_CHARS]
        tail = exact[-_ALIGN_CHARS:] + suffix
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
        few characters score alike (and take about as many edits), the match is a coin
        flip and is given up.
        """
        if end <= start:
            return None
        exact, text = self.quote.exact, self.text
        if text[start:end] == exact:
            # An alignment may land on an unedited occurrence; that is an exact match.
            return self._judged(start, end, 1.0, "exact")
        start_firm, end_firm = self._firm_start(start), self._firm_end(end)
        starts = [start] if start_firm else self._ends_near(start, self._firm_start)
        ends = [end] if end_firm else self._ends_near(end, self._firm_end)
        # An end that is not firm (a typo among the quote's first or last characters), or
        # is firm with less than _SURE_CHARS of context on that side (the quote's own
        # letters may begin a word before it, three letters of context agree by chance),
        # may also be where most of the quote is kept: near where it was found, or about
        # the quote's own length from the other end (an aligner may take a quote's last
        # letters from a copy of its last word further on). Not worth asking of an
        # alignment that found next to nothing of the quote.
        found = _quote_similarity(exact, text[start:end])
        hopeless = found < _HOPELESS_SIMILARITY
        refine_start = not (hopeless or (start_firm and len(self.quote.prefix) >= _SURE_CHARS))
        refine_end = not (hopeless or (end_firm and len(self.quote.suffix) >= _SURE_CHARS))
        if refine_start or refine_end:
            # As far as the span's length is off the quote's; each end is judged with the
            # other, so two rounds let a span wrong at both ends come right.
            spread = min(_MAX_SPREAD, max(_SNAP_CHARS, abs(end - start - len(exact))))
            low, high = start, end
            for _ in range(2):
                if refine_start:
                    low = self._likeliest_start(low, high, spread)
                if refine_end:
                    high = self._likeliest_end(low, high, spread)
            if refine_start:
                starts += [low, self._likeliest_start(high - len(exact), high, spread)]
            if refine_end:
                ends += [high, self._likeliest_end(low, low + len(exact), spread)]
        options = [
            self._judged(
                low,
                high,
                found if (low, high) == (start, end) else _quote_similarity(exact, text[low:high]),
                "approximate",
            )
            for low in dict.fromkeys(starts)
            for high in dict.fromkeys(ends)
            if low < high
        ]
        if not options:
            return None
        best = max(options, key=lambda option: (option.score, -option.start, -option.end))
        edits: int | None = None
        for option in options:
            moved = max(abs(option.start - best.start), abs(option.end - best.end))
            if moved <= _BOUNDARY_CHARS or option.score <= best.score - _MARGIN:
                continue
            if edits is None:
                edits = _distance(exact, text[best.start : best.end])
            most = edits + _TIE_EDITS
            if Indel.distance(exact, text[option.start : option.end], score_cutoff=most) <= most:
                return None
        return best

    def _likeliest_start(self, at: int, end: int, spread: int) -> int:
        """Of the starts within `spread` of `at` (and before `end`), the one whose span to
        `end` is most like the quote; the nearest of equals.

        Only the quote's first _EDGE_CHARS are compared, with the span less as many
        characters at its end as the rest of the quote has: the rest is the same text for
        every place, and whole long spans would cost more than the rest of the search.
        """
        head = self.quote.exact[:_EDGE_CHARS]
        stop = end - (len(self.quote.exact) - len(head))
        low = max(0, at - spread)
        stretch = self.text[low:stop] if stop > low else ""
        places = [place for place in _around(at, spread) if low <= place < end]
        if not places:
            return at
        return max(
            places,
            key=lambda place: Indel.normalized_similarity(head, stretch[place - low :]),
        )

    def _likeliest_end(self, start: int, at: int, spread: int) -> int:
        """Of the ends within `spread` of `at` (and after `start`), the one whose span from
        `start` is most like the quote; the nearest of equals (as _likeliest_start, by the
        quote's last _EDGE_CHARS)."""
        tail = self.quote.exact[-_EDGE_CHARS:]
        begin = start + (len(self.quote.exact) - len(tail))
        high = min(len(self.text), at + spread)
        stretch = self.text[begin:high] if high > begin else ""
        places = [place for place in _around(at, spread) if start < place <= high]
        if not places:
            return at
        return max(
            places,
            key=lambda place: Indel.normalized_similarity(tail, stretch[: max(0, place - begin)]),
        )

    @staticmethod
    def _ends_near(at: int, is_firm: Callable[[int], bool]) -> list[int]:
        """`at`, and if it is not firm, the nearest firm places around it."""
        if is_firm(at):
            return [at]
        return [
            at,
            *[place for place in _around(at) if place != at and is_firm(place)][:_MAX_SNAPS],
        ]

    def _firm_start(self, at: int) -> bool:
        text, quote = self.text, self.quote
        if not 0 <= at <= len(text):
            return False
        if text.startswith(quote.exact[:_FIRM_CHARS], at):
            return True
        if len(quote.prefix) < _FIRM_CHARS:
            # A character or two of context agree with half the places in a text.
            return at == 0 and not quote.prefix
        before = quote.prefix[-_FIRM_CHARS:]
        return at >= _FIRM_CHARS and text[at - _FIRM_CHARS : at] == before

    def _firm_end(self, at: int) -> bool:
        text, quote = self.text, self.quote
        if not 0 <= at <= len(text):
            return False
        last = quote.exact[-_FIRM_CHARS:]
        if at >= len(last) and text[at - len(last) : at] == last:
            return True
        if len(quote.suffix) < _FIRM_CHARS:
            return at == len(text) and not quote.suffix
        return text.startswith(quote.suffix[:_FIRM_CHARS], at)

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


def _around(at: int, spread: int = _SNAP_CHARS) -> list[int]:
    """The places within `spread` of `at`, the nearest first."""
    return sorted(range(at - spread, at + spread + 1), key=lambda x: abs(x - at))


def _context_weights(quote: _Query) -> tuple[int, int]:
    """How much the prefix and the suffix count for: their lengths, up to CONTEXT_CHARS.

    A quote that began the text has no prefix, and one that began two characters in has a
    prefix that says little; a longer side is compared whole but counts no more.
    """
    return min(len(quote.prefix), CONTEXT_CHARS), min(len(quote.suffix), CONTEXT_CHARS)


def _context(quote: _Query, text: _Text, start: int, end: int, weights: tuple[int, int]) -> float:
    """How well the text around start..end agrees with the quote's context, 0..1 (0 when
    there is none).

    Each side is compared with as much text as was given of it. A side longer than
    CONTEXT_CHARS counts half by its nearest CONTEXT_CHARS: the text right at a quote says
    most about it, and a long context whose far end survived the deletion of the quote
    and all around it would otherwise still half agree with whatever now stands there.
    """
    prefix, suffix = quote.prefix, quote.suffix
    agreed = 0.0
    if prefix:
        before = text[max(0, start - len(prefix)) : start]
        agreement = _agreement(prefix, before)
        if len(prefix) > CONTEXT_CHARS:
            near = _agreement(prefix[-CONTEXT_CHARS:], before[-CONTEXT_CHARS:])
            agreement = (agreement + near) / 2
        agreed += weights[0] * agreement
    if suffix:
        after = text[end : end + len(suffix)]
        agreement = _agreement(suffix, after)
        if len(suffix) > CONTEXT_CHARS:
            near = _agreement(suffix[:CONTEXT_CHARS], after[:CONTEXT_CHARS])
            agreement = (agreement + near) / 2
        agreed += weights[1] * agreement
    total = weights[0] + weights[1]
    return agreed / total if total else 0.0


def _agreement(stored: str, actual: str) -> float:
    """Evidence, 0..1, that `actual` is the context `stored` was taken from."""
    return _above(_similarity(stored, actual, _CONTEXT_BASELINE), _CONTEXT_BASELINE)


def _quote_similarity(exact: str, span: str) -> float:
    """How much of the quote `exact` the span keeps (Indel similarity), 0.0 under
    _QUOTE_BASELINE (where it scores nothing anyway).

    A long quote is compared within a band of edits (see _similarity), and a span of it
    that keeps less than _MIN_QUOTE_SIMILARITY of it, or needs more than _MOST_EDITS edits,
    counts 0.0 too: no search accepts it, and a span where an alignment went astray would
    otherwise cost as much as comparing it whole (half a second for a quote of 100,000
    characters, and a search compares a few spans).
    """
    if len(exact) + len(span) <= _BANDED_CHARS:
        return _similarity(exact, span, _QUOTE_BASELINE)
    return _similarity(exact, span, _MIN_QUOTE_SIMILARITY, _MOST_EDITS)


def _similarity(one: str, other: str, least: float, most_edits: int | None = None) -> float:
    """Indel.normalized_similarity(one, other) when it is at least `least` (and takes no
    more than `most_edits` edits), else 0.0.

    Long strings are compared within a band of edits that widens only as far as needed:
    the whole comparison costs their lengths multiplied, the band its width times theirs.
    """
    total = len(one) + len(other)
    if total <= _BANDED_CHARS:
        similarity = Indel.normalized_similarity(one, other)
        return similarity if similarity >= least else 0.0
    most = int(total * (1 - least))
    edits = _bounded_distance(one, other, most if most_edits is None else min(most, most_edits))
    return 0.0 if edits is None else 1 - edits / total


def _distance(one: str, other: str) -> int:
    """Indel.distance(one, other), within a band as in _similarity."""
    edits = _bounded_distance(one, other, len(one) + len(other))
    assert edits is not None  # no two strings are further apart than that
    return edits


def _bounded_distance(one: str, other: str, most: int) -> int | None:
    """Indel.distance(one, other), or None when it is over `most`: within a band of edits
    that widens as far as needed."""
    band = _FIRST_BAND
    while True:
        band = min(band, most)
        edits = Indel.distance(one, other, score_cutoff=band)
        if edits <= band:
            return edits
        if band == most:
            return None
        band *= 8


def _above(similarity: float, baseline: float) -> float:
    return max(0.0, (similarity - baseline) / (1 - baseline))


def _map_boundary(operations: Opcodes, offset: int, *, first: bool) -> int:
    """Where a boundary in the needle lands in the aligned window.

    `first`: the boundary before needle[offset] (a quote's start); otherwise the one after
    needle[offset - 1] (a quote's end). That character's place comes from the nearest run
    of matching characters, counted on from its end (or back from its start), so whatever
    edit sits between does not move the boundary; on a tie the quote's own side wins,
    which leaves text inserted exactly at a boundary outside the quote. Runs of fewer than
    _FIRM_CHARS characters are passed over while there are longer ones: an alignment takes
    its letters where it can, and one letter matched on its own is often a coincidence (a
    quote that begins "stb" after a typo is not at the "s" and "t" of a word before it).
    """
    char = offset if first else offset - 1
    # (tag, src_start, src_end, dest_start, dest_end) tuples, made in one call: iterating
    # Opcodes builds an object per operation. (The stub says Opcode objects; they index
    # alike.)
    listed = cast(list[tuple[str, int, int, int, int]], operations.as_list())
    before, after = _nearest_runs(listed, char, _FIRM_CHARS)
    if before is None and after is None:
        before, after = _nearest_runs(listed, char, 1)
    inside, outside = (after, before) if first else (before, after)
    chosen = (
        inside if outside is None or (inside is not None and inside[0] <= outside[0]) else outside
    )
    if chosen is None:
        return 0
    return max(0, chosen[1] + (0 if first else 1))


def _nearest_runs(
    operations: list[tuple[str, int, int, int, int]], char: int, least: int
) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """For _map_boundary: from the nearest run of at least `least` matching characters
    before needle[char] and the nearest after it (or the one holding it, as both), each as
    (distance, where char lands by it)."""
    before: tuple[int, int] | None = None
    for tag, src, src_end, dest, _ in operations:
        if tag != "equal" or src_end - src < least:
            continue
        if src <= char < src_end:
            return (0, dest + char - src), (0, dest + char - src)
        if src_end <= char:
            before = (char - (src_end - 1), dest + char - src)
        else:
            return before, (src - char, dest - (src - char))
    return before, None


def _occurrences(text: _Text, needle: str, around: int, window: _Window) -> list[int]:
    """Starts of `needle` within the window, the nearest to `around` first, bounded.

    One forward scan finds them all when they are few (most quotes occur once). When they
    are many, the stretch searched widens around `around` until it holds enough. Only
    forward scans are used: str.rfind is markedly slower than str.find.
    """
    low, high = max(0, window[0]), min(len(text), window[1])
    found = _scan(text, needle, low, high, _MAX_SCANNED)
    if len(found) > _MAX_SCANNED:
        reach = _FIRST_REACH
        # Until the stretch holds enough: one with only a few of them would leave out the
        # rest, where the context may show that the quote's place is a coin flip.
        while True:
            stretch = max(low, around - reach), min(high, around + reach)
            found = _scan(text, needle, *stretch, None)
            if len(found) >= _MAX_OCCURRENCES or stretch == (low, high):
                break
            reach *= 8
    found.sort(key=lambda start: (abs(start - around), start))
    return found[:_MAX_OCCURRENCES]


def _scan(text: _Text, needle: str, low: int, high: int, limit: int | None) -> list[int]:
    """Starts of `needle` in text[low:high], in order; stops after `limit` + 1 of them."""
    found: list[int] = []
    at = text.find(needle, low, high)
    while at != -1 and (limit is None or len(found) <= limit):
        found.append(at)
        at = text.find(needle, at + 1, high)
    return found


def _context_occurrences(text: _Text, quote: _Query, around: int) -> list[int]:
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
    scan: _Scan,
    quote_start: int,
    quote_length: int,
    around: int,
    window: _Window,
    *,
    hinted: bool,
) -> list[int]:
    """Where the needle may start in the window, judged by exact pieces of it.

    The pieces are spread over the quote, plus one from each side of context; a small edit
    breaks only the pieces it touches. A place must be suggested by two pieces when three
    or more were looked for (one piece is often a common phrase), unless nothing is
    `hinted`: then no near search came first, and one piece (a typo can break the two it
    falls between) is enough to try an alignment there, which still has to convince on its
    own. Places suggested by more pieces, then those nearer `around`, come first.
    """
    needle = scan.needle
    offsets = _seed_offsets(len(needle), quote_start, quote_length)
    suggested: list[int] = []
    for offset in offsets:
        piece = needle[offset : offset + _SEED_CHARS]
        if not piece.strip():
            continue
        hits = _occurrences(scan.text, piece, around + offset, window)
        if len(hits) <= _MAX_SEED_HITS:
            suggested += [hit - offset for hit in hits]
    suggested.sort()
    clusters: list[list[int]] = []
    for position in suggested:
        if clusters and position - clusters[-1][-1] <= _SEED_CLUSTER_CHARS:
            clusters[-1].append(position)
        else:
            clusters.append([position])
    # Two pieces of one short quote overlap: they are one piece of evidence, not two.
    independent = len(offsets) - _overlapping(quote_length)
    votes = 2 if hinted and independent >= 3 else 1
    clusters = [cluster for cluster in clusters if len(cluster) >= votes]
    clusters.sort(key=lambda cluster: (-len(cluster), abs(cluster[0] - around)))
    return [statistics.median_low(cluster) for cluster in clusters[:_MAX_SEED_CLUSTERS]]


def _overlapping(quote_length: int) -> int:
    """1 if a quote this long gets a second piece overlapping the first (a typo then still
    leaves one whole, unless it is in the middle), else 0."""
    return int(_SEED_CHARS + _SEED_CHARS // 4 <= quote_length < 2 * _SEED_CHARS)


def _seed_offsets(needle_length: int, quote_start: int, quote_length: int) -> list[int]:
    offsets: list[int] = []
    if quote_start >= _SEED_CHARS:
        offsets.append(quote_start - _SEED_CHARS)
    pieces = min(_MAX_SEEDS - 2, quote_length // _SEED_CHARS) + _overlapping(quote_length)
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
