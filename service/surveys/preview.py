"""The preview of a questionnaire exactly as the leaver will see it: in one of its
languages, inside a phone-width frame. The questionnaire itself is rendered in that
language (its fixed words too, such as "Not at all likely"), the page around it in the
reader's."""

from flask import render_template, request
from flask_babel import force_locale
from markupsafe import Markup

from service.config import LANGUAGES
from service.i18n import LANGUAGE_NAMES
from service.rendering import render
from service.surveys.document import Questionnaire


def questionnaire_html(
    document: Questionnaire,
    language: str,
    *,
    answers: dict | None = None,
    errors: dict[str, list[str]] | None = None,
    preview: bool = True,
    embedded: bool = False,
) -> Markup:
    """The questions as the leaver's page shows them (templates/surveys/questionnaire.html),
    with every fixed word in ``language``: a disabled preview by default; ``answers`` filled
    in (stored values, or the lists a refused form posted), ``errors`` beside their questions,
    ``embedded`` in a form the caller draws."""
    with force_locale(language):
        return Markup(  # noqa: S704 — our own template's autoescaped output
            render_template(
                "surveys/questionnaire.html",
                document=document,
                language=language,
                preview=preview,
                embedded=embedded,
                answers=answers,
                errors=errors,
            )
        )


def page(document: Questionnaire, title: str, back: str, here):
    language = request.args.get("lang")
    if language not in document.languages:
        language = document.languages[0] if document.languages else LANGUAGES[0]
    return render(
        "surveys/preview.html",
        title=title,
        back=back,
        language=language,
        languages=[(code, LANGUAGE_NAMES[code], here(code)) for code in document.languages],
        questionnaire=questionnaire_html(document, language),
        empty=not document.questions,
    )
