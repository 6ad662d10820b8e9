"""Demo answers that read like a leaver wrote them.

The fragments are data (service/surveys/demo_corpus/*.toml: common.toml explains the shape);
this module combines them into whole answers for one leaver: what made them leave (one or
two themes), what they only mention to dismiss, what they liked, what they would change,
in their language, short or long, sometimes with the slips of someone typing on a phone.
Combining fragments, rather than picking one of a few sentences, is what lets several
hundred answers per client feel distinct. `VOICES` says which themes each demo client's
departments leave over, so that the answers hold patterns to find.

Only the demo (responses, drafts, interviews) and bench/survey_submit.py use it:
deterministic for a given `random.Random`, no database.
"""

import datetime as dt
import functools
import random
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from service.surveys.document import Question, Questionnaire, QuestionRole, QuestionType
from service.surveys.themes import THEME_KEYS

_FOLDER = "demo_corpus"
_COMMON = "common"


@dataclass(frozen=True)
class Leaver:
    """What one demo leaver thinks: the themes that made them leave (the first one most),
    the themes they liked, and how sour they are overall (0 bitter … 1 fond)."""

    language: str
    reasons: tuple[str, ...]
    liked: tuple[str, ...]
    mood: float


def _merge(into: dict, more: dict) -> None:
    for key, value in more.items():
        if isinstance(value, dict):
            _merge(into.setdefault(key, {}), value)
        elif isinstance(value, list):
            into[key] = [*into.get(key, []), *value]
        else:
            into[key] = value


@functools.cache
def corpus(sector: str) -> dict[str, dict[str, Any]]:
    """Language → fragments for a sector: common.toml joined with the sector's file (a
    sector without a file gets the common fragments only)."""
    folder = resources.files(__package__).joinpath(_FOLDER)
    merged: dict[str, Any] = {}
    for name in (_COMMON, sector):
        entry = folder.joinpath(f"{name}.toml")
        if entry.is_file():
            _merge(merged, tomllib.loads(entry.read_text(encoding="utf-8")))
    return merged


def _pick(rng: random.Random, fragments: dict, *themes: str) -> str | None:
    """One fragment of the first theme that has any (None when none has)."""
    for theme in themes:
        if fragments.get(theme):
            return rng.choice(fragments[theme])
    return None


def roughen(text: str, rng: random.Random) -> str:
    """Some of the slips of quick typing: no capital, no final stop, a double space, two
    letters swapped in one word. Most answers stay as written."""
    if rng.random() < 0.15 and text[:1].isupper() and text[1:2].islower():
        text = text[0].lower() + text[1:]
    if rng.random() < 0.2 and text.endswith("."):
        text = text[:-1]
    if rng.random() < 0.05:
        text = text.replace(". ", ".  ", 1)
    if rng.random() < 0.1:
        words = text.split(" ")
        long_words = [i for i, word in enumerate(words) if len(word) > 5 and word.isalpha()]
        if long_words:
            i = rng.choice(long_words)
            word, at = words[i], rng.randrange(1, len(words[i]) - 2)
            words[i] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
            text = " ".join(words)
    return text


def why_leaving(rng: random.Random, sector: str, leaver: Leaver) -> str:
    """The leaver's own words on why they leave: a terse phrase, or sentences on their
    reasons with, now and then, a theme waved away, some praise and a closing word."""
    words = corpus(sector)[leaver.language]
    if words.get("foreign") and rng.random() < 0.04:
        return rng.choice(words["foreign"])
    main = leaver.reasons[0]
    if rng.random() < 0.2:
        short = _pick(rng, words.get("short", {}), main, "other")
        if short:
            return roughen(short, rng)
    parts = []
    if rng.random() < 0.3:
        parts.append(rng.choice(words["openers"]))
    reasons = words["reasons"]
    first = _pick(rng, reasons, main, "other")
    parts.append(first)
    if rng.random() < 0.35:  # a second sentence on the same theme
        again = _pick(rng, reasons, main)
        if again and again != first:
            parts.append(again)
    for theme in leaver.reasons[1:]:
        parts.append(_pick(rng, reasons, theme, main))
    dismissed = [t for t in words.get("dismissed", {}) if t not in leaver.reasons]
    if dismissed and rng.random() < 0.35:
        parts.insert(
            rng.randrange(1, len(parts) + 1), _pick(rng, words["dismissed"], rng.choice(dismissed))
        )
    if leaver.liked and rng.random() < 0.4:
        praise = _pick(rng, words.get("praise", {}), *leaver.liked)
        if praise:
            parts.append(praise)
    if rng.random() < 0.25 + 0.3 * leaver.mood:
        parts.append(rng.choice(words["closers"]))
    return roughen(" ".join(dict.fromkeys(p for p in parts if p)), rng)


def improve(rng: random.Random, sector: str, leaver: Leaver) -> str:
    """What they would change: one or two suggestions on their reasons, sometimes praise."""
    words = corpus(sector)[leaver.language]
    improve = words.get("improve", {})
    parts = [_pick(rng, improve, leaver.reasons[0], "other")]
    if len(leaver.reasons) > 1 and rng.random() < 0.6:
        parts.append(_pick(rng, improve, leaver.reasons[1]))
    elif rng.random() < 0.3:
        parts.append(_pick(rng, improve, rng.choice(list(improve))))
    if leaver.liked and rng.random() < 0.2:
        parts.append(_pick(rng, words.get("praise", {}), *leaver.liked))
    return roughen(" ".join(dict.fromkeys(p for p in parts if p)), rng)


def keep_you(rng: random.Random, sector: str, leaver: Leaver) -> str:
    """What would have kept them: about their main reason, or (often) nothing at all."""
    keep = corpus(sector)[leaver.language].get("keep_you", {})
    if rng.random() < 0.3:
        return roughen(rng.choice(keep["any"]), rng)
    return roughen(_pick(rng, keep, *leaver.reasons, "any"), rng)


def decline_reason(rng: random.Random, sector: str, language: str) -> str:
    return rng.choice(corpus(sector)[language]["decline"]["reasons"])


def interview_notes(rng: random.Random, sector: str, language: str, count: int = 3) -> str:
    lines = corpus(sector)[language]["notes"]["lines"]
    return "\n".join(f"- {line}" for line in rng.sample(lines, min(count, len(lines))))


# --- who says what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """What the leavers of one department (at one location, or anywhere) say: the themes
    that made them leave (weights), those they praise, and their mood (a beta
    distribution's a and b: (2, 5) sour, (4, 2) fond)."""

    reasons: dict[str, int]
    liked: tuple[str, ...]
    mood: tuple[float, float] = (2.5, 2.5)


VOICES = {
    "het-anker": {
        ("Keuken", None): Voice(
            {"workload": 6, "flexibility": 5, "management": 3, "conditions": 2,
             "compensation": 1, "other": 1},
            ("team", "culture", "training"),
            (2.6, 2.9),
        ),
        ("Zaal", None): Voice(
            {"flexibility": 3, "compensation": 3, "team": 2, "workload": 2, "other": 3,
             "growth": 1},
            ("team", "culture", "management"),
            (3.4, 2.3),
        ),
        ("Bar", None): Voice(
            {"workload": 3, "compensation": 3, "recognition": 2, "other": 1}, ("team", "culture"),
            (3.2, 2.4),
        ),
        ("Administratie", None): Voice(
            {"other": 3, "communication": 1}, ("culture", "management"), (4, 2)
        ),
    },
    "maison-lumiere": {
        ("Ventes", "Liège Vinâve"): Voice(
            {"management": 7, "recognition": 5, "flexibility": 1, "workload": 1},
            ("team", "culture"),
            (2.8, 2.9),
        ),
        ("Ventes", None): Voice(
            {"flexibility": 4, "compensation": 3, "growth": 2, "workload": 2, "other": 2,
             "conditions": 1},
            ("team", "culture", "management"),
            (3.8, 2),
        ),
        ("Logistique", None): Voice(
            {"conditions": 3, "workload": 3, "compensation": 2, "communication": 1},
            ("team",),
            (3, 2.4),
        ),
        ("Marketing", None): Voice({"communication": 2, "growth": 2}, ("culture", "team"),
                                   (3.5, 2.5)),
        ("RH", None): Voice({"other": 1}, ("culture", "team"), (4, 2)),
    },
    "codeway": {
        ("Engineering", None): Voice(
            {"growth": 7, "compensation": 6, "conditions": 2, "management": 1,
             "flexibility": 1, "communication": 1, "role_fit": 1},
            ("team", "team", "team", "culture", "training"),  # colleagues, above all
            (3.8, 2.4),
        ),
        ("Support", None): Voice(
            {"workload": 4, "recognition": 3, "growth": 2, "other": 1}, ("team", "culture"),
            (3, 2.5),
        ),
        ("Sales", None): Voice(
            {"compensation": 3, "management": 3, "communication": 1, "other": 1},
            ("culture", "team"),
            (5, 2.3),
        ),
        ("People", None): Voice({"other": 2, "growth": 1}, ("culture", "team"), (4, 2)),
    },
    # Het Anker's sector peers, for the agency benchmark: De Zwaan's staff leave over its
    # managers, Bistro Margot's over pay, Hotel Scheldezicht's housekeeping over the work.
    "de-zwaan": {
        ("Keuken", None): Voice(
            {"management": 7, "workload": 3, "flexibility": 2, "other": 1},
            ("team", "training"),
            (2.4, 3),
        ),
        ("Zaal", None): Voice(
            {"management": 5, "recognition": 3, "flexibility": 2, "compensation": 1,
             "other": 2},
            ("team", "culture"),
            (2.8, 2.6),
        ),
        ("Bar", None): Voice({"management": 3, "workload": 2, "other": 1}, ("team",), (3, 2.5)),
    },
    "bistro-margot": {
        ("Keuken", None): Voice(
            {"compensation": 6, "workload": 3, "conditions": 2, "other": 1},
            ("team", "management", "culture"),
            (3.4, 2.4),
        ),
        ("Zaal", None): Voice(
            {"compensation": 7, "flexibility": 3, "growth": 2, "other": 2},
            ("team", "management", "culture"),
            (3.6, 2.2),
        ),
    },
    "scheldezicht": {
        ("Housekeeping", None): Voice(
            {"workload": 7, "conditions": 5, "recognition": 3, "compensation": 2},
            ("team",),
            (2.6, 2.8),
        ),
        ("Receptie", None): Voice(
            {"flexibility": 3, "growth": 3, "communication": 2, "other": 1},
            ("team", "culture"),
            (3.5, 2.3),
        ),
        ("Keuken", None): Voice(
            {"workload": 4, "flexibility": 4, "team": 2, "other": 1}, ("culture", "training"),
            (3, 2.5),
        ),
        ("Restaurant", None): Voice(
            {"flexibility": 4, "compensation": 3, "workload": 2, "other": 2},
            ("team", "management"),
            (3.3, 2.3),
        ),
    },
}  # fmt: skip


@dataclass(frozen=True)
class Shift:
    """From a day on, a department's leavers weigh some reasons differently: `days_back`
    days before today, then `months_back` whole months before that day's month."""

    reasons: dict[str, int]  # theme: its new weight
    days_back: int = 0
    months_back: int = 0

    def since(self, today: dt.date) -> dt.date:
        day = (today - dt.timedelta(days=self.days_back)).replace(day=1)
        index = day.year * 12 + day.month - 1 - self.months_back
        return dt.date(index // 12, index % 12 + 1, 1)


# What changed, in the order it happened. Pay stops driving Codeway's developers away from
# the month their pay was raised (the done pay benchmark of service/actions/demo.py, closed
# 125 days ago: its "Did it work?" shows the drop); since Codeway reorganised its
# engineering teams, the dashboard's last three (ended) months and this one, developers say
# the new roles are not what they signed up for (and more of them leave:
# service/departures/demo.py WAVES).
SHIFTS = {
    ("codeway", "Engineering"): (
        Shift({"compensation": 1}, days_back=125),
        Shift({"role_fit": 13}, months_back=3),
    ),
}


def voice_of(
    slug: str,
    department: str | None,
    location: str | None,
    on: dt.date | None = None,
    today: dt.date | None = None,
) -> Voice:
    """How the client's leavers of that department (and location) speak (on the day `on`,
    counted from `today`: as SHIFTS changed it); the client's first voice for a department
    it has none for."""
    voices = VOICES[slug]
    voice = (
        voices.get((department, location))
        or voices.get((department, None))
        or next(iter(voices.values()))
    )
    for shift in SHIFTS.get((slug, department), ()):
        if on is not None and today is not None and on >= shift.since(today):
            voice = replace(voice, reasons={**voice.reasons, **shift.reasons})
    return voice


_FREE_TEXT = {"why_leaving": why_leaving, "improve": improve, "keep_you": keep_you}
# Ordered choice questions whose first choice is the unfavourable end (the others end on it).
_WORST_FIRST = frozenset({"schedule_notice"})


def _choice(rng: random.Random, question: Question, leaver: Leaver) -> str:
    keys = [choice.key for choice in question.choices]
    if set(keys) <= set(THEME_KEYS):  # the reason question: its choices are the themes
        return leaver.reasons[0] if leaver.reasons[0] in keys else rng.choice(keys)
    if question.role is QuestionRole.COME_BACK:  # yes / maybe / no, by mood
        position = 0 if leaver.mood > 0.65 else 1 if leaver.mood > 0.35 else 2
        position = min(len(keys) - 1, max(0, position + rng.choice((-1, 0, 0, 0, 1))))
        return keys[position]
    if question.theme in leaver.reasons:  # the bad end of the scale
        bad = (
            keys[: max(1, len(keys) // 2)]
            if question.key in _WORST_FIRST
            else keys[len(keys) // 2 :]
        )
        return rng.choice(bad)
    return rng.choice(keys)


def _rating(rng: random.Random, question: Question, leaver: Leaver, low: int, high: int) -> int:
    """Low where the question probes one of their reasons, high where it probes what they
    liked, around their mood elsewhere."""
    if question.theme in leaver.reasons:
        centre = 0.12
    elif question.theme in leaver.liked:
        centre = 0.85
    else:  # what they did not leave over: rated as their mood goes, seldom very low
        centre = 0.45 + 0.45 * leaver.mood
    value = rng.gauss(centre, 0.15)
    return max(low, min(high, round(low + value * (high - low))))


def _recommend(rng: random.Random, leaver: Leaver) -> int:
    """Would they recommend us (0–10): as fond as they are. Leavers are harsher than
    staff, but most do not burn bridges: a sour leaver gives 3 to 5, a fond one 8 or 9."""
    return max(0, min(10, round(rng.gauss(2.5 + 8 * leaver.mood, 1.2))))


def answer(rng: random.Random, sector: str, question: Question, leaver: Leaver):
    """One question's answer, in the shape the leaver's page stores (service/surveys/
    answers.py): text, a 1–5 or 0–10 number, "yes"/"no", a choice key or a list of them."""
    kind = question.type
    if kind is QuestionType.FREE_TEXT:
        return _FREE_TEXT.get(question.key, improve)(rng, sector, leaver)
    if kind is QuestionType.RATING:
        return _rating(rng, question, leaver, 1, 5)
    if kind is QuestionType.ENPS:
        return _recommend(rng, leaver)
    if kind is QuestionType.YES_NO:
        # The question's concern is its unfavourable answer ("no" where it asks about
        # something good: breaks taken, overtime paid, a learning budget…).
        # A leaver gives it when the theme is among their reasons, and now and then anyway.
        concern = question.concern or "yes"
        if question.theme in leaver.reasons or rng.random() < 0.12:
            return concern
        return "no" if concern == "yes" else "yes"
    if kind is QuestionType.SINGLE_CHOICE:
        return _choice(rng, question, leaver)
    keys = [choice.key for choice in question.choices]
    picked = [k for k in leaver.reasons if k in keys] or rng.sample(keys, 1)
    return picked[: rng.randint(1, len(picked))]


# How often a leaver skips an optional question, per type (free text is skipped most).
_SKIP = {QuestionType.FREE_TEXT: 0.3}


def answers(
    rng: random.Random, sector: str, questionnaire: Questionnaire, leaver: Leaver
) -> dict[str, object]:
    """Question key → answer for every required question and most optional ones."""
    found = {}
    for question in questionnaire.questions:
        if not question.required and rng.random() < _SKIP.get(question.type, 0.08):
            continue
        found[question.key] = answer(rng, sector, question, leaver)
    return found


def pick_themes(
    rng: random.Random, weights: dict[str, int], liked: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """One or two reasons drawn from `weights`, and one or two liked themes among `liked`
    that are not reasons."""
    first = rng.choices(list(weights), list(weights.values()))[0]
    reasons = [first]
    if rng.random() < 0.45:
        second = rng.choices(list(weights), list(weights.values()))[0]
        if second != first:
            reasons.append(second)
    fond = [theme for theme in liked if theme not in reasons]
    return tuple(reasons), tuple(rng.sample(fond, min(len(fond), rng.randint(0, 2))))
