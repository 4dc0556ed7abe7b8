"""The index on the sample library (the repo's library/): the issue's own examples.

The Jiayuguan teacher's words are in the delegation report and, reworded, in the Morning Star
piece; the digest (technology-infrastructure.txt) republishes paragraphs of both.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from readertui.core.library import scan_library
from readertui.index import LibraryIndex
from readertui.index.passages import split_passages
from readertui.index.words import fingerprint_words
from tests.conftest import SAMPLE_LIBRARY

REPORT = "delegation-report-2025.txt"
MORNING_STAR = "jiayuguan-morning-star.txt"
DIGEST = "technology-infrastructure.txt"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LibraryIndex]:
    library = scan_library(SAMPLE_LIBRARY)
    with LibraryIndex(library, path=tmp_path_factory.mktemp("index") / "i.sqlite3") as built:
        report = built.update()
        assert len(report.indexed) == 4
        yield built


def text_of(name: str) -> str:
    return (SAMPLE_LIBRARY / name).read_text(encoding="utf-8")


def line_of(name: str, words: str) -> int:
    text = text_of(name)
    return text.count("\n", 0, text.index(words)) + 1


def test_the_teachers_words_find_each_other_under_same_passage(index: LibraryIndex) -> None:
    star_line = line_of(MORNING_STAR, "China saved socialism.")
    report_line = line_of(REPORT, "China saved socialism.")
    star = index.passage_at_line(MORNING_STAR, star_line)
    assert star is not None and "China saved socialism" in star.text
    same = [r.place.where for r in index.cross_references_of(star).same]
    assert f"{REPORT}:{report_line}" in same
    assert f"{DIGEST}:{line_of(DIGEST, 'China saved socialism.')}" in same

    report = index.passage_at_line(REPORT, report_line)
    assert report is not None
    found = {r.place.where: r for r in index.cross_references_of(report).same}
    assert f"{MORNING_STAR}:{star_line}" in found
    reworded = found[f"{MORNING_STAR}:{star_line}"]
    assert 0 < (reworded.score or 0) < 1
    # The words the Morning Star has and the report has not are the ones marked.
    marked = [reworded.snippet.text[a:b] for a, b in reworded.snippet.marks]
    assert "Eastern" in marked and "China" not in marked


def test_the_digests_copies_of_the_report_are_found_both_ways(index: LibraryIndex) -> None:
    digest_text = text_of(DIGEST)
    copies = [
        p
        for p in split_passages(text_of(REPORT))
        if len(fingerprint_words(p.text)) >= 8 and p.text in digest_text
    ]
    assert len(copies) >= 5
    for passage in copies:
        digest = index.passage_at(DIGEST, digest_text.index(passage.text))
        report = index.passage_at(REPORT, passage.start)
        assert digest is not None and report is not None
        forward = {r.place.where: r.score for r in index.cross_references_of(report).same}
        backward = {r.place.where: r.score for r in index.cross_references_of(digest).same}
        assert forward.get(digest.place.where) == 1.0, passage.text[:60]
        assert backward.get(report.place.where) == 1.0, passage.text[:60]


def test_molten_salt_ranks_the_reports_paragraph_first(index: LibraryIndex) -> None:
    hits = index.search("molten salt")
    # A paragraph about the plant, not its heading nor its caption (printed twice), which
    # plain BM25 puts first for being short.
    paragraphs = {
        line_of(REPORT, "30,000 tons of the molten salt"),
        line_of(REPORT, "Additional molten salt solar power plants"),
    }
    assert (hits[0].place.path, hits[0].place.line) in {(REPORT, line) for line in paragraphs}
    heading = line_of(REPORT, "Dunhuang 100MW Molten Salt Tower CSP Plant\n")
    caption = line_of(REPORT, "Dunhuang 100MW Molten Salt Tower CSP Plant\nDunhuang")
    places = [(hit.place.path, hit.place.line) for hit in hits]
    assert (REPORT, heading) in places and (REPORT, caption) in places  # found, after
    assert hits[0].place.path == REPORT
    assert hits[0].place.title == "Report: Delegation to China, May-June 2025"
    marked = {hits[0].snippet.text[a:b].lower() for a, b in hits[0].snippet.marks}
    assert marked == {"molten", "salt"}
    text = text_of(REPORT)
    assert all(text[a:b].lower() in ("molten", "salt") for a, b in hits[0].matches)
    assert hits[0].match_line == text.count("\n", 0, hits[0].matches[0][0]) + 1


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("jiayuguan", "Jiayuguan"),
        ("JISCO", "JISCO"),
        ('"China saved socialism"', "China saved socialism"),
    ],
)
def test_the_first_hit_is_a_paragraph_not_a_heading(
    index: LibraryIndex, query: str, words: str
) -> None:
    hit = index.search(query)[0]
    text = text_of(hit.place.path)[hit.place.start : hit.place.end]
    assert words.lower() in text.lower()
    assert len(text.split()) >= 20 and text.rstrip().endswith((".", "”", '"'))


def test_related_passages_are_in_other_documents_or_far_away(index: LibraryIndex) -> None:
    start = text_of(REPORT).index("In the Gobi Desert")
    references = index.cross_references(REPORT, start)
    assert references.related
    for entry in references.related:
        assert entry.place.path != REPORT or abs(entry.place.start - start) >= 3000
        assert entry.score is not None and entry.score > 0
    same = {(r.place.path, r.place.start) for r in references.same}
    assert not same & {(r.place.path, r.place.start) for r in references.related}


def test_the_concordance_of_jiayuguan(index: LibraryIndex) -> None:
    by_document = index.concordance("Jiayuguan")
    occurrences = by_document.occurrences
    assert {o.place.path for o in occurrences} >= {REPORT, MORNING_STAR, DIGEST}
    total = sum(text_of(p).count("Jiayuguan") for p in (REPORT, MORNING_STAR, DIGEST))
    total += text_of("localising-the-soviet.txt").count("Jiayuguan")
    assert len(occurrences) == total
    for occurrence in occurrences:
        text = text_of(occurrence.place.path)
        assert text[occurrence.place.start : occurrence.place.end] == "Jiayuguan"
        assert occurrence.keyword == "Jiayuguan"
        before = text[occurrence.place.start - len(occurrence.left) : occurrence.place.start]
        assert before.replace("\n", " ") == occurrence.left
    keys = [(o.place.title.casefold(), o.place.path, o.place.start) for o in occurrences]
    assert keys == sorted(keys)
    following = index.concordance("jiayuguan", order="following").occurrences
    assert [o.following for o in following] == sorted(o.following for o in following)
    assert len(following) == len(occurrences)
