"""How a passage is scored by the full-text index: the FTS5 row it is indexed as.

BM25 divides a passage's matches by its length, which makes a 7-word heading or a caption
that names a thing twice outrank the paragraphs that say something about it. Two rules
keep the ranking on what was said:

- *a length floor*: no passage is scored as shorter than MIN_SCORED_WORDS words (a short
  one is indexed with filler words, which BM25 counts in the passage's length and no
  search can name, in its `label` column);
- *labels*: a short passage that does not end a sentence (a heading, a caption, a byline,
  a "Continue reading …" link), or one line printed twice or more (a caption under an
  image that also gave its text as the image's description), is indexed in a `label`
  column whose matches count LABEL_WEIGHT of a paragraph's. A label is still found, after
  the paragraphs.

A row is a pure function of the passage's text, so the row to delete from the (contentless)
index can always be made again from the stored text; changing these rules changes the
index, so it needs a new SCHEMA_VERSION.
"""

from __future__ import annotations

import re
from itertools import islice

from readertui.index.words import TERM

#: No passage is scored as shorter than this many words.
MIN_SCORED_WORDS = 20
#: How much a word in a label (heading, caption) counts against one in a paragraph.
LABEL_WEIGHT = 0.25
#: The FTS5 ranking: BM25 with the weights of the columns text and label.
RANK = f"bm25(1.0, {LABEL_WEIGHT})"
# Characters in which most passages have MIN_SCORED_WORDS words.
_ENOUGH_CHARS = 200
# The filler word: a private-use character, which FTS5's unicode61 tokenizer takes for a
# letter and the queries' words (`readertui.index.words.terms`: letters and digits only)
# never hold, so no search matches it, and no column filter (which costs every query a
# look at the words' places) is needed.
_PAD_WORD = "\ue000"
# A passage ending like this ends a sentence (a quotation or bracket may close after it).
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*\Z")

IndexedRow = tuple[str, str]


def indexed_row(text: str) -> IndexedRow:
    """The (text, label) columns the passage `text` is indexed as."""
    # Counted in the first few hundred characters first: enough words for most passages, and
    # never more than the whole text has (a word cut at the end still counts as one).
    words = len(TERM.findall(text, 0, _ENOUGH_CHARS))
    if words < MIN_SCORED_WORDS and len(text) > _ENOUGH_CHARS:
        words = sum(1 for _ in islice(TERM.finditer(text), MIN_SCORED_WORDS))
    # The filler goes in the label column: it matches no search, so it only lengthens.
    pad = " ".join([_PAD_WORD] * (MIN_SCORED_WORDS - words))
    if _repeats_one_line(text) or (words < MIN_SCORED_WORDS and not _SENTENCE_END.search(text)):
        return "", f"{text} {pad}" if pad else text
    return text, pad


def _repeats_one_line(text: str) -> bool:
    first = text.find("\n")
    if first == -1:
        return False
    line = text[:first].strip()
    return all(other.strip() == line for other in text[first + 1 :].split("\n"))
