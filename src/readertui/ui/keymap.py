"""Every key of the app as data, and the user's own keys applied to it.

One table, `KEYS`, keeps the keys (PRODUCT 4, the contract), the bindings, the help screen, the
footer and the command palette in step: adding a key here adds it everywhere. Each key has a
binding id (`highlight`, `note`, `quit`): the ids a user writes in config.toml's `[keys]` table
to rebind it. `resolve_user_keys` checks that table against `KEYS` and gives the keymap for
Textual's `App.set_keymap`, which moves the bindings (and so the footer); the help screen and
the palette show the keys through `effective_label`.

On any problem in the table (an unknown id, a key that is no key, a key that would do two
things) every key keeps its default: a keymap half applied would leave the user guessing which
of their lines took effect.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from difflib import get_close_matches
from typing import Final, NamedTuple

from textual.binding import Binding, BindingType
from textual.keys import KEY_ALIASES, KEY_NAME_REPLACEMENTS, REPLACED_KEYS, key_to_character

from readertui.config import SETTING_NAMES, UserKey
from readertui.core.visible import visible_line


class KeySpec(NamedTuple):
    """One key: its binding id, what it is bound to, where, and how the help describes it."""

    binding_id: str  # what a user's [keys] table calls it; "" when it cannot be rebound
    keys: str  # Textual key names, comma-separated; "" for a command of the palette only
    action: str
    description: str
    group: str
    scope: str  # "app" (anywhere) or "reader" (when the reader has focus)
    footer: bool = False
    palette: bool = True  # offered as a command in the palette
    short: str = ""  # the footer's word for it
    priority: bool = False  # checked before the focused widget's keys (the palette's key)

    @property
    def label(self) -> str:
        """How the help screen and the README write the default keys: `j ↓`, `space pgdn`."""
        return key_label(self.keys) if self.keys else PALETTE_LABEL


#: How a command of the palette only is reached, in the help screen (with the default keys).
PALETTE_LABEL: Final = "ctrl+p"

# Group and scope of an action that has no key: it is run from the command palette.
PALETTE_ONLY = ("Exporting", "app")

KEYS: tuple[KeySpec, ...] = (
    # Panes
    KeySpec(
        "focus-library",
        "1",
        "focus_pane('library')",
        "Focus the library pane",
        "Panes",
        "app",
        footer=True,
        short="Library",
    ),
    KeySpec("focus-reader", "2", "focus_pane('reader')", "Focus the reader", "Panes", "app"),
    KeySpec("focus-sidebar", "3", "focus_pane('sidebar')", "Focus the sidebar", "Panes", "app"),
    # Checked before the screen's own tab (which moves one widget at a time, three presses to
    # leave the sidebar): a pane at a time, unfolding a folded one as 1 and 3 do.
    KeySpec(
        "next-pane", "tab", "next_pane", "Next pane", "Panes", "app", palette=False, priority=True
    ),
    KeySpec(
        "previous-pane",
        "shift+tab",
        "previous_pane",
        "Previous pane",
        "Panes",
        "app",
        palette=False,
        priority=True,
    ),
    KeySpec(
        "toggle-library",
        "f2",
        "toggle_pane('library')",
        "Show or hide the library pane",
        "Panes",
        "app",
    ),
    KeySpec(
        "toggle-sidebar", "f3", "toggle_pane('sidebar')", "Show or hide the sidebar", "Panes", "app"
    ),
    # Moving
    KeySpec("cursor-down", "j,down", "cursor_down", "Cursor down a line", "Moving", "reader"),
    KeySpec("cursor-up", "k,up", "cursor_up", "Cursor up a line", "Moving", "reader"),
    KeySpec("cursor-left", "h,left", "cursor_left", "Cursor left a character", "Moving", "reader"),
    KeySpec(
        "cursor-right", "l,right", "cursor_right", "Cursor right a character", "Moving", "reader"
    ),
    KeySpec("next-word", "w", "word_next", "Next word", "Moving", "reader"),
    KeySpec("previous-word", "b", "word_previous", "Previous word", "Moving", "reader"),
    KeySpec(
        "next-paragraph",
        "right_curly_bracket",
        "paragraph_next",
        "Next paragraph",
        "Moving",
        "reader",
    ),
    KeySpec(
        "previous-paragraph",
        "left_curly_bracket",
        "paragraph_previous",
        "Previous paragraph",
        "Moving",
        "reader",
    ),
    KeySpec(
        "document-start", "g,home", "document_start", "Start of the document", "Moving", "reader"
    ),
    KeySpec("document-end", "G,end", "document_end", "End of the document", "Moving", "reader"),
    KeySpec(
        "page-down",
        "space,pagedown",
        "page_down",
        "Page down",
        "Moving",
        "reader",
        footer=True,
        short="Page",
    ),
    KeySpec("page-up", "pageup", "page_up", "Page up", "Moving", "reader"),
    KeySpec("half-page-down", "ctrl+d", "half_page_down", "Half a page down", "Moving", "reader"),
    KeySpec("half-page-up", "ctrl+u", "half_page_up", "Half a page up", "Moving", "reader"),
    KeySpec(
        "back", "ctrl+o", "jump_back", "Back to where the last jump left from", "Moving", "app"
    ),
    KeySpec(
        "forward", "ctrl+n", "jump_forward", "Forward again, after going back", "Moving", "app"
    ),
    # Selecting and annotating
    KeySpec(
        "select", "v", "toggle_selection", "Start or cancel a selection", "Annotating", "reader"
    ),
    KeySpec(
        "select-paragraph", "V", "select_paragraph", "Select the paragraph", "Annotating", "reader"
    ),
    KeySpec(
        "cancel-selection",
        "escape",
        "cancel_selection",
        "Cancel the selection",
        "Annotating",
        "reader",
        palette=False,
    ),
    KeySpec(
        "highlight",
        "enter",
        "highlight_selection",
        "Highlight the selection",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "note",
        "n",
        "write_note",
        "Write a note on the selection or highlight",
        "Annotating",
        "reader",
        footer=True,
        short="Note",
    ),
    KeySpec(
        "tags",
        "t",
        "edit_tags",
        "Tag the selection, highlight or document",
        "Annotating",
        "reader",
        short="Tags",
    ),
    KeySpec(
        "colour",
        "c",
        "cycle_color",
        "Cycle the colour of the highlight",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "delete",
        "d",
        "delete_highlight",
        "Delete the highlight (u undoes)",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "undo",
        "u",
        "undo_change",
        "Undo the last annotation change",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "next-highlight",
        "right_square_bracket",
        "highlight_next",
        "Next highlight",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "previous-highlight",
        "left_square_bracket",
        "highlight_previous",
        "Previous highlight",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "copy",
        "y",
        "copy_quote",
        "Copy the selection or highlight, with its citation",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "link",
        "L",
        "link_highlight",
        "Link the highlight to another annotation",
        "Annotating",
        "reader",
    ),
    KeySpec(
        "",
        "",
        "show_strays",
        "List annotations of documents not in the library",
        "Annotating",
        "app",
    ),
    # Finding
    KeySpec(
        "find",
        "slash",
        "find",
        "Find in the document",
        "Finding",
        "app",
        footer=True,
        short="Find",
    ),
    KeySpec(
        "open",
        "o",
        "open_document",
        "Open a document by name",
        "Finding",
        "app",
        footer=True,
        short="Open",
    ),
    KeySpec(
        "library-search",
        "ctrl+f",
        "library_search",
        "Search the whole library",
        "Finding",
        "app",
    ),
    KeySpec(
        "concordance",
        "asterisk",
        "concordance",
        "Concordance of the word at the cursor",
        "Finding",
        "app",
    ),
    KeySpec(
        "cross-references",
        "x",
        "show_cross_references",
        "Cross-references of the passage at the cursor",
        "Finding",
        "app",
    ),
    # Exporting
    KeySpec(
        "export",
        "e",
        "export_document",
        "Export this document's notes to Markdown",
        "Exporting",
        "app",
    ),
    KeySpec("", "", "export_library", "Export the library's notes to Markdown", *PALETTE_ONLY),
    KeySpec("", "", "export_tag", "Export the notes with a tag to Markdown", *PALETTE_ONLY),
    KeySpec("", "", "export_json", "Export all annotations as JSON (W3C)", *PALETTE_ONLY),
    # Reading
    KeySpec(
        "reflow",
        "r",
        "toggle_reflow",
        "Reflow on or off (web page: whole page or article)",
        "Reading",
        "app",
    ),
    KeySpec("wider", "plus", "wider", "Wider reading measure", "Reading", "app"),
    KeySpec("narrower", "minus", "narrower", "Narrower reading measure", "Reading", "app"),
    # App
    KeySpec(
        "help",
        "question_mark",
        "help",
        "Help: every key",
        "App",
        "app",
        footer=True,
        short="Help",
    ),
    # Textual adds its own ctrl+p binding unless the app has one: this one, so it can move.
    # Its footer entry is Textual's (on the right, "palette"), hence footer=False.
    KeySpec(
        "palette",
        "ctrl+p",
        "command_palette",
        "Command palette",
        "App",
        "app",
        palette=False,
        short="palette",
        priority=True,
    ),
    KeySpec("", "", "retry_saving", "Retry saving what is not saved yet", "App", "app"),
    KeySpec(
        "quit",
        "q",
        "quit",
        "Quit (everything is saved)",
        "App",
        "app",
        footer=True,
        short="Quit",
    ),
)

#: The specs a user may rebind, by binding id.
REBINDABLE: Final[dict[str, KeySpec]] = {
    spec.binding_id: spec for spec in KEYS if spec.binding_id and spec.keys
}

#: Keys Textual binds before the app's bindings are looked at (the screen's, or with priority):
#: a binding given one of them would never fire. The value is the binding id that may still
#: have it, because Textual's key does the same thing ("" for none).
TEXTUAL_KEYS: Final[dict[str, tuple[str, str]]] = {
    "ctrl+c": ("copies the selected text", ""),
    "ctrl+q": ("quits", "quit"),
}


# --- bindings ------------------------------------------------------------------------------


def _bindings(scope: str) -> list[BindingType]:
    bindings: list[BindingType] = []
    for spec in KEYS:
        if spec.scope != scope or not spec.binding_id or not spec.keys:
            continue
        bindings.append(
            Binding(
                spec.keys,
                spec.action,
                spec.short or spec.description,
                show=spec.footer,
                key_display=spec.label.split(" ")[0] if spec.footer else None,
                priority=spec.priority,
                tooltip="Open the command palette" if spec.action == "command_palette" else "",
                id=spec.binding_id,
            )
        )
    return bindings


def reader_bindings() -> list[BindingType]:
    """Bindings of the reader view."""
    return _bindings("reader")


def app_bindings() -> list[BindingType]:
    """Bindings of the app (active whatever has focus, unless a widget uses the key)."""
    return _bindings("app")


# --- key names ----------------------------------------------------------------------------

_MODIFIERS: Final = frozenset({"alt", "ctrl", "hyper", "meta", "shift", "super"})
# Keys with a name, as Textual's key events call them.
_NAMED_KEYS: Final = frozenset(
    {
        "up",
        "down",
        "left",
        "right",
        "home",
        "end",
        "pageup",
        "pagedown",
        "insert",
        "delete",
        "backspace",
        "tab",
        "enter",
        "escape",
        "space",
    }
)
_FUNCTION_KEY = re.compile(r"f([1-9]|1[0-9]|2[0-4])")
# Other ways people write keys, and the arrows the help screen shows.
_SPELLINGS: Final = {
    "pgdn": "pagedown",
    "pgup": "pageup",
    "esc": "escape",
    "return": "enter",
    "del": "delete",
    "ins": "insert",
    "↑": "up",
    "↓": "down",
    "←": "left",
    "→": "right",
}
# Two names for one key in a terminal (ctrl+i is tab): the first is the one events carry.
_ALIAS_OF: Final = {alias: key for key, aliases in KEY_ALIASES.items() for alias in aliases}
# How the help writes a named key (the rest are written as they are named).
_SHOWN: Final = {"up": "↑", "down": "↓", "left": "←", "right": "→"} | {
    "pagedown": "pgdn",
    "pageup": "pgup",
}


def _character_key(character: str) -> str:
    """The key name Textual gives a character: `]` -> `right_square_bracket`, `?` ->
    `question_mark`, `+` -> `plus`; letters and digits are their own names."""
    if character.isalnum():
        return character
    name = unicodedata.name(character, "").lower().replace("-", "_").replace(" ", "_")
    return KEY_NAME_REPLACEMENTS.get(name, name) if name else character


def _is_character_name(name: str) -> bool:
    character = key_to_character(REPLACED_KEYS.get(name, name))
    return character is not None and len(name) > 1 and _character_key(character) == name


def normalise_key(text: str) -> str | None:
    """One key as Textual's events name it, or None when it is no key.

    Takes Textual's names (`right_square_bracket`, `ctrl+k`, `pagedown`) and the usual ways of
    writing them (`]`, `ctrl+]`, `PgDn`, `esc`, `shift+ctrl+up`, `shift+g` for `G`).
    """
    text = text.strip()
    if not text:
        return None
    if len(text) > 1 and text.endswith("++"):
        *modifiers, base = [*text[:-2].split("+"), "+"]
    elif len(text) > 1:
        *modifiers, base = text.split("+")
    else:
        modifiers, base = [], text
    modifiers = sorted({modifier.strip().lower() for modifier in modifiers})
    if not set(modifiers) <= _MODIFIERS or not base:
        return None
    base = _SPELLINGS.get(base, _SPELLINGS.get(base.lower(), base))
    if len(base) == 1:
        if not base.isprintable():
            return None
        if modifiers == ["shift"] and base.isalpha():
            # A terminal sends shift+g as "G".
            return base.upper()
        if modifiers and base.isascii() and base.isalpha():
            base = base.lower()  # ctrl+K is ctrl+k to a terminal
        base = _character_key(base)
    else:
        base = base.lower()
        if not (base in _NAMED_KEYS or _FUNCTION_KEY.fullmatch(base) or _is_character_name(base)):
            return None
    key = "+".join([*modifiers, base])
    return _ALIAS_OF.get(key, key)


def key_label(keys: str) -> str:
    """Keys (Textual names, comma-separated) as the help writes them: `j ↓`, `}`, `F2`."""
    return " ".join(_key_label(key.strip()) for key in keys.split(",") if key.strip())


def _key_label(key: str) -> str:
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    if base in _SHOWN:
        shown = _SHOWN[base]
    elif _FUNCTION_KEY.fullmatch(base):
        shown = base.upper()
    elif base in _NAMED_KEYS or len(base) == 1:
        shown = base
    else:
        shown = key_to_character(REPLACED_KEYS.get(base, base)) or base
    return "+".join([*modifiers, shown])


# --- the user's keymap --------------------------------------------------------------------


def resolve_user_keys(user_keys: Iterable[UserKey]) -> tuple[dict[str, str], list[str]]:
    """The keymap for `App.set_keymap` from config.toml's `[keys]`, and the problems in it.

    Each problem is one line naming the file and the line in it, shown literally. With any
    problem the keymap is empty, so every key keeps its default (see the module docstring).
    """
    found: list[tuple[UserKey, str]] = []
    chosen: dict[str, tuple[list[str], UserKey]] = {}
    for entry in user_keys:
        keys, problem = _check_entry(entry)
        if problem:
            found.append((entry, problem))
        else:
            chosen[entry.binding_id] = (keys, entry)
    found.extend(_clashes(chosen))
    if not found:
        return {binding_id: ",".join(keys) for binding_id, (keys, _) in chosen.items()}, []
    found.sort(key=lambda item: item[0].line)
    problems = [
        visible_line(f"{entry.where}: {problem}; the default keys are used")
        for entry, problem in found
    ]
    return {}, problems


def _check_entry(entry: UserKey) -> tuple[list[str], str]:
    """The entry's keys, normalised, or what is wrong with it."""
    binding_id = entry.binding_id
    if entry.problem:
        return [], f"{binding_id} {entry.problem}"
    if binding_id not in REBINDABLE and binding_id in SETTING_NAMES:
        return [], f'"{binding_id}" is a setting, not a binding id: settings go above [keys]'
    if binding_id not in REBINDABLE:
        close = get_close_matches(binding_id, list(REBINDABLE), n=1)
        hint = f'did you mean "{close[0]}"?' if close else "the README's keys table lists them"
        return [], f'"{binding_id}" is not a binding id ({hint})'
    if not entry.keys.strip():
        return [], f"{binding_id} is given no key"
    keys: list[str] = []
    for written in entry.keys.split(","):
        key = normalise_key(written)
        if key is None:
            what = (
                f'"{written.strip()}" is not a key name'
                if written.strip()
                else 'an empty key (write "comma" for ,)'
            )
            return [], f'{binding_id} = "{entry.keys}": {what}'
        if key not in keys:
            keys.append(key)
    return keys, ""


def _clashes(chosen: Mapping[str, tuple[list[str], UserKey]]) -> list[tuple[UserKey, str]]:
    """Keys that would do two things once the user's keys replace the defaults they name.

    The app's keys and the reader's count as one space: the app's keys work while the reader
    has focus, so one key for both would hide one of them.
    """
    owners: dict[str, list[str]] = {}
    for binding_id, spec in REBINDABLE.items():
        keys = chosen[binding_id][0] if binding_id in chosen else spec.keys.split(",")
        for key in keys:
            owners.setdefault(key, []).append(binding_id)
    found: list[tuple[UserKey, str]] = []
    for key, binding_ids in owners.items():
        mine = [binding_id for binding_id in binding_ids if binding_id in chosen]
        if not mine:
            continue  # the defaults never clash (tests/ui/test_keymap.py)
        # Name the line written last: the one that made the clash.
        entry = max((chosen[binding_id][1] for binding_id in mine), key=lambda e: e.line)
        written = f'{entry.binding_id} = "{entry.keys}": {key_label(key)}'
        if key in TEXTUAL_KEYS and TEXTUAL_KEYS[key][1] != entry.binding_id:
            found.append((entry, f"{written} always {TEXTUAL_KEYS[key][0]} (Textual's own key)"))
            continue
        others = [binding_id for binding_id in binding_ids if binding_id != entry.binding_id]
        if others:
            other = others[0]
            if other in chosen:
                how = f"is also given to {other} (line {chosen[other][1].line})"
            else:
                how = f"is already the key of {other}"
            found.append((entry, f"{written} {how}"))
    return found


def effective_keys(spec: KeySpec, keymap: Mapping[str, str]) -> str:
    """The keys that run `spec` with `keymap` applied (Textual names, comma-separated)."""
    return keymap.get(spec.binding_id, spec.keys) if spec.binding_id else spec.keys


def effective_label(spec: KeySpec, keymap: Mapping[str, str]) -> str:
    """How the help and the palette write the keys of `spec` with `keymap` applied; a command
    of the palette only shows the palette's key."""
    if not spec.keys:
        return effective_label(REBINDABLE["palette"], keymap)
    return key_label(effective_keys(spec, keymap))


def palette_key(keymap: Mapping[str, str]) -> str:
    """The first key of the command palette with `keymap` applied: what Textual's footer looks
    for in `App.COMMAND_PALETTE_BINDING` to show the palette's key on its right."""
    return effective_keys(REBINDABLE["palette"], keymap).split(",")[0]
