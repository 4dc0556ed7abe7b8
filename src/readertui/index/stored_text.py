"""Text the index stores that SQLite cannot take as it is: file names that are not UTF-8.

A file name's bytes that are not UTF-8 reach Python as lone surrogates ("caf\\udce9.txt"), and
SQLite refuses a string holding one. A library path is the key of its document's rows, so it
is stored in a form that comes back exactly: as it is when it can be, else "/" and the hex
of its bytes (a library path is relative, so a stored path starting with "/" is always one
of these). Titles, quotes and notes are only shown, so their lone surrogates become U+FFFD.
"""

from __future__ import annotations

# A path starting with this was stored as the hex of its UTF-8 bytes (surrogates passed).
_ENCODED = "/"


def stored_path(path: str) -> str:
    """The form of library path `path` the index's rows hold."""
    if not path.startswith(_ENCODED):
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            pass
        else:
            return path
    return _ENCODED + path.encode("utf-8", "surrogatepass").hex()


def library_path(stored: str) -> str:
    """The library path whose stored form is `stored` (`stored_path` undone)."""
    if not stored.startswith(_ENCODED):
        return stored
    return bytes.fromhex(stored[len(_ENCODED) :]).decode("utf-8", "surrogatepass")


def storable(text: str) -> str:
    """`text` with any lone surrogate replaced by U+FFFD, so SQLite takes it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return text
