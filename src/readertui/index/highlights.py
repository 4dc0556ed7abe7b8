"""The library's annotations in the index: their quotes, notes and tags made searchable, and
their tags and links kept for the cross-references.

The index never opens the annotation store: the caller hands annotations over as they
change (`update_highlights`), or all of them at once (`replace_highlights`). Only the
annotations of this library (and legacy ones) are kept.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from readertui.core.annotations import Annotation, tag_key
from readertui.index.stored_text import storable, stored_path


def replace_highlights(
    connection: sqlite3.Connection, library_key: str, annotations: Iterable[Annotation]
) -> None:
    """Make `annotations` the whole set (in a transaction the caller holds)."""
    for table in ("annotations", "annotation_tags", "annotation_links", "annotations_fts"):
        connection.execute(f"DELETE FROM {table}")
    _insert(connection, library_key, annotations)


def update_highlights(
    connection: sqlite3.Connection,
    library_key: str,
    annotations: Iterable[Annotation],
    removed: Iterable[str] = (),
) -> None:
    """Add or replace `annotations` and drop those whose ids are in `removed` (in a
    transaction the caller holds)."""
    changed = list(annotations)
    for annotation_id in [*removed, *(annotation.id for annotation in changed)]:
        _delete(connection, annotation_id)
    _insert(connection, library_key, changed)


def _delete(connection: sqlite3.Connection, annotation_id: str) -> None:
    connection.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
    connection.execute("DELETE FROM annotation_tags WHERE annotation = ?", (annotation_id,))
    connection.execute("DELETE FROM annotation_links WHERE annotation = ?", (annotation_id,))
    connection.execute("DELETE FROM annotations_fts WHERE id = ?", (annotation_id,))


def _insert(
    connection: sqlite3.Connection, library_key: str, annotations: Iterable[Annotation]
) -> None:
    seen: set[str] = set()
    for annotation in annotations:
        if not annotation.doc.in_library(library_key) or annotation.id in seen:
            continue
        seen.add(annotation.id)
        tags = list(annotation.tags)
        connection.execute(
            "INSERT OR REPLACE INTO annotations"
            "(id, path, start, end, orphaned, quote, note, tags, links, title) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                annotation.id,
                stored_path(annotation.doc.path),
                annotation.start,
                annotation.end,
                int(annotation.orphaned),
                storable(annotation.quote.exact),
                storable(annotation.note),
                storable(json.dumps(tags, ensure_ascii=False)),
                json.dumps(list(annotation.links)),
                storable(annotation.doc.title),
            ),
        )
        connection.executemany(
            "INSERT INTO annotation_tags(annotation, tag) VALUES (?, ?)",
            [
                (annotation.id, storable(key))
                for key in dict.fromkeys(tag_key(tag) for tag in tags)
                if key
            ],
        )
        connection.executemany(
            "INSERT INTO annotation_links(annotation, target) VALUES (?, ?)",
            [(annotation.id, target) for target in dict.fromkeys(annotation.links)],
        )
        connection.execute(
            "INSERT INTO annotations_fts(id, quote, note, tags) VALUES (?, ?, ?, ?)",
            (
                annotation.id,
                storable(annotation.quote.exact),
                storable(annotation.note),
                storable(" ".join(tags)),
            ),
        )
