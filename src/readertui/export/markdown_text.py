"""User and document text made safe to place in a Markdown export.

Quotes, headings and titles come from documents and are written literally: every character
that CommonMark, GFM, Obsidian or pandoc could read as markup is escaped, so the reader sees
exactly the document's words. Notes are the user's own Markdown and keep their formatting, but
are written inside a container (a list item) that ends where the note ends: an unclosed fence,
an HTML block or `---` in a note stays inside it. A `#` that starts a note's line is text: it
would make a heading of the line, or an Obsidian tag of its first word. Control characters
never reach the file (an export may be printed straight to a terminal with `-o -`), and
neither do lone surrogates (a file name's byte that is not UTF-8), which UTF-8 cannot hold:
`caf\xe9.txt`.
"""

from __future__ import annotations

import json
import re
import unicodedata

from readertui.core.visible import BIDI_CONTROLS

# C0 controls but the newline and tab, DEL and the C1 controls (CSI, OSC…) as visible
# stand-ins. A tab is a blank to Markdown (and indents a note's code).
_CONTROLS = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_CONTROLS[0x7F] = "\u2421"
_CONTROLS.update({code: "\ufffd" for code in range(0x80, 0xA0)})
# Bidi controls would reorder the text of a terminal showing the file: shown as in the app.
_CONTROLS.update({code: "\u00b7" for code in BIDI_CONTROLS})

# Markup anywhere in a line: emphasis, code, links, HTML and autolinks, entities, tables,
# strikethrough and subscripts (~), Obsidian tags (#), highlights (==), math ($), comments
# (%%), block ids and footnotes (^).
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$&^=%])")
# Markup at the start of a line: list items (- + and "1." "1)") and pandoc's ": " and ":::".
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])", re.MULTILINE)
_LINE_START_MARK = re.compile(r"^([-+:])", re.MULTILINE)
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)
# Obsidian reads these anywhere in a note, past the end of its block: a comment (%%) or a
# display-math block ($$) left open would hide the rest of the file.
_OBSIDIAN_SPANNING = re.compile(r"%%|\$\$")
_TAG_CHAR = re.compile(r"[\w/-]")
# A `#` that starts a line, after its blanks (four columns of them make code, shown as is).
_LINE_START_HASH = re.compile(r"^([ \t]*)#")
# A fence's opening or closing line; inside a fence a `#` is the code's own.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
NOTE_INDENT = "  "
_BLANKS = " \t\n"
# A note's first line that is more than plain text: a heading, a list item, a quote, a fence,
# HTML, a table row, a thematic break or setext underline.
_BLOCK_START = re.compile(r"#{1,6}(\s|$)|[-+*>]|\d{1,9}[.)]|`{3}|~{3}|<|\||[-=_*]{3}")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def readable(text: str) -> str:
    """`text` with each lone surrogate written as the byte it stands for (`\\xe9`), as
    Python shows the bytes of a file name, or as `\\udXXX` when it stands for none."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(_byte_of, text)


def _byte_of(match: re.Match[str]) -> str:
    code = ord(match.group())
    # os.fsdecode maps an undecodable byte b to U+DC00 + b (b >= 0x80).
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def without_controls(text: str) -> str:
    """`text` with control characters (but newlines and tabs) shown as visible symbols, and
    lone surrogates `readable`."""
    return readable(text).translate(_CONTROLS)


def literal(text: str) -> str:
    """`text` (which may span lines) as Markdown that renders as exactly these characters.

    Leading blanks on a line are dropped: they would turn a line into code, and a paragraph
    shows none anyway.
    """
    text = without_controls(text)
    text = _LEADING_SPACE.sub("", text)
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    text = _LIST_NUMBER.sub(r"\1\\\2", text)
    return _LINE_START_MARK.sub(r"\\\1", text)


def literal_line(text: str) -> str:
    """`literal` of `text` on one line (inner runs of blanks and newlines become a space)."""
    return literal(" ".join(text.split()))


def block_quote(text: str) -> list[str]:
    """`text` as the lines of a block quote; blank lines separate its paragraphs."""
    # Only blanks and newlines separate paragraphs: any other control character is shown.
    parts = re.split(r"\n[ \t]*\n[ \t\n]*", text.strip(_BLANKS))
    paragraphs = [part for part in parts if part.strip(_BLANKS)]
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append(">")
        lines.extend(f"> {line}".rstrip() for line in literal(paragraph).split("\n"))
    return lines


def note_item(label: str, note: str) -> list[str]:
    """A list item "- label note…", the note's own Markdown kept and confined to the item.

    Every line of the note is indented to the item's content column, so the item (and with
    it any block the note opened) ends where the note ends.
    """
    text = without_controls(note).strip("\n")
    text = _OBSIDIAN_SPANNING.sub(lambda match: "\\" + "\\".join(match.group()), text)
    lines = _hashes_as_text(text.split("\n"))
    body = [f"{NOTE_INDENT}{line}".rstrip() if line.strip() else "" for line in lines[1:]]
    first = lines[0]
    if first.strip() and first == first.lstrip() and not _BLOCK_START.match(first):
        return [f"- {label} {first.rstrip()}", *body]
    # The note opens with a block of its own (a heading, a list, a fence, code…), which
    # cannot share the label's line: it starts on the next one, after a blank line.
    opening = f"{NOTE_INDENT}{first}".rstrip() if first.strip() else ""
    return [f"- {label}", "", opening, *body]


def _hashes_as_text(lines: list[str]) -> list[str]:
    """`lines` with a `#` that starts one escaped, but inside the note's fenced code."""
    kept: list[str] = []
    fence = ""
    for line in lines:
        opening = _FENCE.match(line)
        if fence:
            closing = opening.group(1) if opening else ""
            # Closed by a run of the same character, as long, with nothing after it.
            if closing[:1] == fence[0] and len(closing) >= len(fence) and line.strip() == closing:
                fence = ""
        elif opening:
            fence = opening.group(1)
        else:
            hashed = _LINE_START_HASH.match(line)
            if hashed and _columns(hashed.group(1)) < 4:
                line = f"{hashed.group(1)}\\{line[hashed.end(1) :]}"
        kept.append(line)
    return kept


def _columns(blanks: str) -> int:
    """How far `blanks` at the start of a note's line indent it inside its list item (a tab
    goes to the next stop of 4, counted from the line's start, indent included)."""
    return len((NOTE_INDENT + blanks).expandtabs(4)) - len(NOTE_INDENT)


def tag_word(tag: str) -> str:
    """A tag as an Obsidian `#tag`: letters, digits, `_`, `-` and `/`; blanks become `-`.

    Other characters are left out. A tag that would be all digits (not a tag to Obsidian) gets
    a leading `_`; one with nothing left is written as escaped text instead.
    """
    word = "".join(
        char if _TAG_CHAR.fullmatch(char) else "-" if char.isspace() else ""
        for char in unicodedata.normalize("NFC", tag)
    ).strip("/")
    word = re.sub(r"-{2,}", "-", word)
    if not word:
        return literal_line(tag)
    if word.replace("/", "").isdigit():
        word = "_" + word
    return f"#{word}"


def yaml_string(value: str) -> str:
    """`value` as a double-quoted YAML scalar (valid JSON too), every non-printable escaped."""
    quoted = json.dumps(readable(value), ensure_ascii=False)
    return "".join(char if char.isprintable() else _yaml_escape(char) for char in quoted)


def yaml_list(values: tuple[str, ...]) -> str:
    """`values` as a YAML flow sequence of double-quoted strings."""
    return "[" + ", ".join(yaml_string(value) for value in values) + "]"


def _yaml_escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
