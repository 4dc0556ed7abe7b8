"""The user's keymap (issue 9, item 6): config.toml's `[keys]` rebinds keys by binding id, and
the keys, the footer, the help screen and the palette follow; a mistake is one line naming the
line of config.toml, and the app starts with every key at its default."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import string
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.command import CommandList
from textual.dom import DOMNode
from textual.widgets import Footer, TextArea

import readertui.ui
from readertui.config import UserKey, load_config
from readertui.ui.app import ReaderApp, make_app
from readertui.ui.dialogs.note_editor import NoteEditor
from readertui.ui.key_order import SETTLING_KEYS
from readertui.ui.keymap import (
    KEYS,
    REBINDABLE,
    TEXTUAL_KEYS,
    app_bindings,
    effective_label,
    key_label,
    normalise_key,
    palette_key,
    reader_bindings,
    resolve_user_keys,
)
from readertui.ui.screens.help import HelpScreen
from tests.ui.helpers import AppFactory, rendered_text, wait_for_startup

SIZE = (130, 40)
CONFIG = Path("/home/reader/.config/readertui/config.toml")


def user_keys(*entries: tuple[str, str]) -> list[UserKey]:
    """[keys] entries as config.py reads them, on lines 2, 3, ... after the `[keys]` line."""
    return [UserKey(name, keys, CONFIG, line) for line, (name, keys) in enumerate(entries, 2)]


def resolve(*entries: tuple[str, str]) -> tuple[dict[str, str], list[str]]:
    return resolve_user_keys(user_keys(*entries))


def only_problem(*entries: tuple[str, str]) -> str:
    keymap, problems = resolve(*entries)
    assert keymap == {}, "with a problem every key keeps its default"
    assert len(problems) == 1, problems
    (problem,) = problems
    assert "\n" not in problem
    assert problem.startswith(f"{CONFIG}, line ")
    assert problem.endswith("the default keys are used")
    return problem


# --- the table ---------------------------------------------------------------------------------


def test_binding_ids_are_unique_short_words() -> None:
    ids = [spec.binding_id for spec in KEYS if spec.binding_id]
    assert len(ids) == len(set(ids))
    for binding_id in ids:
        assert re.fullmatch(r"[a-z]+(-[a-z]+){0,2}", binding_id), binding_id
    for name in ("highlight", "note", "tags", "find", "quit", "help", "palette"):
        assert name in REBINDABLE


def test_every_key_but_textuals_own_has_a_binding_id() -> None:
    for spec in KEYS:
        if spec.keys and not spec.binding_id:
            assert spec.keys in TEXTUAL_KEYS, spec


def test_the_bindings_carry_the_ids_and_the_default_keys() -> None:
    bound = {
        binding.id: binding.key
        for binding in [*app_bindings(), *reader_bindings()]
        if isinstance(binding, Binding)
    }
    assert bound == {binding_id: spec.keys for binding_id, spec in REBINDABLE.items()}


def test_the_default_keys_never_clash() -> None:
    keys = [key for spec in KEYS for key in spec.keys.split(",") if key]
    assert len(keys) == len(set(keys))
    # Writing every default down in [keys] changes nothing and is no mistake.
    keymap, problems = resolve(*((i, spec.keys) for i, spec in REBINDABLE.items()))
    assert problems == []
    assert keymap == {binding_id: spec.keys for binding_id, spec in REBINDABLE.items()}


def _bindings_of_every_class_in_the_ui() -> list[tuple[type, Binding]]:
    found: list[tuple[type, Binding]] = []
    for module_info in pkgutil.walk_packages(readertui.ui.__path__, "readertui.ui."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                for binding in cls.BINDINGS:
                    if isinstance(binding, Binding):
                        found.append((cls, binding))
    return found


def test_no_other_binding_of_the_app_answers_to_a_users_id() -> None:
    """Textual moves every binding with a keymap's id: only ours may have those ids (the help
    screen's close keys take the ids of help and quit on purpose, to move with them)."""
    for cls, binding in _bindings_of_every_class_in_the_ui():
        if binding.id in REBINDABLE:
            assert cls.__name__ in {"ReaderApp", "ReaderView"} or (
                cls is HelpScreen and binding.id in {"help", "quit"}
            ), f"{cls.__name__} binds {binding.key} with the id {binding.id}"


def test_default_labels_are_the_ones_the_help_always_showed() -> None:
    labels = {spec.binding_id: spec.label for spec in KEYS if spec.binding_id}
    assert labels["cursor-down"] == "j ↓"
    assert labels["page-down"] == "space pgdn"
    assert labels["page-up"] == "pgup"
    assert labels["next-paragraph"] == "}"
    assert labels["next-highlight"] == "]"
    assert labels["toggle-library"] == "F2"
    assert labels["document-start"] == "g home"
    assert labels["wider"] == "+"
    assert labels["narrower"] == "-"
    assert labels["help"] == "?"
    assert labels["find"] == "/"
    assert labels["palette"] == "ctrl+p"
    assert key_label("ctrl+right_square_bracket,f12,comma") == "ctrl+] F12 ,"


# --- key names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("h", "h"),
        ("G", "G"),
        ("shift+g", "G"),
        ("]", "right_square_bracket"),
        ("right_square_bracket", "right_square_bracket"),
        ("ctrl+]", "ctrl+right_square_bracket"),
        ("?", "question_mark"),
        ("+", "plus"),
        ("ctrl++", "ctrl+plus"),
        ("/", "slash"),
        ("ctrl+K", "ctrl+k"),
        ("shift+ctrl+up", "ctrl+shift+up"),
        ("PgDn", "pagedown"),
        ("esc", "escape"),
        ("↓", "down"),
        ("F5", "f5"),
        ("ctrl+i", "tab"),  # the same key to a terminal
        ("comma", "comma"),
        (" space ", "space"),
        ("alt+x", "alt+x"),
    ],
)
def test_keys_are_written_as_people_write_them(written: str, name: str) -> None:
    assert normalise_key(written) == name


@pytest.mark.parametrize("written", ["", "hh", "ctrl+", "crtl+k", "f25", "page down", "\x1b"])
def test_what_is_no_key_is_refused(written: str) -> None:
    assert normalise_key(written) is None


def test_characters_get_the_names_textual_gives_them() -> None:
    """A character key bound here must be the key Textual's events carry: compare with the
    names Textual itself gives when a keymap is set."""
    for character in set(string.printable) - set(string.whitespace) - {","}:
        assert normalise_key(character) == App._normalize_keymap({"x": character})["x"]


# --- resolving config.toml's [keys] -------------------------------------------------------------


def test_rebinding_free_keys_gives_the_keymap() -> None:
    keymap, problems = resolve(("highlight", "m"), ("note", "a, N"), ("find", "ctrl+]"))
    assert problems == []
    assert keymap == {"highlight": "m", "note": "a,N", "find": "ctrl+right_square_bracket"}


def test_a_key_can_be_freed_by_moving_its_action() -> None:
    """The issue's example: `highlight = "h"` works once cursor-left gives h up."""
    keymap, problems = resolve(("highlight", "h"), ("cursor-left", "left"))
    assert problems == []
    assert keymap == {"highlight": "h", "cursor-left": "left"}


def test_a_key_another_action_keeps_is_a_problem() -> None:
    problem = only_problem(("note", "a"), ("highlight", "h"))
    assert problem.startswith(f"{CONFIG}, line 3: ")
    assert 'highlight = "h": h is already the key of cursor-left' in problem


def test_one_key_given_to_two_actions_names_both_lines() -> None:
    problem = only_problem(("highlight", "m"), ("tags", "z"), ("note", "M,m"))
    assert problem.startswith(f"{CONFIG}, line 4: ")
    assert "m is also given to highlight (line 2)" in problem


def test_an_unknown_id_is_a_problem_with_a_suggestion() -> None:
    problem = only_problem(("highlight", "m"), ("colour", "C"), ("color", "k"))
    assert problem.startswith(f"{CONFIG}, line 4: ")
    assert '"color" is not a binding id (did you mean "colour"?)' in problem


def test_keys_that_are_not_keys_are_problems() -> None:
    assert '"ctrl+kk" is not a key name' in only_problem(("note", "ctrl+kk"))
    assert "an empty key" in only_problem(("note", "a,,b"))
    assert "note is given no key" in only_problem(("note", ""))


def test_a_value_that_is_not_a_string_is_a_problem() -> None:
    entry = UserKey("note", "", CONFIG, 7, problem="must be keys in quotes, not 5")
    keymap, problems = resolve_user_keys([entry, *user_keys(("highlight", "m"))])
    assert keymap == {}
    assert problems == [
        f"{CONFIG}, line 7: note must be keys in quotes, not 5; the default keys are used"
    ]


def test_textuals_own_keys_cannot_be_taken() -> None:
    # tab is readertui's own key now (next-pane): giving it to another action is a clash.
    assert "tab is already the key of next-pane" in only_problem(("note", "tab"))
    assert "ctrl+c always copies" in only_problem(("find", "ctrl+c"))
    assert "ctrl+q always quits" in only_problem(("help", "ctrl+q"))
    assert resolve(("quit", "ctrl+q")) == ({"quit": "ctrl+q"}, [])


def test_every_problem_is_reported_once_in_line_order() -> None:
    keymap, problems = resolve(("hilite", "m"), ("note", "5x"), ("tags", "tab"))
    assert keymap == {}
    assert [problem.split(":")[0] for problem in problems] == [
        f"{CONFIG}, line 2",
        f"{CONFIG}, line 3",
        f"{CONFIG}, line 4",
    ]


def test_problems_show_control_characters_as_symbols() -> None:
    (problem,) = resolve(("note\x1b[2J", "a"))[1]
    assert "\x1b" not in problem and "␛[2J" in problem


def test_effective_labels_follow_the_keymap() -> None:
    keymap = {"highlight": "m", "palette": "ctrl+k", "page-down": "space,f"}
    by_action = {spec.action: spec for spec in KEYS}
    assert effective_label(by_action["highlight_selection"], keymap) == "m"
    assert effective_label(by_action["page_down"], keymap) == "space f"
    assert effective_label(by_action["write_note"], keymap) == "n"
    # A command of the palette only is reached with the palette's key.
    assert effective_label(by_action["export_json"], keymap) == "ctrl+k"
    assert effective_label(by_action["export_json"], {}) == "ctrl+p"
    assert palette_key(keymap) == "ctrl+k"
    assert palette_key({}) == "ctrl+p"


# --- in the running app (the keymap set by the test itself) -------------------------------------


def footer_text(app: ReaderApp) -> str:
    footer = app.query_one(Footer)
    strips = app.screen._compositor.render_strips()
    return strips[footer.region.y].text


def help_rows(app: ReaderApp) -> dict[str, str]:
    """Description -> keys, as the help screen shows them."""
    shown = rendered_text(app.screen.query_one("#help-keys"))
    rows: dict[str, str] = {}
    for line in shown.splitlines():
        keys, _, description = line.strip().partition("  ")
        rows[description.strip()] = keys.strip()
    return rows


async def test_the_keys_and_the_footer_follow_the_keymap(make: AppFactory) -> None:
    app = make()
    app.set_keymap({"highlight": "m", "note": "a"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        assert " a Note " in footer_text(app)
        assert " n Note " not in footer_text(app)
        await pilot.press("v", "w", "enter")  # enter highlights no more
        assert app.reader.selection is not None
        assert app.reader.highlights.annotations == ()
        await pilot.press("m")
        assert len(app.reader.highlights.annotations) == 1
        await pilot.press("n")  # n is nobody's key now
        await pilot.pause()
        assert not isinstance(app.screen, NoteEditor)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)


async def test_the_help_screen_shows_the_keys_in_effect_and_closes_with_them(
    make: AppFactory,
) -> None:
    keymap = {"highlight": "m", "note": "a,N", "help": "f1", "palette": "ctrl+k"}
    app = make()
    app.set_keymap(keymap)
    async with app.run_test(size=(100, 60)) as pilot:
        await wait_for_startup(pilot, app)
        await app.push_screen(HelpScreen(keymap))
        await pilot.pause()
        rows = help_rows(app)
        assert rows["Highlight the selection"] == "m"
        assert rows["Write a note on the selection or highlight"] == "a N"
        assert rows["Help: every key"] == "F1"
        # A command of the palette only is listed once, with no key; the palette's key (the
        # user's) is named once, above them (issue 11: ctrl+p was listed four times).
        shown = rendered_text(app.screen.query_one("#help-keys"))
        (line,) = [line for line in shown.splitlines() if "Export all annotations" in line]
        assert line.strip() == "Export all annotations as JSON (W3C)"
        assert "commands with no key: ctrl+k, then type their name" in shown
        assert rows["Cursor down a line"] == "j ↓"
        notes = rendered_text(app.screen.query_one("#help-footer"))
        assert "command palette (ctrl+k)" in notes
        await pilot.press("question_mark")  # ? is no longer the help key
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert not isinstance(app.screen, HelpScreen)


def burst(app: ReaderApp, *keys: str) -> None:
    """Queue every key at once, as a burst over SSH delivers them."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_type_ahead_holds_after_a_rebound_key(make: AppFactory) -> None:
    """key_order settles after any key whose binding is not a cursor move, whatever the key:
    with note on `a`, `v w w a quiet` in one burst still writes "quiet" in the note editor."""
    assert "a" not in SETTLING_KEYS
    app = make()
    app.set_keymap({"note": "a"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        burst(app, "v", "w", "w", "a", *"quiet")
        for _ in range(400):
            await pilot.pause()
            if not app.holding_keys:
                break
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one(TextArea).text == "quiet"


# --- from config.toml, through make_app ---------------------------------------------------------
def app_from_config(tmp_path: Path, library: Path, text: str) -> ReaderApp:
    config_file = tmp_path / "config.toml"
    config_file.write_text(text, encoding="utf-8")
    config = load_config(config_file, {})
    return make_app(library, tmp_path / "annotations.json", config, open_path=library / "prose.txt")


def notifications(app: ReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_keys_from_config_toml_change_the_keys_footer_help_and_palette(
    tmp_path: Path, library: Path
) -> None:
    app = app_from_config(
        tmp_path, library, 'theme = "textual-dark"\n\n[keys]\nhighlight = "m"\nnote = "a"\n'
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        assert " a Note " in footer_text(app)
        await pilot.press("v", "w", "m")
        assert len(app.reader.highlights.annotations) == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        assert rows["Highlight the selection"] == "m"
        assert rows["Write a note on the selection or highlight"] == "a"
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Highlight the selection")
        for _ in range(20):
            await pilot.pause(0.05)
        options = app.screen.query_one(CommandList)
        shown = " ".join(
            str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
        )
        assert "key: m" in shown
        assert "key: enter" not in shown


async def test_a_clash_in_config_toml_is_one_line_and_the_defaults_are_used(
    tmp_path: Path, library: Path
) -> None:
    app = app_from_config(tmp_path, library, '[keys]\nnote = "a"\nhighlight = "h"\n')
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_startup(pilot, app)
        (problem,) = [m for m in notifications(app) if "config.toml" in m]
        assert problem.startswith(f"{tmp_path / 'config.toml'}, line 3: ")
        assert "h is already the key of cursor-left" in problem
        assert "\n" not in problem
        # Every key is at its default, the valid `note = "a"` too.
        assert " n Note " in footer_text(app)
        await pilot.press("v", "w", "enter")
        assert len(app.reader.highlights.annotations) == 1
