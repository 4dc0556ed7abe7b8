"""Hand-made cases for the quote locator: a text, a quote with its context, and where it
must land.

Each text is written with markers that are taken out before the search: ⟦ and ⟧ around the
span the quote must land on (no markers: it must be an orphan), ‸ where the hint points, ⁑
where the quote's stored start is (as an annotation's offsets). Texts are made-up prose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SPAN_START, SPAN_END, HINT, START = "⟦", "⟧", "‸", "⁑"

# Paragraphs of filler, all different, to keep copies of a passage far apart.
HARBOUR = (
    "The harbour master kept a ledger of every boat that came in after dark, and on the "
    "night of the storm he wrote nothing at all. His daughter found the page blank in the "
    "morning and asked him why; he said the lamps had failed and he could not see the "
    "water.\n\n"
)
ORCHARD = (
    "Behind the school there was an orchard of old pear trees that nobody pruned. The "
    "children were forbidden to climb them, so of course they climbed them every day, "
    "and the headmistress pretended not to see from her window on the second floor.\n\n"
)
MARKET = (
    "On market days the square filled before sunrise with carts from the valley villages. "
    "Cheese came down from the high pastures wrapped in cloth, and the fishmongers shouted "
    "prices that changed every quarter of an hour until the church bell rang noon.\n\n"
)
WINTER = (
    "That winter the river froze so hard that a carter drove his horse across it for a "
    "wager. Half the town came out to watch him, and when he reached the far bank without "
    "falling through, the baker gave him a loaf shaped like a fish.\n\n"
)
LIBRARY = (
    "The lending library had three rooms and a reading desk by the stove. Its keeper was "
    "a retired surveyor who catalogued the books by the colour of their spines, which "
    "made perfect sense to him and none at all to anybody else who came in.\n\n"
)
FILLER = HARBOUR + ORCHARD + MARKET + WINTER + LIBRARY
# The same passage quoted in two places, each with its own surroundings.
LETTER = "we shall meet again at the bridge when the snow has gone"


@dataclass(frozen=True)
class Case:
    """One case: `text` with markers; the quote, its context and what it must become."""

    name: str
    text: str
    exact: str
    prefix: str = ""
    suffix: str = ""

    def unmarked(self) -> str:
        text = self.text
        for marker in (SPAN_START, SPAN_END, HINT, START):
            text = text.replace(marker, "")
        return text

    def offset_of(self, marker: str) -> int | None:
        """Where `marker` stands in the unmarked text, or None if it is not there."""
        at = self.text.find(marker)
        if at == -1:
            return None
        before = self.text[:at]
        for other in (SPAN_START, SPAN_END, HINT, START):
            before = before.replace(other, "")
        return len(before)

    def span(self) -> tuple[int, int] | None:
        """Where the quote must land, or None for an orphan."""
        start, end = self.offset_of(SPAN_START), self.offset_of(SPAN_END)
        return None if start is None or end is None else (start, end)


CASES: tuple[Case, ...] = (
    Case(
        "a unique quote with no context and no hint is found",
        FILLER + "He wrote that ⟦the lamps had been lit at seven⟧ and then crossed it out.\n",
        "the lamps had been lit at seven",
    ),
    Case(
        "issue 9: a 10-character context at the stored offsets is enough",
        HARBOUR + "She said that ⁑⟦the lamps had failed before midnight⟧, not after.\n" + ORCHARD,
        "the lamps had failed before midnight",
        prefix="said that ",
        suffix=", not afte",
    ),
    Case(
        "a 10-character prefix alone at the stored offsets is enough",
        HARBOUR + "She said that ⁑⟦the lamps had failed before midnight⟧, not after.\n" + ORCHARD,
        "the lamps had failed before midnight",
        prefix="said that ",
    ),
    Case(
        "a 10-character suffix alone at the stored offsets is enough",
        HARBOUR + "She said that ⁑⟦the lamps had failed before midnight⟧, not after.\n" + ORCHARD,
        "the lamps had failed before midnight",
        suffix=", not afte",
    ),
    Case(
        "a 10-character context picks the second of two copies",
        HARBOUR
        + f"In March she wrote: {LETTER}. Nobody answered.\n\n"
        + MARKET
        + f"In April he wrote: ⟦{LETTER}⟧. Then he left.\n\n"
        + WINTER,
        LETTER,
        prefix=" he wrote: ",
        suffix=". Then he ",
    ),
    Case(
        "a prefix of six characters alone picks the copy",
        HARBOUR + f"March: {LETTER}.\n\n" + MARKET + f"April: ⟦{LETTER}⟧.\n\n" + WINTER,
        LETTER,
        prefix="April: ",
    ),
    Case(
        "a suffix alone picks the copy",
        HARBOUR + f"⟦{LETTER}⟧, she wrote.\n\n" + MARKET + f"{LETTER}, he wrote.\n\n" + WINTER,
        LETTER,
        suffix=", she wrote.",
    ),
    Case(
        "a context of 300 characters, rewritten at its far ends, still agrees",
        "A new first sentence was added here. "
        + HARBOUR[40:]
        + ORCHARD[:-2]
        + " ⟦The square was empty⟧ "
        + MARKET[:180]
        + "and the rest of this paragraph was rewritten.\n",
        "The square was empty",
        prefix=HARBOUR[-60:] + ORCHARD[:-2] + " ",
        suffix=" " + MARKET[:300],
    ),
    Case(
        "two letters swapped in the quote",
        FILLER + "He wrote that ⟦the lamps had been lit at seven⟧ and then crossed it out.\n",
        "the lmaps had been lit at seven",
        prefix="He wrote that ",
        suffix=" and then crossed",
    ),
    Case(
        "a letter missing from a long quote with no context",
        FILLER + "He wrote that ⟦the lamps had been lit at seven that night⟧ and left.\n",
        "the lamps had ben lit at seven that night",
    ),
    Case(
        "a letter missing from a short quote with no context: orphan (a look-alike)",
        FILLER + "He wrote that the lamps had been lit at seven and then crossed it out.\n",
        "the lamps had ben lit",
    ),
    Case(
        "typos in the context still tell two copies apart",
        HARBOUR
        + f"In March she wrote: {LETTER}. Nobody answered.\n\n"
        + MARKET
        + f"In April he wrote: ⟦{LETTER}⟧. Then he left.\n\n"
        + WINTER,
        LETTER,
        prefix="In Arpil he wrtoe: ",
        suffix=". Then he lfet.",
    ),
    Case(
        "identical copies in identical contexts: the hint decides",
        HARBOUR
        + f"The note said: {LETTER}. That was all.\n\n"
        + ORCHARD
        + MARKET
        + WINTER
        + f"The note said: ‸⟦{LETTER}⟧. That was all.\n\n"
        + LIBRARY,
        LETTER,
        prefix="The note said: ",
        suffix=". That was all.",
    ),
    Case(
        "identical copies in identical contexts, no hint: orphan",
        HARBOUR
        + f"The note said: {LETTER}. That was all.\n\n"
        + ORCHARD
        + MARKET
        + f"The note said: {LETTER}. That was all.\n\n"
        + LIBRARY,
        LETTER,
        prefix="The note said: ",
        suffix=". That was all.",
    ),
    Case(
        "identical copies in identical contexts, the hint midway: orphan",
        f"The note said: {LETTER}. That was all.\n\n"
        + ORCHARD
        + "‸"
        + ORCHARD.upper()
        + f"The note said: {LETTER}. That was all.\n\n",
        LETTER,
        prefix="The note said: ",
        suffix=". That was all.",
    ),
    Case(
        "the hint points at one copy, the context clearly at the other",
        HARBOUR
        + f"In March she wrote: ‸{LETTER}. Nobody answered.\n\n"
        + MARKET
        + f"In April he wrote: ⟦{LETTER}⟧. Then he left.\n\n"
        + WINTER,
        LETTER,
        prefix="In April he wrote: ",
        suffix=". Then he left.",
    ),
    Case(
        "CRLF line ends in the quote, LF in the text",
        HARBOUR + "The list read:\n⟦bread and salt\nlamp oil\nrope⟧\nand nothing more.\n",
        "bread and salt\r\nlamp oil\r\nrope",
        prefix="The list read:\r\n",
        suffix="\r\nand nothing more.",
    ),
    Case(
        "LF line ends in the quote, CRLF in the text",
        HARBOUR.replace("\n", "\r\n")
        + "The list read:\r\n⟦bread and salt\r\nlamp oil\r\nrope⟧\r\nand nothing more.\r\n",
        "bread and salt\nlamp oil\nrope",
        prefix="The list read:\n",
        suffix="\nand nothing more.",
    ),
    Case(
        "straight quotes in the quote, curly ones in the text",
        HARBOUR + "He said, ⟦“Don’t wait for me,” and went out⟧ into the rain.\n" + ORCHARD,
        '"Don\'t wait for me," and went out',
        prefix="He said, ",
        suffix=" into the rain.",
    ),
    Case(
        "curly quotes in the quote, straight ones in the text",
        HARBOUR + 'He said, ⟦"Don\'t wait for me," and went out⟧ into the rain.\n' + ORCHARD,
        "“Don’t wait for me,” and went out",
        prefix="He said, ",
        suffix=" into the rain.",
    ),
    Case(
        "an en dash in the quote, a hyphen in the text",
        MARKET + "The fair ran ⟦from 1850-1852 without a break⟧ and then stopped.\n",
        "from 1850–1852 without a break",
        prefix="The fair ran ",
        suffix=" and then stopped.",
    ),
    Case(
        "a hyphen in the quote, an em dash in the text",
        MARKET + "He stopped ⟦at the gate—the gate was locked⟧ and waited.\n",
        "at the gate-the gate was locked",
        prefix="He stopped ",
        suffix=" and waited.",
    ),
    Case(
        "a quote from a reflowed page: spaces where the text breaks its lines",
        ORCHARD + "She kept the letters in a tin box under\nthe stairs, ⟦and read them again\n"
        "every winter when the river froze⟧, until\nthe ink had faded.\n",
        "and read them again every winter when the river froze",
        prefix="under the stairs, ",
        suffix=", until the ink",
    ),
    Case(
        "a short quote, no context: its line breaks are spaces in the text",
        ORCHARD + "Roses and ⟦red and white⟧ lilies grew there.\n",
        "red\nand\nwhite",
    ),
    Case(
        "a quote of punctuation mostly, every mark of another kind",
        WINTER + "He answered ⟦“Yes—no—‘perhaps’…”⟧ and left.\n" + LIBRARY,
        "\"Yes-no-'perhaps'…\"",
        prefix="answered ",
        suffix=" and left.",
    ),
    Case(
        "a no-break space in the text, a space in the quote",
        LIBRARY + "The fee was ⟦12\u00a0shillings a year⟧, paid in advance.\n",
        "12 shillings a year",
        prefix="The fee was ",
        suffix=", paid in advance.",
    ),
    Case(
        "a deleted passage is an orphan",
        FILLER + "He wrote a letter and then crossed it out.\n",
        "the lamps had been lit at seven",
        prefix="He wrote that ",
        suffix=" and then crossed",
    ),
    Case(
        "a word replaced, the same word earlier in the sentence: orphan",
        ORCHARD + "When Robin read the draft she asked Elisa to check the names.\n" + MARKET,
        "Robin",
        prefix="read the draft she asked ",
        suffix=" to check the names.",
    ),
    Case(
        "a short quote gone, a word that contains its letters: orphan",
        LIBRARY + "Our computational machines are constantly engaging in conversation.\n",
        "Linus",
        prefix="This book is dedicated to ",
        suffix=", who wrote the kernel.",
    ),
    Case(
        "a look-alike sentence, one word different, the original deleted: orphan",
        HARBOUR
        + "At dawn the fishermen mended their nets on the north quay.\n\n"
        + ORCHARD
        + LIBRARY,
        "At dawn the fishermen mended their sails on the north quay.",
        prefix=MARKET[-40:],
        suffix="\n\n" + WINTER[:30],
    ),
    Case(
        "a quote at the very start, no prefix",
        "⟦The harbour master kept a ledger⟧" + HARBOUR[32:] + ORCHARD,
        "The harbour master kept a ledger",
        suffix=HARBOUR[32:64],
    ),
    Case(
        "a quote at the very end, no suffix",
        ORCHARD + "Nobody remembers who planted ⟦the last pear tree⟧",
        "the last pear tree",
        prefix="Nobody remembers who planted ",
    ),
    Case(
        "a three-letter quote with ten characters of context",
        "He said no. She said no. " * 4
        + "Then he said ⟦yes⟧ to the offer. "
        + "She said no. He said no. " * 4,
        "yes",
        prefix="n he said ",
        suffix=" to the of",
    ),
    Case(
        "a short quote with no context: the hint decides between far-off occurrences",
        "Pierre. " + FILLER + "‸⟦Pierre⟧. " + FILLER,
        "Pierre",
    ),
    Case(
        "a short quote with no context, occurrences close together: orphan",
        FILLER + "Pierre and ‸Pierre and Pierre. " + FILLER,
        "Pierre",
    ),
    Case(
        "a copy at the stored offsets with the wrong context is not taken",
        HARBOUR
        + f"Rain again. ⁑{LETTER}. Rain.\n\n"
        + MARKET
        + f"In April he wrote: ⟦{LETTER}⟧. Then he left.\n\n",
        LETTER,
        prefix="In April he wrote: ",
        suffix=". Then he left.",
    ),
    Case(
        "a typo and a difference of kind together",
        HARBOUR + "He said, ⟦“Don’t wait for me,” and went out⟧ into the rain.\n" + ORCHARD,
        '"Don\'t wiat for me," and went out',
        prefix="He said, ",
        suffix=" into the rain.",
    ),
    Case(
        "moved far from the hint, its context intact: followed",
        "‸"
        + FILLER * 4
        + "Later she wrote: ⟦the bridge was rebuilt in stone⟧ and nobody crossed it.\n",
        "the bridge was rebuilt in stone",
        prefix="Later she wrote: ",
        suffix=" and nobody crossed it.",
    ),
    Case("an empty quote is an orphan", FILLER, "", prefix="The harbour"),
    # -- found by attacking the locator ------------------------------------------------------
    Case(
        "a copy at the stored offsets whose context half agrees loses to the original",
        "In the summary he said that ⁑the lamps had failed before midnight, and after the "
        "storm.\n\n"
        + HARBOUR
        + ORCHARD
        + "In the report she said that ⟦the lamps had failed before midnight⟧, not after the "
        "storm.\n\n" + MARKET,
        "the lamps had failed before midnight",
        prefix="In the report she said that ",
        suffix=", not after the storm.\n\n",
    ),
    Case(
        "a word with no context far from the hint: orphan, as it is nearer",
        "‸" + FILLER * 4 + "Then came Borodino.\n",
        "Borodino",
    ),
    Case(
        "a character with no context far from the hint: orphan",
        "‸" + FILLER * 10 + "See the note marked *.\n",
        "*",
    ),
    Case(
        "a word inserted before the quote, beginning with its letter, stays outside it",
        HARBOUR
        + "In April ⟦I also visited the old lending library by the stove.⟧\n\nBoth times the "
        "keeper took the" + FILLER * 5 + "‸",
        "I also visited the old lending library by the stove.",
        prefix="he water.\n\n",
        suffix="\n\nBoth times the keeper took the",
    ),
    Case(
        "two copies near the hint with no-break spaces where the quote has spaces: orphan",
        LIBRARY
        + "The fee was 12\u00a0shillings a year. Later the fee was ‸12\u00a0shillings a term.\n"
        + MARKET,
        "12 shillings",
    ),
    Case(
        "a common two-letter quote, its context common too: orphan, not a look-alike",
        "She reflects on her garden. "
        + (FILLER.replace("on the ", "at the ") * 8 + "He looked on the water. ") * 10,
        "on",
        suffix=" the ",
    ),
    Case(
        "two copies near the hint broken across lines differently: orphan",
        LIBRARY
        + "He wrote the\nlamps had failed. And ‸then he wrote the lamps\nhad failed.\n"
        + MARKET,
        "the lamps had failed",
    ),
)


# -- generated documents ------------------------------------------------------------------

_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ten",
    "vos",
    "du",
    "pel",
    "sar",
    "on",
    "ith",
    "bre",
    "gan",
    "ul",
    "mor",
    "fa",
    "zi",
    "tur",
    "hes",
    "ab",
    "quin",
    "dro",
    "lem",
    "sta",
    "ver",
    "no",
    "pa",
    "ri",
    "cus",
    "an",
    "hel",
    "tob",
    "wy",
    "jen",
    "ost",
]


def _vocabulary() -> list[str]:
    """A fixed vocabulary of made-up words, short ones much more common, as in prose."""
    rng = random.Random(0)
    words = {
        "".join(rng.choices(_SYLLABLES, k=rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))) for _ in range(900)
    }
    vocabulary = sorted(words)
    rng.shuffle(vocabulary)
    return vocabulary


VOCABULARY = _vocabulary()


def document(seed: int, sentences: int = 60) -> str:
    """Made-up prose: paragraphs of hard-wrapped lines, with curly quotes around speech,
    apostrophes and dashes of several kinds, so that texts have characters of every kind."""
    rng = random.Random(seed)
    weights = [1 / (8 + rank) for rank in range(len(VOCABULARY))]
    paragraphs: list[str] = []
    sentences_of_paragraph: list[str] = []
    for _ in range(sentences):
        words = rng.choices(VOCABULARY, weights, k=rng.randint(5, 16))
        if rng.random() < 0.15:
            at = rng.randrange(len(words))
            words[at] = words[at] + "’s"
        if rng.random() < 0.1:
            at = rng.randrange(1, len(words))
            words[at] = rng.choice(("—", "–", "-")) + words[at]
        sentence = " ".join(words)
        sentence = sentence[0].upper() + sentence[1:] + rng.choice(".,;!?.")
        if rng.random() < 0.2:
            sentence = f"“{sentence}”"
        sentences_of_paragraph.append(sentence)
        if rng.random() < 0.25:
            paragraphs.append(_wrap(" ".join(sentences_of_paragraph)))
            sentences_of_paragraph = []
    paragraphs.append(_wrap(" ".join(sentences_of_paragraph)))
    return "\n\n".join(paragraphs) + "\n"


def _wrap(line: str, width: int = 72) -> str:
    lines: list[str] = []
    current = ""
    for word in line.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return "\n".join([*lines, current])
