"""Reading places back from the index file: passages by id, by offset or by line, the heading
above an offset, the line of an offset inside a passage.

Shared by search, cross-references and the concordance, so every result says where it is
the same way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import cast

from readertui.index.results import PassageRef, Place
from readertui.index.stored_text import library_path, stored_path

# Columns of a passage row, in the order `_ref` takes them.
PASSAGE_COLUMNS = "p.id, p.doc, d.path, d.title, p.start, p.end, p.line, p.text"
PASSAGE_FROM = "passages p JOIN documents d ON d.id = p.doc"

PassageRow = tuple[int, int, str, str, int, int, int, str]


def passage_ref(connection: sqlite3.Connection, row: PassageRow) -> PassageRef:
    """The passage of a row selected with PASSAGE_COLUMNS."""
    passage_id, doc_id, path, title, start, end, line, text = row
    heading = heading_at(connection, doc_id, start)
    place = Place(library_path(path), title, start, end, line, heading)
    return PassageRef(passage_id, place, text)


def passages_by_id(connection: sqlite3.Connection, ids: Iterable[int]) -> dict[int, PassageRow]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = connection.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} WHERE p.id IN ({marks})", wanted
    ).fetchall()
    return {row[0]: row for row in rows}


def passage_at(connection: sqlite3.Connection, path: str, offset: int) -> PassageRow | None:
    """The passage of the document at `path` holding `offset`; in a gap between passages
    (blank lines), the next one; past the last one, the last one."""
    row = connection.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} "
        "WHERE d.path = ? AND p.end > ? ORDER BY p.start LIMIT 1",
        (stored_path(path), offset),
    ).fetchone()
    if row is None:
        row = connection.execute(
            f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} "
            "WHERE d.path = ? ORDER BY p.start DESC LIMIT 1",
            (stored_path(path),),
        ).fetchone()
    return _typed(row)


def passage_at_line(connection: sqlite3.Connection, path: str, line: int) -> PassageRow | None:
    """The passage of the document at `path` that line `line` is part of; on a blank line,
    the next passage; past the end, the last one."""
    rows = connection.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} "
        "WHERE d.path = ? AND p.line <= ? ORDER BY p.start DESC LIMIT 1",
        (stored_path(path), line),
    ).fetchall()
    if rows:
        row: PassageRow = rows[0]
        if row[6] + row[7].count("\n") >= line:
            return row
    following = connection.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} "
        "WHERE d.path = ? AND p.line > ? ORDER BY p.start LIMIT 1",
        (stored_path(path), line),
    ).fetchone()
    return _typed(following) if following is not None else (rows[0] if rows else None)


def document_passages(connection: sqlite3.Connection, path: str) -> list[PassageRow]:
    return connection.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} WHERE d.path = ? ORDER BY p.start",
        (stored_path(path),),
    ).fetchall()


def heading_at(connection: sqlite3.Connection, doc_id: int, offset: int) -> str:
    """The title of the last heading at or before `offset` in the document ("" if none)."""
    row = connection.execute(
        "SELECT title FROM headings WHERE doc = ? AND offset <= ? ORDER BY offset DESC LIMIT 1",
        (doc_id, offset),
    ).fetchone()
    return str(row[0]) if row is not None else ""


def line_in(row: PassageRow, offset: int) -> int:
    """The line of `offset`, a place in (or just after) the passage `row`."""
    start, line, text = row[4], row[6], row[7]
    return line + text.count("\n", 0, max(0, offset - start))


def place_of_span(
    connection: sqlite3.Connection, path: str, title: str, start: int, end: int
) -> Place:
    """The place of text[start:end] of the document whose path is stored as `path` (read
    from a row: `readertui.index.stored_text`), a highlight: its line and heading come from
    the passage that holds `start`."""
    row = connection.execute(
        f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} "
        "WHERE d.path = ? AND p.start <= ? ORDER BY p.start DESC LIMIT 1",
        (path, start),
    ).fetchone()
    if row is None:
        return Place(library_path(path), title, start, end, 1 if start == 0 else None, "")
    line = line_in(row, min(start, row[5]))
    heading = heading_at(connection, row[1], start)
    return Place(library_path(path), title or row[3], start, end, line, heading)


def _typed(row: object) -> PassageRow | None:
    return cast("PassageRow | None", row)  # sqlite3's rows are untyped tuples
