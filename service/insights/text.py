"""Free text cut into tokens that keep their place in the original, for matching and for "why".

Matching works on a normalised form (lower case, accents stripped, Snowball stem), so that
"Salaire", "salaires" and "salairé" meet one lexicon entry; the span points back into the
text as the leaver wrote it, so HR reads the words that fired, typos and all.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# Snowball's algorithm per supported language (the app's nl/fr/en). Dutch takes the older
# Porter-style algorithm: the newer one strips "ge-" and so merges "gezin" with "zin" and
# "gezondheid" with "zon", which tags themes on words that have nothing to do with them.
STEMMERS = {"nl": "dutch_porter", "fr": "french", "en": "english"}

# Letters and digits; an apostrophe splits ("n'était" → "n", "était"; "wasn't" → "wasn", "t")
# so that elided negations stay tokens of their own.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A clause ends at punctuation; contrast words ("maar", "mais", "but") end one too, and are
# listed per language in the lexicon.
_CLAUSE_BREAK = re.compile(r"[.!?;,:()\n\u2026]|\s[-\u2013\u2014]\s")


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    norm: str  # lower case, no accents
    stem: str  # Snowball stem of the lower-cased word, accents stripped afterwards
    clause: int


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Analyser:
    """Tokens of one language; stems are memoised (leavers reuse the same few thousand words)."""

    def __init__(self, language: str) -> None:
        self._stemmer = Stemmer.Stemmer(STEMMERS[language])
        self._stem = lru_cache(maxsize=50_000)(self._stem_uncached)

    def _stem_uncached(self, lower: str) -> tuple[str, str]:
        return strip_accents(lower), strip_accents(self._stemmer.stemWord(lower))

    def words(self, phrase: str) -> tuple[str, ...]:
        """The stems of a lexicon entry, the way tokens of a text are stemmed."""
        return tuple(self._stem(m.group().lower())[1] for m in _WORD.finditer(phrase))

    def tokens(self, text: str, breaks: frozenset[str]) -> list[Token]:
        """The text's tokens; a clause number that grows at punctuation and at `breaks`."""
        tokens: list[Token] = []
        clause, position = 0, 0
        for match in _WORD.finditer(text):
            if _CLAUSE_BREAK.search(text, position, match.start()):
                clause += 1
            position = match.end()
            norm, stem = self._stem(match.group().lower())
            if norm in breaks:
                clause += 1
            tokens.append(Token(match.start(), match.end(), norm, stem, clause))
        return tokens
