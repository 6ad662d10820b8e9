"""HR's corrections of an answer's themes (/t/<slug>/feedback/<id>/answers/<key>/themes):
confirm, remove or add one theme. htmx gets the answer's tag list back; a plain form goes
back to the page it came from (the responses page, or the interview's departure)."""

import uuid

from flask import redirect, request, url_for
from flask_login import current_user

from service.insights import corrections
from service.insights.models import Source, Verdict
from service.insights.schemas import CorrectionSchema
from service.permissions import require
from service.refusals import validate_and_apply
from service.rendering import render, wants_fragment
from service.scopes import tenant_blueprint
from service.surveys.interview_models import Interview
from service.tenancy import get_for_tenant_or_404

bp = tenant_blueprint("theme_corrections", __name__, "/feedback")


def _back(answer, page: str | None) -> str:
    anchor = f"themes-{answer.feedback_id}-{answer.question_key}"
    if answer.source == Source.INTERVIEW:
        interview = get_for_tenant_or_404(Interview, answer.feedback_id)
        return url_for("departures.show", departure_id=interview.departure_id, _anchor=anchor)
    number = int(page) if page and page.isascii() and page.isdigit() and len(page) < 7 else None
    return url_for("responses.index", page=number, _anchor=anchor)


@bp.post("/<uuid:feedback_id>/answers/<key>/themes")
@require("tenant.themes.correct")
def correct(feedback_id: uuid.UUID, key: str):
    answer = corrections.answer_or_404(feedback_id, key)
    form = request.form.to_dict()
    _data, _done, errors = validate_and_apply(
        CorrectionSchema(),
        form,
        lambda data: corrections.correct(
            answer, data["theme"], Verdict(data["verdict"]), current_user.id
        ),
    )
    status = 422 if errors else 200
    back = _back(answer, form.get("page"))
    if wants_fragment():
        return render(
            "insights/answer_themes.html",
            block="answer_themes",
            status=status,
            item=corrections.themes_of(answer),
            error=" ".join(message for messages in errors.values() for message in messages),
            page=form.get("page"),
            kept=True,
            **corrections.review([]),
        )
    if errors:
        return render(
            "insights/correction_refused.html",
            status=status,
            errors=errors,
            back=back,
        )
    return redirect(back, 303)
