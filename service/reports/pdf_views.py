"""A report as a PDF (/t/<slug>/reports/<id>/report.pdf), and the words every rendering of a
report reads (``report_reading``, a Jinja global: the email templates, the page, the PDF)."""

from service.reports import rendering
from service.scopes import tenant_blueprint

bp = tenant_blueprint("report_pdfs", __name__, "/reports")


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals["report_reading"] = rendering.read
