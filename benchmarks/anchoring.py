"""Benchmark: re-anchoring 1,000 annotations on an edited War and Peace (PRODUCT 5).

    python benchmarks/anchoring.py          # a Markdown table; exit status 1 if a target
                                            # is missed (-v lists every failure)

pg2600 (3.2 MB) gets 1,000 highlights at pseudo-random, non-overlapping spans (seeded
`random.Random(2600)`): half are 1-3 whole sentences, half 20-300 characters cut at word
boundaries. Then the text is edited, every edit recorded so that each quote's true span in
the edited text is known, and `reanchor_all` has to find them again:

- *unchanged* (for information): the same text under another hash (an edit undone), so
  every annotation is checked rather than trusted.
- *outside*: 600 edits anywhere except inside a quote: words inserted, deleted or
  replaced, punctuation changed, paragraphs inserted (new ones and copies of existing
  ones) and paragraphs deleted; about one in eight is aimed at a quote's 32 characters of
  context.
- *inside*: the same, plus a small edit inside 30% of the quotes: one to three characters
  substituted, deleted or inserted, or a word inserted or removed.
- *deleted* (for information): the same as *outside*, plus 10% of the quotes deleted, some
  with a little of the text around them. Those must be orphaned. (Quotes in a paragraph
  that an edit copied are not deleted: a copy plus a deletion is a move, and a moved quote
  is rightly found in its new place.)
- *heavy* (for information): 2,000 edits outside the quotes, 30% of the quotes edited
  inside and another 30% deleted.

A placed annotation is *exact* when placed at exactly its true span; *re-anchored
correctly* when not exact but both its ends are within 4 characters of the true ones and it
overlaps the true span by at least 80% of their union; otherwise (or when its quote was
deleted) it is *misplaced*. "Placed correctly" is exact plus re-anchored correctly. The
time is the median of three runs of `reanchor_all` over the 1,000.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from readertui.core.anchoring import reanchor_all
from readertui.core.annotations import Annotation, DocumentRef, new_annotation
from readertui.core.decoding import read_text_file

NOVEL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "gutenberg" / "pg2600.txt"
SEED = 2600
COUNT = 1_000
OUTSIDE_EDITS = 600
HEAVY_EDITS = 2_000
EDITED_QUOTES = 0.30
DELETED_QUOTES = 0.10
HEAVY_DELETED_QUOTES = 0.30
TIME_LIMIT = 1.0
# "Re-anchored correctly": both ends this close to the true ones, and this much overlap.
END_TOLERANCE = 4
MIN_OVERLAP = 0.8

Span = tuple[int, int]
_WORD_START = re.compile(r"(?<!\S)\S")
_WORD_END = re.compile(r"\S(?!\S)")


@dataclass(frozen=True)
class Edit:
    """text[start:end] replaced by `insert` (start == end: a pure insertion)."""

    start: int
    end: int
    insert: str


@dataclass
class EditPlan:
    """Edits of `text` that neither overlap nor touch each other, nor enter the quotes."""

    text: str
    quotes: list[Span]
    edits: list[Edit] = field(default_factory=list)

    def copy(self) -> EditPlan:
        return EditPlan(self.text, self.quotes, list(self.edits))

    def free(self, start: int, end: int, *, inside: Span | None = None) -> bool:
        """Whether start..end touches no other edit and no quote (except `inside`)."""
        starts = [edit.start for edit in self.edits]
        index = max(0, bisect.bisect_left(starts, start) - 1)
        while index < len(self.edits) and self.edits[index].start <= end:
            if start <= self.edits[index].end:
                return False
            index += 1
        index = max(0, bisect.bisect_right(self.quotes, (start, sys.maxsize)) - 1)
        while index < len(self.quotes) and self.quotes[index][0] <= end:
            quote = self.quotes[index]
            index += 1
            # An insertion at a quote's edge is outside it; anything else must not overlap.
            overlaps = (start < quote[1] and quote[0] < end) or quote[0] < start < quote[1]
            if quote != inside and overlaps:
                return False
        return True

    def add(self, edit: Edit) -> None:
        bisect.insort(self.edits, edit, key=lambda known: known.start)

    def apply(self) -> str:
        pieces: list[str] = []
        done = 0
        for edit in self.edits:
            pieces += [self.text[done : edit.start], edit.insert]
            done = edit.end
        pieces.append(self.text[done:])
        return "".join(pieces)

    def mapper(self) -> Callable[[Span], Span]:
        """Where a span of the text went: edits ending at or before a boundary move it.

        An insertion exactly at a span's end is after the span, so it does not move the end.
        """
        ends = [edit.end for edit in self.edits]
        shifts = [0]
        for edit in self.edits:
            shifts.append(shifts[-1] + len(edit.insert) - (edit.end - edit.start))

        def moved(span: Span) -> Span:
            start, end = span
            count = bisect.bisect_right(ends, end)
            new_end = end + shifts[count]
            last = self.edits[count - 1] if count else None
            if last is not None and last.start == last.end == end:
                new_end -= len(last.insert)
            return start + shifts[bisect.bisect_right(ends, start)], new_end

        return moved


@dataclass
class Scenario:
    name: str
    plan: EditPlan
    target: str
    met: Callable[[Outcome], bool]
    edited: set[int] = field(default_factory=set)
    deleted: set[int] = field(default_factory=set)


@dataclass
class Outcome:
    scenario: str
    seconds: float
    edits: int
    total: int
    exact: int = 0
    correct: int = 0
    orphaned: int = 0
    misplaced: int = 0
    edited: int = 0
    edited_placed: int = 0
    deleted: int = 0
    deleted_orphaned: int = 0

    @property
    def placed_correctly(self) -> float:
        return (self.exact + self.correct) / max(1, self.total)


# -- the annotations and the edits ------------------------------------------------------


def load_text() -> str:
    return read_text_file(NOVEL, max_bytes=1 << 30).text


def make_spans(text: str, rng: random.Random, count: int) -> list[Span]:
    """`count` non-overlapping spans: 1-3 sentences, or 20-300 characters at word bounds."""
    sentence_starts = [match.end() for match in re.finditer(r"[.!?][\"']?\s+(?=[\"'A-Z])", text)]
    chosen: list[Span] = []
    while len(chosen) < count:
        if rng.random() < 0.5:
            index = rng.randrange(len(sentence_starts) - 4)
            start = sentence_starts[index]
            end = start + len(text[start : sentence_starts[index + rng.randint(1, 3)]].rstrip())
            if not 20 <= end - start <= 800:
                continue
        else:
            start = word_start(text, rng.randrange(len(text) - 400))
            end = word_end(text, start + rng.randint(20, 300))
            if end - start > 320:
                continue
        index = bisect.bisect_left(chosen, (start, end))
        if index > 0 and chosen[index - 1][1] > start:
            continue
        if index < len(chosen) and chosen[index][0] < end:
            continue
        chosen.insert(index, (start, end))
    rng.shuffle(chosen)
    return chosen


def word_start(text: str, at: int) -> int:
    """The start of the first word at or after `at`."""
    match = _WORD_START.search(text, at)
    return match.start() if match else at


def word_end(text: str, at: int) -> int:
    """The end of the first word ending at or after `at`."""
    match = _WORD_END.search(text, at)
    return match.end() if match else at


def outside_edits(plan: EditPlan, rng: random.Random, count: int) -> None:
    """`count` realistic edits anywhere in the text except inside quotes."""
    text = plan.text
    words = re.findall(r"[A-Za-z]+", text[: 1 << 18])
    breaks = [match.start() for match in re.finditer(r"\n\n(?=\S)", text)]
    kinds = ["insert", "delete", "replace", "punctuate", "new paragraph", "copy", "cut", "near"]
    made = 0
    while made < count:
        kind = rng.choices(kinds, weights=[25, 20, 25, 10, 8, 4, 8, 15])[0]
        at = word_start(text, rng.randrange(len(text) - 2000))
        if kind == "near":
            # An edit in a quote's context (the 32 characters either side of it).
            quote_start, quote_end = rng.choice(plan.quotes)
            if rng.random() < 0.5:
                at = quote_start - rng.randint(1, 32)
                end = min(quote_start, at + rng.randint(0, 8))
            else:
                at = quote_end + rng.randint(0, 31)
                end = at + rng.randint(0, 8)
            insert = rng.choice(["", rng.choice(words) + " ", rng.choice(words)])
            if end == at and not insert:
                continue
            edit = Edit(at, end, insert)
        elif kind == "insert":
            edit = Edit(at, at, " ".join(rng.choices(words, k=rng.randint(1, 4))) + " ")
        elif kind == "delete":
            end = at
            for _ in range(rng.randint(1, 4)):
                end = word_start(text, word_end(text, end))
            edit = Edit(at, end, "")
        elif kind == "replace":
            edit = Edit(at, word_end(text, at), rng.choice(words))
        elif kind == "punctuate":
            comma = text.find(",", at, at + 2000)
            if comma == -1:
                continue
            edit = Edit(comma, comma + 1, rng.choice([";", " -", ""]))
        else:
            index = rng.randrange(len(breaks) - 1)
            start = breaks[index]
            if kind == "cut":
                edit = Edit(start, breaks[index + 1], "")
            else:
                if kind == "copy":
                    other = rng.randrange(len(breaks) - 1)
                    paragraph = text[breaks[other] + 2 : breaks[other + 1]]
                else:
                    paragraph = _wrap(rng.choices(words, k=rng.randint(30, 160)))
                edit = Edit(start, start, "\n\n" + paragraph)
        if plan.free(edit.start, edit.end):
            plan.add(edit)
            made += 1


def _wrap(words: Sequence[str]) -> str:
    """Words as a paragraph of 70-character lines, capitalised and with a full stop."""
    lines: list[str] = []
    line = ""
    for word in words:
        if line and len(line) + 1 + len(word) > 70:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    paragraph = "\n".join([*lines, line]) + "."
    return paragraph[:1].upper() + paragraph[1:]


def inside_edits(plan: EditPlan, rng: random.Random, spans: Sequence[Span]) -> set[Span]:
    """A small edit inside each of `spans`: 1-3 characters, or a word in or out.

    Characters may change anywhere in the quote, its first and last included; insertions
    are strictly inside it (one at an edge would be outside it). Returns the spans edited.
    """
    text = plan.text
    letters = "abcdefghijklmnopqrstuvwxyz"
    done: set[Span] = set()
    for start, end in spans:
        edits: list[Edit] = []
        kind = rng.choice(["characters", "word in", "word out"])
        if kind == "characters":
            for position in sorted(rng.sample(range(start, end), rng.randint(1, 3))):
                action = rng.choice(["substitute", "delete", "insert"])
                if action == "insert" and position > start:
                    edits.append(Edit(position, position, rng.choice(letters)))
                elif action == "delete":
                    edits.append(Edit(position, position + 1, ""))
                else:
                    other = rng.choice(letters.replace(text[position], ""))
                    edits.append(Edit(position, position + 1, other))
        else:
            at = word_start(text, rng.randrange(start + 1, end - 1))
            if kind == "word in":
                word = rng.choice(["very ", "quite ", "then ", "indeed ", "all "])
                edits.append(Edit(at, at, word))
            else:
                edits.append(Edit(at, word_start(text, word_end(text, at)), ""))
        for edit in edits:
            if edit.start == edit.end:
                inner = start < edit.start < end
            else:
                inner = start <= edit.start and edit.end <= end
            if inner and plan.free(edit.start, edit.end, inside=(start, end)):
                plan.add(edit)
                done.add((start, end))
    return done


def deleted_quotes(plan: EditPlan, rng: random.Random, spans: Sequence[Span]) -> set[Span]:
    """Delete `spans`, some with a little of the text around them; returns those deleted."""
    done: set[Span] = set()
    for start, end in spans:
        low, high = start - rng.choice([0, 0, 5, 40]), end + rng.choice([0, 0, 3, 20])
        if not plan.free(low, high, inside=(start, end)):
            low, high = start, end
        if plan.free(low, high, inside=(start, end)):
            plan.add(Edit(low, high, ""))
            done.add((start, end))
    return done


def build_scenarios(
    text: str, spans: list[Span], annotations: list[Annotation], rng: random.Random
) -> list[Scenario]:
    quotes = sorted(spans)
    index_of = {span: index for index, span in enumerate(spans)}

    def indices(chosen: set[Span]) -> set[int]:
        return {index_of[span] for span in chosen}

    def deletable(plan: EditPlan, exclude: set[int]) -> list[int]:
        # Deleting a quote that an edit also copied elsewhere is moving it.
        copied = {
            index
            for index, annotation in enumerate(annotations)
            if any(annotation.quote.exact in edit.insert for edit in plan.edits)
        }
        return [index for index in range(len(spans)) if index not in copied | exclude]

    outside = EditPlan(text, quotes)
    outside_edits(outside, rng, OUTSIDE_EDITS)

    inside = outside.copy()
    chosen = rng.sample(range(len(spans)), round(EDITED_QUOTES * len(spans)))
    edited = indices(inside_edits(inside, rng, [spans[i] for i in sorted(chosen)]))

    deleted = outside.copy()
    chosen = rng.sample(deletable(deleted, set()), round(DELETED_QUOTES * len(spans)))
    gone = indices(deleted_quotes(deleted, rng, [spans[i] for i in sorted(chosen)]))

    heavy = EditPlan(text, quotes)
    outside_edits(heavy, rng, HEAVY_EDITS)
    chosen = rng.sample(range(len(spans)), round(EDITED_QUOTES * len(spans)))
    heavy_edited = indices(inside_edits(heavy, rng, [spans[i] for i in sorted(chosen)]))
    candidates = deletable(heavy, heavy_edited)
    chosen = rng.sample(candidates, round(HEAVY_DELETED_QUOTES * len(spans)))
    heavy_gone = indices(deleted_quotes(heavy, rng, [spans[i] for i in sorted(chosen)]))

    def fast_and(share: float) -> Callable[[Outcome], bool]:
        return lambda o: o.seconds < TIME_LIMIT and o.placed_correctly >= share and not o.misplaced

    def orphans_only(o: Outcome) -> bool:
        return not o.misplaced and o.deleted_orphaned == o.deleted

    return [
        Scenario(
            "unchanged",
            EditPlan(text, quotes),
            "(info) all exact",
            lambda o: o.exact == o.total,
        ),
        Scenario("outside", outside, "< 1 s, >= 99% placed correctly, 0 misplaced", fast_and(0.99)),
        Scenario(
            "inside",
            inside,
            "< 1 s, >= 90% placed correctly, 0 misplaced",
            fast_and(0.90),
            edited=edited,
        ),
        Scenario(
            "deleted",
            deleted,
            "(info) deleted quotes orphaned, 0 misplaced",
            orphans_only,
            deleted=gone,
        ),
        Scenario(
            "heavy",
            heavy,
            "(info) deleted quotes orphaned, 0 misplaced",
            orphans_only,
            edited=heavy_edited,
            deleted=heavy_gone,
        ),
    ]


# -- measuring ----------------------------------------------------------------------------


def run(
    scenario: Scenario, annotations: list[Annotation], spans: list[Span], runs: int, verbose: bool
) -> Outcome:
    """Re-anchor `annotations` in the scenario's edited text `runs` times; classify them."""
    new_text = scenario.plan.apply()
    moved = scenario.plan.mapper()
    truths = [
        None if index in scenario.deleted else moved(span) for index, span in enumerate(spans)
    ]
    for index, truth in enumerate(truths):
        if truth is not None and index not in scenario.edited:
            # The ground truth is checked too: an untouched quote must be where it says.
            assert new_text[truth[0] : truth[1]] == annotations[index].quote.exact
    # The text's real hash does not matter, only that it differs from the stored one.
    sha256 = hashlib.sha256(f"{scenario.name}: {len(new_text)}".encode()).hexdigest()
    times: list[float] = []
    placed: list[Annotation] = []
    for _ in range(runs):
        started = time.perf_counter()
        placed = reanchor_all(annotations, new_text, sha256)
        times.append(time.perf_counter() - started)
    outcome = Outcome(
        scenario.name, statistics.median(times), len(scenario.plan.edits), len(placed)
    )
    for index, (annotation, truth) in enumerate(zip(placed, truths, strict=True)):
        span = None if annotation.orphaned else (annotation.start, annotation.end)
        right = span is not None and truth is not None and (span == truth or close(span, truth))
        if span is None:
            outcome.orphaned += 1
        elif span == truth:
            outcome.exact += 1
        elif right:
            outcome.correct += 1
        else:
            outcome.misplaced += 1
        if truth is None:
            outcome.deleted += 1
            outcome.deleted_orphaned += span is None
        if index in scenario.edited:
            outcome.edited += 1
            outcome.edited_placed += right
        if verbose and span != truth and not right:
            before = annotations[index].quote.exact
            found = new_text[span[0] : span[1]] if span else None
            print(f"[{scenario.name}] {truth} -> {span}: {before[:60]!r} -> {found!r:.60}")
    return outcome


def close(span: Span, truth: Span) -> bool:
    """Re-anchored correctly though not exactly (see the module docstring)."""
    overlap = min(span[1], truth[1]) - max(span[0], truth[0])
    union = max(span[1], truth[1]) - min(span[0], truth[0])
    return (
        abs(span[0] - truth[0]) <= END_TOLERANCE
        and abs(span[1] - truth[1]) <= END_TOLERANCE
        and overlap >= MIN_OVERLAP * union
    )


def print_table(outcomes: Sequence[Outcome], scenarios: Sequence[Scenario]) -> bool:
    print(
        "| scenario | edits | time | % exact | % re-anchored correctly | % orphaned "
        "| % misplaced | target | met |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    met_all = True
    notes: list[str] = []
    for outcome, scenario in zip(outcomes, scenarios, strict=True):
        met = scenario.met(outcome)
        met_all = met_all and met
        total = max(1, outcome.total)
        print(
            f"| {outcome.scenario} | {outcome.edits} | {outcome.seconds * 1000:.0f} ms "
            f"| {100 * outcome.exact / total:.1f} | {100 * outcome.correct / total:.1f} "
            f"| {100 * outcome.orphaned / total:.1f} | {100 * outcome.misplaced / total:.1f} "
            f"| {scenario.target} | {'yes' if met else 'NO'} |"
        )
        if outcome.edited:
            notes.append(
                f"{outcome.scenario}: {outcome.edited_placed} of the {outcome.edited} quotes "
                "edited inside were placed correctly."
            )
        if outcome.deleted:
            notes.append(
                f"{outcome.scenario}: {outcome.deleted_orphaned} of the {outcome.deleted} "
                "deleted quotes were orphaned."
            )
    for note in notes:
        print(f"\n{note}")
    return met_all


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark re-anchoring on War and Peace.")
    parser.add_argument("--count", type=int, default=COUNT, help="annotations (1000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs, median kept (3)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (2600)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the failures")
    args = parser.parse_args(argv)
    if not NOVEL.exists():
        print(f"the corpus is missing: {NOVEL}", file=sys.stderr)
        return 2

    text = load_text()
    rng = random.Random(args.seed)
    spans = make_spans(text, rng, args.count)
    ref = DocumentRef("pg2600.txt", hashlib.sha256(text.encode()).hexdigest(), "War and Peace")
    annotations = [new_annotation(text, ref, start, end) for start, end in spans]
    scenarios = build_scenarios(text, spans, annotations, rng)
    outcomes = [
        run(scenario, annotations, spans, args.runs, args.verbose) for scenario in scenarios
    ]
    return 0 if print_table(outcomes, scenarios) else 1


if __name__ == "__main__":
    raise SystemExit(main())
