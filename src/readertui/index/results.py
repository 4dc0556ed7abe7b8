"""What the index answers with: plain frozen dataclasses, ready for the UI and the CLI.

Every result says where it is the same way (`Place`): the document's path and title, the
start and end offsets of the passage or highlight, the line it starts on and the nearest
heading above it. Snippets carry the spans to emphasise; strings are the documents' own, to
be made visible (`readertui.core.visible`) by whoever shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from readertui.index.snippets import Snippet, Span

#: The groups of cross-references, in the order the sidebar shows them.
Group = Literal["same", "related", "tag", "link", "backlink"]


@dataclass(frozen=True)
class Place:
    """text[start:end] of the document at `path` (its title), from line `line` (1-based;
    None for an orphaned highlight, which has no place), under the heading `heading`."""

    path: str
    title: str
    start: int
    end: int
    line: int | None
    heading: str = ""

    @property
    def where(self) -> str:
        """`path:line` (or `path:orphaned`)."""
        return f"{self.path}:{self.line if self.line is not None else 'orphaned'}"


@dataclass(frozen=True)
class PassageRef:
    """A passage of the index: its place, its text and its id in this index file."""

    id: int
    place: Place
    text: str


@dataclass(frozen=True)
class SearchHit:
    """A ranked search result. `place` is the passage (or highlight) that matched;
    `matches` the spans of the matching words in the document's text, the first of which
    is on line `match_line`; `score` is higher for better (BM25); `annotation_id` is set
    when the result is a highlight (a `tag:` or `note:` search)."""

    place: Place
    snippet: Snippet
    score: float
    matches: tuple[Span, ...] = ()
    match_line: int | None = None
    annotation_id: str | None = None

    @property
    def offset(self) -> int:
        """Where to put the cursor: the first matching word, else the passage's start."""
        return self.matches[0][0] if self.matches else self.place.start


@dataclass(frozen=True)
class CrossReference:
    """One entry of a cross-reference group.

    `score` is the similarity (0 to 1) for *same passage*, the BM25 score for *related*,
    and None for highlights (tags, links); `marks` of the snippet are the differing words
    for *same passage* and the shared terms for *related*. `tags` are the shared tags."""

    group: Group
    place: Place
    snippet: Snippet
    score: float | None = None
    annotation_id: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CrossReferences:
    """The cross-references of one passage (and of the highlight there, if one was given).

    `indexed` is False when the index does not hold the document yet (every group is then
    empty for that reason, not because nothing was found)."""

    passage: PassageRef | None
    same: tuple[CrossReference, ...] = ()
    related: tuple[CrossReference, ...] = ()
    shared_tags: tuple[CrossReference, ...] = ()
    links: tuple[CrossReference, ...] = ()
    indexed: bool = True

    def groups(self) -> tuple[tuple[Group, tuple[CrossReference, ...]], ...]:
        """The groups in the sidebar's order (links then backlinks share one group)."""
        return (
            ("same", self.same),
            ("related", self.related),
            ("tag", self.shared_tags),
            ("link", self.links),
        )

    def __bool__(self) -> bool:
        return bool(self.same or self.related or self.shared_tags or self.links)


@dataclass(frozen=True)
class Occurrence:
    """One line of a concordance: the word at text[start:end] of a document, with what
    comes before and after it in its passage (on one line)."""

    place: Place
    left: str
    keyword: str
    right: str
    following: str = ""


@dataclass(frozen=True)
class Concordance:
    """Every occurrence of a word, up to a limit (`truncated` when there were more)."""

    word: str
    occurrences: tuple[Occurrence, ...] = field(default_factory=tuple)
    truncated: bool = False
