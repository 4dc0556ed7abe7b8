"""End to end, PRODUCT 11 in a real terminal: a library whose every metadata source carries
escape sequences, C1 controls, bidi overrides and Rich markup drives nothing.

The installed `readertui` runs in tmux with its raw output captured (`pipe-pane`) and visits
every place these strings show: the library pane (titles, bylines, the outline, tags, the
skipped list), the reader's header, the notes pane, the Document tab, the `o` picker with a
query, the palette (headings; the annotations of a tag, and of documents not in the library),
help, a notification for each skipped file and the tag editor. Then:

- the pane title and the window name are unchanged (OSC 0/2, tmux's own `ESC k`, a DCS
  passthrough would set them), and tmux holds no paste buffer (the server accepts OSC 52,
  `set-clipboard on`: a positive control shows that a plain `printf` does fill one);
- the raw output holds only the kinds of escape sequence Textual itself writes, found by a
  control run of the same visit on a harmless library of the same shape, and none of the
  payloads' sequences, no C1 control, no bidi control;
- each hostile string was drawn, as symbols (`␛`), with the markup as typed.

The command line (`list`, `export -o -`) and what is not a regular file (a FIFO, a device, a
folder: as documents and as `--db`) are checked too. `benchmarks/hostile.py` runs the same
session and prints the README's table.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shlex
import signal
import stat
import subprocess
import time
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from tests.e2e.terminal import READERTUI, Terminal, require_tools, wait_until_ended

pytestmark = pytest.mark.e2e

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"

# --- the payloads -------------------------------------------------------------------------

#: Each kind of hostile text, by a two-letter code. A payload's text names the string it is
#: in (its id: source code + kind code), so whatever reaches the terminal says where it came
#: from: a pane title `FLo2` was set by the OSC 2 in a first-line title.
KINDS: dict[str, str] = {
    "o0": "OSC 0 window title (BEL)",
    "o2": "OSC 2 window title (BEL)",
    "os": "OSC 2 window title (ST)",
    "o8": "OSC 8 hyperlink",
    "cb": "OSC 52 clipboard write",
    "cs": "CSI clear screen, cursor home",
    "dc": "DCS tmux passthrough",
    "ek": "ESC k tmux window name",
    "c1": "C1 controls U+009B CSI, U+009D OSC",
    "bd": "bidi override U+202E, isolates",
    "mr": "Rich markup [reverse]",
    "ml": "Rich markup [link=…]",
}
#: What only a file name carries.
NAME_KINDS: dict[str, str] = {
    "nl": "newline in a file name",
    "nu": "non-UTF-8 byte in a file name",
}
MARKUP_KINDS = ("mr", "ml")
#: What an imported document path may hold: the import refuses C0 and C1 controls.
PATH_KINDS = ("bd", "mr", "ml")


def clipboard_text(ident: str) -> str:
    """What the OSC 52 payload of `ident` would put on the clipboard."""
    return f"PWNED {ident}"


def payload(kind: str, ident: str, *, in_path: bool = False, harmless: bool = False) -> str:
    """The hostile text of `kind`, naming `ident`.

    `in_path`: for a file name or a tag, where `/` separates levels (OSC 8 and the markup
    then carry none). `harmless`: plain text of a similar length instead, for the control run.
    """
    if harmless:
        return f"plain words {ident}"
    texts = {
        "o0": f"{ESC}]0;{ident}{BEL}",
        "o2": f"{ESC}]2;{ident}{BEL}",
        "os": f"{ESC}]2;{ident}{ST}",
        "o8": f"{ESC}]8;;x:{ident}{ST}L",
        "cb": f"{ESC}]52;c;{base64.b64encode(clipboard_text(ident).encode()).decode()}{BEL}",
        "cs": f"{ESC}[2J{ESC}[H",
        "dc": f"{ESC}Ptmux;{ESC}{ESC}]2;{ident}{BEL}{ST}",
        "ek": f"{ESC}k{ident}{ST}",
        "c1": f"\x9b2J\x9d2;{ident}\x9c",
        "bd": f"\u202e{ident}\u202c\u2066x\u2069",
        "mr": "[reverse]X" if in_path else "[reverse]X[/reverse]",
        "ml": "Bad [link=x]markup" if in_path else "Bad [link=http://x]markup",
    }
    return texts[kind]


BIDI_CONTROLS = frozenset(
    chr(code) for code in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)


def shown(text: str) -> str:
    """`text` as one line of the screen shows it: control pictures for C0 controls, U+FFFD
    for C1 controls and lone surrogates, `·` for bidi controls. Written here from PRODUCT 11
    and not taken from readertui.core.visible, so that a change there is seen."""
    out = []
    for char in text:
        code = ord(char)
        if code < 0x20:
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0x80 <= code < 0xA0 or 0xD800 <= code < 0xE000:
            out.append("\ufffd")
        elif char in BIDI_CONTROLS or char in "\u2028\u2029":
            out.append("\u00b7")
        else:
            out.append(char)
    return "".join(out)


# --- the hostile library ------------------------------------------------------------------

#: Where hostile text comes from, by a two-letter code: the start of every string's id.
SOURCES: dict[str, str] = {
    "FL": "first line of a .txt (title)",
    "FT": "front matter title",
    "FA": "front matter author",
    "ST": "sidecar title",
    "SA": "sidecar authors",
    "SP": "sidecar publication",
    "SD": "sidecar date",
    "SS": "sidecar source",
    "SG": "sidecar tags",
    "HD": "Markdown heading (outline)",
    "FN": "file name",
    "NT": "imported note",
    "TG": "imported tag",
    "IT": "imported document title",
    "IP": "imported document path",
}


@dataclass(frozen=True)
class Planted:
    """One hostile string put into the library: from which source, of which kind."""

    source: str
    kind: str
    text: str
    #: How the app shows it, where that differs from the text (front matter splits authors
    #: at `;`), before the controls are made visible.
    display: str = ""

    @property
    def ident(self) -> str:
        return self.source + self.kind

    @property
    def shown(self) -> str:
        return shown(self.display or self.text)


def planted(source: str, kind: str, *, in_path: bool = False, harmless: bool = False) -> Planted:
    ident = source + kind
    text = f"{ident} {payload(kind, ident, in_path=in_path, harmless=harmless)}"
    if source == "FA":  # "Ann; Bo" in front matter is two authors, shown "Ann, Bo"
        authors = [part.strip() for part in text.split(";") if part.strip()]
        return Planted(source, kind, text, display=", ".join(authors))
    return Planted(source, kind, text)


def toml_string(text: str) -> str:
    """`text` as a TOML basic string, its controls written as \\u escapes."""
    escaped = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cc" or c in '"\\' else c for c in text
    )
    return f'"{escaped}"'


BODY = (
    "The steel works of Jiayuguan stood at the end of the wall, and the people who built "
    "them came from every province. This paragraph is plain text, long enough that the "
    "control characters of the title are a small share of the file."
)
OUTLINE_FILE = "outline.md"
SIDECAR_FILE = "sidecar.txt"
NOTE_QUOTES = [f"passage {n:02d}" for n in range(len(KINDS))]
#: Not documents: never opened, listed as skipped.
FIFO, DEVICE, LINK_OUT = "fifo.txt", "zero.txt", "null-link.txt"


@dataclass
class HostileLibrary:
    """The library on disk and every hostile string in it."""

    root: Path
    harmless: bool
    strings: list[Planted] = field(default_factory=list)

    def by_source(self, source: str) -> list[Planted]:
        return [item for item in self.strings if item.source == source]


def build_library(root: Path, *, harmless: bool = False) -> HostileLibrary:
    """Every metadata source × every kind of hostile text, as files in `root` (with
    `harmless`, plain words in the same places: the control run's library)."""
    root.mkdir(parents=True)
    library = HostileLibrary(root, harmless)

    def plant(source: str, kind: str, *, in_path: bool = False) -> Planted:
        item = planted(source, kind, in_path=in_path, harmless=harmless)
        library.strings.append(item)
        return item

    for kind in KINDS:
        # The first line of a plain text is its title.
        first = plant("FL", kind)
        (root / f"first-{kind}.txt").write_text(f"{first.text}\n\n{BODY}\n", encoding="utf-8")
        # Front matter: title and author.
        title, author = plant("FT", kind), plant("FA", kind)
        (root / f"front-{kind}.md").write_text(
            f"---\ntitle: {title.text}\nauthor: {author.text}\n---\n\n{BODY}\n", encoding="utf-8"
        )
    # A sidecar whose every field holds every kind: opened once, it shows them all (in the
    # header, and in the Document tab, where they wrap).
    side = {
        source: [plant(source, kind, in_path=source == "SG") for kind in KINDS]
        for source in ("ST", "SA", "SP", "SD", "SS", "SG")
    }

    def joined(source: str) -> str:
        return toml_string(" ".join(item.text for item in side[source]))

    def listed(source: str) -> str:
        return f"[{', '.join(toml_string(item.text) for item in side[source])}]"

    (root / SIDECAR_FILE).write_text(f"{BODY}\n", encoding="utf-8")
    (root / f"{SIDECAR_FILE}.meta.toml").write_text(
        f"title = {joined('ST')}\nauthors = {listed('SA')}\npublication = {joined('SP')}\n"
        f"date = {joined('SD')}\nsource = {joined('SS')}\ntags = {listed('SG')}\n",
        encoding="utf-8",
    )
    # Markdown headings: the outline of one document, every kind (the notes go there too).
    headings = [plant("HD", kind) for kind in KINDS]
    sections = "".join(
        f"## {heading.text}\n\nIn this section, {quote} is worth a note.\n\n"
        for heading, quote in zip(headings, NOTE_QUOTES, strict=True)
    )
    (root / OUTLINE_FILE).write_text(
        f"---\ntitle: Outline\n---\n\n{BODY}\n\n{sections}", encoding="utf-8"
    )
    # File names: documents titled by their name (their one line is too long to be a title),
    # and binary files under the same names, listed as skipped.
    names = [plant("FN", kind, in_path=True) for kind in KINDS]
    if not harmless:
        names.append(Planted("FN", "nl", "FNnl new\nline"))
        names.append(Planted("FN", "nu", os.fsdecode(b"FNnu caf\xe9")))
    else:
        names += [Planted("FN", "nl", "FNnl new line"), Planted("FN", "nu", "FNnu cafe")]
    library.strings += names[len(KINDS) :]
    for name in names:
        (root / f"{name.text}.txt").write_text(f"{BODY}\n", encoding="utf-8")
        (root / f"{name.text}.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    # A FIFO among the documents: skipped, never opened (opening it would wait for ever).
    os.mkfifo(root / FIFO)
    # A device: a copy of /dev/zero, which would never end if read (only root may make one).
    try:
        os.mknod(root / DEVICE, stat.S_IFCHR | 0o666, os.makedev(1, 5))
    except PermissionError:
        (root / DEVICE).symlink_to("/dev/zero")
    # A link out of the library, to a device.
    (root / LINK_OUT).symlink_to("/dev/null")
    return library


def annotations_to_import(library: HostileLibrary) -> dict[str, object]:
    """A W3C Web Annotation collection for `readertui import`: a note and a tag of each kind,
    on passages of the outline document."""
    text = (library.root / OUTLINE_FILE).read_text(encoding="utf-8")
    items = []
    for number, (kind, quote) in enumerate(zip(KINDS, NOTE_QUOTES, strict=True)):
        note = planted("NT", kind, harmless=library.harmless)
        tag = planted("TG", kind, in_path=True, harmless=library.harmless)
        library.strings += [note, tag]
        start = text.index(quote)
        items.append(
            {
                "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
                "type": "Annotation",
                "motivation": "commenting",
                "created": "2025-01-01T00:00:00Z",
                "modified": "2025-01-01T00:00:00Z",
                "body": [
                    {"type": "TextualBody", "purpose": "commenting", "value": note.text},
                    {"type": "TextualBody", "purpose": "tagging", "value": tag.text},
                ],
                "target": {
                    "source": {"id": OUTLINE_FILE, "type": "Text"},
                    "selector": [
                        {"type": "TextQuoteSelector", "exact": quote},
                        {"type": "TextPositionSelector", "start": start, "end": start + 10},
                    ],
                },
            }
        )
    # Annotations of documents that are not in the library (listed as strays): by their
    # document's title, or by its path where they have no title. A path with a control
    # character is refused by the import (test_import_refuses_a_document_path_with_controls…).
    for number, kind in enumerate(KINDS, start=len(items)):
        for source in ("IT", "IP") if kind in PATH_KINDS else ("IT",):
            item = planted(source, kind, in_path=source == "IP", harmless=library.harmless)
            library.strings.append(item)
            document: dict[str, str] = {"id": f"{item.text}.txt", "type": "Text"}
            if source == "IT":
                document = {"id": f"elsewhere-{kind}.txt", "type": "Text", "title": item.text}
            items.append(
                {
                    "id": f"urn:uuid:00000000-0000-4000-9000-{number:010d}{source == 'IP':02d}",
                    "type": "Annotation",
                    "target": {
                        "source": document,
                        "selector": [{"type": "TextQuoteSelector", "exact": f"stray {kind}"}],
                    },
                }
            )
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": items},
    }


# --- running readertui --------------------------------------------------------------------


def environment(home: Path) -> dict[str, str]:
    return {
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "LANG": "C.UTF-8",
        "PATH": "/usr/bin:/bin",
    }


def readertui(*args: str, home: Path, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    """The installed command, its output as bytes (checked for what reaches a terminal)."""
    return subprocess.run(
        [str(READERTUI), *args],
        capture_output=True,
        env=environment(home),
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        check=False,
    )


def prepare(home: Path, *, harmless: bool = False) -> tuple[HostileLibrary, Path]:
    """The library, and a database holding its imported notes and tags."""
    library = build_library(home / "library", harmless=harmless)
    db = home / "annotations.json"
    export = home / "to-import.json"
    export.write_text(json.dumps(annotations_to_import(library)), encoding="utf-8")
    result = readertui(
        "import", "--library", str(library.root), "--db", str(db), str(export), home=home
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert f"{2 * len(KINDS) + len(PATH_KINDS)} added".encode() in result.stdout, result.stdout
    return library, db


SIZE = (200, 100)
#: The longest wait for one step: the app may lag behind the keys on a loaded machine (two
#: visits run at once). A wait ends as soon as what it waits for shows.
STEP_TIMEOUT = 30
#: What the palette shows while it is open (its search field).
PALETTE = "🔎"
TITLE, WINDOW = "hostile-test-title", "hostile-test-window"


@dataclass
class Session:
    """What one visit of the hostile (or control) library left behind."""

    raw: bytes = b""
    #: capture-pane text of every screen visited, by name.
    screens: dict[str, str] = field(default_factory=dict)
    pane_title: str = ""
    window_name: str = ""
    buffers: str = ""
    quit_cleanly: bool = False
    #: Why the visit stopped before its end, if it did.
    visit_error: str = ""
    seconds: float = 0.0


class Visit:
    """Drives one readertui in a Terminal and keeps what each screen showed.

    Every step waits for what it opens to show (and every dialog to be gone once closed):
    on a loaded machine the app may lag well behind the keys.
    """

    def __init__(self, term: Terminal, session: Session, library: HostileLibrary) -> None:
        self.term = term
        self.session = session
        self.library = library

    def idents(self, sources: str, kinds: str = "") -> tuple[str, ...]:
        """The ids of the strings planted from `sources` (two letters each), of the kinds
        starting with `kinds`: what a screen listing them holds, hostile or not."""
        return tuple(
            item.ident
            for source in (sources[n : n + 2] for n in range(0, len(sources), 2))
            for item in self.library.by_source(source)
            if item.kind.startswith(kinds)
        )

    def capture(self, name: str) -> str:
        screen = self.term.screen()
        self.session.screens[name] = screen
        return screen

    def wait(self, text: str, name: str, *, times: int = 1, row: int | None = None) -> str:
        """Wait until `text` shows (`times` times: a query typed, and what it found; on `row`
        only, if given), then keep the screen as `name`."""

        def shows(screen: str) -> bool:
            if row is not None:
                screen = (screen.splitlines() + [""] * (row + 1))[row]
            return screen.count(text) >= times

        return self.wait_until(shows, name, f"{text!r}")

    def wait_hit(self, query: str, hit: str, name: str, listing: tuple[str, ...] = ()) -> str:
        """Wait until the palette shows `query` typed, its first hit starts with `hit`, and
        it lists every id in `listing` (its list is filled after its field shows the query)."""

        def found(screen: str) -> bool:
            rows = [row.strip() for row in screen.splitlines()]
            typed = next((n for n, row in enumerate(rows) if row.startswith(PALETTE)), None)
            if typed is None or rows[typed] != f"{PALETTE} {query}":
                return False
            first = next((row for row in rows[typed + 1 :] if row), "")
            return first.startswith(hit) and lists_all(palette, listing)(screen)

        return self.wait_until(found, name, f"{hit!r} first for {query!r}, and {listing}")

    def wait_gone(self, text: str) -> None:
        self.wait_until(lambda screen: text not in screen, "", f"{text!r} to go")

    def wait_until(
        self,
        condition: Callable[[str], bool],
        name: str,
        what: str,
        timeout: float = STEP_TIMEOUT,
    ) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.term.screen()
            if condition(screen):
                if name:
                    screen = self.settled(screen, condition)
                    self.session.screens[name] = screen
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"waited for {what} in vain; the screen was:\n{screen}")
            time.sleep(0.05)

    def settled(self, screen: str, condition: Callable[[str], bool]) -> str:
        """`screen`, or the one after it once the screen is still: tmux may be read while
        a frame is only partly written. A screen that no longer meets `condition` (a
        notification gone) is not taken."""
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            time.sleep(0.1)
            again = self.term.screen()
            if again == screen or not condition(again):
                break
            screen = again
        return screen

    def close_palette(self) -> None:
        """Escape until the palette (or a list offered in it) is gone: the first escape may
        only close its list. Each escape is waited for (the palette gone, or what it shows
        changed) before the next: one sent early would reach the reader."""
        for _ in range(3):
            before = palette(self.term.screen())
            self.keys("Escape")
            screen = self.wait_until(
                lambda s, before=before: PALETTE not in s or palette(s) != before,
                "",
                "escape to be taken",
            )
            if PALETTE not in screen:
                return
        self.wait_gone(PALETTE)

    def type(self, text: str) -> None:
        """Type `text` as it is (not as key names)."""
        self.term.tmux("send-keys", "-t", "main", "-l", text)

    def keys(self, *keys: str) -> None:
        self.term.burst(*keys)


def start_captured(term: Terminal, home: Path, command: list[str], raw: Path) -> None:
    """Start `command` in the terminal with every byte it writes captured in `raw`: the
    session waits for a go file until the server is set up and pipe-pane is attached."""
    go = home / "go"
    # Under pytest the tmux server inherits COLUMNS=80 LINES=24 (set in the C environment
    # by something pytest loads), and Textual would believe them over the pane's size.
    script = (
        "unset COLUMNS LINES; "
        f"while [ ! -e {shlex.quote(str(go))} ]; do sleep 0.02; done; "
        f"exec {' '.join(shlex.quote(part) for part in command)}"
    )
    term.start("sh", "-c", shlex.quote(script))
    # What would let a hostile string through, made as permissive as tmux allows: OSC 52
    # lands in a paste buffer, ESC k renames the window, a DCS passthrough is passed on.
    term.tmux("set-option", "-s", "set-clipboard", "on")
    term.tmux("set-option", "-w", "-t", "main", "automatic-rename", "off")
    term.tmux("set-option", "-w", "-t", "main", "allow-rename", "on")
    with contextlib.suppress(subprocess.CalledProcessError):  # tmux 3.3 and later
        term.tmux("set-option", "-p", "-t", "main", "allow-passthrough", "on")
    # The pane stays once readertui has quit: its title can be read after the last byte.
    term.tmux("set-option", "-w", "-t", "main", "remain-on-exit", "on")
    term.tmux("rename-window", "-t", "main", WINDOW)
    term.tmux("select-pane", "-t", "main", "-T", TITLE)
    term.tmux("pipe-pane", "-o", "-t", "main", f"cat >> {shlex.quote(str(raw))}")
    go.touch()


#: The library pane's filter (words of titles, bylines, paths), how many documents it lists,
#: and how the first of them starts.
LIBRARY_VIEWS = [
    ("first-", len(KINDS), "FLbd"),
    ("front-", len(KINDS), "FTbd"),
    ("sidecar", 1, "STo0"),
    ("outline", 1, "Outline"),
    ("FN", len(KINDS) + len(NAME_KINDS), "FNbd"),
    ("TG", 0, f"Tags ({len(KINDS)})"),  # no document: the tags
]
LIBRARY_DOCUMENTS = 3 * len(KINDS) + len(NAME_KINDS) + 2


def listed_documents(screen: str) -> list[str]:
    """The first rows of the library pane's list, from `Documents (N)` on, stripped."""
    rows = screen.splitlines()
    columns = pane_columns(screen)
    if not columns:
        return []
    left, right = columns[0]
    pane = [row[left:right].strip() for row in rows]
    start = next((n for n, row in enumerate(pane) if row.startswith("Documents (")), None)
    if start is None:
        return []
    return [row for row in pane[start:] if row and set(row) != {"─"}]


def lists(screen: str, count: int, first: str) -> bool:
    """Whether the library pane lists `count` documents, the first starting with `first`."""
    rows = listed_documents(screen)
    return rows[:1] == [f"Documents ({count})"] and rows[1:2] != [] and rows[1].startswith(first)


def lists_all(region: Region, idents: Iterable[str]) -> Callable[[str], bool]:
    """Whether every id in `idents` shows in `region` of a screen: a heading comes a frame
    before what it heads, and a list may be filled in steps."""
    return lambda screen: all(ident in region(screen)[0] for ident in idents)


def visit_everything(visit: Visit, skipped: list[str]) -> None:
    """Every place a string from the library shows, in one session. `skipped`: the names of
    the files listed as skipped, as shown."""
    visit.term.wait_until_ready()
    visit.wait("Documents (", "start")
    visit.wait(f"“{NOTE_QUOTES[-1]}”", "start")  # the notes pane, filled after the first paint
    visit.keys("3")  # the notes pane, focused
    visit.wait_until(lists_all(sidebar, visit.idents("NTTG")), "notes", "every note and tag")
    # The library pane, filtered to one source at a time (it is longer than the screen):
    # titles, bylines, the outline of the open document, tags; then its end, the skipped files.
    visit.keys("1", "/")  # the pane's filter field
    for query, count, first in [*LIBRARY_VIEWS, ("", LIBRARY_DOCUMENTS, "FLbd")]:
        visit.keys("C-u")
        visit.type(query)
        visit.wait_until(
            partial(lists, count=count, first=first),
            f"library-{query}" if query else "library",
            f"the library filtered by {query!r}",
        )
    visit.keys("Enter", "End")  # to the list, and its end
    visit.wait_until(
        lambda s: all(
            text in s
            for text in (FIFO, DEVICE, LINK_OUT, "a link to a file outside", "not a regular file")
        ),
        "library-end",
        "the skipped files at the end of the list",
    )
    # Each skipped file chosen, from the last up: a notification naming it (each waited
    # for: a notification goes after a few seconds).
    unseen = {squeezed(f"{name} was skipped") for name in skipped}

    def new_one(screen: str) -> bool:
        return any(text in notifications(screen)[0] for text in unseen)

    for number in range(len(skipped)):
        visit.keys("Enter")
        kept = visit.wait_until(new_one, f"notification-{number:02d}", "a notification of one more")
        unseen.difference_update(text for text in list(unseen) if text in notifications(kept)[0])
        visit.keys("Up")
    # Up once more, the last tag: enter lists the annotations carrying it, in a palette.
    visit.keys("Enter")
    visit.wait_until(
        lambda s: "Tagged #" in s and lists_all(palette, visit.idents("NT", "os"))(s),
        "palette-tag",
        "the annotations tagged TGos",
    )
    visit.close_palette()
    # The palette: the outline's headings (and every document, listed before them), then
    # through a command the annotations of documents that are not in the library.
    visit.keys("C-p")
    visit.wait("Search for commands", "palette")
    visit.type("Go to")
    visit.wait_hit("Go to", "Go to: HD", "palette-headings", visit.idents("HD"))
    visit.keys("C-u")
    visit.type("not in the library")
    visit.wait_hit("not in the library", "List annotations of documents", "palette")
    visit.keys("Enter")
    visit.wait_until(
        lambda s: "Annotations of documents" in s and lists_all(palette, visit.idents("ITIP"))(s),
        "palette-strays",
        "the annotations of documents not in the library",
    )
    visit.close_palette()
    # Help.
    visit.keys("?")
    visit.wait("Cursor down a line", "help")
    visit.keys("Escape")
    visit.wait_gone("Cursor down a line")
    # The `o` picker, filtered: titles from first lines, front matter, file names, bylines.
    visit.keys("2", "o")
    visit.wait_until(
        lambda s: "Open a document" in s and lists_all(palette, visit.idents("FL"))(s),
        "picker",
        "the picker listing the documents",
    )
    for query, listing in (("FTo", visit.idents("FTFA", "o")), ("STo0", visit.idents("STSASPSD"))):
        visit.keys("C-u")
        visit.type(query)
        visit.wait_hit(query, query, f"picker-{query}", listing)
    # The document whose sidecar holds every kind in every field: the header, and the
    # sidebar's Document tab; `t` edits its tags.
    visit.keys("Enter")
    visit.wait_until(lists_all(header, visit.idents("ST", "o")), "header", "the header of STo0")
    visit.keys("3", "Right", "Right")  # the sidebar; past Cross-refs to the Document tab
    # The tab shows the facts of the document opened before until this one is painted.
    visit.wait_until(
        lambda screen: "TitleSTo0" in sidebar(screen)[0] and "Publication" in screen,
        "facts",
        "the Document tab of STo0",
    )
    visit.keys("2", "t")
    visit.wait("saves and closes", "tag-editor-empty")
    visit.type("TGo")
    visit.wait_until(
        lambda s: "Known tags: TGo0" in s and lists_all(dialog, visit.idents("TG", "o"))(s),
        "tag-editor",
        "the known tags starting TGo",
    )
    visit.keys("C-u", "Escape")
    visit.wait_gone("saves and closes")
    visit.keys("q")


def run_session(home: Path, library: HostileLibrary, db: Path) -> Session:
    """Visit everything in the installed readertui, in tmux, capturing what it writes."""
    require_tools()
    session = Session()
    raw = home / "raw-output"
    term = Terminal(home, *SIZE)
    began = time.monotonic()
    try:
        command = [str(READERTUI), "--db", str(db), str(library.root / OUTLINE_FILE)]
        start_captured(term, home, command, raw)
        visit = Visit(term, session, library)
        try:
            names = [shown(f"{item.text}.png") for item in library.by_source("FN")]
            visit_everything(visit, [*names, FIFO, DEVICE, LINK_OUT])
            session.quit_cleanly = wait_until_dead(term)
        except AssertionError as error:
            # A screen that never came (a crash, a screen cleared by an escape): the checks
            # of what did reach the terminal still run, and say more than this.
            session.visit_error = str(error)
        finally:
            session.pane_title, session.window_name = read_names(term)
            session.buffers = term.tmux("list-buffers")
    finally:
        piping = holders(raw)  # the `cat` behind pipe-pane
        term.close()
        session.seconds = time.monotonic() - began
    session.raw = read_when_written(raw, piping)
    return session


def wait_until_dead(term: Terminal, timeout: float = 30) -> bool:
    """Wait until the command in `main` has ended (its pane remains, see remain-on-exit)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if term.tmux("display-message", "-p", "-t", "main", "#{pane_dead}").strip() == "1":
            return True
        time.sleep(0.05)
    return False


def read_names(term: Terminal) -> tuple[str, str]:
    """The pane title and window name tmux holds for `main`, while it still exists."""
    try:
        names = term.tmux("display-message", "-p", "-t", "main", "#{pane_title}\t#{window_name}")
    except subprocess.CalledProcessError:
        return "(session gone)", "(session gone)"
    title, _, window = names.rstrip("\n").partition("\t")
    return title, window


def holders(path: Path) -> list[int]:
    """The processes that have `path` open."""
    target = os.path.realpath(path)
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{name}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{name}/fd/{fd}") == target:
                        found.append(int(name))
                        break
    return found


def read_when_written(path: Path, writers: list[int]) -> bytes:
    """The capture file once `writers` (the `cat` behind pipe-pane, which writes what it was
    given after its pane is gone) have ended; any still running after 30 s is killed."""
    for pid in writers:
        if not wait_until_ended(pid, 30):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    return path.read_bytes() if path.exists() else b""


def positive_control(home: Path) -> tuple[str, str, str]:
    """The same tmux set-up with a plain shell printing OSC 52, OSC 2 and ESC k: the pane
    title, window name and buffers it leaves (the checks above can see an escape)."""
    require_tools()
    term = Terminal(home, 80, 24)
    raw = home / "positive-raw"
    encoded = base64.b64encode(clipboard_text("positive").encode()).decode()
    script = (
        f"printf '\\033]52;c;{encoded}\\007\\033]2;POSITIVE\\007\\033kPOSWIN\\033\\\\'; "
        "echo printed; sleep 30"
    )
    try:
        start_captured(term, home, ["sh", "-c", script], raw)
        # Shown after the sequences: tmux has taken them once "printed" shows.
        term.wait_for("printed")
        title, window = read_names(term)
        buffers = term.tmux("list-buffers", "-F", "#{buffer_sample}")
    finally:
        term.close()
    return title, window, buffers


# --- reading the raw output ---------------------------------------------------------------

_SEQUENCE = re.compile(
    rb"\x1b(?:"
    rb"\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"  # CSI
    rb"|\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST
    rb"|[PX^_].*?(?:\x1b\\|$)"  # DCS, SOS, PM, APC: strings ended by ST
    rb"|[\x20-\x2f]*[\x30-\x7e]"  # any other escape
    rb"|$)",
    re.DOTALL,
)
_CURSOR_TO = re.compile(rb"\x1b\[\d+;\d+H")
_OSC_NUMBER = re.compile(rb"\x1b\](\d*)")


def sequences(raw: bytes) -> list[tuple[int, bytes]]:
    """Every escape sequence in `raw`, with its offset."""
    return [(match.start(), match.group()) for match in _SEQUENCE.finditer(raw)]


def shape(sequence: bytes) -> str:
    """What kind of sequence this is, at the level the control run allows: any colours
    (SGR) and any cursor position (CUP with row and column); OSC by number; the rest exactly."""
    if sequence.startswith(b"\x1b[") and sequence.endswith(b"m"):
        return "CSI … m (colours)"
    if _CURSOR_TO.fullmatch(sequence):
        return "CSI row;col H (cursor to)"
    osc = _OSC_NUMBER.match(sequence)
    if osc is not None:
        return f"OSC {osc.group(1).decode()}"
    return repr(sequence)[2:-1]


#: Never allowed, whatever the control run shows: what the payloads would do.
_BANNED_SHAPES = re.compile(r"^(OSC (0|1|2|8|52)$|\\x1b[Pk]|\\x1b\[[\d;]*[JK]$|\\x1b\[H$)")


def raw_text(raw: bytes) -> str:
    """The raw output as text, bytes that are not UTF-8 as lone surrogates."""
    return raw.decode("utf-8", errors="surrogateescape")


def bad_characters(text: str) -> list[str]:
    """C0 controls other than ESC, C1 controls, bidi controls and undecodable bytes in
    `text` (a carriage return and a line feed are allowed where Textual writes them)."""
    bad = []
    for char in text:
        code = ord(char)
        if (
            (code < 0x20 and char != "\x1b")
            or 0x7F <= code < 0xA0
            or char in BIDI_CONTROLS
            or 0xD800 <= code < 0xE000
        ):
            bad.append(char)
    return bad


@dataclass(frozen=True)
class Finding:
    """Something in the raw output that Textual does not write itself."""

    what: str
    offset: int
    context: bytes

    def __str__(self) -> str:
        return f"{self.what} at byte {self.offset}: …{self.context!r}…"


def textual_s_own(raw: bytes) -> set[str]:
    """What `raw` (the control run's output) holds: the shapes of its sequences, and the
    line breaks it writes between them (`character '\\r'`)."""
    own = {shape(sequence) for _, sequence in sequences(raw)}
    return own | {f"character {char!r}" for char in set(_between(raw)) if char in "\r\n"}


def _between(raw: bytes) -> str:
    """The text of `raw` outside its escape sequences."""
    return raw_text(_SEQUENCE.sub(b"", raw))


def findings(raw: bytes, allowed: set[str]) -> list[Finding]:
    """Every sequence of a shape Textual does not write (`allowed`: `textual_s_own`), and
    every control character outside sequences that Textual does not write (a C1 control, a
    bidi control, BEL, a stray byte)."""
    found = []
    position = 0
    for offset, sequence in [*sequences(raw), (len(raw), b"")]:
        between = raw_text(raw[position:offset])
        for char in sorted(set(bad_characters(between))):
            if f"character {char!r}" in allowed and char in "\r\n":
                continue
            at = position + raw[position:offset].find(char.encode("utf-8", "surrogateescape"))
            found.append(Finding(f"character {char!r}", at, raw[max(0, at - 40) : at + 40]))
        position = offset + len(sequence)
        kind = shape(sequence) if sequence else ""
        if sequence and (kind not in allowed or _BANNED_SHAPES.match(kind)):
            found.append(
                Finding(f"sequence {kind}", offset, raw[max(0, offset - 40) : offset + 60])
            )
    return found


def escaped(item: Planted, session: Session) -> list[str]:
    """Signs that this string's payload reached the terminal as it is: the raw bytes of its
    sequence in the output (they name its id), a pane title, window name or paste buffer of
    its id, or its markup drawn as styles (its id followed by the text the markup styles)."""
    raw, ident = session.raw, item.ident.encode()
    raw_signs = {
        "o0": b"\x1b]0;" + ident,
        "o2": b"\x1b]2;" + ident + b"\x07",
        "os": b"\x1b]2;" + ident + b"\x1b\\",
        "o8": b"\x1b]8;;x:" + ident,
        "cb": b"\x1b]52;c;" + base64.b64encode(clipboard_text(item.ident).encode()),
        "cs": ident + b" \x1b[2J",
        "dc": b"\x1bPtmux;\x1b\x1b]2;" + ident,
        "ek": b"\x1bk" + ident,
        "c1": "\x9d2;".encode() + ident,
        "bd": "\u202e".encode() + ident,
        "nl": b"FNnl new\nline",
        "nu": b"FNnu caf\xe9",
    }
    signs = []
    sign = raw_signs.get(item.kind)
    if sign is not None and sign in raw:
        signs.append(f"raw {sign!r}")
    if session.pane_title == item.ident:
        signs.append("pane title set")
    if session.window_name == item.ident:
        signs.append("window renamed")
    if clipboard_text(item.ident) in session.buffers:
        signs.append("clipboard written")
    styled = {"mr": f"{item.ident} X", "ml": f"{item.ident} Bad markup"}.get(item.kind)
    if styled is not None and any(styled in screen for screen in session.screens.values()):
        signs.append("markup interpreted")
    return signs


# --- reading the screens ------------------------------------------------------------------


def squeezed(text: str) -> str:
    """`text` without white space: what wraps over several rows reads as one stream."""
    return "".join(text.split())


def pane_columns(screen: str) -> list[tuple[int, int]]:
    """The inner columns of each framed pane, from the top row (`╭─ Library ─…╮`)."""
    top = screen.splitlines()[0] if screen else ""
    return [(match.start() + 1, match.end() - 1) for match in re.finditer(r"╭[^╭╮]*╮", top)]


def whole_screen(screen: str) -> list[str]:
    """Each row, and the rows one after another (what wraps in a dialog as wide as the
    screen), and each pane's column top to bottom (what wraps in a pane)."""
    rows = screen.splitlines()
    streams = [squeezed(row) for row in rows]
    streams.append("".join(streams))
    for left, right in pane_columns(screen):
        streams.append("".join(squeezed(row[left:right]) for row in rows))
    return streams


def library_pane(screen: str) -> list[str]:
    columns = pane_columns(screen)
    if not columns:
        return [""]
    left, right = columns[0]
    return ["".join(squeezed(row[left:right]) for row in screen.splitlines())]


def sidebar(screen: str) -> list[str]:
    columns = pane_columns(screen)
    if not columns:
        return [""]
    left, right = columns[-1]
    return ["".join(squeezed(row[left:right]) for row in screen.splitlines())]


def header(screen: str) -> list[str]:
    return [squeezed([*screen.splitlines(), "", ""][1])]


def palette(screen: str) -> list[str]:
    """The palette's (or picker's) rows, between its top and bottom edges."""
    rows = screen.splitlines()
    top = next((n for n, row in enumerate(rows) if set(row.strip()) == {"▔"}), len(rows))
    bottom = next((n for n, row in enumerate(rows) if n > top and set(row.strip()) == {"▁"}), 0)
    return ["".join(squeezed(row) for row in rows[top + 1 : bottom])]


def dialog(screen: str) -> list[str]:
    """A modal dialog's rows, between its `█▀▀…` and `█▄▄…` edges."""
    rows = screen.splitlines()
    top = next((n for n, row in enumerate(rows) if "█▀▀" in row), len(rows))
    bottom = next((n for n, row in enumerate(rows) if n > top and "█▄▄" in row), 0)
    return ["".join(squeezed(row.split("█")[1]) for row in rows[top + 1 : bottom])]


def notifications(screen: str) -> list[str]:
    """The notifications: the text right of their `▌` edge."""
    return ["".join(squeezed(row.split("▌", 1)[1]) for row in screen.splitlines() if "▌" in row)]


Region = Callable[[str], list[str]]


def was_drawn(
    item: Planted,
    screens: dict[str, str],
    names: list[str] | None = None,
    region: Region = whole_screen,
) -> bool:
    """Whether the string shows, as symbols, in one of the screens (`names`, else any), in
    `region` of it."""
    wanted = squeezed(item.shown)
    return any(
        wanted in stream
        for name, screen in screens.items()
        if names is None or name in names
        for stream in region(screen)
    )


# --- fixtures: one control run, one hostile run, one positive control ----------------------


@dataclass
class Runs:
    """The control run on a harmless library, and the run on the hostile one."""

    control: Session
    library: HostileLibrary
    hostile: Session
    home: Path


def control_and_hostile_runs(control_home: Path, hostile_home: Path) -> Runs:
    """Both sessions, at the same time (each is a tmux server and a readertui of its own)."""
    harmless, harmless_db = prepare(control_home, harmless=True)
    library, db = prepare(hostile_home)
    with ThreadPoolExecutor(2) as pool:
        control = pool.submit(run_session, control_home, harmless, harmless_db)
        hostile = pool.submit(run_session, hostile_home, library, db)
        return Runs(control.result(), library, hostile.result(), hostile_home)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    require_tools()
    return control_and_hostile_runs(
        tmp_path_factory.mktemp("control"), tmp_path_factory.mktemp("hostile")
    )


@pytest.fixture(scope="module")
def allowed(runs: Runs) -> set[str]:
    """The kinds of sequence Textual writes, visiting a harmless library of the same shape."""
    assert runs.control.quit_cleanly, "the control run did not quit"
    return textual_s_own(runs.control.raw)


@pytest.fixture
def hostile_library(runs: Runs) -> HostileLibrary:
    return runs.library


@pytest.fixture
def session(runs: Runs) -> Session:
    return runs.hostile


# --- the terminal -------------------------------------------------------------------------


def test_the_checks_can_see_an_escape_a_plain_shell_does_fill_a_buffer(
    tmp_path: Path,
) -> None:
    title, window, buffers = positive_control(tmp_path)
    assert title == "POSITIVE"
    assert window == "POSWIN"
    assert clipboard_text("positive") in buffers


def test_the_control_run_writes_none_of_the_payloads_sequences(
    runs: Runs, allowed: set[str]
) -> None:
    banned = sorted(kind for kind in allowed if _BANNED_SHAPES.match(kind))
    assert not banned, f"Textual itself writes {banned}: the checks cannot tell them apart"
    assert "CSI … m (colours)" in allowed
    found = findings(runs.control.raw, allowed)
    assert not found, "Textual writes this itself:\n" + "\n".join(map(str, found[:10]))


def test_the_hostile_library_leaves_title_window_name_and_clipboard_alone(
    session: Session,
) -> None:
    assert session.pane_title == TITLE, f"the pane title was set to {session.pane_title!r}"
    assert session.window_name == WINDOW, f"the window was renamed {session.window_name!r}"
    assert session.buffers == "", f"OSC 52 reached tmux: {session.buffers!r}"


def test_the_hostile_library_is_visited_to_the_end_and_quits(session: Session) -> None:
    assert not session.visit_error, session.visit_error[:3000]
    assert session.quit_cleanly, "readertui did not end on q (did a hostile string crash it?)"


def test_the_raw_output_holds_only_textual_s_own_sequences(
    session: Session, allowed: set[str]
) -> None:
    found = findings(session.raw, allowed)
    assert not found, "reached the terminal:\n" + "\n".join(str(item) for item in found[:20])


def test_the_checks_find_each_payload_written_raw(runs: Runs, allowed: set[str]) -> None:
    """The raw-output checks are not vacuous: each payload spliced raw into Textual's own
    output (the control run's) is found, and named by its id."""
    # Some 20 KB of Textual's output around its middle, cut where sequences start.
    control = runs.control.raw
    start = control.index(b"\x1b[", len(control) // 2)
    middle = control.index(b"\x1b[", start + 10_000)
    end = control.index(b"\x1b[", middle + 10_000)
    for item in runs.library.strings:
        if item.kind in MARKUP_KINDS:
            continue
        written = item.text.encode("utf-8", "surrogateescape")
        raw = control[start:middle] + written + control[middle:end]
        if item.kind != "nl":  # a line feed Textual writes too: its sign is the name's break
            assert findings(raw, allowed), f"{item.ident} written raw goes unnoticed"
        assert escaped(item, Session(raw=raw)), f"{item.ident} is not named when written raw"


def test_no_payload_reaches_the_terminal_from_any_source(
    hostile_library: HostileLibrary, session: Session
) -> None:
    escapes = {
        item.ident: signs for item in hostile_library.strings if (signs := escaped(item, session))
    }
    assert not escapes, f"payloads that reached the terminal, by id: {escapes}"


def test_every_hostile_string_is_drawn_as_symbols(
    hostile_library: HostileLibrary, session: Session
) -> None:
    missing = [
        f"{item.ident}: {item.shown!r}"
        for item in hostile_library.strings
        if not was_drawn(item, session.screens)
    ]
    assert not missing, "never shown (as symbols) on any screen:\n" + "\n".join(missing)


def test_the_library_pane_lists_every_title_byline_heading_tag_and_name_as_symbols(
    hostile_library: HostileLibrary, session: Session
) -> None:
    views = [name for name in session.screens if name.startswith("library")]
    missing = [
        f"{item.ident}: {item.shown!r}"
        for source in ("FL", "FT", "FA", "ST", "SA", "SD", "HD", "TG", "FN")
        for item in hostile_library.by_source(source)
        if not was_drawn(item, session.screens, views, library_pane)
    ]
    assert not missing, f"not listed in the library pane ({views}):\n" + "\n".join(missing)


PLACES: list[tuple[str, Region, list[str], str]] = [
    # screen, where on it, sources shown there, kinds (all or those starting so)
    ("notes", sidebar, ["NT", "TG"], ""),
    ("facts", sidebar, ["ST", "SA", "SP", "SD", "SS", "SG"], ""),
    ("header", header, ["ST"], "o"),
    ("picker", palette, ["FL"], ""),
    ("picker-FTo", palette, ["FT", "FA"], "o"),
    ("picker-STo0", palette, ["ST", "SA", "SP", "SD"], ""),
    ("palette-tag", palette, ["NT", "TG"], "os"),
    ("palette-headings", palette, ["HD"], ""),
    ("palette-strays", palette, ["IT", "IP"], ""),
    ("tag-editor", dialog, ["TG"], "o"),
]


@pytest.mark.parametrize(
    ("screen", "region", "sources", "kinds"), PLACES, ids=[place[0] for place in PLACES]
)
def test_each_place_shows_its_strings_as_symbols(
    hostile_library: HostileLibrary,
    session: Session,
    screen: str,
    region: Region,
    sources: list[str],
    kinds: str,
) -> None:
    missing = [
        f"{item.ident}: {item.shown!r}"
        for source in sources
        for item in hostile_library.by_source(source)
        if item.kind.startswith(kinds) and not was_drawn(item, session.screens, [screen], region)
    ]
    assert not missing, f"not shown on {screen}:\n" + "\n".join(missing)


def test_notifications_show_file_names_with_newline_escape_and_bad_byte_as_symbols(
    session: Session,
) -> None:
    shown_there = "".join(
        notifications(screen)[0]
        for name, screen in session.screens.items()
        if name.startswith("notification-")
    )
    for name in (
        "FNo2 ␛]2;FNo2␇.png",
        "FNnl new␊line.png",
        "FNnu caf\ufffd.png",
        "FNos ␛]2;FNos␛\\.png",
    ):
        assert squeezed(f"{name} was skipped") in shown_there, name


def test_markup_is_shown_as_typed(session: Session) -> None:
    for name, region in (
        ("picker", palette),
        ("palette-headings", palette),
        ("picker-STo0", palette),
        ("palette-strays", palette),
        ("facts", sidebar),
    ):
        screen = session.screens.get(name, "")
        for markup in ("[reverse]X[/reverse]", "Bad [link=http://x]markup"):
            assert any(squeezed(markup) in stream for stream in region(screen)), (
                f"{markup} is not shown as typed on {name}"
            )
    assert "FLmr [reverse]X[/reverse]" in session.screens.get("picker", "")
    assert "FLml Bad [link=http://x]markup" in session.screens.get("picker", "")


def test_files_that_are_not_documents_are_listed_as_skipped_and_never_read(
    hostile_library: HostileLibrary, session: Session
) -> None:
    listed = session.screens.get("library-end", "")
    # Reading the FIFO would have hung the start; reading the device would never end.
    assert FIFO in listed and DEVICE in listed and LINK_OUT in listed
    assert "a link to a file outside" in listed
    device = stat.S_ISCHR((hostile_library.root / DEVICE).lstat().st_mode)  # made as root
    assert listed.count("not a regular file") == (2 if device else 1)


# --- the command line ---------------------------------------------------------------------


def drives_a_terminal(char: str) -> bool:
    """ESC, any other control but newline and tab, a bidi control."""
    if char in "\n\t":
        return False
    return unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS


def assert_nothing_drives_a_terminal(output: bytes, what: str) -> None:
    text = output.decode("utf-8")  # also: valid UTF-8, no lone surrogate written
    lines = [line for line in text.splitlines() if any(map(drives_a_terminal, line))]
    bad = sorted({char for line in lines for char in line if drives_a_terminal(char)})
    shown_lines = "\n".join(repr(line) for line in lines[:6])
    assert not lines, f"{what} writes {bad!r} raw, on {len(lines)} lines:\n{shown_lines}"


@pytest.mark.parametrize("what", ["docs", "annotations", "tags"])
def test_cli_lists_show_controls_as_symbols(runs: Runs, what: str) -> None:
    library, home = runs.library, runs.home
    result = readertui(
        "list",
        what,
        "--library",
        str(library.root),
        "--db",
        str(home / "annotations.json"),
        home=home,
    )
    assert result.returncode == 0, result.stderr
    assert_nothing_drives_a_terminal(result.stdout, f"readertui list {what}")
    out = result.stdout.decode("utf-8")
    sources = {
        "docs": ["FL", "FT", "FA", "ST", "SA", "SP", "SD", "FN"],
        "annotations": ["NT", "TG", "IP"],
        "tags": ["TG"],
    }[what]
    for source in sources:
        for item in library.by_source(source):
            assert item.shown in out, f"{item.ident} not listed as {item.shown!r}"


@pytest.mark.parametrize("output_format", ["markdown", "json"])
def test_cli_export_to_standard_output_shows_no_control(runs: Runs, output_format: str) -> None:
    """`-o -` in a terminal prints the export there: no control may be written raw. (Found
    failing: both formats write the bidi controls of notes, tags, headings and titles raw;
    see the issue 8 report.)"""
    library, home = runs.library, runs.home
    result = readertui(
        "export",
        "--format",
        output_format,
        "-o",
        "-",
        "--library",
        str(library.root),
        "--db",
        str(home / "annotations.json"),
        home=home,
    )
    assert result.returncode == 0, result.stderr
    assert b"NTo2" in result.stdout
    assert_nothing_drives_a_terminal(
        result.stdout, f"readertui export --format {output_format} -o -"
    )


def import_refusal_problem(kind: str, home: Path) -> str | None:
    """What is wrong with how `readertui import` treats a document path holding the payload
    of `kind` (None: refused in one line that drives nothing, nothing imported)."""
    library, db = home / "library", home / f"{kind}.db.json"
    library.mkdir(exist_ok=True)
    path = f"IP{kind} {payload(kind, 'IP' + kind, in_path=True)}.txt"
    target = {"source": {"id": path}, "selector": [{"type": "TextQuoteSelector", "exact": "x"}]}
    item = {"id": f"urn:uuid:{UUID_OF_IMPORT}", "type": "Annotation", "target": target}
    to_import = home / f"{kind}.json"
    to_import.write_text(json.dumps({"type": "AnnotationCollection", "items": [item]}))
    result = readertui(
        "import", "--library", str(library), "--db", str(db), str(to_import), home=home
    )
    errors = result.stderr.decode("utf-8", "replace")
    if result.returncode != 1 or len(errors.splitlines()) != 1:
        return f"exit code {result.returncode}, stderr {errors!r}"
    if any(drives_a_terminal(char) for char in errors):
        return f"the refusal writes controls raw: {errors!r}"
    if db.exists() and UUID_OF_IMPORT in db.read_text(encoding="utf-8"):
        return "imported anyway"
    return None


UUID_OF_IMPORT = "00000000-0000-4000-8000-00000000abcd"


def test_import_refuses_a_document_path_with_controls_in_one_safe_line(tmp_path: Path) -> None:
    refused = [kind for kind in KINDS if kind not in PATH_KINDS]
    (tmp_path / "library").mkdir()
    with ThreadPoolExecutor(4) as pool:
        problems = {kind: pool.submit(import_refusal_problem, kind, tmp_path) for kind in refused}
        found = {kind: problem.result() for kind, problem in problems.items()}
    assert not any(found.values()), found


# --- what is not a regular file -----------------------------------------------------------

#: Each command given a `--db` that is not a regular file (the reader itself too).
DB_COMMANDS: dict[str, list[str]] = {
    "list": ["list", "docs", "--library", "{library}"],
    "export": ["export", "-o", "-", "--library", "{library}"],
    "import": ["import", "--library", "{library}", "{import}"],
    "reader": ["{library}"],
}


def not_regular_files(folder: Path) -> dict[str, Path]:
    """A FIFO, a folder and (where this user may make them) copies of the null and zero
    devices: none of them may be read, written or replaced as a database."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {"FIFO": folder / "db.fifo", "folder": folder / "db-folder"}
    os.mkfifo(made["FIFO"])
    made["folder"].mkdir()
    for name, minor in (("null device", 3), ("zero device", 5)):
        path = folder / name.replace(" ", "-")
        with contextlib.suppress(PermissionError):
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
            made[name] = path
    return made


def file_kind(path: Path) -> str:
    mode = path.lstat().st_mode
    for test, kind in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISDIR, "folder"), (stat.S_ISCHR, "device")):
        if test(mode):
            return kind
    return "regular file"


def refusal_world(home: Path) -> None:
    """A library and a file to import, for `refusal_problem`."""
    (home / "library").mkdir(parents=True)
    (home / "library" / "a.txt").write_text(f"{BODY}\n", encoding="utf-8")
    items = '{"type": "AnnotationCollection", "items": []}'
    (home / "import.json").write_text(items, encoding="utf-8")


def refusal_problem(command: str, db: Path, home: Path) -> str | None:
    """What is wrong with how `readertui COMMAND --db DB` treats a database path that is not a
    regular file (in a `refusal_world`); None when it is refused in one line, exit code 1,
    the path untouched."""
    library, to_import = home / "library", home / "import.json"
    args = [
        part.replace("{library}", str(library)).replace("{import}", str(to_import))
        for part in DB_COMMANDS[command]
    ]
    before = file_kind(db)
    try:
        result = readertui(*args, "--db", str(db), home=home, timeout=20)
    except subprocess.TimeoutExpired:
        return "hung (killed after 20 s)"
    errors = result.stderr.decode("utf-8", "replace").strip()
    if result.returncode != 1 or len(errors.splitlines()) != 1 or "regular file" not in errors:
        return f"exit code {result.returncode}, stderr {errors!r}"
    if file_kind(db) != before:
        return f"the {before} became a {file_kind(db)}"
    if before == "folder" and any(db.iterdir()):
        return "something was written into the folder"
    return None


@pytest.mark.parametrize("command", list(DB_COMMANDS))
def test_a_db_that_is_not_a_regular_file_is_refused_in_one_line(
    tmp_path: Path, command: str
) -> None:
    not_files = not_regular_files(tmp_path / "not-files")
    refusal_world(tmp_path)
    with ThreadPoolExecutor(len(not_files)) as pool:
        problems = {
            name: pool.submit(refusal_problem, command, db, tmp_path)
            for name, db in not_files.items()
        }
        found = {name: problem.result() for name, problem in problems.items()}
    assert not any(found.values()), f"readertui {command} --db …: {found}"
