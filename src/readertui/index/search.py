"""Library search: the passages (or, for `tag:` and `note:`, the highlights) that match a
query, best first by BM25 (with the length floor and the labels of
`readertui.index.scoring`), each with its place and a snippet marking the matching words.

Ties in score are broken by path and position, so the same index always answers the same.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

from readertui.index.lookup import (
    PassageRow,
    line_in,
    passage_ref,
    passages_by_id,
    place_of_span,
)
from readertui.index.query import Query
from readertui.index.results import SearchHit
from readertui.index.snippets import find_terms, make_snippet

#: A query matching at most this many passages is ranked whole (see `best_matches`).
RANK_ALL = 10_000
#: ... and one matching more, among this many of its matches.
RANK_SAMPLE = 5_000


def best_matches(connection: sqlite3.Connection, expression: str, limit: int) -> dict[int, float]:
    """The ids of the `limit` passages that match the FTS5 `expression` best, with their
    BM25 rank (lower is better).

    Ranking computes BM25 for every match, which costs a third of a second for a word in
    every other passage of a 100 MB library; and among so many, the ranking of the very
    best says little. So a query matching more than RANK_ALL passages is ranked among its
    first RANK_SAMPLE matches (in the library's order) only.
    """
    (matching,) = connection.execute(
        "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (expression,)
    ).fetchone()
    if matching <= RANK_ALL:
        rows = connection.execute(
            "SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?",
            (expression, limit),
        ).fetchall()
    else:
        sample = connection.execute(
            "SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?",
            (expression, RANK_SAMPLE),
        ).fetchall()
        rows = sorted(sample, key=lambda row: (row[1], row[0]))[:limit]
    return {rowid: float(rank) for rowid, rank in rows}


def search_passages(connection: sqlite3.Connection, query: Query, limit: int) -> list[SearchHit]:
    expression = query.match_expression()
    if expression is None or limit <= 0:
        return []
    ranked = best_matches(connection, expression, limit)
    rows = [(*row, ranked[row[0]]) for row in passages_by_id(connection, ranked).values()]
    rows.sort(key=lambda row: (row[8], row[2], row[4]))
    hits = []
    for row in rows:
        passage_row: PassageRow = row[:8]
        passage = passage_ref(connection, passage_row)
        local = find_terms(passage.text, query.highlighted_terms())
        start = passage.place.start
        matches = tuple((start + low, start + high) for low, high in local)
        hits.append(
            SearchHit(
                place=passage.place,
                snippet=make_snippet(passage.text, local),
                score=-float(row[8]),
                matches=matches,
                match_line=line_in(passage_row, matches[0][0]) if matches else passage.place.line,
            )
        )
    return hits


def search_annotations(connection: sqlite3.Connection, query: Query, limit: int) -> list[SearchHit]:
    expression = query.match_expression(note_column="note")
    conditions: list[str] = []
    parameters: list[object] = []
    if expression is not None:
        source = (
            "annotations a JOIN (SELECT id, rank FROM annotations_fts "
            "WHERE annotations_fts MATCH ?) m ON m.id = a.id"
        )
        parameters.append(expression)
        score = "m.rank"
    else:
        source = "annotations a"
        score = "0.0"
        if query.exclude:
            excluded = " OR ".join(term.fts() for term in query.exclude)
            conditions.append(
                "a.id NOT IN (SELECT id FROM annotations_fts WHERE annotations_fts MATCH ?)"
            )
            parameters.append(excluded)
    for tag, wanted in [(t, True) for t in query.tags] + [(t, False) for t in query.excluded_tags]:
        exists = (
            "EXISTS (SELECT 1 FROM annotation_tags t WHERE t.annotation = a.id "
            "AND (t.tag = ? OR substr(t.tag, 1, ?) = ?))"
        )
        conditions.append(exists if wanted else f"NOT {exists}")
        parameters += [tag, len(tag) + 1, tag + "/"]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = connection.execute(
        f"SELECT a.id, a.path, a.title, a.start, a.end, a.orphaned, a.quote, a.note, a.tags, "
        f"{score} AS score FROM {source} {where} ORDER BY score, a.path, a.start LIMIT ?",
        [*parameters, limit],
    ).fetchall()
    hits = []
    for annotation_id, path, title, start, end, orphaned, quote, note, tags, rank in rows:
        shown = quote
        if note.strip():
            shown += " — " + note.strip()
        tag_list = json.loads(tags)
        if tag_list:
            shown += " " + " ".join(f"#{tag}" for tag in tag_list)
        place = place_of_span(connection, path, title, start, end)
        if orphaned:
            place = replace(place, line=None, heading="")
        local = find_terms(shown, query.highlighted_terms())
        hits.append(
            SearchHit(
                place=place,
                snippet=make_snippet(shown, local),
                score=-float(rank),
                matches=((start, end),) if not orphaned else (),
                match_line=place.line,
                annotation_id=annotation_id,
            )
        )
    return hits
