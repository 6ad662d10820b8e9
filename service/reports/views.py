"""Leadership reports in the browser (/t/<slug>/reports/): the archive and one report."""

from flask_babel import get_locale

from service.permissions import require
from service.rendering import render
from service.reports.models import Report
from service.scopes import tenant_blueprint
from service.tenancy import get_for_tenant_or_404

bp = tenant_blueprint("reports", __name__, "/reports")


@bp.route("/<report_id>")
@require("tenant.reports.view")
def show(report_id: str):
    """One report as it was sent, printable (A4)."""
    report = get_for_tenant_or_404(Report, report_id)
    language = getattr(get_locale(), "language", "en")
    return render("reports/show.html", report=report, content=report.content, language=language)
