"""Faults 1-3: kill -9 at random moments of TUI edits and of CLI imports, and several writers
on one database at once.

What "saved" means is read off the screen: a screen whose status line says `saved` promises
that every annotation its Notes pane lists (quote, and note if any) is in the file. So each
kill cycle keeps the screens it saw, and after the kill every screen that said `saved` is held
against the file.
"""

from __future__ import annotations

import random
import shutil
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from fault_terminal import NOT_SAVED, SAVED, SAVING, Listed, Terminal, key_list, listed, save_status
from fault_world import (
    PARAGRAPHS,
    TITLES,
    WORDS,
    Database,
    Row,
    TornFile,
    World,
    doc_name,
    export_ids,
    kill_hard,
    made_annotations,
    process_alive,
    quote_of,
    read_database,
    split_export,
    temporaries,
    wait_gone,
    write_store,
)

#: The longest a change may take to be written once nothing else happens (seconds).
SAVE_WITHIN = 10.0
#: Kills land this long after a keypress, at most (uniformly from 0).
KILL_DELAY = 0.6
#: A document is left alone once it has this many annotations, so its Notes pane lists them
#: all on the screen (each entry takes one or two rows).
MAX_PER_DOCUMENT = 14


@dataclass(frozen=True)
class Edit:
    """One highlight made with keys: `g`, `}` to the paragraph, `w` to the word, `v`, `w` to
    select, then `enter` (no note) or `n` + note + `ctrl+s`."""

    paragraph: int
    first: int
    count: int
    note: str | None
    burst: bool

    @property
    def quote(self) -> str:
        return quote_of(self.paragraph, self.first, self.count)

    def selection_keys(self) -> list[str]:
        """The keys that select the quote (from anywhere in the document)."""
        keys = ["g", *["}"] * (self.paragraph + 1), *["w"] * self.first, "v"]
        return keys + ["w"] * self.count

    def keys(self) -> list[str]:
        if self.note is None:
            return [*self.selection_keys(), "Enter"]
        return [*self.selection_keys(), "n", *key_list(self.note), "C-s"]

    def shown_in(self, entries: list[Listed]) -> bool:
        return any(e.quote == self.quote and e.shows_note(self.note or "") for e in entries)

    def listed_in(self, screen: str) -> bool:
        """Whether the Notes pane on `screen` lists this highlight (with its note)."""
        return self.shown_in(listed(screen))


def plan_edit(rng: random.Random, note: str, note_share: float = 0.6) -> Edit:
    paragraph = rng.randrange(PARAGRAPHS)
    first = rng.randrange(WORDS - 1)
    count = rng.randint(1, min(3, WORDS - first))
    return Edit(
        paragraph,
        first,
        count,
        note if rng.random() < note_share else None,
        burst=rng.random() < 0.4,
    )


def typing_gap(rng: random.Random) -> float:
    """A fast typist's pause between two keys (seconds)."""
    return rng.uniform(0.01, 0.06)


def send_edit(
    term: Terminal, keys: list[str], burst: bool, rng: random.Random, session: str
) -> None:
    if burst:
        term.send(*keys, session=session)
        return
    for index, key in enumerate(keys):
        term.send(key, session=session)
        if index < len(keys) - 1:
            time.sleep(typing_gap(rng))


# -- 1. kill -9 during TUI edits ---------------------------------------------------------------


@dataclass
class _EditStats:
    screens: int = 0
    entries: int = 0
    notes: int = 0
    quiet: int = 0
    killed_saving: int = 0
    fresh: int = 0


def kill_nine_edits(world: World, rng: random.Random, cycles: int, row: Row) -> None:
    """Fault 1. The database is kept from cycle to cycle, so it grows; the first cycle creates
    it, and every 25th cycle works on a new one of its own instead."""
    folder = world.folder("edits")
    db = folder / "annotations.json"
    term = Terminal(world, "edits", 160, 50)
    stats = _EditStats()
    try:
        for cycle in range(cycles):
            # The first cycle creates the database; now and then one starts a new one.
            fresh = cycle % 25 == 12
            target = folder / f"fresh-{cycle}.json" if fresh else db
            stats.fresh += fresh
            if not _edit_cycle(world, term, target, rng, cycle, row, stats):
                break
            if cycle % 25 == 24:
                print(f"  {cycle + 1} cycles", file=sys.stderr, flush=True)
    finally:
        term.kill_server()
    final = 0
    try:
        final = len(read_database(db).annotations)
    except TornFile as exc:
        row.fail(str(exc))
    listing = world.cli("list", "annotations", "--db", str(db), "--library", str(world.library))
    if listing.returncode != 0:
        row.fail(f"`readertui list annotations` of the final file: {listing.stderr.strip()}")
    left = temporaries(db)
    if len(left) > 1:
        row.fail(f"{len(left)} temporary files left beside the database (stale ones not removed)")
    others = f" and {stats.fresh} others" if stats.fresh else ""
    row.tries = f"{cycles} kill -9 cycles (the first{others} on a new database)"
    row.checked = (
        f"the file parsed after every kill; {stats.screens} screens showing `saved` held against "
        f"it ({stats.entries} listed highlights, {stats.notes} with a note); kills while "
        f"`saving…`: {stats.killed_saving}; waited for `saved` before the kill: {stats.quiet}; "
        f"{final} annotations at the end"
    )


def _edit_cycle(
    world: World,
    term: Terminal,
    db: Path,
    rng: random.Random,
    cycle: int,
    row: Row,
    stats: _EditStats,
) -> bool:
    """One cycle: start, edit, kill -9 at a random moment, hold the screens against the file.

    False when the run cannot go on (the file is torn).
    """
    try:
        before = read_database(db)
    except TornFile as exc:
        row.fail(f"before cycle {cycle}: {exc}")
        return False
    roomy = [d for d in range(len(TITLES)) if len(before.of(doc_name(d))) < MAX_PER_DOCUMENT]
    doc = rng.choice(roomy or list(range(len(TITLES))))
    session = f"c{cycle}"
    pid, problem = term.start_ready(["--db", str(db), str(world.library / doc_name(doc))], session)
    if pid is None or problem:
        row.fail(f"cycle {cycle}: {problem}")
        if pid is not None:
            kill_hard(pid)
        return True
    ready = term.screen(session)
    # After the last kill, nothing is waiting: the status must come back to `saved` at once.
    if save_status(ready) != SAVED:
        quiet_start = term.wait_for(lambda s: save_status(s) == SAVED, SAVE_WITHIN, session)
        if quiet_start is None:
            row.stalled += 1
            row.fail(f"cycle {cycle}: after start-up: `{save_status(term.screen(session))}`")
        else:
            ready = quiet_start
    edits = [plan_edit(rng, f"c{cycle} e{n} quiet") for n in range(rng.randint(1, 5))]
    keys = [edit.keys() for edit in edits]
    total = sum(len(k) for k in keys)
    quiet = rng.random() < 0.25
    kill_after = total - 1 if quiet else rng.randrange(total)
    screens = [ready]
    sent = 0
    for edit, edit_keys in zip(edits, keys, strict=True):
        chunk = edit_keys[: kill_after + 1 - sent]
        send_edit(term, chunk, edit.burst, rng, session)
        sent += len(chunk)
        if sent > kill_after:
            break
        screens.append(term.screen(session))
    delay = rng.uniform(0, KILL_DELAY)
    if quiet:
        stats.quiet += 1

        def settled(screen: str) -> bool:
            shown = listed(screen)
            return save_status(screen) == SAVED and all(e.shown_in(shown) for e in edits)

        waited = term.wait_for(settled, SAVE_WITHIN, session)
        if waited is None:
            last = term.screen(session)
            if save_status(last) != SAVED:
                row.stalled += 1
                row.fail(f"cycle {cycle}: status `{save_status(last)}` {SAVE_WITHIN:g} s on")
            else:
                row.fail(f"cycle {cycle}: the edits were not all listed: {edits}")
        else:
            screens.append(waited)
    time.sleep(delay)
    alive = process_alive(pid)
    final = term.screen(session)
    kill_hard(pid)
    screens.append(final)
    if not alive:
        row.fail(f"cycle {cycle}: readertui ended by itself before the kill")
    if wait_gone(pid, 5) is None:
        row.fail(f"cycle {cycle}: still running 5 s after kill -9")
    stats.killed_saving += save_status(final) == SAVING
    if any(save_status(screen) == NOT_SAVED for screen in screens):
        row.fail(f"cycle {cycle}: `NOT SAVED` shown while the disk was fine")
    try:
        after = read_database(db)
    except TornFile as exc:
        kept = db.with_name(f"torn-{cycle}-{db.name}")
        shutil.copyfile(db, kept)
        row.fail(f"cycle {cycle}: {exc} (kept as {kept})")
        return False
    missing = before.annotations.keys() - after.annotations.keys()
    if missing:
        row.lost += len(missing)
        row.fail(f"cycle {cycle}: {len(missing)} annotations of earlier cycles are gone")
    saved_screens = [s for s in screens if save_status(s) == SAVED]
    lost = held_against(doc_name(doc), saved_screens, after)
    stats.screens += len(saved_screens)
    stats.entries += sum(len(listed(s)) for s in saved_screens)
    stats.notes += sum(1 for s in saved_screens for e in listed(s) if e.note)
    if lost:
        row.lost += len(lost)
        kept = world.keep_evidence(f"kill-cycle-{cycle}", db, screens)
        row.fail(f"cycle {cycle}: shown `saved` but not in the file: {lost} (see {kept})")
    return True


def held_against(doc: str, saved_screens: list[str], database: Database) -> list[str]:
    """What screens that said `saved` listed and the file lacks.

    Each quote must be in the file at least as often as one screen listed it, and each note
    listed must be in the file with its quote. (A highlight listed without its note may have
    been given the note since: any annotation with the quote stands for it.)
    """
    needed: Counter[str] = Counter()
    notes: dict[tuple[str, str], Listed] = {}
    for screen in saved_screens:
        shown = listed(screen)
        needed |= Counter(entry.quote for entry in shown)
        notes |= {(entry.quote, entry.note): entry for entry in shown if entry.note}
    have = database.quotes(doc)
    stored = database.notes(doc)
    lost = [
        f"“{quote}” ×{count - have[quote]}"
        for quote, count in needed.items()
        if have[quote] < count
    ]
    for (quote, note), entry in sorted(notes.items()):
        if not any(q == quote and entry.shows_note(n) for q, n in stored):
            lost.append(f"“{quote}” ✎ {note}")
    return lost


# -- 2. kill -9 during `readertui import` ------------------------------------------------------


def kill_nine_imports(world: World, rng: random.Random, rounds: int, row: Row) -> None:
    """Fault 2. The database before holds 2,000 annotations (so a write takes long enough to
    be hit now and then); the import brings 400 others."""
    folder = world.folder("imports")
    library = str(world.library)
    base = folder / "base.json"
    write_store(base, made_annotations(world.library, 2000, rng, range(10), "base"))
    source = folder / "source.json"
    write_store(source, made_annotations(world.library, 400, rng, range(len(TITLES)), "import"))
    export = folder / "export.json"
    made = world.cli(
        "export", "--format", "json", "-o", str(export), "--db", str(source), "--library", library
    )
    if made.returncode != 0:
        row.fail(f"the export to import could not be made: {made.stderr.strip()}")
        return
    brought = export_ids(export)
    before = set(read_database(base).annotations)
    whole = before | brought
    db = folder / "db.json"

    def reset() -> None:
        for leftover in [*temporaries(db), db]:
            leftover.unlink(missing_ok=True)
        shutil.copyfile(base, db)

    def run_import() -> tuple[int, str, float]:
        started = time.monotonic()
        result = world.cli("import", str(export), "--db", str(db), "--library", library)
        return result.returncode, result.stderr.strip(), time.monotonic() - started

    reset()
    code, error, duration = run_import()
    if code != 0 or set(read_database(db).annotations) != whole:
        row.fail(f"an import without a kill did not bring everything (exit {code}: {error})")
        return
    outcomes: Counter[str] = Counter()
    for round_ in range(rounds):
        reset()
        process = world.spawn("import", str(export), "--db", str(db), "--library", library)
        time.sleep(rng.uniform(0, duration))
        finished = process.poll() is not None
        kill_hard(process.pid)
        process.wait()
        left = temporaries(db)
        try:
            ids = set(read_database(db).annotations)
        except TornFile as exc:
            row.lost += len(before)
            row.fail(f"kill {round_}: {exc}")
            outcomes["torn"] += 1
            continue
        if ids == before and finished:
            row.fail(f"kill {round_}: the import ended (exit {process.returncode}) without a trace")
        elif ids == before:
            outcomes["mid-write (temp file left), file as before" if left else "as before"] += 1
        elif ids == whole:
            outcomes["already finished" if finished else "whole import"] += 1
        else:
            gone = before - ids
            row.lost += len(gone)
            outcomes["partial"] += 1
            row.fail(
                f"kill {round_}: {len(ids & brought)} of {len(brought)} imported, "
                f"{len(gone)} earlier ones gone"
            )
        code, error, _ = run_import()
        try:
            complete = set(read_database(db).annotations) == whole
        except TornFile as exc:
            complete, error = False, str(exc)
        if code != 0 or not complete:
            row.fail(f"kill {round_}: the import run again did not complete (exit {code}: {error})")
        if temporaries(db):
            row.fail(f"kill {round_}: a stale temporary file outlived the next import")
    row.tries = f"{rounds} kills of an import of {len(brought)} annotations"
    spread = ", ".join(f"{count} {what}" for what, count in sorted(outcomes.items()))
    row.checked = (
        f"kill at uniform 0-{duration:.2f} s (one whole import); after each: {spread}; "
        f"all or nothing, and the import run again completed"
    )


# -- 3. writers at once ------------------------------------------------------------------------

EDITS_PER_TUI = 5
IMPORTS_PER_CLI = 3
PER_IMPORT = 25


def writers_at_once(
    world: World, rng: random.Random, rounds: int, row: Row, edits_per_tui: int = EDITS_PER_TUI
) -> None:
    """Fault 3: rounds of 2 writers (1 TUI, 1 CLI) and of 4 (2 and 2), on one database; each
    TUI makes `edits_per_tui` notes while each CLI runs its imports."""
    folder = world.folder("writers")
    library = str(world.library)
    db = folder / "annotations.json"
    sizes = [2] * rounds + [4] * rounds
    files_needed = sum((size - size // 2) * IMPORTS_PER_CLI for size in sizes)
    source = folder / "source.json"
    made = made_annotations(world.library, files_needed * PER_IMPORT, rng, range(20, 40), "cli")
    write_store(source, made)
    export = folder / "export.json"
    result = world.cli(
        "export", "--format", "json", "-o", str(export), "--db", str(source), "--library", library
    )
    if result.returncode != 0:
        row.fail(f"the export to import could not be made: {result.stderr.strip()}")
        return
    files = split_export(export, files_needed, folder, "part")
    expected_notes: list[tuple[str, str, str]] = []
    expected_ids: set[str] = set()
    checked_writers = 0
    for number, size in enumerate(sizes):
        tuis, clis = size // 2, size - size // 2
        mine = [files.pop() for _ in range(clis * IMPORTS_PER_CLI)]
        term = Terminal(world, f"writers{number}", 160, 50)
        barrier = threading.Barrier(tuis + clis)
        errors: list[str] = []
        stalled: list[str] = []
        threads: list[threading.Thread] = []
        try:
            for t in range(tuis):
                doc = (number * 2 + t) % 20
                session = f"t{t}"
                document = str(world.library / doc_name(doc))
                pid, problem = term.start_ready(["--db", str(db), document], session)
                if pid is None or problem:
                    errors.append(f"round {number}, TUI {t}: {problem}")
                    continue
                edits = [
                    plan_edit(rng, f"r{number} t{t} n{k}", note_share=1)
                    for k in range(edits_per_tui)
                ]
                expected_notes += [(doc_name(doc), e.quote, e.note or "") for e in edits]
                seed = rng.getrandbits(32)
                threads.append(
                    threading.Thread(
                        target=_tui_writer,
                        args=(
                            term,
                            session,
                            pid,
                            edits,
                            random.Random(seed),
                            barrier,
                            errors,
                            stalled,
                        ),
                    )
                )
            for c in range(clis):
                share = mine[c * IMPORTS_PER_CLI : (c + 1) * IMPORTS_PER_CLI]
                for _, ids in share:
                    expected_ids |= ids
                threads.append(
                    threading.Thread(
                        target=_cli_writer,
                        args=(world, db, [path for path, _ in share], barrier, errors),
                    )
                )
            if len(threads) != size:
                barrier.abort()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            checked_writers += size
        finally:
            term.kill_server()
        for error in errors:
            row.fail(error)
        row.stalled += len(stalled)
        for what in stalled:
            row.fail(what)
    try:
        database = read_database(db)
    except TornFile as exc:
        row.fail(str(exc))
        return
    missing_ids = expected_ids - database.annotations.keys()
    missing_notes = [
        f"{doc} “{quote}” ✎ {note}"
        for doc, quote, note in expected_notes
        if (quote, note) not in database.notes(doc)
    ]
    row.lost += len(missing_ids) + len(missing_notes)
    if missing_ids:
        row.fail(f"{len(missing_ids)} imported annotations missing")
    if missing_notes:
        row.fail(f"notes made in the TUIs missing: {missing_notes[:5]}")
    row.tries = f"{rounds} × 2 writers + {rounds} × 4 writers ({checked_writers} processes)"
    row.checked = (
        f"TUIs made {len(expected_notes)} notes ({edits_per_tui} each, typed and in bursts) while "
        f"CLIs imported {len(expected_ids)} annotations ({IMPORTS_PER_CLI} imports each); "
        f"all {len(database.annotations)} in the file, every TUI `saved` and quit"
    )


def _tui_writer(
    term: Terminal,
    session: str,
    pid: int,
    edits: list[Edit],
    rng: random.Random,
    barrier: threading.Barrier,
    errors: list[str],
    stalled: list[str],
) -> None:
    try:
        barrier.wait(60)
    except threading.BrokenBarrierError:
        return
    for edit in edits:
        send_edit(term, edit.keys(), edit.burst, rng, session)
        # A person looks up before the next highlight; the writes go on in the background.
        if term.wait_for(edit.listed_in, SAVE_WITHIN, session) is None:
            errors.append(f"{session}: “{edit.quote}” ✎ {edit.note} never listed")
    settled = term.wait_for(lambda s: save_status(s) == SAVED, SAVE_WITHIN, session)
    if settled is None:
        stalled.append(f"{session}: status `{save_status(term.screen(session))}` after its edits")
    term.send("q", session=session)
    if wait_gone(pid, SAVE_WITHIN) is None:
        errors.append(f"{session}: still running {SAVE_WITHIN:g} s after `q`")
        kill_hard(pid)
    elif (wrong := term.check_ending(session, 0)) is not None:
        errors.append(f"{session}: `q`: {wrong}")


def _cli_writer(
    world: World, db: Path, files: list[Path], barrier: threading.Barrier, errors: list[str]
) -> None:
    try:
        barrier.wait(60)
    except threading.BrokenBarrierError:
        return
    for path in files:
        result = world.cli("import", str(path), "--db", str(db), "--library", str(world.library))
        if result.returncode != 0:
            errors.append(f"import of {path.name} exited {result.returncode}: {result.stderr}")
