"""Fuzzing the import: whatever the file holds, ImportFileError or annotations that are valid.

Arbitrary JSON, arbitrary bytes, and valid exports (and readertui databases and changes files)
with parts spoiled go into `read_import` and then into a store. Reading raises nothing but
ImportFileError; what it accepts imports without an error, and the database then holds only
valid annotations (nothing in `problems`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from readertui.core.annotations import Annotation, DocumentRef, Quote
from readertui.core.library import scan_library
from readertui.errors import ImportFileError
from readertui.export.importing import import_annotations, import_records, read_import
from readertui.export.web_annotation import collection_json
from readertui.store.store import Store
from tests.store.fuzzing import JSON, spoiled, spoiled_once

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STAMP = "2025-01-01T00:00:00.000000Z"


def valid_export() -> Any:
    annotations = [
        Annotation(
            id=f"00000000-0000-4000-8000-00000000000{n}",
            doc=DocumentRef(f"notes/doc {n}.txt", "0" * 64, f"Title {n}"),
            quote=Quote("quoted words", "before ", " after"),
            start=10 * n,
            end=10 * n + 12,
            note=f"note {n}",
            tags=("place/x", "y"),
            links=("00000000-0000-4000-8000-000000000000",),
            created=STAMP,
            updated=STAMP,
        )
        for n in range(2)
    ]
    return json.loads(collection_json(annotations, STAMP))


def _item_with(where: tuple[Any, ...], value: Any) -> Any:
    """A valid export whose first annotation has `value` at `where`."""
    data = valid_export()
    parent = data["first"]["items"][0]
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = value
    return data


def valid_database() -> Any:
    """Another readertui database: its records in the database's own form."""
    annotation = Annotation(
        id="a", doc=DocumentRef("a.txt"), quote=Quote("q"), start=0, end=1, updated=STAMP
    )
    return {
        "_meta": {"1": {"schema": 2}},
        "annotations": {"1": annotation.to_record()},
        "tombstones": {"1": {"id": "b", "deleted": STAMP}},
        "documents": {"1": {"path": "a.txt", "position": 1, "position_updated": STAMP}},
    }


def valid_changes() -> Any:
    data = valid_database()
    data["_meta"]["1"].update(kind="readertui changes", database="/x/db.json", written=STAMP)
    return data


@contextmanager
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        (root / "library").mkdir()
        (root / "library" / "a.txt").write_text("A\n\nq and more.\n", encoding="utf-8")
        yield root


def check_import(content: bytes) -> None:
    with folder() as root:
        file = root / "import.json"
        file.write_bytes(content)
        try:
            source = read_import(file)
        except ImportFileError as error:
            assert "\n" not in str(error) and str(file) in str(error)
            return
        with Store(root / "db.json") as store:
            if isinstance(source, list):
                import_annotations(source, store, scan_library(root / "library"))
            else:
                import_records(source, store)
        with Store(root / "db.json") as store:
            assert store.problems == ()
            for annotation in store.annotations():
                assert Annotation.from_record(annotation.to_record()) == annotation


@FUZZ
@given(content=st.binary(max_size=200))
def test_any_bytes(content: bytes) -> None:
    check_import(content)


@FUZZ
@given(data=JSON)
def test_any_json(data: Any) -> None:
    check_import(json.dumps(data).encode("utf-8", "surrogatepass"))


@FUZZ
@given(data=st.one_of(spoiled_once(valid_export()), spoiled(valid_export())))
@example(data={**valid_export(), "items": valid_export()["first"]["items"], "first": None})
@example(data=_item_with(("target", "selector", 1, "start"), 10**30))
@example(data=_item_with(("body", 0, "value"), "caf\udce9"))
@example(data=_item_with(("target", "source", "id"), "a%0Ab.txt"))
@example(data=_item_with(("target", "styleClass"), "red"))
def test_an_export_with_parts_spoiled(data: Any) -> None:
    check_import(json.dumps(data).encode("ascii"))


@FUZZ
@given(
    data=st.one_of(
        spoiled_once(valid_database()),
        spoiled_once(valid_changes()),
        spoiled(valid_database()),
        spoiled(valid_changes()),
    )
)
def test_a_database_or_changes_file_with_parts_spoiled(data: Any) -> None:
    check_import(json.dumps(data).encode("ascii"))
