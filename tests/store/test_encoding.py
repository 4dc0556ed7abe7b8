"""The file encoder writes what json.dumps would, and never reuses the piece of a changed record."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.store.atomic_storage import serialise
from readertui.store.encoding import FileEncoder

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)
records = st.dictionaries(st.text(max_size=5), json_values, max_size=4)
tables = st.dictionaries(
    st.text(max_size=8), st.dictionaries(st.text(max_size=4), records, max_size=4), max_size=3
)


@settings(max_examples=150, deadline=None)
@given(data=tables)
def test_the_bytes_parse_to_the_same_tables(data: dict[str, dict[str, Any]]) -> None:
    encoded = FileEncoder().encode(data)
    assert json.loads(encoded) == data
    try:
        expected = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates: escaped per record here, in the whole file by serialise
    assert encoded == expected == serialise(data)


def test_only_the_changed_record_is_encoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = FileEncoder()
    kept = {"id": "a", "note": "old"}
    encoder.encode({"annotations": {"1": kept}})
    calls: list[object] = []
    real_dumps = json.dumps

    def counting_dumps(value: object, **options: Any) -> str:
        calls.append(value)
        return real_dumps(value, **options)

    monkeypatch.setattr(json, "dumps", counting_dumps)
    new = {"id": "b", "note": "new"}
    encoded = encoder.encode({"_meta": {}, "annotations": {"1": kept, "2": new}})
    assert calls == ["_meta", new]
    assert json.loads(encoded) == {"_meta": {}, "annotations": {"1": kept, "2": new}}


def test_an_equal_but_new_record_is_not_mistaken_for_the_old_one() -> None:
    encoder = FileEncoder()
    first = {"note": "a"}
    encoder.encode({"t": {"1": first}})
    del first
    # A new dict may get the freed object's id(); the encoder holds the old one, so it cannot.
    for n in range(50):
        assert json.loads(encoder.encode({"t": {"1": {"note": str(n)}}})) == {
            "t": {"1": {"note": str(n)}}
        }


def test_a_value_json_cannot_hold_fails_and_keeps_the_pieces() -> None:
    encoder = FileEncoder()
    kept = {"note": "kept"}
    encoder.encode({"t": {"1": kept}})
    with pytest.raises(TypeError):
        encoder.encode({"t": {"1": kept, "2": {"tags": {"a", "b"}}}})
    with pytest.raises(ValueError):
        encoder.encode({"t": {"1": {"confidence": float("nan")}}})
    assert encoder.encode({"t": {"1": kept}}) == b'{"t":{"1":{"note":"kept"}}}'


def test_a_lone_surrogate_escapes_only_its_own_record() -> None:
    name = os.fsdecode(b"caf\xe9.txt") if os.name == "posix" else "caf\udce9.txt"
    encoded = FileEncoder().encode({"documents": {"1": {"path": name}, "2": {"path": "嘉峪关"}}})
    assert "嘉峪关".encode() in encoded
    assert json.loads(encoded)["documents"]["1"]["path"] == name
