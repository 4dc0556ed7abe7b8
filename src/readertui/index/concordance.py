"""The concordance: every occurrence of a word across the library, keyword in context.

The passages holding the word are found with FTS5; the word's occurrences in each are found
with the tokenizer's rules (so `Jiayuguan` finds `Jiayuguan’s` and `JIAYUGUAN` but not
`Jiayuguanese`), each shown with the text before and after it in its passage. Sorted by
document (title, then position) or by the word that follows (then document).
"""

from __future__ import annotations

import sqlite3
from typing import Literal

from readertui.index.errors import QueryError
from readertui.index.lookup import PASSAGE_COLUMNS, PassageRow, heading_at, line_in
from readertui.index.results import Concordance, Occurrence, Place
from readertui.index.words import located_terms, terms

Order = Literal["document", "following"]
#: Characters of context shown each side of the word.
CONTEXT_CHARS = 40
_ONE_LINE = str.maketrans({"\n": " ", "\t": " ", "\r": " "})


def find_concordance(
    connection: sqlite3.Connection, word: str, *, order: Order, limit: int
) -> Concordance:
    found = terms(word)
    if len(found) != 1:
        raise QueryError(f"a concordance is of one word, not {word.strip()[:40]!r}")
    term = found[0]
    cursor = connection.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid "
        "JOIN documents d ON d.id = p.doc WHERE passages_fts MATCH ?",
        (f'"{term}"',),
    )
    occurrences: list[tuple[tuple[str, ...], Occurrence]] = []
    truncated = False
    headings: dict[tuple[int, int], str] = {}
    for row in cursor:
        passage: PassageRow = row
        if len(occurrences) >= limit:
            truncated = True
            break
        located = located_terms(passage[7])
        for index, (folded, start, end) in enumerate(located):
            if folded != term:
                continue
            if len(occurrences) >= limit:
                truncated = True
                break
            occurrence = _occurrence(connection, passage, located, index, start, end, headings)
            if order == "following":
                key: tuple[str, ...] = (
                    occurrence.following,
                    occurrence.place.title.casefold(),
                    occurrence.place.path,
                )
            else:
                key = (occurrence.place.title.casefold(), occurrence.place.path)
            occurrences.append((key, occurrence))
    cursor.close()
    occurrences.sort(key=lambda item: (*item[0], item[1].place.start))
    return Concordance(word=term, occurrences=tuple(o for _, o in occurrences), truncated=truncated)


def _occurrence(
    connection: sqlite3.Connection,
    passage: PassageRow,
    located: list[tuple[str, int, int]],
    index: int,
    start: int,
    end: int,
    headings: dict[tuple[int, int], str],
) -> Occurrence:
    text = passage[7]
    base = passage[4]
    key = (passage[1], base)
    if key not in headings:
        headings[key] = heading_at(connection, passage[1], base)
    left = text[max(0, start - CONTEXT_CHARS) : start].translate(_ONE_LINE)
    right = text[end : end + CONTEXT_CHARS].translate(_ONE_LINE)
    following = located[index + 1][0] if index + 1 < len(located) else ""
    place = Place(
        passage[2],
        passage[3],
        base + start,
        base + end,
        line_in(passage, base + start),
        headings[key],
    )
    return Occurrence(place, left, text[start:end], right, following)
