"""Library search on a made-up library: the query syntax, ranking and snippets, and hostile
queries that must never reach SQLite as syntax."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readertui.index import LibraryIndex, QueryError
from tests.index.helpers import open_index, paths, write_library


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibraryIndex]:
    folder = tmp_path_factory.mktemp("search")
    with open_index(write_library(folder / "library"), folder / "index.sqlite3") as built:
        built.update()
        yield built


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("fox", ["a.txt", "c.md"]),
        ("quick fox", ["a.txt"]),
        ("quick clocks", []),
        ('"brown fox"', ["a.txt"]),
        ('"fox brown"', []),
        ("strik*", ["b.txt"]),
        ("strike", []),
        ("fox -quick", ["c.md"]),
        ('fox -"said the"', ["a.txt"]),
        ("NAIVE", ["a.txt"]),
        ("naïve", ["a.txt"]),
        ("Thirteen.", ["b.txt"]),
        ('"molten core', ["a.txt"]),  # a quote left open: a phrase to the end
    ],
)
def test_query_syntax(index: LibraryIndex, query: str, found: list[str]) -> None:
    assert sorted(paths(index.search(query))) == found


def test_a_hit_says_where_it_is_and_marks_the_words(index: LibraryIndex) -> None:
    (hit,) = index.search('"brown fox" lazy')
    text = Path(index.library.root / "a.txt").read_text(encoding="utf-8")
    assert hit.place.title == "Alpha"
    assert text[hit.place.start : hit.place.end].startswith("The quick brown fox")
    assert hit.place.line == 3 and hit.match_line == 3
    assert [text[a:b] for a, b in hit.matches] == ["brown fox", "lazy"]
    assert [hit.snippet.text[a:b] for a, b in hit.snippet.marks] == ["brown fox", "lazy"]
    assert hit.offset == text.index("brown fox")
    assert hit.score > 0


def test_hits_come_best_first(tmp_path: Path) -> None:
    texts = {
        "dense.txt": "Heron, heron, heron.\n",
        "sparse.txt": "A long paragraph that mentions a heron once among many other words "
        "about rivers, reeds, mills, weather and the price of bread in the town.\n",
        "middle.txt": "The heron and another heron by the mill.\n",
    }
    with open_index(write_library(tmp_path / "lib", texts), tmp_path / "i.sqlite3") as index:
        index.update()
        hits = index.search("heron")
        assert paths(hits) == ["dense.txt", "middle.txt", "sparse.txt"]
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_a_very_short_passage_is_not_scored_as_shorter_than_a_floor(tmp_path: Path) -> None:
    # Plain BM25 puts a one-word paragraph first for being short; scored as
    # MIN_SCORED_WORDS words long, it comes after one that says the word twice.
    texts = {
        "short.txt": "Heron.\n",
        "twice.txt": "A grey heron stood in the reeds by the mill pond; the heron waited there "
        "for the fish, patient and still, until the evening came.\n",
    }
    with open_index(write_library(tmp_path / "lib", texts), tmp_path / "i.sqlite3") as index:
        index.update()
        assert paths(index.search("heron")) == ["twice.txt", "short.txt"]


def test_headings_and_captions_rank_after_the_paragraphs(tmp_path: Path) -> None:
    text = (
        "Molten Salt Tower Plant\n\n"  # a heading
        "Molten Salt Tower Plant\nMolten Salt Tower Plant\n\n"  # a caption printed twice
        "The tower heats a proprietary material, which heats the salt until it melts: the "
        "molten salt then keeps the turbines turning through the night, for eleven hours.\n"
    )
    with open_index(
        write_library(tmp_path / "lib", {"a.txt": text}), tmp_path / "i.sqlite3"
    ) as index:
        index.update()
        hits = index.search("molten salt")
        assert [hit.place.line for hit in hits] == [6, 3, 1]
        assert [hit.place.line for hit in index.search('"tower plant"')] == [3, 1]
        assert all(hit.score > 0 for hit in hits)


def test_the_nearest_heading_is_given(index: LibraryIndex) -> None:
    (hit,) = index.search("highlighted")
    assert hit.place.heading == "Part one"


def test_limit(index: LibraryIndex) -> None:
    assert len(index.search("the", limit=1)) == 1
    assert len(index.search("the", limit=10)) == 4


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '""',
        "*",
        "-fox",
        '-"brown fox"',
        "-tag:x",
        "((()))",
        "x" * 1001,
    ],
)
def test_queries_that_cannot_be_a_search_say_why(index: LibraryIndex, query: str) -> None:
    with pytest.raises(QueryError) as raised:
        index.search(query)
    assert str(raised.value)


@pytest.mark.parametrize(
    "query",
    [
        "fox AND",
        "OR fox",
        "fox NOT",
        "NEAR(fox dog)",
        "fox^",
        "text:fox",
        "{text}: fox",
        "fox\x00dog",
        "fox' OR 1=1 --",
        'fox "',
        'fox "" dog',
        "fox*quick",
        "- fox",
        "fox -",
        "\u202efox",
        "fox " * 60,
        "x" * 1000,
    ],
)
def test_hostile_queries_are_only_text(index: LibraryIndex, query: str) -> None:
    # Never an sqlite3 error, whatever FTS5 would make of the characters.
    index.search(query)


@settings(max_examples=120, deadline=None)
@given(query=st.text(max_size=80))
def test_no_query_raises_anything_but_a_query_error(index: LibraryIndex, query: str) -> None:
    # Anything else (an sqlite3 error, or IndexUnavailable wrapping one) fails the test.
    with contextlib.suppress(QueryError):
        index.search(query)


def test_search_before_any_update_finds_nothing(tmp_path: Path) -> None:
    root = write_library(tmp_path / "library")
    with open_index(root, tmp_path / "index.sqlite3") as index:
        assert index.document_count() == 0
        assert index.search("fox") == []
        references = index.cross_references("a.txt", 0)
        assert references.passage is None and not references.indexed and not references


def test_the_concordance_finds_the_word_not_words_that_contain_it(tmp_path: Path) -> None:
    texts = {"a.txt": "A heron, herons, the Heron\nand HERON’s nest; a heronry.\n"}
    with open_index(write_library(tmp_path / "lib", texts), tmp_path / "i.sqlite3") as index:
        index.update()
        found = index.concordance("heron").occurrences
        assert [o.keyword for o in found] == ["heron", "Heron", "HERON"]
        assert [o.place.line for o in found] == [1, 1, 2]
        assert [o.following for o in found] == ["herons", "and", "s"]
        assert found[0].left == "A " and found[0].right.startswith(", herons, the Heron and")
        by_following = index.concordance("Heron", order="following").occurrences
        assert [o.following for o in by_following] == ["and", "herons", "s"]
        with pytest.raises(QueryError):
            index.concordance("two words")
        limited = index.concordance("heron", limit=2)
        assert len(limited.occurrences) == 2 and limited.truncated


def test_a_very_common_word_is_ranked_among_a_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # BM25 of every match would cost too much for a word in most passages of a big library.
    from readertui.index import search as search_module

    monkeypatch.setattr(search_module, "RANK_ALL", 5)
    monkeypatch.setattr(search_module, "RANK_SAMPLE", 8)
    texts = {f"doc{number:02}.txt": "heron " * (number % 7 + 1) + "end.\n" for number in range(20)}
    with open_index(write_library(tmp_path / "lib", texts), tmp_path / "i.sqlite3") as index:
        index.update()
        hits = index.search("heron", limit=3)
        assert len(hits) == 3
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True)
        # The first eight documents indexed (in the library's order) were ranked.
        first = {entry.rel_path for entry in index.library.entries[:8]}
        assert {hit.place.path for hit in hits} <= first
        assert paths(index.search("end", limit=30)) != []
