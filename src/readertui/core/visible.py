"""Make text safe to show: control characters and bidi controls become visible symbols.

Every string that comes from a file or a user is data, never commands (PRODUCT 11). A control
character sent to the terminal could start an escape sequence (move the cursor, clear the
screen, set the window title or the clipboard, open a link); a bidi control could reorder what
the rest of the line shows. So each one is replaced by a visible stand-in of one code point:
lengths and offsets stay the same as the source's, whichever form is used.

There is one form per place a string is shown; pick by where the text goes:

- `visible_text`: the document body in the reader. One cell per code point, so the layout's
  row ↔ offset maths holds: a newline or tab inside a row (where reflow joined lines) is a
  space, and invisible format characters (zero-width joiners and spaces too) are shown as `·`.
- `visible_line`: anything shown on one line — titles, authors, file names, headings, tags,
  note previews, notifications, palette entries, and every line or field the command line
  prints. Newlines and tabs are shown (`␊`, `␉`), so a name with a newline looks like one;
  zero-width joiners are kept, so `👨‍👩‍👧‍👦` and scripts that need them show whole.
- `visible_multiline`: text meant to span lines, in an editor (a note): `visible_line`, but
  newlines and tabs are kept as they are.

Each form also replaces a lone surrogate (what a file name's undecodable byte becomes) with
`�`: it cannot be written to the terminal, which wants UTF-8.
"""

from __future__ import annotations

_REPLACEMENT = "\ufffd"  # �
_SHOWN_FORMAT = "\u00b7"  # ·

# The bidi controls: the marks, the embeddings and overrides (LRE RLE PDF LRO RLO), and the
# isolates (LRI RLI FSI PDI). Each can reorder how the rest of a line is displayed.
BIDI_CONTROLS: tuple[int, ...] = (
    0x061C,  # ARABIC LETTER MARK
    0x200E,  # LEFT-TO-RIGHT MARK
    0x200F,  # RIGHT-TO-LEFT MARK
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
)
# Line and paragraph separators: a line break to some terminals and none to others.
_SEPARATORS = (0x2028, 0x2029)
# Invisible characters that take no cell of their own: zero-width space, non-joiner and
# joiner, word joiner, byte order mark.
_ZERO_WIDTH = (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
_SURROGATES = range(0xD800, 0xE000)


def _control_symbols() -> dict[int, str]:
    """Stand-ins for the characters every form replaces."""
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)  # the Unicode "control pictures": ␀ ␁ … ␛ …
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):  # C1 controls, among them CSI (0x9B) and OSC (0x9D)
        table[code] = _REPLACEMENT
    for code in _SURROGATES:
        table[code] = _REPLACEMENT
    for code in (*BIDI_CONTROLS, *_SEPARATORS):
        table[code] = _SHOWN_FORMAT
    return table


_LINE_TABLE = _control_symbols()
# The body keeps one cell per code point: a newline or tab inside a row is a blank, and the
# zero-width characters get a cell of their own.
_BODY_TABLE = {
    **_LINE_TABLE,
    0x0A: " ",
    0x09: " ",
    **dict.fromkeys(_ZERO_WIDTH, _SHOWN_FORMAT),
}
_MULTILINE_TABLE = {**_LINE_TABLE, 0x0A: "\n", 0x09: "\t"}


def visible_text(text: str) -> str:
    """The document body as the reader shows it: one code point, one cell, nothing hidden."""
    if text.isprintable():
        return text
    return text.translate(_BODY_TABLE)


def visible_line(text: str) -> str:
    """`text` for one line of the screen or of command-line output: controls, newlines,
    tabs, bidi controls and lone surrogates shown as symbols; everything else as it is."""
    if text.isprintable():
        return text
    return text.translate(_LINE_TABLE)


def visible_multiline(text: str) -> str:
    """`text` for an editor that shows several lines: `visible_line`, keeping newlines and
    tabs."""
    if text.isprintable():
        return text
    return text.translate(_MULTILINE_TABLE)
