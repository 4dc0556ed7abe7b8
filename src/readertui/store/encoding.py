"""The bytes of the database file, re-encoding only the records that changed since the last write.

Encoding every record is most of a save (json.dumps takes ~90 ms for 10k annotations, ~450 ms
for 50k) although a save changes one record. Records are never changed once the Store holds
them (a change makes a new dict), so each record's JSON is kept, keyed by the record object,
and the file is joined from those pieces. The result parses to the same tables as
atomic_storage.serialise would write: compact separators, UTF-8, with the escaped \\uXXXX form
only in a record holding a lone surrogate (a file name that is not UTF-8).
"""

from __future__ import annotations

from readertui.store.atomic_storage import Tables, serialise


class FileEncoder:
    """Encodes whole databases, reusing the pieces of records it encoded last time."""

    def __init__(self) -> None:
        # id(record) -> (record, its JSON). The record is held so its id cannot be reused.
        self._pieces: dict[int, tuple[object, bytes]] = {}

    def encode(self, tables: Tables) -> bytes:
        """The file's bytes for `tables`; raises TypeError/ValueError like json.dumps."""
        pieces: dict[int, tuple[object, bytes]] = {}
        parts: list[bytes] = [b"{"]
        for table_number, (table, rows) in enumerate(tables.items()):
            if table_number:
                parts.append(b",")
            parts += (_key(table), b":{")
            for row_number, (doc_id, record) in enumerate(rows.items()):
                if row_number:
                    parts.append(b",")
                parts += (_key(doc_id), b":", self._piece(record, pieces))
            parts.append(b"}")
        parts.append(b"}")
        # Only now: a record that cannot be encoded leaves the previous pieces as they were.
        self._pieces = pieces
        return b"".join(parts)

    def _piece(self, record: object, pieces: dict[int, tuple[object, bytes]]) -> bytes:
        cached = self._pieces.get(id(record))
        piece = cached[1] if cached is not None and cached[0] is record else serialise(record)
        pieces[id(record)] = (record, piece)
        return piece


def _key(text: str) -> bytes:
    # Doc_ids are digits: skip json.dumps (50k calls would cost more than the joining).
    if text.isascii() and text.isalnum():
        return b'"' + text.encode("ascii") + b'"'
    return serialise(text)
