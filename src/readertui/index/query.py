"""A search as the user types it, parsed, and turned into a safe FTS5 expression.

The syntax (PRODUCT 4, `ctrl+f`): words (all must be there), `"exact phrases"`, `prefix*`,
`-excluded` words or phrases, and `tag:name` / `note:word` (or `note:"a phrase"`), which
search the annotations instead of the text: `tag:` keeps the highlights carrying that tag
(or one below it, `place` for `place/Xi'an`), `note:` looks in their notes, other words in
their quotes, notes and tags.

Nothing the user types reaches FTS5 as syntax: every word is cut into the tokenizer's terms
(letters and digits) and written as a quoted string, so quotes left open, brackets, `AND`,
`NEAR`, `^`, `:` or a NUL are just text. What cannot be a search at all (nothing to look for,
only excluded words, a query of thousands of characters) is a `QueryError` saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from readertui.core.annotations import tag_key
from readertui.index.errors import QueryError
from readertui.index.words import terms

#: The longest query accepted, in characters (a paste of a page is not a search).
MAX_QUERY_CHARS = 1000
#: The most words and phrases in one query.
MAX_QUERY_PARTS = 64

# One part of a query: an optional "-", an optional field ("tag:" or "note:"), then a quoted
# phrase (its closing quote optional) or a bare word (up to the next space).
_PART = re.compile(
    r"(?P<minus>-)?(?:(?P<field>tag|note):)?"
    r'(?:"(?P<phrase>[^"]*)(?:"|$)(?P<star>\*)?|(?P<word>[^\s"]+))',
    re.IGNORECASE,
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Term:
    """A word or phrase to look for: its folded terms, and whether its last one is a prefix."""

    terms: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        """The FTS5 form: a quoted string (nothing in it but letters, digits and spaces)."""
        return '"' + " ".join(self.terms) + '"' + (" *" if self.prefix else "")


@dataclass(frozen=True)
class Query:
    """A parsed search. `annotations` is True when it searches the annotations (it has a
    `tag:` or `note:` part)."""

    text: str
    include: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    notes: tuple[Term, ...] = ()
    tags: tuple[str, ...] = ()
    excluded_tags: tuple[str, ...] = ()

    @property
    def annotations(self) -> bool:
        return bool(self.notes or self.tags or self.excluded_tags)

    def match_expression(self, *, note_column: str | None = None) -> str | None:
        """The FTS5 MATCH expression of the words (None when only tags are asked for)."""
        positives = [term.fts() for term in self.include]
        if note_column is not None:
            positives += [f"{note_column} : {term.fts()}" for term in self.notes]
        if not positives:
            return None
        expression = " AND ".join(positives)
        if self.exclude:
            excluded = " OR ".join(term.fts() for term in self.exclude)
            expression = f"({expression}) NOT ({excluded})"
        return expression

    def highlighted_terms(self) -> tuple[Term, ...]:
        """The terms whose occurrences a result marks."""
        return self.include + self.notes


def parse_query(text: str) -> Query:
    """Parse what the user typed; QueryError when it cannot be a search."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the search is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})"
        )
    cleaned = _CONTROLS.sub(" ", text)
    include: list[Term] = []
    exclude: list[Term] = []
    notes: list[Term] = []
    tags: list[str] = []
    excluded_tags: list[str] = []
    parts = 0
    for match in _PART.finditer(cleaned):
        parts += 1
        if parts > MAX_QUERY_PARTS:
            raise QueryError(f"the search has too many words (at most {MAX_QUERY_PARTS})")
        minus = match.group("minus") is not None
        field = (match.group("field") or "").lower()
        phrase = match.group("phrase")
        raw = phrase if phrase is not None else match.group("word")
        if field == "tag":
            tag = tag_key(raw.lstrip("#"))
            if tag:
                (excluded_tags if minus else tags).append(tag)
            continue
        prefix = (phrase is None and raw.endswith("*")) or match.group("star") is not None
        found = tuple(terms(raw))
        if not found:
            continue  # only punctuation: nothing the index could hold
        term = Term(found, prefix)
        if minus:
            exclude.append(term)
        elif field == "note":
            notes.append(term)
        else:
            include.append(term)
    query = Query(
        text, tuple(include), tuple(exclude), tuple(notes), tuple(tags), tuple(excluded_tags)
    )
    if not (include or notes or tags):
        if exclude or excluded_tags:
            raise QueryError("the search only excludes words: give a word to look for too")
        raise QueryError('nothing to search for: type a word, a "phrase" or tag:name')
    return query
