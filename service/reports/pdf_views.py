"""A report as a PDF (/t/<slug>/reports/<id>/report.pdf), and the words every rendering of a
report reads (``report_reading``, a Jinja global: the email templates, the page, the PDF)."""

from flask import make_response
from flask_babel import get_locale

from service import pdf
from service.permissions import require
from service.rendering import render
from service.reports import rendering
from service.reports.models import Report
from service.scopes import tenant_blueprint
from service.tenancy import get_for_tenant_or_404

bp = tenant_blueprint("report_pdfs", __name__, "/reports")


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals["report_reading"] = rendering.read


@bp.get("/<report_id>/report.pdf")
@require("tenant.reports.view")
def download(report_id: str):
    """The report as it was sent, as an A4 PDF in the reader's language."""
    report = get_for_tenant_or_404(Report, report_id)
    if not pdf.available():
        return render("reports/pdf_unavailable.html", status=503, report=report)
    language = getattr(get_locale(), "language", "en")
    response = make_response(rendering.pdf_of(report.content, language, report))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{rendering.pdf_name(report.content)}"'
    )
    return response
