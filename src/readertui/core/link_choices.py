"""What `L` offers to link a highlight to: the other annotations of the library, as rows to
show and to match a typed filter against, in the order a picker lists them.

Each `LinkChoice` holds what its row shows (the quote and the note's start on one line, the
tags, the document's title, whether it is orphaned or linked already) and the case-folded text
a query is matched against (quote, note, tags and title). Links already made come first, then
the newest annotations (the one just made in another document is the likeliest wanted); with a
query, the best matches, links made first among them. A link to an annotation that no longer
exists is still listed (`annotation` None), so it can be removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from readertui.core.annotations import Annotation
from readertui.core.fuzzy import FuzzyMatcher
from readertui.core.shortening import one_line

#: Characters of the quote and of the note's start a row shows.
QUOTE_CHARS = 120
NOTE_CHARS = 60
#: What a row says for a link to an annotation that no longer exists.
GONE = "a highlight no longer here"


@dataclass(frozen=True)
class LinkChoice:
    """One annotation a highlight may be linked to (or a link to one that is gone)."""

    id: str
    annotation: Annotation | None
    title: str
    linked: bool
    #: Its place in the list before anything is typed (ties between matches keep it).
    order: int

    # What follows is worked out when first asked for: a library has thousands of choices,
    # and only the few on screen need their lines.

    @cached_property
    def quote_line(self) -> str:
        if self.annotation is None:
            return GONE
        return one_line(self.annotation.quote.exact, QUOTE_CHARS)

    @cached_property
    def note_line(self) -> str:
        return one_line(self.annotation.note, NOTE_CHARS) if self.annotation is not None else ""

    @cached_property
    def folded(self) -> str:
        """Quote, note, tags and title, case-folded, one per line: what a query is matched
        against."""
        annotation = self.annotation
        if annotation is None:
            return f"{GONE}\n{self.id}"
        fields = (annotation.quote.exact, annotation.note, " ".join(annotation.tags), self.title)
        return "\n".join(fields).casefold()

    @property
    def orphaned(self) -> bool:
        return self.annotation is not None and self.annotation.orphaned

    @property
    def tags(self) -> tuple[str, ...]:
        return self.annotation.tags if self.annotation is not None else ()


def link_choices(
    source: Annotation, annotations: Iterable[Annotation], titles: Mapping[str, str]
) -> list[LinkChoice]:
    """Every annotation but `source` as a choice, links of `source` first (in the order
    they were made), then the newest first. `titles` are the documents' titles by path (a
    document not in it shows its stored title, or its path)."""
    by_id = {a.id: a for a in annotations if a.id != source.id}
    listed: list[tuple[str, Annotation | None, bool]] = [
        (target_id, by_id.pop(target_id, None), True) for target_id in dict.fromkeys(source.links)
    ]
    rest = sorted(by_id.values(), key=lambda a: (a.updated, a.id), reverse=True)
    listed.extend((a.id, a, False) for a in rest)
    return [
        _choice(target_id, annotation, titles, linked, order)
        for order, (target_id, annotation, linked) in enumerate(listed)
    ]


def _choice(
    target_id: str,
    annotation: Annotation | None,
    titles: Mapping[str, str],
    linked: bool,
    order: int,
) -> LinkChoice:
    if annotation is None:
        return LinkChoice(target_id, None, "", linked, order)
    doc = annotation.doc
    title = titles.get(doc.path) or doc.title or doc.path
    return LinkChoice(target_id, annotation, title, linked, order)


def ranked(
    choices: Sequence[LinkChoice],
    matcher: FuzzyMatcher,
    stopped: Callable[[], bool] = lambda: False,
) -> list[LinkChoice] | None:
    """The choices the query matches, links made first, then best first (ties in the order
    before anything was typed); all of them, in that order, for an empty query. None when
    `stopped()` said to stop (it is asked now and then: a newer query has come)."""
    if matcher.query.empty:
        return sorted(choices, key=lambda choice: choice.order)
    scored: list[tuple[bool, float, int, LinkChoice]] = []
    for index, choice in enumerate(choices):
        if index % 512 == 0 and stopped():
            return None
        score = matcher.score(choice.folded)
        if score is not None:
            scored.append((not choice.linked, -score, choice.order, choice))
    scored.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in scored]
