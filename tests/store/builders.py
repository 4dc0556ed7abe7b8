"""Annotations and times for the store tests, built with only the fields a test cares about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from readertui.core.annotations import Annotation, DocumentRef, Quote

_EPOCH = datetime(2025, 3, 1, tzinfo=UTC)


def stamp(n: int) -> str:
    """The n-th microsecond after a fixed moment, as now_iso writes times (sorts with n)."""
    moment = _EPOCH + timedelta(microseconds=n)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def annotation(
    doc: str = "a.txt",
    start: int = 0,
    end: int = 5,
    *,
    id: str | None = None,
    updated: str | None = None,
    **fields: Any,
) -> Annotation:
    """A highlight of `doc` at start..end; `updated` (and `created`) default to stamp(0)."""
    when = updated or stamp(0)
    return Annotation(
        id=id or str(uuid.uuid4()),
        doc=DocumentRef(doc, "0" * 64, doc.rsplit("/", 1)[-1]),
        quote=Quote(fields.pop("exact", "quoted"), "before ", " after"),
        start=start,
        end=end,
        created=fields.pop("created", when),
        updated=when,
        **fields,
    )
