"""Offline theme detection in Dutch, French and English free text (issue 13, item 1).

`detect(text, language)` says which themes of the taxonomy (service/surveys/themes.py) a
leaver raises, with the words that fired, and the answer's sentiment. Nothing leaves the
server: a lexicon per language (service/insights/lexicon/<language>.toml) matched on Snowball
stems, Dutch compound heads and tails, and a few rules that read the clause around a match:

- A theme is tagged when the text raises it as a concern or a reason for leaving. A topic
  only praised ("super ploeg") or dismissed ("pay was fine", "geen probleem met mijn
  manager", "le salaire n'était pas le problème") is not tagged: the taxonomy counts reasons,
  and praise shows in the sentiment instead. A comparative ("beter betaald", "a better
  package", "mieux payé ailleurs") makes a praised topic a reason again.
- Negation does not untag: "niet tevreden over mijn loon" is about pay. It flips the tone of
  the words it governs ("pas satisfaite", "da was ni ok", "not bad").
- A clause ends at punctuation and at contrast words ("maar", "mais", "but"), so mixed
  praise and complaint are told apart; a dismissal clause without a topic of its own
  ("..., daar lag het niet aan") dismisses the clause before it.
- `other` is tagged only when no theme is, for a reason the lexicon knows to be outside the
  taxonomy (moving, studies, health, retirement, a career change). A statement the lexicon
  cannot place gets no theme rather than a guessed `other`: on the labelled set, guessing
  turned complaints in words the lexicon lacks into wrong `other` tags. Praise alone,
  "nothing to add" and dismissals alone get no theme.

A tenant's own themes (key → keywords in the text's language, the lexicon's syntax) are
matched beside the default ones through `extra_themes`.
"""

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from service.insights.text import Analyser, Token
from service.insights.vocabulary import Match, Vocabulary
from service.surveys.themes import THEME_KEYS

LANGUAGES = ("nl", "fr", "en")
POSITIVE, NEUTRAL, NEGATIVE = "positive", "neutral", "negative"
OTHER = "other"

# How far back a negator reaches: "didn't even get a thank you".
_NEGATION_REACH = 4
_INTENSIFIER_REACH = 2
_INTENSITY = 1.5
# A negated complaint ("not bad") is milder praise than the complaint was a complaint.
_NEGATED_NEGATIVE = 0.5
# Each clause raising a theme weighs as much as one complaint word in the answer's tone.
_CONCERN = 1.0
_BACK_REACH = 2
# "..., maar eerlijk": a clause this short, praising and naming nothing, concedes.
_CONCESSION_WORDS = 3


@dataclass(frozen=True, slots=True)
class Evidence:
    """Words that fired, as written: text[start:end]."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ThemeHit:
    key: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Detection:
    themes: tuple[ThemeHit, ...]
    sentiment: str

    @property
    def keys(self) -> list[str]:
        return [hit.key for hit in self.themes]


class _Language:
    """One language's analyser and compiled lexicon, built once per process."""

    def __init__(self, language: str) -> None:
        data = tomllib.loads(
            resources.files("service.insights").joinpath(f"lexicon/{language}.toml").read_text()
        )
        self.analyser = Analyser(language)
        cues = data["cues"]
        self.breaks = frozenset(cues["breaks"])
        self.cues = self._vocabulary(
            (label, cues[label]) for label in ("negator", "intensifier", "dismissal", "reason")
        )
        self.sentiment = self._vocabulary(data["sentiment"].items())
        unknown = set(data["themes"]) - set(THEME_KEYS)
        if unknown:
            raise ValueError(f"{language} lexicon: themes outside the taxonomy: {unknown}")
        self.themes = self._vocabulary(data["themes"].items())

    def _vocabulary(self, lists: Iterable[tuple[str, list[str]]]) -> Vocabulary:
        return Vocabulary(
            self.analyser, ((entry, label) for label, entries in lists for entry in entries)
        )


@cache
def _language(language: str) -> _Language:
    return _Language(language)


@lru_cache(maxsize=256)
def _tenant_vocabulary(language: str, themes: tuple[tuple[str, tuple[str, ...]], ...]):
    return Vocabulary(
        _language(language).analyser,
        ((keyword, key) for key, keywords in themes for keyword in keywords),
    )


def detect(
    text: str, language: str, extra_themes: Mapping[str, Iterable[str]] | None = None
) -> Detection:
    """The themes `text` raises, each with its evidence, and the text's sentiment.

    `extra_themes`: a tenant's own themes, key → keywords in `language` (compiled once per
    distinct set). Raises ValueError for a language other than nl, fr, en, and for a
    keyword without a word in it.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language!r} (expected one of nl, fr, en)")
    lang = _language(language)
    tokens = lang.analyser.tokens(text, lang.breaks)
    matches = lang.themes.matches(tokens)
    if extra_themes:
        vocabulary = _tenant_vocabulary(
            language, tuple(sorted((key, tuple(words)) for key, words in extra_themes.items()))
        )
        matches += vocabulary.matches(tokens)
    reading = _Reading(tokens, lang.cues.matches(tokens), matches)
    reading.score(lang.sentiment.matches(tokens, reading.claimed))
    kept = [m for m in matches if m.label != OTHER and reading.raises(tokens[m.first].clause)]
    if not kept:
        # A reason outside the taxonomy is no complaint: "je voulais juste autre chose".
        kept = [
            m
            for m in matches
            if m.label == OTHER and tokens[m.first].clause not in reading.dismissed
        ]
    concerns = {tokens[m.first].clause for m in kept if m.label != OTHER}
    return Detection(themes=_hits(text, tokens, kept), sentiment=reading.sentiment(concerns))


class _Reading:
    """Per clause: its tone, whether it dismisses a topic, whether it gives a reason."""

    def __init__(self, tokens: list[Token], cues: list[Match], topics: list[Match]) -> None:
        self.tokens = tokens
        self.clauses = tokens[-1].clause + 1 if tokens else 0
        self.topical = {tokens[m.first].clause for m in topics if m.label != OTHER}
        self.tone = [0.0] * self.clauses
        self.negators = {m.first for m in cues if m.label == "negator"}
        self.intensifiers = [m.last for m in cues if m.label == "intensifier"]
        self.dismissed = {tokens[m.first].clause for m in cues if m.label == "dismissal"}
        self.reasons = {tokens[m.first].clause for m in cues if m.label == "reason"}
        # Dismissal phrases carry their own negation ("geen probleem") and a theme phrase its
        # own meaning ("appris par une collègue"): their words are neither negators nor tone.
        phrases = [m for m in cues if m.label == "dismissal"] + [
            m for m in topics if m.last > m.first
        ]
        self.claimed = frozenset(i for m in phrases for i in range(m.first, m.last + 1))

    def _dismiss_backwards(self, clauses: set[int]) -> None:
        """A clause without a topic of its own that dismisses ("..., daar lag het niet aan")
        or concedes ("streng, maar eerlijk") does so for the topic just before it."""
        for clause in sorted(clauses - self.topical):
            earlier = [c for c in self.topical if clause - _BACK_REACH <= c < clause]
            if earlier:
                self.dismissed.add(max(earlier))

    def score(self, words: list[Match]) -> None:
        """Add up each clause's tone, then let dismissals and concessions reach back."""
        for m in words:
            clause = self.tokens[m.first].clause
            value = 1.0 if m.label == "positive" else -1.0
            if any(self._near(i, m.first, _INTENSIFIER_REACH) for i in self.intensifiers):
                value *= _INTENSITY
            if self._negated(m):
                value = -value * (_NEGATED_NEGATIVE if value < 0 else 1.0)
            self.tone[clause] += value
        concessions = {
            c
            for c in range(self.clauses)
            if self.tone[c] > 0 and sum(t.clause == c for t in self.tokens) <= _CONCESSION_WORDS
        }
        self._dismiss_backwards(self.dismissed | concessions)

    def _negated(self, m: Match) -> bool:
        """Negated by a negator shortly before; a negator itself ("jamais", "nobody") is
        one negation with the "ne" before it, not a double one."""
        if any(i in self.negators for i in range(m.first, m.last + 1)):
            return False
        return any(
            self._near(i, m.first, _NEGATION_REACH) and i not in self.claimed for i in self.negators
        )

    def _near(self, i: int, first: int, reach: int) -> bool:
        return 0 < first - i <= reach and self.tokens[i].clause == self.tokens[first].clause

    def raises(self, clause: int) -> bool:
        """Whether a theme named in this clause is raised as a concern or a reason."""
        if clause in self.dismissed:
            return False
        return self.tone[clause] <= 0 or clause in self.reasons

    def sentiment(self, concerns: set[int]) -> str:
        total = sum(self.tone) - _CONCERN * len(concerns)
        if total > 0:
            return POSITIVE
        if total < 0:
            return NEGATIVE
        return NEUTRAL


def _hits(text: str, tokens: list[Token], kept: list[Match]) -> tuple[ThemeHit, ...]:
    evidence: dict[str, list[Evidence]] = {}
    for m in kept:
        start, end = tokens[m.first].start, tokens[m.last].end
        found = evidence.setdefault(m.label, [])
        if all(e.start != start for e in found):
            found.append(Evidence(text[start:end], start, end))
    order = {key: n for n, key in enumerate(THEME_KEYS)}
    return tuple(
        ThemeHit(key, tuple(found))
        for key, found in sorted(evidence.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    )
