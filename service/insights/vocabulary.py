"""Lexicon entries compiled for matching, and the matcher (longest entry wins, left to right).

An entry is written the way a person would type it, in one of four forms:

- ``"loon"``: a word, matched on its Snowball stem (so "lonen" and "loon" meet);
- ``"te weinig personeel"``: a phrase, its words' stems in a row;
- ``"loon-"``: the head of a compound, matched at a word's start ("loonsverhoging",
  "loonbrief"), so that Dutch compounds need not be listed one by one;
- ``"-druk"``: the tail of a compound, matched at a word's end ("werkdruk", "tijdsdruk";
  also after the stem drops an inflection: "personeelstekorten" ends in "-tekort").
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.insights.text import Analyser, Token, strip_accents

# A compound part must leave at least this much of the word to its other side (or nothing:
# the part alone is the word), so that "-druk" does not fire on "druk" inside "drukker".
_MIN_REST = 3


@dataclass(frozen=True, slots=True)
class Match:
    label: str
    first: int  # index of the first token
    last: int  # index of the last token


class Vocabulary:
    def __init__(self, analyser: Analyser, entries: Iterable[tuple[str, str]]) -> None:
        """`entries`: (entry, label) pairs; one entry with two labels is refused (ambiguous)."""
        self._words: dict[str, str] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._heads: dict[str, str] = {}
        self._tails: dict[str, str] = {}
        for entry, label in entries:
            self._add(analyser, entry.strip(), label)
        for candidates in self._phrases.values():
            candidates.sort(key=lambda pair: -len(pair[0]))
        self._head_sizes = sorted({len(head) for head in self._heads}, reverse=True)
        self._tail_sizes = sorted({len(tail) for tail in self._tails}, reverse=True)

    def _add(self, analyser: Analyser, entry: str, label: str) -> None:
        if entry.endswith("-") or entry.startswith("-"):
            table = self._heads if entry.endswith("-") else self._tails
            part = strip_accents(entry.strip("-").lower())
            _put(table, part, label, entry)
            return
        stems = analyser.words(entry)
        if not stems:
            raise ValueError(f"lexicon entry without a word: {entry!r}")
        if len(stems) == 1:
            _put(self._words, stems[0], label, entry)
            return
        candidates = self._phrases.setdefault(stems[0], [])
        if any(existing == stems and other != label for existing, other in candidates):
            raise ValueError(f"lexicon entry with two labels: {entry!r}")
        candidates.append((stems, label))

    def matches(self, tokens: Sequence[Token], skip: frozenset[int] = frozenset()) -> list[Match]:
        """Non-overlapping matches, left to right; a phrase beats a word, a word beats a part.

        Tokens in `skip` (already claimed by another reading) never match.
        """
        found: list[Match] = []
        i, count = 0, len(tokens)
        while i < count:
            if i in skip:
                i += 1
                continue
            match = self._phrase_at(tokens, i, skip) or self._word_at(tokens, i)
            if match:
                found.append(match)
                i = match.last + 1
            else:
                i += 1
        return found

    def _phrase_at(self, tokens: Sequence[Token], i: int, skip: frozenset[int]) -> Match | None:
        for stems, label in self._phrases.get(tokens[i].stem, ()):
            last = i + len(stems) - 1
            if last < len(tokens) and all(
                tokens[i + k].stem == stem and i + k not in skip for k, stem in enumerate(stems)
            ):
                return Match(label, i, last)
        return None

    def _word_at(self, tokens: Sequence[Token], i: int) -> Match | None:
        token = tokens[i]
        label = self._words.get(token.stem) or self._part(token)
        return Match(label, i, i) if label else None

    def _part(self, token: Token) -> str | None:
        """The label of the longest compound head or tail the token carries."""
        best, best_size = None, 0
        norm = token.norm
        for size in self._head_sizes:
            if size <= best_size:
                break
            if _fits(len(norm), size) and (label := self._heads.get(norm[:size])):
                best, best_size = label, size
                break
        for size in self._tail_sizes:
            if size <= best_size:
                break
            for form in (norm, token.stem):
                if _fits(len(form), size) and (label := self._tails.get(form[-size:])):
                    return label
        return best


def _fits(word_size: int, part_size: int) -> bool:
    return word_size == part_size or word_size >= part_size + _MIN_REST


def _put(table: dict[str, str], key: str, label: str, entry: str) -> None:
    if table.get(key, label) != label:
        raise ValueError(f"lexicon entry with two labels: {entry!r} ({table[key]}, {label})")
    table[key] = label
