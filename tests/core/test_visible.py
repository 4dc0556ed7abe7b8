"""Strings made safe to show: no escape sequence, control or bidi control survives any form."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.core.visible import visible_line, visible_multiline, visible_text

Form = Callable[[str], str]
FORMS: dict[str, Form] = {
    "body": visible_text,
    "line": visible_line,
    "multiline": visible_multiline,
}
ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"

# Written out here, not taken from the module, so that dropping one there fails a test.
BIDI = [
    "\u202a",  # LEFT-TO-RIGHT EMBEDDING
    "\u202b",  # RIGHT-TO-LEFT EMBEDDING
    "\u202c",  # POP DIRECTIONAL FORMATTING
    "\u202d",  # LEFT-TO-RIGHT OVERRIDE
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2066",  # LEFT-TO-RIGHT ISOLATE
    "\u2067",  # RIGHT-TO-LEFT ISOLATE
    "\u2068",  # FIRST STRONG ISOLATE
    "\u2069",  # POP DIRECTIONAL ISOLATE
    "\u200e",  # LEFT-TO-RIGHT MARK
    "\u200f",  # RIGHT-TO-LEFT MARK
    "\u061c",  # ARABIC LETTER MARK
]

ESCAPES = {
    "OSC 0 title, BEL": f"{ESC}]0;PWNED{BEL}",
    "OSC 2 title, ST": f"{ESC}]2;PWNED2{ST}",
    "OSC 8 link, ST": f"{ESC}]8;;http://x.example{ST}click{ESC}]8;;{ST}",
    "OSC 8 link, BEL": f"{ESC}]8;;http://x.example{BEL}click{ESC}]8;;{BEL}",
    "OSC 52 clipboard, BEL": f"{ESC}]52;c;cm0gLXJmIH4K{BEL}",
    "OSC 52 clipboard, ST": f"{ESC}]52;c;cm0gLXJmIH4K{ST}",
    "CSI clear screen": f"{ESC}[2J{ESC}[H",
    "CSI cursor move": f"{ESC}[10;20H{ESC}[5A",
    "CSI colour": f"{ESC}[31mred{ESC}[0m",
    "DCS passthrough": f"{ESC}Ptmux;{ESC}{ESC}]2;X{BEL}{ST}",
    "C1 CSI": "\x9b2J",
    "C1 OSC": "\x9d0;PWNED\x9c",
    "C1 DCS": "\x90q\x9c",
    "DEL": "a\x7fb",
    "carriage return": "safe\rEVIL",
    "backspace": "abc\x08\x08\x08XYZ",
}


def is_dangerous(char: str) -> bool:
    """A character that must never reach the terminal from a form."""
    code = ord(char)
    category = unicodedata.category(char)
    return (
        (category == "Cc" and char not in "\n\t")
        or category == "Cs"
        or char in BIDI
        or code in (0x2028, 0x2029)
    )


def assert_inert(shown: str, *, newlines_allowed: bool) -> None:
    for char in shown:
        assert not is_dangerous(char), f"{char!r} reached the screen in {shown!r}"
        if not newlines_allowed:
            assert char not in "\n\t", f"{char!r} breaks the line in {shown!r}"


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
@pytest.mark.parametrize("sequence", ESCAPES.values(), ids=ESCAPES.keys())
def test_every_escape_kind_is_shown_not_sent(form: Form, sequence: str) -> None:
    source = f"before {sequence} after"
    shown = form(source)
    assert ESC not in shown and BEL not in shown
    assert_inert(shown, newlines_allowed=form is visible_multiline)
    assert len(shown) == len(source)  # one stand-in per character: offsets stay the same
    assert shown.startswith("before ") and shown.endswith(" after")


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
@pytest.mark.parametrize("control", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_every_bidi_control_is_shown_as_a_symbol(form: Form, control: str) -> None:
    shown = form(f"abc{control}def")
    assert shown == "abc\u00b7def"


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_every_c0_c1_control_and_del_is_replaced(form: Form) -> None:
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)):
        char = chr(code)
        if form is visible_multiline and char in "\n\t":
            continue
        shown = form(f"x{char}y")
        assert len(shown) == 3 and shown[1] != char, f"U+{code:04X} was sent raw"
        assert_inert(shown, newlines_allowed=False)


def test_control_pictures_say_which_control_it_was() -> None:
    assert visible_line("a\x1bb\x07c\x7f") == "a\u241bb\u2407c\u2421"  # ␛ ␇ ␡
    assert visible_line("\x9b") == "\ufffd"


def test_a_newline_and_a_tab_in_a_one_line_string_are_visible() -> None:
    assert visible_line("chapter\none.txt") == "chapter\u240aone.txt"  # ␊
    assert visible_line("a\tb") == "a\u2409b"  # ␉
    assert visible_line("a\u2028b\u2029c") == "a\u00b7b\u00b7c"


def test_the_body_shows_newlines_and_tabs_in_a_row_as_spaces() -> None:
    assert visible_text("joined\nline\tand tab") == "joined line and tab"


def test_the_multiline_form_keeps_lines_and_tabs_only() -> None:
    assert visible_multiline("one\n\ttwo\x1b[2J\r") == "one\n\ttwo\u241b[2J\u240d"


def test_zero_width_joiners_survive_the_one_line_form() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
    assert visible_line(family) == family
    assert visible_line(f"{family}\t3") == f"{family}\u24093"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ inside a word
    assert visible_line(persian) == persian
    assert visible_multiline(family) == family


def test_the_body_shows_each_zero_width_character_in_a_cell_of_its_own() -> None:
    # The reader's layout needs one cell per code point (textlayout measures that way).
    assert visible_text("a\u200db\u200bc\ufeffd") == "a\u00b7b\u00b7c\u00b7d"


def test_a_lone_surrogate_from_a_file_name_becomes_a_replacement_character() -> None:
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    for form in FORMS.values():
        shown = form(name)
        assert shown == "caf\ufffd.txt"
        shown.encode("utf-8")  # the terminal can be sent it


def test_printable_text_is_returned_unchanged() -> None:
    for text in ("", "plain", "[reverse]X[/reverse]", "中文 naïve e\u0301 🙂", "\u00a0nbsp"):
        for form in FORMS.values():
            assert form(text) == text


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(codec=None, exclude_categories=()), max_size=40))
def test_no_form_lets_a_dangerous_character_through(text: str) -> None:
    for form in FORMS.values():
        shown = form(text)
        assert len(shown) == len(text)
        assert_inert(shown, newlines_allowed=form is visible_multiline)
        for source, char in zip(text, shown, strict=True):
            if not is_dangerous(source) and source not in "\n\t\u200b\u200c\u200d\u2060\ufeff":
                assert char == source  # nothing else is touched
