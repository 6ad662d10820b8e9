"""Reading answers to a questionnaire from a form, checked against that questionnaire.

The form is the one templates/surveys/questionnaire.html draws: one field "answer_<key>"
per question. Whatever does not fit the questionnaire (a question it does not have, a
choice it does not offer, a rating out of its scale, a text over the limit) is refused
with a message for that question; nothing is guessed or silently dropped.
"""

from collections.abc import Mapping

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from service.surveys.document import Question, Questionnaire, QuestionType

PREFIX = "answer_"
FORM_ERRORS = "form"
SCALES = {QuestionType.RATING: range(1, 6), QuestionType.ENPS: range(0, 11)}


def _one(question: Question, values: list[str], text_max: int):
    """(answer or None, error or None) for one question's submitted values."""
    kind = question.type
    if kind is QuestionType.MULTIPLE_CHOICE:
        offered = {choice.key for choice in question.choices}
        chosen = [value for value in values if value]
        if any(value not in offered for value in chosen):
            return None, _("Choose among the answers offered.")
        return (sorted(set(chosen), key=[c.key for c in question.choices].index) or None), None
    if len(values) > 1:
        return None, _("Give one answer to this question.")
    value = values[0] if values else ""
    if kind is QuestionType.FREE_TEXT:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if len(value) > text_max:
            message = _("Shorten this answer to %(limit)s characters (it has %(length)s).")
            return None, message % {"limit": f"{text_max:,}", "length": f"{len(value):,}"}
        return (value if value.strip() else None), None
    if not value:
        return None, None
    if kind in SCALES:
        scale = SCALES[kind]
        if not value.isdigit() or int(value) not in scale:
            return None, _("Choose a value from %(low)s to %(high)s.") % {
                "low": scale[0],
                "high": scale[-1],
            }
        return int(value), None
    offered = {"yes", "no"} if kind is QuestionType.YES_NO else {c.key for c in question.choices}
    if value not in offered:
        return None, _("Choose among the answers offered.")
    return value, None


def read_answers(
    questionnaire: Questionnaire, form: MultiDict, text_max: int
) -> tuple[dict, dict[str, list[str]]]:
    """(question key → answer, errors by question key or "form"). Unanswered questions have
    no key. An error anywhere means the answers must not be stored."""
    questions = {question.key: question for question in questionnaire.questions}
    errors: dict[str, list[str]] = {}
    keys = {name[len(PREFIX) :] for name in form if name.startswith(PREFIX)}
    if keys - set(questions):
        errors[FORM_ERRORS] = [_("The form holds a question this questionnaire does not have.")]
    answers = {}
    for key, question in questions.items():
        answer, error = _one(question, form.getlist(PREFIX + key), text_max)
        if error:
            errors[key] = [error]
        elif answer is not None:
            answers[key] = answer
    return answers, errors


def missing_required(questionnaire: Questionnaire, answers: Mapping) -> dict[str, list[str]]:
    """An error for each required question without an answer."""
    message = _("This question needs an answer.")
    return {
        question.key: [message]
        for question in questionnaire.questions
        if question.required and question.key not in answers
    }


def shown(answers: Mapping) -> dict[str, list[str]]:
    """Stored answers as the questionnaire template fills them in: lists of strings."""
    return {
        key: [str(item) for item in value] if isinstance(value, list) else [str(value)]
        for key, value in answers.items()
    }


def posted(form: MultiDict) -> dict[str, list[str]]:
    """The answers of a refused form as typed, to show them again (nothing typed is lost)."""
    return {name[len(PREFIX) :]: form.getlist(name) for name in form if name.startswith(PREFIX)}
