"""Insights exports (/t/<slug>/insights/exports, …/insights/export/<kind>.<csv|xlsx>):
the downloads for the dashboard's filter, and who took what out.

HR exports (tenant.insights.export); leadership reads the dashboard but exports nothing,
so no figure leaves the application through someone who cannot manage the feedback. The
HR admin sees the export history (tenant.insights.export_history).
"""

from flask import g, make_response, request
from flask_babel import get_locale
from flask_login import current_user

from service.accounts.reauth import recent_proof_required
from service.insights import exports, filters
from service.insights.export_models import FileFormat
from service.insights.thresholds import Thresholds
from service.permissions import can, require
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint, tenant_today

bp = tenant_blueprint("insight_exports", __name__, "/insights")

_KINDS = "any(" + ", ".join(exports.KINDS) + ")"
_FORMATS = "any(" + ", ".join(FileFormat) + ")"


def _reading():
    return filters.read(request.args, tenant_today())


@bp.get("/exports")
@require("tenant.insights.export")
@recent_proof_required  # confirmed before the page, so that its downloads rarely ask again
def export_page():
    reading = _reading()
    thresholds = Thresholds.of(current_tenant)
    query = filters.arguments(reading.filter)
    return render(
        "insights/exports.html",
        reading=reading,
        query=query,
        periods=filters.PERIODS,
        chosen_period=filters.chosen_period(reading.filter, tenant_today()),
        narrowing={key: value for key, value in query.items() if key not in ("from", "to")},
        answers_refusal=exports.answers_refusal(reading.filter, thresholds),
        answers_period=exports.answers_period(reading.filter),
        quarter_of=exports.quarter_of,
        tables=exports.TABLES,
        kind_labels=exports.KIND_LABELS,
        history=exports.history() if can(g.role, "tenant.insights.export_history") else None,
    )


@bp.get(f"/export/<{_KINDS}:export_kind>.<{_FORMATS}:file_format>")
@require("tenant.insights.export")
@recent_proof_required
def download(export_kind: str, file_format: str):
    reading = _reading()
    found = exports.export(
        export_kind,
        FileFormat(file_format),
        reading.filter,
        Thresholds.of(current_tenant),
        language=getattr(get_locale(), "language", "en"),
        slug=current_tenant.slug,
        user_id=current_user.id,
    )
    response = make_response(found.content)
    response.headers["Content-Type"] = found.mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
