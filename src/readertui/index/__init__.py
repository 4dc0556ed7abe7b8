"""The library index: search, cross-references and the concordance over every document.

A Textual-free package with its cache in the user cache folder (SQLite with FTS5, BM25
ranking, and winnowed fingerprints of passages, looked up in the full-text index as
phrases, for finding the same passage elsewhere). `LibraryIndex` is the way in; the modules
each have one job:

- `words`, `passages`, `fingerprints`: cutting a text into passages and words, and the
  fingerprints near-duplicates are found by (pure functions);
- `scoring`: the FTS5 row a passage is indexed as (a length floor, headings and captions
  as labels), so BM25 ranks the paragraphs first;
- `cache`: the SQLite file, its schema, connections, and replacing a damaged one;
- `building`, `preparing`: bringing the index up to date with the library (only what
  changed), the Python part in worker processes for a big update;
- `highlights`: the annotations the caller hands over;
- `query`, `snippets`, `search`: parsing a search, marking the matches, ranking;
- `xref`, `concordance`: cross-references of a passage, occurrences of a word;
- `results`, `errors`, `cancel`: what comes back, what can go wrong, how to stop.
"""

from readertui.index.building import UpdateReport
from readertui.index.cancel import CancelToken
from readertui.index.errors import Cancelled, IndexUnavailable, QueryError
from readertui.index.library_index import LibraryIndex
from readertui.index.results import (
    Concordance,
    CrossReference,
    CrossReferences,
    Occurrence,
    PassageRef,
    Place,
    SearchHit,
)
from readertui.index.snippets import Snippet

__all__ = [
    "CancelToken",
    "Cancelled",
    "Concordance",
    "CrossReference",
    "CrossReferences",
    "IndexUnavailable",
    "LibraryIndex",
    "Occurrence",
    "PassageRef",
    "Place",
    "QueryError",
    "SearchHit",
    "Snippet",
    "UpdateReport",
]
