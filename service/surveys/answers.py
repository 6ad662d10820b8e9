"""A leaver's answers to a questionnaire: read from the form, checked, stored as JSON.

The form names each answer ``answer_<question key>`` (templates/surveys/questionnaire.html).
Stored answers map the question key to a value: text for a free text, an integer for a
rating (1–5) or an eNPS (0–10), "yes"/"no", a choice key, or a list of choice keys.
Free text is stored as typed (trimmed): escaping is the templates' job.

Reading never half-accepts: an answer that breaks a rule is reported with its message and
the caller keeps nothing of that form (``errors`` non-empty).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from service.surveys.document import Question, Questionnaire, QuestionType

PREFIX = "answer_"
MAX_ANSWER = 5000  # characters of one free-text answer
FORM_ERROR = "form"  # the key of an error about the form as a whole
SCALES = {QuestionType.RATING: range(1, 6), QuestionType.ENPS: range(0, 11)}
YES_NO = ("yes", "no")

Answers = dict[str, str | int | list[str]]


@dataclass(frozen=True)
class Reading:
    """What a form said: the answers given (empty ones left out) and the errors, by
    question key (or FORM_ERROR)."""

    answers: Answers
    errors: dict[str, str]


def read(document: Questionnaire, form: MultiDict) -> Reading:
    questions = {question.key: question for question in document.questions}
    errors: dict[str, str] = {}
    unknown = {name for name in form if name.startswith(PREFIX)} - {
        PREFIX + key for key in questions
    }
    if unknown:
        # Only a forged or stale form names another question: nothing of it is kept.
        errors[FORM_ERROR] = _(
            "This form names a question that is not part of the survey. Reload the page."
        )
    answers: Answers = {}
    for key, question in questions.items():
        values = [value for value in form.getlist(PREFIX + key) if value.strip()]
        if not values:
            continue
        value, error = _answer(question, values)
        if error:
            errors[key] = error
        else:
            answers[key] = value
    return Reading(answers, errors)


def missing_required(document: Questionnaire, answers: Mapping) -> dict[str, str]:
    missing = [q.key for q in document.questions if q.required and q.key not in answers]
    if not missing:  # the message is only looked up (its locale chosen) when it is shown
        return {}
    message = _("Please answer this question.")
    return dict.fromkeys(missing, message)


def _answer(question: Question, values: list[str]):
    """(value, None) or (None, message) for one question's non-empty form values."""
    kind = question.type
    if kind is QuestionType.MULTIPLE_CHOICE:
        offered = [choice.key for choice in question.choices]
        if any(value not in offered for value in values):
            return None, _("Choose among the answers offered.")
        return [key for key in offered if key in values], None
    if len(values) > 1:
        return None, _("Give one answer to this question.")
    value = values[0]
    if kind is QuestionType.FREE_TEXT:
        text = value.replace("\r\n", "\n").strip()
        if len(text) > MAX_ANSWER:
            return None, _(
                "Shorten this answer to %(limit)s characters (it has %(length)s).",
                limit=f"{MAX_ANSWER:,}",
                length=f"{len(text):,}",
            )
        return text, None
    if kind in SCALES:
        scale = SCALES[kind]
        number = int(value) if value.strip().isdigit() and len(value) < 4 else None
        if number not in scale:
            return None, _(
                "Choose a number from %(low)s to %(high)s.", low=scale[0], high=scale[-1]
            )
        return number, None
    offered = YES_NO if kind is QuestionType.YES_NO else [c.key for c in question.choices]
    if value not in offered:
        return None, _("Choose among the answers offered.")
    return value, None


def answer_text(question: Question, value, language: str) -> str:
    """An answer as words in ``language`` (the page's locale): a choice's label, "Yes"."""
    if value is None:
        return ""
    if question.type is QuestionType.YES_NO:
        return _("Yes") if value == "yes" else _("No")
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        labels = {choice.key: choice.label.get(language, choice.key) for choice in question.choices}
        keys = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(key, key) for key in keys)
    return str(value)


def posted(form: MultiDict) -> dict[str, list[str]]:
    """The answers of a refused form as typed, to show them again (nothing typed is lost)."""
    return {name[len(PREFIX) :]: form.getlist(name) for name in form if name.startswith(PREFIX)}
