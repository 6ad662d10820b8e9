"""Changes to a questionnaire document, as the editor makes them: pure functions from one
document to the next (the database side is service/surveys/services.py).

A question's form carries its texts per language (``text_nl`` …), its help, its choices as
one line per choice per language (``choices_nl``: line n of every language is choice n),
the labelled ends of a rating, the required flag, the theme hint, the role and, for a yes/no
question, which answer is a concern.
"""

from collections.abc import Mapping
from dataclasses import replace

from service.surveys.document import (
    CHOICE_TYPES,
    Choice,
    Question,
    Questionnaire,
    QuestionRole,
    QuestionType,
    Texts,
)

PER_LANGUAGE = ("text", "help", "choices", "scale_low", "scale_high")


def _free_key(questionnaire: Questionnaire, prefix: str = "q") -> str:
    taken = {question.key for question in questionnaire.questions}
    number = len(taken) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def add_question(questionnaire: Questionnaire, kind: QuestionType) -> tuple[Questionnaire, str]:
    """A new, empty question of ``kind`` at the end; returns the document and its key."""
    key = _free_key(questionnaire)
    choices = (Choice("c1", Texts()), Choice("c2", Texts())) if kind in CHOICE_TYPES else ()
    question = Question(key=key, type=kind, required=False, text=Texts(), choices=choices)
    return replace(questionnaire, questions=(*questionnaire.questions, question)), key


def _index(questionnaire: Questionnaire, key: str) -> int:
    for position, question in enumerate(questionnaire.questions):
        if question.key == key:
            return position
    raise KeyError(key)


def _lines(text: str) -> list[str]:
    """One choice per line; a blank line inside keeps its place (a translation still
    missing), blank lines at the end are dropped."""
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _choices(question: Question, languages: tuple[str, ...], form: Mapping) -> tuple:
    lines = {language: _lines(form.get(f"choices_{language}") or "") for language in languages}
    count = max((len(found) for found in lines.values()), default=0)
    keys = [choice.key for choice in question.choices]
    taken = set(keys)
    while len(keys) < count:  # new lines get new keys; existing ones keep theirs by position
        candidate = f"c{len(keys) + 1}"
        while candidate in taken:
            candidate += "_"
        keys.append(candidate)
        taken.add(candidate)
    return tuple(
        Choice(
            keys[position],
            Texts(
                {
                    language: found[position]
                    for language, found in lines.items()
                    if position < len(found) and found[position]
                }
            ),
        )
        for position in range(count)
    )


def _texts(form: Mapping, name: str, languages: tuple[str, ...]) -> Texts:
    return Texts({language: form.get(f"{name}_{language}") or "" for language in languages})


def update_question(questionnaire: Questionnaire, key: str, form: Mapping) -> Questionnaire:
    """The question ``key`` as the form describes it (form values already checked for type:
    ``required`` a bool, ``theme``, ``role`` and ``concern`` a str or None)."""
    position = _index(questionnaire, key)
    question = questionnaire.questions[position]
    languages = questionnaire.languages
    rating = question.type is QuestionType.RATING
    yes_no = question.type is QuestionType.YES_NO
    updated = replace(
        question,
        required=bool(form.get("required")),
        text=_texts(form, "text", languages),
        help=_texts(form, "help", languages),
        choices=_choices(question, languages, form) if question.type in CHOICE_TYPES else (),
        scale_low=_texts(form, "scale_low", languages) if rating else Texts(),
        scale_high=_texts(form, "scale_high", languages) if rating else Texts(),
        theme=form.get("theme") or None,
        role=QuestionRole(form["role"]) if form.get("role") else None,
        concern=(form.get("concern") or None) if yes_no else None,
    )
    questions = list(questionnaire.questions)
    questions[position] = updated
    return replace(questionnaire, questions=tuple(questions))


def remove_question(questionnaire: Questionnaire, key: str) -> Questionnaire:
    position = _index(questionnaire, key)
    questions = questionnaire.questions
    return replace(questionnaire, questions=questions[:position] + questions[position + 1 :])


def move_question(questionnaire: Questionnaire, key: str, offset: int) -> Questionnaire:
    """Move the question ``offset`` places (-1 up, +1 down), staying within the list."""
    position = _index(questionnaire, key)
    questions = list(questionnaire.questions)
    target = max(0, min(len(questions) - 1, position + offset))
    questions.insert(target, questions.pop(position))
    return replace(questionnaire, questions=tuple(questions))


def form_of(question: Question, languages: tuple[str, ...]) -> dict:
    """The editor form's values for ``question`` (the inverse of `update_question`)."""
    form: dict = {
        "required": question.required,
        "theme": question.theme or "",
        "role": question.role.value if question.role else "",
        "concern": question.concern or "",
    }
    for language in languages:
        form[f"text_{language}"] = question.text.get(language, "")
        form[f"help_{language}"] = question.help.get(language, "")
        form[f"scale_low_{language}"] = question.scale_low.get(language, "")
        form[f"scale_high_{language}"] = question.scale_high.get(language, "")
        form[f"choices_{language}"] = "\n".join(
            choice.label.get(language, "") for choice in question.choices
        )
    return form
