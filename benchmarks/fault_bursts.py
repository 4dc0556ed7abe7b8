"""Fault 8: keys sent in one burst through every dialog. The text typed after `n`, `t`, `/`,
`o` and ctrl+p lands in the note editor, tag editor, find bar, document picker or palette, and
none of it reaches the reader as a command; the keys typed after closing help reach the
reader. Checked in the file (saved once, as typed; nothing else changed) and on the screen
(the text in its field, no notification of a reader command, no dialog left open).

One burst per round goes as soon as the app has painted, before start-up is over. Keys typed
even earlier, before the app has put the terminal in raw mode, meet the terminal's line
discipline instead (ctrl+s is taken as XOFF, enter arrives as ctrl+j): the app can make that
window shorter, not close it, so the run starts its bursts after the first paint.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fault_edits import SAVE_WITHIN, Edit
from fault_endings import Expected
from fault_terminal import (
    HELP,
    NOTE_EDITOR,
    PALETTE,
    READER_OBEYED,
    READY,
    SAVED,
    TAG_EDITOR,
    Terminal,
    key_list,
    mode,
    save_status,
)
from fault_world import (
    PARAGRAPHS,
    TITLES,
    WORDS,
    Database,
    Row,
    TornFile,
    World,
    doc_name,
    kill_hard,
    process_alive,
    read_database,
    wait_gone,
)

KINDS = ("note", "tags", "find", "open", "help", "help, escape", "palette")
#: After escape, the next key waits this long (seconds), so the two are not one alt+key.
ESCAPE_GAP = 0.15
BURST_NOTE = "quiet undo 3 done"
BURST_TAGS = "quote,dune"
FIND_QUERY = "report"
PALETTE_TEXT = "quit undo 3"
#: On the screen once the app has painted (and put the terminal in raw mode).
FIRST_PAINT = "╭─ Library"
#: What shows while a dialog (or the find bar) is open.
DIALOGS = (NOTE_EDITOR, TAG_EDITOR, HELP, PALETTE, "Find:")


@dataclass
class _Session:
    term: Terminal
    db: Path
    pid: int
    doc: int
    exports: Path


def bursts(world: World, rng: random.Random, rounds: int, row: Row) -> None:
    """Fault 8: per round, one session and each dialog's burst in a random order; the first
    burst of every round is sent before start-up has finished."""
    folder = world.folder("bursts")
    db = folder / "annotations.json"
    exports = world.data / "readertui" / "exports"
    tried = at_start = 0
    for number in range(rounds):
        term = Terminal(world, f"burst{number}", 160, 50)
        doc = number % len(TITLES)
        try:
            pid = term.start(["--db", str(db), str(world.library / doc_name(doc))], keep_pane=True)
            if pid is None:
                row.fail(f"round {number}: readertui did not start ({term.failure})")
                continue
            session = _Session(term, db, pid, doc, exports)
            kinds = list(KINDS)
            rng.shuffle(kinds)
            for index, kind in enumerate(kinds):
                # The first burst goes as soon as the app has painted (see the module).
                ready = term.wait_for(FIRST_PAINT, 30) if index == 0 else term.wait_ready(30)
                if ready is None:
                    row.fail(f"round {number}: not ready before {kind}")
                    break
                at_start += index == 0 and READY not in ready
                problem = _burst(session, kind, rng, row)
                tried += 1
                if problem is not None:
                    row.fail(
                        f"round {number}, {kind}{' at start-up' if index == 0 else ''}: {problem}"
                    )
                if not process_alive(pid):
                    row.fail(f"round {number}: readertui ended during the {kind} burst")
                    break
                if problem is not None:
                    _recover(term)
            term.send("q")
            if wait_gone(pid, SAVE_WITHIN) is None:
                row.fail(f"round {number}: still running after `q`")
                kill_hard(pid)
            elif (wrong := term.check_ending("main", 0)) is not None:
                row.fail(f"round {number}: `q`: {wrong}")
        finally:
            term.kill_server()
    row.tries = f"{tried} bursts ({at_start} while start-up was still going on)"
    row.checked = (
        "`n`+note+ctrl+s and `t`+tags+enter: saved once, as typed; `/`+query and ctrl+p+text: "
        "the text in its field; `o`+name+enter: that document open; `?` then `q` (or escape, "
        f"then {ESCAPE_GAP * 1000:.0f} ms later) + keys: they acted in the reader; nothing else "
        "changed in the file, no reader notification, no export, the app still running"
    )


def _recover(term: Terminal) -> None:
    """After a failed burst: close what is left open, so the next burst starts clean."""
    for _ in range(3):
        if not any(what in term.screen() for what in DIALOGS):
            break
        term.send("Escape")
        time.sleep(0.5)
    term.wait_for(lambda s: save_status(s) == SAVED, SAVE_WITHIN)


def _clean(screen: str) -> bool:
    """Reading again: no dialog, NORMAL mode, the reader's footer, everything `saved`."""
    return (
        not any(what in screen for what in DIALOGS)
        and mode(screen) == "NORMAL"
        and READY in screen
        and save_status(screen) == SAVED
    )


def _settled(session: _Session) -> Database:
    """The file once the app has written everything it is going to."""
    time.sleep(0.3)
    session.term.wait_for(lambda s: save_status(s) == SAVED, SAVE_WITHIN)
    return read_database(session.db)


def _state(database: Database) -> dict[str, tuple[Any, ...]]:
    return {
        key: (a.get("note"), tuple(a.get("tags", ())), a.get("color"), a.get("start"))
        for key, a in database.annotations.items()
    }


def _burst(session: _Session, kind: str, rng: random.Random, row: Row) -> str | None:
    """Send one dialog's burst and check it; None, or what went wrong."""
    term = session.term
    try:
        before = read_database(session.db)
    except TornFile as exc:
        return str(exc)
    exports_before = set(session.exports.rglob("*")) if session.exports.exists() else set()
    edit = Edit(rng.randrange(PARAGRAPHS), rng.randrange(WORDS - 2), 2, None, burst=True)
    doc_path = doc_name(session.doc)
    expected: Expected | None = None
    if kind == "note":
        term.send(*edit.selection_keys(), "n", *key_list(BURST_NOTE), "C-s")
        expected = Expected(edit.quote, BURST_NOTE)
    elif kind == "tags":
        term.send(*edit.selection_keys(), "t", *key_list(BURST_TAGS), "Enter")
        expected = Expected(edit.quote, "", tuple(BURST_TAGS.split(",")))
    elif kind == "help":
        # `q` closes help too: typed into the reader instead, it would quit the app.
        term.send("?", "q", *edit.keys())
        expected = Expected(edit.quote)
    elif kind == "help, escape":
        # A key within ESCDELAY (100 ms) after escape makes one alt+key of the two, in every
        # terminal app: the keys after escape follow a moment later.
        term.send("?", "Escape")
        time.sleep(ESCAPE_GAP)
        term.send(*edit.keys())
        expected = Expected(edit.quote)
    elif kind == "find":
        term.send("/", *key_list(FIND_QUERY))
        if term.wait_for(lambda s: f"Find: {FIND_QUERY}" in s and "1/1" in s, 10) is None:
            return f"the find bar does not hold {FIND_QUERY!r} with its match: {_tail(term)}"
    elif kind == "palette":
        term.send("C-p", *key_list(PALETTE_TEXT))
        if term.wait_for(lambda s: f"{PALETTE} {PALETTE_TEXT}" in s, 10) is None:
            return f"the palette does not hold {PALETTE_TEXT!r}: {_tail(term)}"
    elif kind == "open":
        target = rng.choice([d for d in range(len(TITLES)) if d != session.doc])
        title = f"{TITLES[target]} report"
        term.send("o", *key_list(TITLES[target]), "Enter")
        if term.wait_for(lambda s: _reader_header(s) == title, 10) is None:
            return f"`o` {TITLES[target]} enter did not open {title}: {_tail(term)}"
        session.doc = target
    seen = [term.screen()]
    problems: list[str] = []
    if kind in ("find", "palette"):
        term.send("Escape")
        if term.wait_for(lambda s: mode(s) == "NORMAL" and PALETTE not in s, 5) is None:
            problems.append("escape did not close it")
    if expected is not None:
        shown = term.wait_for(
            lambda s: expected.listed_in(s) and save_status(s) == SAVED, SAVE_WITHIN
        )
        if shown is None:
            status = save_status(term.screen())
            problems.append(f"{expected.describe()} not listed and `saved` (status `{status}`)")
    try:
        after = _settled(session)
    except TornFile as exc:
        return str(exc)
    problems += _changes(before, after, expected, doc_path, row)
    # Back to reading: give the last frame a moment to show it, then say what is not.
    screen = term.wait_for(_clean, 5) or term.screen()
    seen.append(screen)
    # Notifications stay 3 s: one of a reader command shows on one of these screens.
    obeyed = [note for note in READER_OBEYED if any(note in shown for shown in seen)]
    if obeyed:
        problems.append(f"the reader obeyed typed keys ({', '.join(obeyed)})")
    if save_status(screen) != SAVED:
        row.stalled += 1
        problems.append(f"status `{save_status(screen)}` {SAVE_WITHIN:g} s on")
    still = [what for what in DIALOGS if what in screen]
    if still:
        problems.append(f"still open: {still}")
    if mode(screen) == "VISUAL":
        problems.append("the reader is left in VISUAL mode")
    if READY not in screen:
        problems.append(f"the reader's footer is not back: {_tail(term)}")
    exports_after = set(session.exports.rglob("*")) if session.exports.exists() else set()
    if exports_after - exports_before:
        problems.append("an export was written (`e` reached the reader)")
    return "; ".join(problems) or None


def _changes(
    before: Database, after: Database, expected: Expected | None, doc: str, row: Row
) -> list[str]:
    """What changed in the file besides the one annotation the burst was to make."""
    problems: list[str] = []
    old, new = _state(before), _state(after)
    gone = old.keys() - new.keys()
    changed = [key for key in old.keys() & new.keys() if old[key] != new[key]]
    added = [after.annotations[key] for key in new.keys() - old.keys()]
    if gone:
        row.lost += len(gone)
        problems.append(f"{len(gone)} annotations deleted")
    if changed:
        problems.append(f"{len(changed)} annotations changed")
    if expected is None:
        if added:
            problems.append(f"{len(added)} annotations made")
        return problems
    made = Database({a["id"]: a for a in added})
    if not expected.found_in(made):
        row.lost += 1
        problems.append(f"not in the file as typed: {expected.describe()}")
    if len(added) != 1:
        problems.append(f"{len(added)} annotations made for one")
    if any(a["doc"]["path"] != doc for a in added):
        problems.append("made in another document")
    return problems


def _reader_header(screen: str) -> str:
    """The title above the text in the reader pane."""
    lines = screen.splitlines()
    if len(lines) < 2:
        return ""
    start, end = lines[0].find("╭─ Reader"), lines[0].find("╭─ Notes")
    if start < 0:
        return ""
    segment = lines[1][start : end if end > 0 else None]
    return segment.strip("│ ").strip()


def _tail(term: Terminal) -> str:
    lines = [line.rstrip() for line in term.screen().splitlines() if line.strip()]
    return repr("\n".join(lines[-3:]))
