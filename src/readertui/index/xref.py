"""Cross-references of a passage (PRODUCT 7): the same passage elsewhere, related passages,
and for a highlight, the highlights sharing a tag and those linked to it either way.

*Same passage*: the n-grams of this passage's fingerprint (`winnowed`) are looked up in the
full-text index as phrases, the rarest first (a phrase found in very many passages is a
set phrase, not evidence, and is ignored); the passages holding most of them are the
candidates. Each is then aligned word by word with this one, and kept when most of the
shorter one's words are there in order (`MIN_COVERAGE`) — which holds for a copy, an
excerpt, a re-wrapped or re-typed version, and a quote reworded around its core, but not
for two passages that merely share a phrase.

*Related*: the passage's salient terms (frequent in it, rare in the library: tf·idf, from
the FTS5 vocabulary) searched with BM25; results in the same document near this passage, and
the same passages found above, are left out, so what remains is other documents and distant
parts of this one.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from readertui.core.annotations import Annotation, tag_key
from readertui.index.fingerprints import (
    SHINGLE_WORDS,
    WordHashes,
    compare,
    shared_words,
    winnowed,
)
from readertui.index.lookup import PassageRow, passage_ref, passages_by_id, place_of_span
from readertui.index.query import Term
from readertui.index.results import CrossReference, Group, PassageRef
from readertui.index.search import best_matches
from readertui.index.snippets import find_terms, make_snippet
from readertui.index.stored_text import library_path, storable
from readertui.index.words import fingerprint_words, located_terms, located_words, terms

#: A candidate is the same passage when this share of the shorter one's words are in it.
MIN_COVERAGE = 0.45
#: ... and at least this many words in all (two headings of one word are not a quote).
MIN_SHARED_WORDS = 5
#: Fingerprint phrases in more passages than this are set phrases, not evidence.
COMMON_PHRASE_PASSAGES = 40
#: Fingerprint phrases looked up per passage, those with the rarest words first: a copy
#: shares most of them, and a phrase of common words costs the most to look up (a few
#: milliseconds in a 100 MB library; 8 find 99% of the benchmark's planted copies).
MAX_PHRASES = 8
#: Candidates aligned per passage, most shared phrases first.
MAX_CANDIDATES = 40
#: Salient terms searched for related passages.
SALIENT_TERMS = 8
#: Passages of the same document closer than this (characters) are not "related".
NEARBY_CHARS = 3000

_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few
for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until
up upon very was we were what when where which while who whom why will with would you
your yours yourself yourselves said one two mr mrs shall may might must
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_NUMBER = re.compile(r"\d+")
# Word hashes shared by every query of this process: most words are met again and again.
_WORD_HASHES = WordHashes()


def same_passages(
    connection: sqlite3.Connection,
    passage: PassageRef,
    limit: int,
    *,
    frequencies: dict[str, int] | None = None,
) -> list[CrossReference]:
    """The passages that are `passage` again, copied, excerpted or reworded, most alike
    first. `frequencies`: as for `salient_terms`."""
    if limit <= 0:
        return []
    words = fingerprint_words(passage.text)
    candidates = _candidates(connection, passage, frequencies)
    rows = passages_by_id(connection, (candidate for candidate, _ in candidates))
    located = None
    found: list[tuple[float, str, int, CrossReference]] = []
    for candidate_id, _shared in candidates:
        row = rows.get(candidate_id)
        if row is None:
            continue
        # The cheap test first (words only), the places of the differing words for those kept.
        other_words = fingerprint_words(row[7])
        shared = shared_words(words, other_words)
        if not other_words or shared < MIN_SHARED_WORDS:
            continue
        if shared / min(len(words), len(other_words)) < MIN_COVERAGE:
            continue
        located = located if located is not None else located_words(passage.text)
        likeness = compare(located, located_words(row[7]))
        other = passage_ref(connection, row)
        reference = CrossReference(
            group="same",
            place=other.place,
            snippet=make_snippet(other.text, likeness.differing, from_start=True),
            score=round(likeness.similarity, 3),
        )
        found.append((-likeness.similarity, other.place.path, other.place.start, reference))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found[:limit]]


def related_passages(
    connection: sqlite3.Connection,
    passage: PassageRef,
    limit: int,
    *,
    leave_out: Iterable[tuple[str, int]] = (),
    frequencies: dict[str, int] | None = None,
) -> list[CrossReference]:
    """The best BM25 passages for the salient terms of `passage`, but not those near it in
    its own document, nor the places in `leave_out` ((path, start) of same passages)."""
    salient = salient_terms(connection, passage.text, frequencies)
    if not salient or limit <= 0:
        return []
    expression = " OR ".join(f'"{term}"' for term in salient)
    ranked = best_matches(connection, expression, limit * 4 + 20)
    by_id = passages_by_id(connection, ranked)
    rows = list(ranked.items())
    skipped = set(leave_out)
    wanted = [Term((term,)) for term in salient]
    here = passage.place
    found: list[CrossReference] = []
    seen_texts = {_plain(passage.text)}
    for rowid, rank in sorted(rows, key=lambda row: (row[1], row[0])):
        row: PassageRow | None = by_id.get(rowid)
        if row is None or rowid == passage.id:
            continue
        path, start = library_path(row[2]), row[4]
        if (path, start) in skipped:
            continue
        if path == here.path and abs(start - here.start) < NEARBY_CHARS:
            continue
        plain = _plain(row[7])
        if plain in seen_texts:  # a copy is *same passage*, not related
            continue
        seen_texts.add(plain)
        other = passage_ref(connection, row)
        found.append(
            CrossReference(
                group="related",
                place=other.place,
                snippet=make_snippet(other.text, find_terms(other.text, wanted)),
                score=round(-float(rank), 3),
            )
        )
        if len(found) >= limit:
            break
    return found


def salient_terms(
    connection: sqlite3.Connection, text: str, frequencies: dict[str, int] | None = None
) -> list[str]:
    """The SALIENT_TERMS terms of `text` that say most about it: tf·idf over passages.

    `frequencies` remembers in how many passages each term is, between calls (the caller
    clears it when the index changes; a stale count only shifts which terms are chosen)."""
    counts = Counter(
        term
        for term, _, _ in located_terms(text)
        if len(term) > 2 and term not in _STOPWORDS and not _NUMBER.fullmatch(term)
    )
    if not counts:
        return []
    known = term_frequencies(connection, counts, frequencies)
    total = connection.execute("SELECT max(id) FROM passages").fetchone()[0] or 1
    scored = []
    for term, count in counts.items():
        documents = known[term]
        if documents < 2:  # only here: it cannot relate this passage to another
            continue
        idf = math.log((total - documents + 0.5) / (documents + 0.5) + 1)
        scored.append((-(1 + math.log(count)) * idf, term))
    scored.sort()
    return [term for _, term in scored[:SALIENT_TERMS]]


def term_frequencies(
    connection: sqlite3.Connection,
    wanted: Iterable[str],
    frequencies: dict[str, int] | None = None,
) -> dict[str, int]:
    """In how many passages each term of `wanted` is (from the FTS5 vocabulary), added to
    `frequencies` (those already there are not asked again), which is returned."""
    known = frequencies if frequencies is not None else {}
    missing = [term for term in dict.fromkeys(wanted) if term not in known]
    if missing:
        marks = ", ".join("?" * len(missing))
        found = dict(
            connection.execute(
                f"SELECT term, doc FROM passages_vocab WHERE term IN ({marks})", missing
            ).fetchall()
        )
        for term in missing:
            known[term] = int(found.get(term, 0))
    return known


def _candidates(
    connection: sqlite3.Connection, passage: PassageRef, frequencies: dict[str, int] | None
) -> list[tuple[int, int]]:
    """(passage id, fingerprint phrases shared) of the passages sharing most of this one's
    fingerprint phrases, most first."""
    found = terms(passage.text)
    phrases = list(
        dict.fromkeys(tuple(found[at : at + SHINGLE_WORDS]) for at in winnowed(found, _WORD_HASHES))
    )
    known = term_frequencies(connection, found, frequencies)
    # How rare a phrase's rarest word is: a phrase with a word in this passage alone can be
    # nowhere else, and one of common words only is slow to look up and says little.
    rarity = {phrase: min(known[term] for term in phrase) for phrase in phrases}
    asked = sorted((phrase for phrase in phrases if rarity[phrase] > 1), key=rarity.__getitem__)
    lookups: dict[str, None] = {}
    for phrase in asked:
        if rarity[phrase] <= COMMON_PHRASE_PASSAGES:
            # Its rarest word is telling on its own, and a word costs far less to look up
            # than a phrase: the passages holding it are all those holding the phrase.
            rarest = min(phrase, key=known.__getitem__)
            lookups[f'"{rarest}"'] = None
        else:
            lookups['"' + " ".join(phrase) + '"'] = None
    shared: Counter[int] = Counter()
    for expression in list(lookups)[:MAX_PHRASES]:
        rows = connection.execute(
            "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?",
            (expression, COMMON_PHRASE_PASSAGES + 1),
        ).fetchall()
        if len(rows) <= COMMON_PHRASE_PASSAGES:
            shared.update(rowid for (rowid,) in rows if rowid != passage.id)
    return sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:MAX_CANDIDATES]


def shared_tags(
    connection: sqlite3.Connection, highlight: Annotation, limit: int
) -> list[CrossReference]:
    keys = list(dict.fromkeys(storable(tag_key(tag)) for tag in highlight.tags if tag_key(tag)))
    if not keys:
        return []
    marks = ", ".join("?" * len(keys))
    rows = connection.execute(
        "SELECT a.id, a.path, a.title, a.start, a.end, a.orphaned, a.quote, a.note, a.tags, "
        "group_concat(t.tag, char(10)) FROM annotations a "
        f"JOIN annotation_tags t ON t.annotation = a.id WHERE t.tag IN ({marks}) "
        "AND a.id != ? GROUP BY a.id ORDER BY a.path, a.start LIMIT ?",
        [*keys, highlight.id, limit],
    ).fetchall()
    return [
        _annotation_reference(connection, "tag", row[:9], tuple(row[9].split("\n"))) for row in rows
    ]


def links_of(
    connection: sqlite3.Connection, highlight: Annotation, limit: int
) -> list[CrossReference]:
    """The highlights `highlight` links to, then those that link to it (backlinks)."""
    columns = "a.id, a.path, a.title, a.start, a.end, a.orphaned, a.quote, a.note, a.tags"
    found: list[CrossReference] = []
    targets = [target for target in dict.fromkeys(highlight.links) if target != highlight.id]
    if targets:
        marks = ", ".join("?" * len(targets))
        rows = connection.execute(
            f"SELECT {columns} FROM annotations a WHERE a.id IN ({marks})", targets
        ).fetchall()
        order = {target: index for index, target in enumerate(targets)}
        rows.sort(key=lambda row: order[row[0]])
        found += [_annotation_reference(connection, "link", row) for row in rows]
    rows = connection.execute(
        f"SELECT DISTINCT {columns} FROM annotations a JOIN annotation_links l "
        "ON l.annotation = a.id WHERE l.target = ? AND a.id != ? ORDER BY a.path, a.start",
        (highlight.id, highlight.id),
    ).fetchall()
    found += [_annotation_reference(connection, "backlink", row) for row in rows]
    return found[:limit]


def _annotation_reference(
    connection: sqlite3.Connection,
    group: Group,
    row: Sequence[object],
    shared: tuple[str, ...] = (),
) -> CrossReference:
    annotation_id, path, title, start, end, orphaned, quote, note, tags = row
    assert isinstance(path, str) and isinstance(title, str)
    assert isinstance(start, int) and isinstance(end, int)
    shown = str(quote)
    if str(note).strip():
        shown += " — " + str(note).strip()
    place = place_of_span(connection, path, title, start, end)
    if orphaned:
        place = replace(place, line=None, heading="")
    all_tags = tuple(json.loads(str(tags)))
    marks = []
    if shared:
        tag_text = " ".join(f"#{tag}" for tag in all_tags)
        base = len(shown) + 1
        shown += " " + tag_text
        position = base
        for tag in all_tags:
            if tag_key(tag) in shared:
                marks.append((position, position + len(tag) + 1))
            position += len(tag) + 2
    return CrossReference(
        group=group,
        place=place,
        snippet=make_snippet(shown, marks),
        annotation_id=str(annotation_id),
        tags=tuple(tag for tag in all_tags if tag_key(tag) in shared),
    )


def _plain(text: str) -> str:
    return " ".join(word.word for word in located_words(text))
