"""The world a fault run happens in: private folders, a small library, the database as a file,
and every process the run starts, so that none outlives it.

Each run gets a fresh temporary root holding its own XDG folders, HOME, TMPDIR (where tmux
keeps its sockets and readertui its last-resort changes files), library and databases. Every
process is started with exactly the environment `World.environment` gives (`env -i`), so the
user's own READERTUI_* settings, config and data are never touched.

The database is read as a plain JSON file here, the way a person with a text editor would
see it: a file that does not parse is "torn".
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readertui.core.annotations import Annotation

#: The installed command, beside the Python running the faults (the repo's venv).
READERTUI = Path(sys.executable).with_name("readertui")

#: Titles of the library's documents: distinct words, most holding letters that are reader
#: commands (q quits, u undoes, n notes, t tags, c colours, e exports), so that a name typed
#: into the `o` picker that reached the reader instead would show.
# fmt: off
TITLES = (
    "Quince", "Tundra", "Cedar", "Nutmeg", "Juniper", "Acorn", "Bramble", "Clover", "Dunes",
    "Estuary", "Fennel", "Glacier", "Heather", "Inlet", "Kestrel", "Lichen", "Meadow", "Nettle",
    "Orchard", "Pumice", "Quarry", "Rushes", "Sequoia", "Thicket", "Upland", "Verbena",
    "Willow", "Yarrow", "Zinnia", "Almond", "Basalt", "Cinder", "Delta", "Ember", "Fjord",
    "Gravel", "Hollow", "Ivy", "Jasmine", "Kelp",
)
# fmt: on
PARAGRAPHS = 12
WORDS = 8


def word(paragraph: int, index: int) -> str:
    """The word at `index` of `paragraph` (the same in every document: `p03w05`)."""
    return f"p{paragraph:02d}w{index:02d}"


def quote_of(paragraph: int, first: int, count: int) -> str:
    """The text of `count` words of `paragraph` from word `first`."""
    return " ".join(word(paragraph, index) for index in range(first, first + count))


def doc_name(index: int) -> str:
    return f"doc{index:02d}.txt"


@dataclass
class Row:
    """One line of the table: a fault, how often it was tried, and what went wrong."""

    fault: str
    tries: str = ""
    checked: str = ""
    lost: int = 0
    stalled: int = 0
    failures: list[str] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.skipped is not None or (
            self.lost == 0 and self.stalled == 0 and not self.failures
        )

    def fail(self, what: str) -> None:
        self.failures.append(what)


class TornFile(Exception):
    """The database file does not parse, or is not laid out as a readertui database."""


@dataclass(frozen=True)
class Database:
    """What a database file holds, as read from the file itself."""

    annotations: dict[str, dict[str, Any]]

    def of(self, doc: str) -> list[dict[str, Any]]:
        return [a for a in self.annotations.values() if _doc_path(a) == doc]

    def quotes(self, doc: str) -> Counter[str]:
        """How many annotations of `doc` hold each quote."""
        return Counter(str(a["quote"]["exact"]) for a in self.of(doc))

    def notes(self, doc: str) -> set[tuple[str, str]]:
        """(quote, note) of every annotation of `doc`."""
        return {(str(a["quote"]["exact"]), str(a.get("note", ""))) for a in self.of(doc)}

    def with_note(self, note: str) -> list[dict[str, Any]]:
        return [a for a in self.annotations.values() if a.get("note") == note]


def _doc_path(annotation: dict[str, Any]) -> str:
    doc = annotation.get("doc")
    return str(doc.get("path", "")) if isinstance(doc, dict) else ""


def read_database(path: Path) -> Database:
    """The database at `path` (empty when there is no file yet); raises TornFile."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Database({})
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TornFile(f"{path.name} ({len(raw)} bytes) does not parse: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise TornFile(f"{path.name} is not a table of tables")
    annotations: dict[str, dict[str, Any]] = {}
    for record in data.get("annotations", {}).values():
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            annotations[record["id"]] = record
    return Database(annotations)


def temporaries(db: Path) -> list[Path]:
    """readertui's temporary files beside `db` (left by a write that was killed)."""
    return sorted(db.parent.glob(f".{db.name}.*.tmp"))


def changes_files(world: World, db: Path) -> list[Path]:
    """Changes files kept for `db` (or any database) in the places readertui puts them."""
    places = [db.parent, world.data / "readertui" / "unsaved", world.tmp]
    found: list[Path] = []
    for place in places:
        if place.is_dir():
            found += [p for p in place.rglob("*.unsaved-*.json") if p.is_file()]
    return sorted(found)


class World:
    """A fault run's private folders and processes."""

    def __init__(self, keep: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="readertui-faults-"))
        self.tag = f"rtf{uuid.uuid4().hex[:6]}"
        self.keep = keep
        self.home = self.root / "home"
        self.config = self.root / "config"
        self.data = self.root / "data"
        self.cache = self.root / "cache"
        self.state = self.root / "state"
        self.tmp = self.root / "tmp"
        for folder in (self.home, self.config, self.data, self.cache, self.state, self.tmp):
            folder.mkdir()
        self.library = self.root / "library"
        build_library(self.library)
        #: Every process started (readertui, tmux servers), to check that each one ended.
        self.pids: list[int] = []
        self.mounts: list[Path] = []
        #: Where copies of what a failure left are kept after the run (None: nothing failed).
        self.evidence: Path | None = None

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def environment(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.config),
            "XDG_DATA_HOME": str(self.data),
            "XDG_CACHE_HOME": str(self.cache),
            "XDG_STATE_HOME": str(self.state),
            "TMPDIR": str(self.tmp),
            "TMUX_TMPDIR": str(self.tmp),
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "LANG": "C.UTF-8",
            "TEXTUAL_ANIMATIONS": "none",
        }

    def env_command(self, *command: str) -> list[str]:
        """`command` run with exactly this world's environment."""
        exports = [f"{key}={value}" for key, value in self.environment().items()]
        return ["env", "-i", *exports, *command]

    def readertui(self, *args: str) -> list[str]:
        return self.env_command(str(READERTUI), *args)

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a `readertui` subcommand to its end."""
        process = subprocess.Popen(
            self.readertui(*args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.pids.append(process.pid)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            err += f"\n(killed after {timeout} s)"
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """Start a `readertui` subcommand and return at once."""
        process = subprocess.Popen(
            self.readertui(*args),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.pids.append(process.pid)
        return process

    def keep_evidence(self, name: str, db: Path, screens: Sequence[str]) -> Path:
        """Keep a copy of `db` and the `screens` seen, past the end of the run; where."""
        if self.evidence is None:
            self.evidence = Path(tempfile.mkdtemp(prefix="readertui-faults-evidence-"))
        folder = self.evidence / name
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copy2(db, folder / db.name)
        for number, screen in enumerate(screens):
            (folder / f"screen-{number:02d}.txt").write_text(screen, encoding="utf-8")
        return folder

    # -- the end ------------------------------------------------------------------------------

    def survivors(self, grace: float = 3.0) -> list[str]:
        """Processes of this run still alive `grace` seconds on (by pid, and by ps: anything
        naming its folder or its tmux sockets)."""
        deadline = time.monotonic() + grace
        while True:
            found = self._running()
            if not found or time.monotonic() >= deadline:
                return found
            time.sleep(0.1)

    def _running(self) -> list[str]:
        found: dict[int, str] = {}
        for pid in self.pids:
            if process_alive(pid):
                found[pid] = _command_of(pid)
        mine = {os.getpid()}
        listing = subprocess.run(
            ["ps", "-eo", "pid=,stat=,args="], capture_output=True, text=True, check=False
        ).stdout
        for line in listing.splitlines():
            parts = line.split(None, 2)
            if len(parts) < 3 or not parts[0].isdigit():
                continue
            pid, state, args = int(parts[0]), parts[1], parts[2]
            if pid in mine or state.startswith("Z") or args.startswith("ps "):
                continue
            if str(self.root) in args or self.tag in args:
                found[pid] = args
        return [f"{pid} {args[:100]}" for pid, args in sorted(found.items())]

    def kill_all(self) -> None:
        for entry in self.survivors(grace=0):
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(entry.split()[0]), signal.SIGKILL)

    def close(self) -> None:
        for mount in reversed(self.mounts):
            subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)
        self.mounts.clear()
        if not self.keep:
            # Files made immutable by the read-only fault would stop the removal.
            subprocess.run(["chattr", "-R", "-i", str(self.root)], capture_output=True, check=False)
            shutil.rmtree(self.root, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """Whether `pid` still runs: any of its threads does (a zombie waiting to be reaped by
    its parent has ended; a main thread that ended while others run has not)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return False
    except OSError:
        return True
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat", encoding="ascii", errors="replace") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            return True
    return False


def _command_of(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()


def wait_gone(pid: int, timeout: float, since: float | None = None) -> float | None:
    """Seconds from `since` (default: now) until `pid` ended; None if it outlived `timeout`."""
    start = time.monotonic() if since is None else since
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return time.monotonic() - start
        time.sleep(0.01)
    return None if process_alive(pid) else time.monotonic() - start


def kill_hard(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


# -- the library and prepared annotations -----------------------------------------------------


def build_library(folder: Path, documents: int = len(TITLES)) -> None:
    """Small plain-text documents: a title line, then paragraphs of distinct words."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(documents):
        paragraphs = [" ".join(word(p, w) for w in range(WORDS)) for p in range(PARAGRAPHS)]
        text = f"{TITLES[index]} report\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / doc_name(index)).write_text(text, encoding="utf-8")


def made_annotations(
    library: Path, count: int, rng: random.Random, docs: Sequence[int], label: str
) -> list[Annotation]:
    """`count` annotations of `docs`, made with readertui's own model (ids, quotes, hashes as
    the app makes them), each with a note naming it: f"{label} {n}"."""
    from readertui.core.annotations import DocumentRef, new_annotation
    from readertui.core.document import load_document

    loaded = [load_document(library / doc_name(d), library) for d in docs]
    made: list[Annotation] = []
    for n in range(count):
        document = rng.choice(loaded)
        paragraph, first = rng.randrange(PARAGRAPHS), rng.randrange(WORDS - 1)
        exact = quote_of(paragraph, first, rng.randint(1, WORDS - first))
        start = document.text.index(exact, document.text.index(word(paragraph, 0)))
        ref = DocumentRef(document.rel_path, document.sha256, document.metadata.title)
        made.append(
            new_annotation(
                document.text, ref, start, start + len(exact), note=f"{label} {n}", tags=[label]
            )
        )
    return made


def write_store(path: Path, annotations: Iterable[Annotation]) -> None:
    """A database holding `annotations`, written by readertui's own store."""
    from readertui.store.store import Store

    with Store(path) as store:
        store.save_annotations(list(annotations))


def split_export(export: Path, parts: int, folder: Path, stem: str) -> list[tuple[Path, set[str]]]:
    """Cut a JSON export into `parts` files of disjoint annotations; each with its ids."""
    data = json.loads(export.read_text(encoding="utf-8"))
    items = data["first"]["items"]
    files: list[tuple[Path, set[str]]] = []
    for part in range(parts):
        chunk = items[part::parts]
        piece = dict(data, total=len(chunk), first=dict(data["first"], items=chunk))
        path = folder / f"{stem}-{part}.json"
        path.write_text(json.dumps(piece, ensure_ascii=False, indent=1), encoding="utf-8")
        files.append((path, {item_id(item) for item in chunk}))
    return files


def item_id(item: dict[str, Any]) -> str:
    """The annotation id of an exported item (its IRI ends with it)."""
    iri = str(item["id"])
    return iri.rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def export_ids(export: Path) -> set[str]:
    data = json.loads(export.read_text(encoding="utf-8"))
    return {item_id(item) for item in data["first"]["items"]}
