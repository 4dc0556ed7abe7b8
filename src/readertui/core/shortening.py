"""Quotes and notes cut down to one line of at most so many characters, for lists and dialogs."""

from __future__ import annotations


def one_line(text: str, limit: int) -> str:
    """`text` with every run of blanks and newlines as one space, and "…" where it was cut."""
    line = " ".join(text.split())
    if len(line) > limit:
        return line[: limit - 1] + "…"
    return line
