"""Hypothesis strategies for fuzzing readers: any JSON, and valid data with parts spoiled.

Shared by the database reader's and the import's fuzz tests. Each strategy is bounded (a few
dozen leaves), so a property over it stays fast at the max_examples the suites use.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Numbers at the edges of what JSON readers keep: huge integers, tiny and huge floats.
_NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([0, -1, 1, 2**53, 2**53 + 1, 2**63, 10**30, -5]),
    st.floats(allow_nan=False, allow_infinity=False),
)
_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "abc", "a.txt", "../x", "\udce9", "\ud800", "\x1b]2;x\x07", "red"]),
)
SCALARS = st.one_of(st.none(), st.booleans(), _NUMBERS, _TEXT)
#: Values that have broken readers before: out-of-range offsets, lone surrogates, controls,
#: the wrong type where text or a number belongs.
EDGES: st.SearchStrategy[Any] = st.sampled_from(
    [
        10**30,
        -5,
        2**53 + 1,
        1.5,
        True,
        None,
        "",
        "abc",
        "\udce9",
        "x\ud800",
        "a\nb",
        "\x1b[2J",
        [],
        {},
    ]
)

#: Any JSON value (no NaN or Infinity: those are refused before any shape is looked at).
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_TEXT, children, max_size=4),
    ),
    max_leaves=12,
)


@st.composite
def spoiled(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """`value` (parsed JSON) with some of its parts replaced by any JSON, removed or kept.

    Most of the structure survives, so what is fuzzed is mostly the checks deep inside a
    reader, not only its first look at the top level. Keeping is the simplest choice (0),
    which hypothesis prefers and shrinks towards: a failure shrinks to the part that matters.
    """
    choice = draw(st.integers(min_value=0, max_value=9))
    if choice == 9 and depth > 0:
        return draw(JSON)
    if choice == 8:
        return draw(SCALARS)
    if choice == 7:
        return draw(EDGES)
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if draw(st.integers(min_value=0, max_value=9)) == 9:
                continue  # dropped
            result[key] = draw(spoiled(item, depth + 1))
        if draw(st.integers(min_value=0, max_value=9)) == 9:
            result[draw(_TEXT)] = draw(JSON)
        return result
    if isinstance(value, list):
        return [draw(spoiled(item, depth + 1)) for item in value]
    return value


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def spoiled_once(draw: st.DrawFn, value: Any) -> Any:
    """`value` (parsed JSON) with exactly one part replaced (or, in an object, removed).

    Everything else stays valid, so the reader must find this one problem, deep inside, or
    accept the value as it is.
    """
    paths = _paths(value)
    where = draw(st.sampled_from(paths))
    copy = json.loads(json.dumps(value))
    parent = copy
    for step in where[:-1]:
        parent = parent[step]
    last = where[-1]
    if isinstance(parent, dict) and draw(st.integers(min_value=0, max_value=4)) == 4:
        del parent[last]
    else:
        # Edge values most often: they are what readers get wrong.
        parent[last] = draw(st.one_of(EDGES, EDGES, EDGES, SCALARS, JSON))
    return copy
