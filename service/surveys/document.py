"""The questionnaire document: one immutable value for a questionnaire's content.

Presets, the agency library, a tenant's template versions, the editor and the leaver's
survey all hold the same value, so a question means the same thing everywhere and a frozen
version is frozen by construction (every part is a frozen dataclass, a tuple or `Texts`).
The database stores it as JSON (`to_json`, `from_json`).

Checking never raises: `problems` lists everything wrong, each `Problem` with one of two
severities, because a draft may be unfinished but never broken:

- ``INVALID``: a limit, a duplicate, a bad key, a theme outside the taxonomy, a role or a
  concern on the wrong type. Refuse the change, even for a draft (`is_valid`).
- ``INCOMPLETE``: a text missing in one of the document's languages, or no question yet.
  A draft may be incomplete; publishing needs `is_complete`.

Text is plain text stored as typed (escaping is the templates' job), except that `Texts`
normalises line breaks to "\\n", strips surrounding whitespace and drops blank texts (a
blank translation is a missing one). Control characters other than newline and tab are
kept but reported, so the person who typed them is told rather than silently corrected.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from flask_babel import gettext

from service.config import LANGUAGES
from service.surveys.themes import THEME_KEYS
from service.validation import N_

MAX_TEXT = 1000  # a question's text, per language
MAX_HELP = 1000  # a question's help text, per language
MAX_CHOICE_LABEL = 200  # one choice's label, per language
MAX_SCALE_LABEL = 100  # a rating's labelled end, per language
MIN_CHOICES = 2
MAX_CHOICES = 20
MAX_QUESTIONS = 60
MAX_KEY = 40  # question and choice keys
KEY_PATTERN = re.compile(rf"[a-z0-9_]{{1,{MAX_KEY}}}")

JSON_FORMAT = 1  # bumped (with a reader for the old one) if the JSON shape ever changes


class Texts(Mapping[str, str]):
    """Language code → text; immutable and hashable, equal to a dict with the same items.

    Built like a dict (``Texts({"nl": …})`` or ``Texts(nl=…, fr=…)``). Each text is cleaned
    on the way in: "\\r\\n" and "\\r" become "\\n", surrounding whitespace goes, and a text
    left blank is dropped.
    """

    __slots__ = ("_pairs",)

    def __init__(self, texts: Mapping[str, str] | Iterable[tuple[str, str]] = (), /, **more):
        pairs = []
        for language, text in dict(texts, **more).items():
            if not isinstance(language, str) or not isinstance(text, str):
                raise TypeError(f"Texts maps language codes to strings, not {language!r}")
            cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
            if cleaned:
                pairs.append((language, cleaned))
        object.__setattr__(self, "_pairs", tuple(sorted(pairs)))

    def __setattr__(self, name, value):
        raise AttributeError("Texts is immutable")

    def __getitem__(self, language: str) -> str:
        for code, text in self._pairs:
            if code == language:
                return text
        raise KeyError(language)

    def __iter__(self) -> Iterator[str]:
        return (code for code, _text in self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __hash__(self) -> int:
        return hash(self._pairs)

    def __repr__(self) -> str:
        return f"Texts({dict(self._pairs)!r})"


class QuestionType(StrEnum):
    FREE_TEXT = "free_text"
    RATING = "rating"  # 1–5, with labelled ends (scale_low, scale_high)
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    ENPS = "enps"  # 0–10 "would you recommend us"


CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})


class QuestionRole(StrEnum):
    """What insights read a question as (at most one question per role)."""

    ENPS = "enps"  # the eNPS question
    COME_BACK = "come_back"  # "would you consider coming back"


# The types a role's question may have.
ROLE_TYPES = {
    QuestionRole.ENPS: frozenset({QuestionType.ENPS}),
    QuestionRole.COME_BACK: frozenset({QuestionType.YES_NO, QuestionType.SINGLE_CHOICE}),
}


CONCERNS = ("yes", "no")  # the values of Question.concern


def _texts(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> Texts:
    return value if isinstance(value, Texts) else Texts(value)


@dataclass(frozen=True)
class Choice:
    key: str
    label: Texts

    def __post_init__(self):
        object.__setattr__(self, "label", _texts(self.label))


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question. Plain dicts, lists and strings given for texts, choices, type and role
    are converted, so a question built from form input is as immutable as a loaded one."""

    key: str
    type: QuestionType
    required: bool
    text: Texts
    help: Texts = Texts()
    choices: tuple[Choice, ...] = ()
    scale_low: Texts = Texts()
    scale_high: Texts = Texts()
    theme: str | None = None  # a THEME_KEYS key: the theme this question probes
    role: QuestionRole | None = None
    # A yes/no question with a theme: the answer that raises the theme, "yes" or "no"
    # ("did you get time for training?" raises it on "no"). None means "yes".
    concern: str | None = None

    def __post_init__(self):
        convert = object.__setattr__
        convert(self, "type", QuestionType(self.type))
        convert(self, "role", None if self.role is None else QuestionRole(self.role))
        for name in ("text", "help", "scale_low", "scale_high"):
            convert(self, name, _texts(getattr(self, name)))
        convert(self, "choices", tuple(self.choices))


@dataclass(frozen=True)
class Questionnaire:
    languages: tuple[str, ...]
    questions: tuple[Question, ...]

    def __post_init__(self):
        object.__setattr__(self, "languages", tuple(self.languages))
        object.__setattr__(self, "questions", tuple(self.questions))


def for_languages(questionnaire: Questionnaire, languages: Iterable[str]) -> Questionnaire:
    """The same questionnaire offered in `languages` (e.g. a preset adopted by a tenant that
    works in Dutch and French): texts in other languages are dropped; a language it has no
    texts for leaves it incomplete."""
    keep = tuple(languages)

    def only(texts: Texts) -> Texts:
        return Texts({code: text for code, text in texts.items() if code in keep})

    questions = tuple(
        replace(
            question,
            text=only(question.text),
            help=only(question.help),
            choices=tuple(replace(c, label=only(c.label)) for c in question.choices),
            scale_low=only(question.scale_low),
            scale_high=only(question.scale_high),
        )
        for question in questionnaire.questions
    )
    return Questionnaire(languages=keep, questions=questions)


# --- JSON -----------------------------------------------------------------------------


def to_json(questionnaire: Questionnaire) -> dict:
    """A JSON-ready dict; `from_json` reads it back to an equal document."""
    return {
        "format": JSON_FORMAT,
        "languages": list(questionnaire.languages),
        "questions": [
            {
                "key": question.key,
                "type": question.type.value,
                "required": question.required,
                "text": dict(question.text),
                "help": dict(question.help),
                "choices": [
                    {"key": choice.key, "label": dict(choice.label)} for choice in question.choices
                ],
                "scale_low": dict(question.scale_low),
                "scale_high": dict(question.scale_high),
                "theme": question.theme,
                "role": question.role.value if question.role else None,
                "concern": question.concern,
            }
            for question in questionnaire.questions
        ],
    }


def from_json(data: Mapping[str, Any]) -> Questionnaire:
    """Read what `to_json` wrote. A structurally broken document (a missing or unknown
    field, a wrong type, an unknown question type or role) raises ValueError: stored
    documents come from `to_json`, so that is a bug, not input to report. Content that
    breaks the rules (too long, a bad key, …) loads, and `problems` reports it."""
    _exact_fields(data, {"format", "languages", "questions"}, "document")
    if data["format"] != JSON_FORMAT:
        raise ValueError(f"unknown questionnaire format {data['format']!r}")
    languages = _list(data["languages"], "languages")
    if not all(isinstance(code, str) for code in languages):
        raise ValueError("languages must be strings")
    return Questionnaire(
        languages=tuple(languages),
        questions=tuple(_question_from_json(q) for q in _list(data["questions"], "questions")),
    )


# "concern" came after documents were stored without it: a missing key reads as None
# ("yes"), so every stored document still reads and JSON_FORMAT stays 1.
_QUESTION_OPTIONAL = frozenset({"concern"})
_QUESTION_FIELDS = {
    "key",
    "type",
    "required",
    "text",
    "help",
    "choices",
    "scale_low",
    "scale_high",
    "theme",
    "role",
}


def _question_from_json(data: Any) -> Question:
    _exact_fields(data, _QUESTION_FIELDS, "question", optional=_QUESTION_OPTIONAL)
    where = f"question {data['key']!r}"
    if not isinstance(data["key"], str) or not isinstance(data["required"], bool):
        raise ValueError(f"{where}: key must be a string and required a boolean")
    if data["theme"] is not None and not isinstance(data["theme"], str):
        raise ValueError(f"{where}: theme must be a string or null")
    if data.get("concern") is not None and not isinstance(data["concern"], str):
        raise ValueError(f"{where}: concern must be a string or null")
    choices = []
    for choice in _list(data["choices"], f"{where} choices"):
        _exact_fields(choice, {"key", "label"}, f"{where} choice")
        if not isinstance(choice["key"], str):
            raise ValueError(f"{where}: a choice key must be a string")
        choices.append(Choice(key=choice["key"], label=_texts_from_json(choice["label"], where)))
    try:
        return Question(
            key=data["key"],
            type=data["type"],
            required=data["required"],
            text=_texts_from_json(data["text"], where),
            help=_texts_from_json(data["help"], where),
            choices=tuple(choices),
            scale_low=_texts_from_json(data["scale_low"], where),
            scale_high=_texts_from_json(data["scale_high"], where),
            theme=data["theme"],
            role=data["role"],
            concern=data.get("concern"),
        )
    except ValueError as error:  # an unknown type or role
        raise ValueError(f"{where}: {error}") from error


def _texts_from_json(value: Any, where: str) -> Texts:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: texts must be an object of language → text")
    try:
        return Texts(value)
    except TypeError as error:
        raise ValueError(f"{where}: {error}") from error


def _exact_fields(
    data: Any, expected: set[str], where: str, optional: frozenset[str] = frozenset()
) -> None:
    if not isinstance(data, Mapping):
        raise ValueError(f"{where} must be an object")
    if not expected <= set(data) <= expected | optional:
        missing, unknown = sorted(expected - set(data)), sorted(set(data) - expected - optional)
        raise ValueError(f"{where}: missing fields {missing}, unknown fields {unknown}")


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    return value


# --- Problems ---------------------------------------------------------------------------


class Severity(StrEnum):
    INVALID = "invalid"  # refuse the change, even for a draft
    INCOMPLETE = "incomplete"  # fine for a draft; publishing is refused


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, located so an editor can show it where it is.

    ``field`` is one of "languages", "questions", "key", "text", "help", "choices",
    "choice_key", "choice_label", "scale_low", "scale_high", "theme", "role", "concern".
    ``choice`` is the 0-based position of the choice concerned (choice_key, choice_label).
    ``message`` is an English msgid, translated (with ``params``) by `translated`.
    """

    question: str | None  # the question's key; None for the document as a whole
    field: str
    language: str | None
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = Severity.INVALID
    choice: int | None = None

    def translated(self) -> str:
        return gettext(self.message, **self.params)


CONCERN_MESSAGE = N_("Choose yes or no as the answer that is a concern.")
KEY_MESSAGE = N_("Use 1 to %(limit)s lowercase letters, digits or underscores.")
MISSING_MESSAGE = N_("Translation missing.")


def problems(questionnaire: Questionnaire) -> list[Problem]:
    """Everything wrong with the document, document-level problems first, then question by
    question in order. An empty list means it may be published."""
    languages = questionnaire.languages
    found: list[Problem] = []
    if not languages:
        found.append(Problem(None, "languages", None, N_("Choose at least one language.")))
    for position, code in enumerate(languages):
        if code not in LANGUAGES:
            message = N_("Choose languages among Dutch, French and English.")
            found.append(Problem(None, "languages", code, message))
        elif code in languages[:position]:
            found.append(Problem(None, "languages", code, N_("This language is listed twice.")))
    if not questionnaire.questions:
        message = N_("Add at least one question.")
        found.append(Problem(None, "questions", None, message, severity=Severity.INCOMPLETE))
    if len(questionnaire.questions) > MAX_QUESTIONS:
        message = N_("A questionnaire holds at most %(limit)s questions.")
        found.append(Problem(None, "questions", None, message, {"limit": MAX_QUESTIONS}))
    seen_keys: set[str] = set()
    seen_roles: set[QuestionRole] = set()
    for question in questionnaire.questions:
        found.extend(_question_problems(question, languages, seen_keys, seen_roles))
    return found


def missing_translations(questionnaire: Questionnaire) -> dict[str, set[str]]:
    """Question key → the document languages in which one of its texts is missing."""
    missing: dict[str, set[str]] = {}
    for problem in problems(questionnaire):
        if problem.severity is Severity.INCOMPLETE and problem.question is not None:
            missing.setdefault(problem.question, set()).add(problem.language)
    return missing


def is_valid(questionnaire: Questionnaire) -> bool:
    """No rule broken: the document may be saved as a draft (it may still be incomplete)."""
    return all(p.severity is not Severity.INVALID for p in problems(questionnaire))


def is_complete(questionnaire: Questionnaire) -> bool:
    """Valid, with at least one question and every text in every language: publishable."""
    return not problems(questionnaire)


def _question_problems(
    question: Question,
    languages: tuple[str, ...],
    seen_keys: set[str],
    seen_roles: set[QuestionRole],
) -> list[Problem]:
    key = question.key
    found: list[Problem] = []

    def add(field_name: str, message: str, params=None, **more) -> None:
        found.append(Problem(key, field_name, None, message, params or {}, **more))

    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        add("key", KEY_MESSAGE, {"limit": MAX_KEY})
    elif key in seen_keys:
        add("key", N_("Another question already uses this key."))
    seen_keys.add(key)
    if question.theme is not None and question.theme not in THEME_KEYS:
        add("theme", N_("Choose a theme from the list."))
    if question.role is not None:
        if question.type not in ROLE_TYPES[question.role]:
            add("role", _ROLE_TYPE_MESSAGES[question.role])
        elif question.role in seen_roles:
            add("role", _ROLE_TWICE_MESSAGES[question.role])
        seen_roles.add(question.role)
    if question.concern is not None:
        if question.type is not QuestionType.YES_NO:
            add("concern", N_("Only a yes/no question says which answer is a concern."))
        elif question.concern not in CONCERNS:
            add("concern", CONCERN_MESSAGE)

    found += _text_problems(key, "text", question.text, MAX_TEXT, languages, required=True)
    # Help is optional, but once given it is given in every language.
    found += _text_problems(
        key, "help", question.help, MAX_HELP, languages, required=bool(question.help)
    )
    for name in ("scale_low", "scale_high"):
        texts = getattr(question, name)
        if question.type is QuestionType.RATING:
            found += _text_problems(key, name, texts, MAX_SCALE_LABEL, languages, required=True)
        elif texts:
            add(name, N_("Only a rating question has labelled ends."))

    if question.type in CHOICE_TYPES:
        found += _choice_problems(question, languages)
    elif question.choices:
        add("choices", N_("Only a choice question has choices."))
    return found


_ROLE_TYPE_MESSAGES = {
    QuestionRole.ENPS: N_("Only a 0–10 recommendation question can be the eNPS question."),
    QuestionRole.COME_BACK: N_(
        "The “would you come back” question is a yes/no or single-choice question."
    ),
}
_ROLE_TWICE_MESSAGES = {
    QuestionRole.ENPS: N_("Only one question can be the eNPS question."),
    QuestionRole.COME_BACK: N_("Only one question can be the “would you come back” question."),
}


def _choice_problems(question: Question, languages: tuple[str, ...]) -> list[Problem]:
    key = question.key
    found: list[Problem] = []
    if not MIN_CHOICES <= len(question.choices) <= MAX_CHOICES:
        message = N_("A choice question needs between %(low)s and %(high)s choices.")
        params = {"low": MIN_CHOICES, "high": MAX_CHOICES, "count": len(question.choices)}
        found.append(Problem(key, "choices", None, message, params))
    seen_keys: set[str] = set()
    seen_labels: dict[str, set[str]] = {}
    for position, choice in enumerate(question.choices):
        if not isinstance(choice.key, str) or not KEY_PATTERN.fullmatch(choice.key):
            found.append(
                Problem(key, "choice_key", None, KEY_MESSAGE, {"limit": MAX_KEY}, choice=position)
            )
        elif choice.key in seen_keys:
            message = N_("Two choices have the same key.")
            found.append(Problem(key, "choice_key", None, message, choice=position))
        seen_keys.add(choice.key)
        found += _text_problems(
            key,
            "choice_label",
            choice.label,
            MAX_CHOICE_LABEL,
            languages,
            required=True,
            choice=position,
        )
        for code, label in choice.label.items():
            folded = label.casefold()  # Texts already stripped it
            if folded in seen_labels.setdefault(code, set()):
                message = N_("Two choices have the same text.")
                found.append(Problem(key, "choice_label", code, message, choice=position))
            seen_labels[code].add(folded)
    return found


def _text_problems(
    key: str,
    field_name: str,
    texts: Texts,
    limit: int,
    languages: tuple[str, ...],
    *,
    required: bool,
    choice: int | None = None,
) -> list[Problem]:
    found: list[Problem] = []

    def add(code: str, message: str, params=None, severity=Severity.INVALID) -> None:
        found.append(Problem(key, field_name, code, message, params or {}, severity, choice))

    for code, text in texts.items():
        if code not in languages:
            add(code, N_("This text is in a language the questionnaire does not use."))
        if len(text) > limit:
            message = N_("Shorten this text to %(limit)s characters (it has %(length)s).")
            add(code, message, {"limit": limit, "length": len(text)})
        if any(char not in "\n\t" and unicodedata.category(char) == "Cc" for char in text):
            add(code, N_("Remove the control characters from this text."))
    if required:
        for code in dict.fromkeys(languages):  # a language listed twice is reported once
            if code in LANGUAGES and code not in texts:
                add(code, MISSING_MESSAGE, severity=Severity.INCOMPLETE)
    return found
