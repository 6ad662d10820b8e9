"""Confidential online responses for HR (/t/<slug>/responses/): de-identified answers with
coarse attributes and the month only. Leadership, members and the agency see none."""

from flask import request
from flask_babel import format_date

from service.departures.labels import LABELS
from service.insights.corrections import review
from service.listing import page_number
from service.permissions import require
from service.rendering import render
from service.scopes import tenant_blueprint, tenant_today
from service.surveys import responses
from service.surveys.answers import answer_text

bp = tenant_blueprint("responses", __name__, "/responses")


def _month(day) -> str:
    return format_date(day, "MMMM y")


@bp.get("/")
@require("tenant.responses.view")
def index():
    pagination = responses.response_page(
        page_number(request.args), before=tenant_today().replace(day=1)
    )
    return render(
        "surveys/responses.html",
        pagination=pagination,
        questionnaires=responses.questionnaires(pagination.items),
        names=responses.structure_names(),
        month=_month,
        answer_text=answer_text,
        **review(response.id for response in pagination.items),
        **LABELS,
    )
