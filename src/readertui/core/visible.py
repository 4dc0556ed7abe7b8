"""Make text safe to paint: control and format characters become visible symbols.

Document text is data, never commands (PRODUCT 11). A control character sent to the terminal
could move the cursor, change colours or set the clipboard, so each one is replaced by a
visible stand-in of the same length (one code point, one cell). Offsets stay 1:1 with the
source. A newline inside a row only occurs where reflow joined two lines: it shows as a space.
"""

from __future__ import annotations

_REPLACEMENT = "\ufffd"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)  # the Unicode "control pictures": ␀ ␁ … ␛ …
    table[0x0A] = " "
    table[0x09] = " "
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):  # C1 controls, among them CSI (0x9B) and OSC (0x9D)
        table[code] = _REPLACEMENT
    # Invisible format characters that reorder or hide text: shown, so nothing is hidden and
    # every code point keeps one cell of its own.
    for code in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060, 0xFEFF):
        table[code] = "\u00b7"
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = "\u00b7"
    return table


CONTROL_TABLE = _build_table()


def visible_text(text: str) -> str:
    """`text` with every control or invisible format character replaced by a visible symbol."""
    if text.isprintable():
        return text
    return text.translate(CONTROL_TABLE)
