"""How a passage is scored by the full-text index: the FTS5 row it is indexed as, and the
MATCH expressions that ask that index.

BM25 divides a passage's matches by its length, which makes a 7-word heading or a caption
that names a thing twice outrank the paragraphs that say something about it. Two rules
keep the ranking on what was said:

- *a length floor*: no passage is scored as shorter than MIN_SCORED_WORDS words (a short
  one is indexed with filler words in a `pad` column no search looks in, but which BM25
  counts in the passage's length);
- *labels*: a short passage that does not end a sentence (a heading, a caption, a byline,
  a "Continue reading …" link) is indexed in a `label` column whose matches count
  LABEL_WEIGHT of a paragraph's. A label is still found, after the paragraphs.

Every search, phrase and concordance lookup goes through `in_passages`, which keeps it to
the `text` and `label` columns. A row is a pure function of the passage's text, so the row
to delete from the (contentless) index can always be made again from the stored text.
"""

from __future__ import annotations

import re
from itertools import islice

from readertui.index.words import TERM

#: No passage is scored as shorter than this many words.
MIN_SCORED_WORDS = 20
#: How much a word in a label (heading, caption) counts against one in a paragraph.
LABEL_WEIGHT = 0.25
#: The FTS5 ranking: BM25 with the weights of the columns text, label and pad.
RANK = f"bm25(1.0, {LABEL_WEIGHT}, 0.0)"
#: The columns searches look in.
_SEARCHED = "{text label}"
# The filler word: any word would do, since no search looks in the pad column.
_PAD_WORD = "0"
# A passage ending like this ends a sentence (a quotation or bracket may close after it).
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*\Z")

IndexedRow = tuple[str, str, str]


def indexed_row(text: str) -> IndexedRow:
    """The (text, label, pad) columns the passage `text` is indexed as."""
    words = sum(1 for _ in islice(TERM.finditer(text), MIN_SCORED_WORDS))
    if words >= MIN_SCORED_WORDS:
        return text, "", ""
    pad = " ".join([_PAD_WORD] * (MIN_SCORED_WORDS - words))
    if _SENTENCE_END.search(text):
        return text, "", pad
    return "", text, pad


def in_passages(expression: str) -> str:
    """The FTS5 MATCH `expression` kept to the columns that hold the passages' words."""
    return f"{_SEARCHED} : ({expression})"
