"""Faults 6 and 7: SIGHUP and SIGTERM, and a closed terminal (tmux kill-server), at chosen
moments: during start-up, with the note editor open and a note typed, in a dialog (help, the
palette, the tag editor with tags typed), right after `q`. The process must be gone within
2 s, ending as a signal ends it (no traceback), and keep what was made and typed.
"""

from __future__ import annotations

import os
import random
import signal
import time
from dataclasses import dataclass, field

from fault_edits import Edit
from fault_terminal import (
    HELP,
    NOTE_EDITOR,
    TAG_EDITOR,
    Terminal,
    key_list,
    listed,
)
from fault_world import (
    PARAGRAPHS,
    TITLES,
    WORDS,
    Database,
    Row,
    TornFile,
    World,
    changes_files,
    doc_name,
    kill_hard,
    read_database,
    wait_gone,
)

#: From the signal (or the closed terminal) to the end of the process, at the most.
GONE_WITHIN = 2.0
MOMENTS = ("start-up", "note editor", "help", "palette", "tag editor", "quit")
NOTE = "kept through the end"
TAGS = ("alpha", "beta")


def a_highlight(rng: random.Random, note: str | None = None) -> Edit:
    first = rng.randrange(WORDS - 2)
    return Edit(rng.randrange(PARAGRAPHS), first, 2, note, burst=True)


@dataclass
class Expected:
    """What must be in the file after the end: an annotation with this quote (and note, tags)."""

    quote: str
    note: str = ""
    tags: tuple[str, ...] = ()

    def found_in(self, database: Database) -> bool:
        return any(
            a["quote"]["exact"] == self.quote
            and a.get("note", "") == self.note
            and sorted(a.get("tags", ())) == sorted(self.tags)
            for a in database.annotations.values()
        )

    def listed_in(self, screen: str) -> bool:
        return any(
            e.quote == self.quote and e.note == self.note and sorted(e.tags) == sorted(self.tags)
            for e in listed(screen)
        )

    def describe(self) -> str:
        return f"“{self.quote}” ✎ {self.note!r} tags {list(self.tags)}"


def _bring_to(
    term: Terminal, moment: str, rng: random.Random, session: str
) -> tuple[Expected | None, str | None]:
    """Put the app in `moment` (it has started); what must be saved, or what went wrong."""
    if term.wait_ready(30, session) is None:
        return None, f"start-up never finished: {term.last_words(session)}"
    if moment == "note editor":
        edit = a_highlight(rng)
        term.send(*edit.selection_keys(), "n", session=session)
        if term.wait_for(NOTE_EDITOR, 10, session) is None:
            return None, "the note editor did not open"
        term.send(*key_list(NOTE), session=session)
        if term.wait_for(NOTE, 10, session) is None:
            return None, "the typed note did not show"
        return Expected(edit.quote, NOTE), None
    if moment == "tag editor":
        edit = a_highlight(rng)
        term.send(*edit.selection_keys(), "t", session=session)
        if term.wait_for(TAG_EDITOR, 10, session) is None:
            return None, "the tag editor did not open"
        term.send(*key_list(",".join(TAGS)), session=session)
        if term.wait_for(",".join(TAGS), 10, session) is None:
            return None, "the typed tags did not show"
        return Expected(edit.quote, "", TAGS), None
    note = NOTE if moment == "quit" else None
    edit = a_highlight(rng, note)
    term.send(*edit.keys(), session=session)
    # Made (listed), but maybe not written yet: the end must write it.
    if term.wait_for(edit.listed_in, 10, session) is None:
        return None, "the highlight was not listed"
    expected = Expected(edit.quote, note or "")
    if moment == "help":
        term.send("?", session=session)
        if term.wait_for(HELP, 10, session) is None:
            return expected, "help did not open"
    elif moment == "palette":
        term.send("C-p", *key_list("quit undo"), session=session)
        if term.wait_for("quit undo", 10, session) is None:
            return expected, "the palette did not show the typed text"
    elif moment == "quit":
        term.send("q", session=session)
        time.sleep(rng.uniform(0, 0.05))
    return expected, None


@dataclass
class _Ending:
    worst: float = 0.0
    times: list[float] = field(default_factory=list)
    #: The longest end per moment.
    by_moment: dict[str, float] = field(default_factory=dict)


def endings(world: World, rng: random.Random, plan: list[tuple[str, str]], row: Row) -> None:
    """Faults 6 and 7: each (moment, how) of `plan` in a fresh terminal and database; `how` is
    SIGHUP, SIGTERM or "closed terminal"."""
    ending = _Ending()
    for number, (moment, how) in enumerate(plan):
        _end_once(world, rng, number, moment, how, row, ending)
    hows = sorted({how for _, how in plan})
    moments = [m for m in MOMENTS if any(m == moment for moment, _ in plan)]
    row.tries = f"{len(plan)}: {' and '.join(hows)} at {', '.join(moments)}"
    median = sorted(ending.times)[len(ending.times) // 2] if ending.times else 0.0
    worst = ", ".join(f"{moment} {took:.2f}" for moment, took in ending.by_moment.items())
    row.checked = (
        f"gone within {GONE_WITHIN:g} s: worst {ending.worst:.2f} s, median {median:.2f} s "
        f"(worst per moment, s: {worst}); the highlight made, and the note or tags typed in "
        "the open editor, in the file"
    )


def _end_once(
    world: World,
    rng: random.Random,
    number: int,
    moment: str,
    how: str,
    row: Row,
    ending: _Ending,
) -> None:
    slug = how.replace(" ", "-").lower()
    folder = world.folder(f"ending-{slug}/{number}")
    db = folder / "annotations.json"
    term = Terminal(world, f"end{slug[:5]}{number}", 160, 50)
    label = f"{how} at {moment} (try {number})"
    try:
        document = str(world.library / doc_name(number % len(TITLES)))
        signalled = how != "closed terminal"
        pid = term.start(["--db", str(db), document], keep_pane=signalled)
        if pid is None:
            row.fail(f"{label}: readertui did not start ({term.failure})")
            return
        expected: Expected | None = None
        if moment == "start-up":
            time.sleep(rng.uniform(0.05, 1.2))
            problem = None
        else:
            expected, problem = _bring_to(term, moment, rng, "main")
        if problem is not None:
            row.fail(f"{label}: {problem}")
        started = time.monotonic()
        if how == "closed terminal":
            term.kill_server()
        else:
            os.kill(pid, signal.SIGHUP if how == "SIGHUP" else signal.SIGTERM)
        took = wait_gone(pid, GONE_WITHIN + 5, since=started)
        if took is None:
            kill_hard(pid)
            row.fail(f"{label}: still running {GONE_WITHIN + 5:g} s later (killed)")
            return
        ending.times.append(took)
        ending.worst = max(ending.worst, took)
        ending.by_moment[moment] = max(ending.by_moment.get(moment, 0.0), took)
        if took > GONE_WITHIN:
            row.fail(f"{label}: gone only after {took:.2f} s")
        if signalled:
            _check_ending(term, signal.SIGHUP if how == "SIGHUP" else signal.SIGTERM, label, row)
        if expected is None:
            return
        try:
            database = read_database(db)
        except TornFile as exc:
            row.fail(f"{label}: {exc}")
            return
        if expected.found_in(database):
            return
        kept = any(
            expected.quote in path.read_text("utf-8", "replace")
            for path in changes_files(world, db)
        )
        if kept:
            row.fail(f"{label}: {expected.describe()} went to a changes file, not the database")
        else:
            row.lost += 1
            row.fail(f"{label}: {expected.describe()} is not in the file")
    finally:
        term.kill_server()


def _check_ending(term: Terminal, number: int, label: str, row: Row) -> None:
    """The process ended as the signal ends it: by its handler (exit status 128 + number) or,
    before the handler is installed early in start-up, by the signal itself; no traceback."""
    ending = term.ending("main")
    if ending is None:
        row.fail(f"{label}: its pane shows no end")
        return
    problem = ending.problem(None)
    if problem is None and ending.status not in (None, 128 + number, -number):
        problem = f"exit status {ending.status}, not {128 + number}"
    if problem is not None:
        row.fail(f"{label}: {problem}")


def ending_plan(how: list[str], repeats: int) -> list[tuple[str, str]]:
    """Every moment with every `how`, `repeats` times."""
    return [(moment, h) for _ in range(repeats) for moment in MOMENTS for h in how]
