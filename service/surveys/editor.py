"""The question editor shared by a tenant's drafts and the agency's library: the question
changes (add, edit, move, remove) as one form flow each, answering the editor block for
htmx or the whole page otherwise.

A view gives an `Editing`: the row whose document changes, the page to re-render, and the
URL to return to after a plain (non-htmx) post.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service.confirmation import Confirmation, ask, asking
from service.refusals import validate_and_apply
from service.rendering import wants_fragment
from service.surveys import editing, services
from service.surveys.document import (
    QuestionRole,
    QuestionType,
    is_complete,
    missing_translations,
    problems,
)
from service.surveys.schemas import AddQuestionSchema, MoveSchema, RevisionSchema, question_schema
from service.surveys.themes import THEME_KEYS, theme_label

KIND_LABELS = {
    QuestionType.FREE_TEXT: _l("Free text"),
    QuestionType.RATING: _l("Rating 1–5"),
    QuestionType.YES_NO: _l("Yes or no"),
    QuestionType.SINGLE_CHOICE: _l("One choice"),
    QuestionType.MULTIPLE_CHOICE: _l("Several choices"),
    QuestionType.ENPS: _l("Recommendation 0–10 (eNPS)"),
}
ROLE_LABELS = {
    QuestionRole.ENPS: _l("The eNPS question (“would you recommend us”)"),
    QuestionRole.COME_BACK: _l("The “would you come back” question"),
}


def editor_context(row, open_key=None, errors=None, form=None, notice=None) -> dict:
    """What templates/surveys/editor.html needs to show ``row``'s document for editing."""
    document = services.document_of(row)
    by_question: dict = {}
    for problem in problems(document):
        by_question.setdefault(problem.question, []).append(problem)
    return {
        "document": document,
        "revision": row.revision,
        "problems": by_question,
        "missing": missing_translations(document),
        "complete": is_complete(document),
        "forms": {
            question.key: (
                form
                if form is not None and question.key == open_key
                else editing.form_of(question, document.languages)
            )
            for question in document.questions
        },
        "open_key": open_key,
        "errors": errors or {},
        "notice": notice,
        "kind_labels": KIND_LABELS,
        "role_labels": ROLE_LABELS,
        "themes": [(key, theme_label(key)) for key in THEME_KEYS],
        "theme_names": {key: theme_label(key) for key in THEME_KEYS},
        "kinds": [(kind.value, label) for kind, label in KIND_LABELS.items()],
    }


def editor_urls(blueprint: str, **ids) -> dict:
    """The editor's URLs on ``blueprint`` (a tenant's templates or the agency's library),
    whose routes share their names: ``ids`` name the template in the URL."""

    def question(endpoint: str):
        return lambda key: url_for(f"{blueprint}.{endpoint}", key=key, **ids)

    return {
        "add": url_for(f"{blueprint}.add_question", **ids),
        "update": question("update_question"),
        "move": question("move_question"),
        "remove": question("remove_question"),
        "preview": url_for(f"{blueprint}.preview_template", **ids),
    }


@dataclass(frozen=True)
class Editing:
    row: services.Editable
    page: Callable  # page(status=…, open_key=…, errors=…, form=…, notice=…) -> Response
    back: str  # the editor's URL


def _answer(editing_: Editing, errors, open_key=None, form=None, notice=None):
    if errors:
        return editing_.page(status=422, open_key=open_key, errors=errors, form=form)
    if wants_fragment():
        return editing_.page(open_key=open_key, notice=notice)
    anchor = f"#question-{open_key}" if open_key else ""
    return redirect(editing_.back + anchor)


def _stale(editing_: Editing):
    return editing_.page(
        status=409,
        notice=_(
            "Someone else saved this template in the meantime, so your change was not saved. "
            "This is the current version: make your change again."
        ),
    )


def _run(editing_: Editing, schema, change, open_key=None):
    """validate → apply on the current revision → answer; stale → 409 with the current."""
    form = request.form.to_dict()
    try:
        _data, result, errors = validate_and_apply(schema, form, change)
    except services.Stale:
        return _stale(editing_)
    return _answer(editing_, errors, open_key=result or open_key, form=form if errors else None)


def add_question(editing_: Editing):
    def change(data):
        added = {}

        def add(document):
            document, added["key"] = editing.add_question(document, QuestionType(data["kind"]))
            return document

        services.apply_edit(editing_.row, data["revision"], add)
        return added["key"]

    return _run(editing_, AddQuestionSchema(), change)


def update_question(editing_: Editing, key: str):
    _require_question(editing_.row, key)
    languages = services.document_of(editing_.row).languages

    def change(data):
        services.apply_edit(
            editing_.row,
            data["revision"],
            lambda document: editing.update_question(document, key, data),
            question_key=key,
        )
        return key

    return _run(editing_, question_schema(languages), change, open_key=key)


def move_question(editing_: Editing, key: str):
    _require_question(editing_.row, key)

    def change(data):
        offset = -1 if data["direction"] == "up" else 1
        services.apply_edit(
            editing_.row,
            data["revision"],
            lambda document: editing.move_question(document, key, offset),
        )
        return key

    return _run(editing_, MoveSchema(), change, open_key=key)


def remove_question(editing_: Editing, key: str):
    """Asks first (a GET), then removes the question from the draft."""
    _require_question(editing_.row, key)
    if asking():
        document = services.document_of(editing_.row)
        number, question = next(
            (n, q) for n, q in enumerate(document.questions, start=1) if q.key == key
        )
        text = question.text.get(document.languages[0]) or _("(no text yet)")
        return ask(
            Confirmation(
                question=_("Remove question %(number)s?", number=number),
                consequences=[
                    _("“%(text)s” and its texts in every language are removed.", text=text)
                ],
                confirm=_("Remove the question"),
                back=f"{editing_.back}#question-{key}",
                fields=[("revision", str(editing_.row.revision))],
            )
        )

    def change(data):
        services.apply_edit(
            editing_.row, data["revision"], lambda doc: editing.remove_question(doc, key)
        )

    return _run(editing_, RevisionSchema(), change)


def _require_question(row, key: str) -> None:
    if key not in {question.key for question in services.document_of(row).questions}:
        abort(404)
