"""The report's numbers are the dashboard's for the same months, thresholds included (one
computation: service/reports/content.py reads service/insights/dashboard.py), and a figure
the dashboard hides reads "Not enough responses to show" in the email, on the page and in
the PDF. Also: the PDF download's guards, and the PDF attached to the sent report."""

import datetime as dt

import pytest
from flask_babel import force_locale

from service import pdf
from service.extensions import db
from service.insights import dashboard
from service.insights.thresholds import HIDDEN, NOT_ENOUGH, Thresholds
from service.mail.models import TenantEmail
from service.mail.outbox import render_email
from service.reports import content as report_content
from service.reports import rendering, sending
from service.reports.models import Cadence, Report, ReportRecipient, ReportSettings
from service.reports.periods import period_containing
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.conftest import login, translated
from tests.factories import add_membership, make_department, make_tenant, make_user
from tests.insights.insight_world import (
    insight_version,
    read_all,
    respond,
    small_department_world,
)
from tests.test_pdf import poppler  # noqa: F401 — fixture: poppler-utils read the PDF back

NOVEMBER = period_containing(Cadence.MONTHLY, dt.date(2026, 11, 1))
OCTOBER = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 12, 2)
NOW = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC)
HIDDEN_TEXT = str(NOT_ENOUGH)


def _content(tenant, period=NOVEMBER) -> dict:
    with tenant_scope(tenant.id):
        return report_content.build(db.session.get(Tenant, tenant.id), period, TODAY)


def _boards(tenant, period=NOVEMBER):
    thresholds = Thresholds.of(tenant)
    months = period.figures_filter()
    with tenant_scope(tenant.id):
        return dashboard.build(months, thresholds), dashboard.build(months.previous(), thresholds)


def _shown(read):
    """A dashboard figure as the report keeps it: what the dashboard shows (nothing when
    the view is not allowed, None where it is HIDDEN; a Share as its share)."""

    def figure(board):
        if not board.allowed:
            return None
        value = read(board)
        return None if value is HIDDEN else getattr(value, "share", value)

    return figure


def _rendered(tenant, content: dict, language: str = "en") -> tuple[str, str, str]:
    """The email's subject, text and HTML for ``content``."""
    context = {
        "report": content,
        "name": None,
        "dashboard_url": "http://127.0.0.1:5000/t/x/insights/",
        "report_url": None,
        "mail_brand": None,
    }
    with tenant_scope(tenant.id):
        return render_email("report", language, context)


def _with_october(world) -> None:
    """The small world (November) with an October before it: comparisons to make."""
    version = insight_version(world.tenant)
    october = {"pay": "yes", "recommend": 5, "back": "no"}
    respond(world.tenant, version, 8, october, month=OCTOBER, department_id=world.sales.id)
    respond(world.tenant, version, 6, october, month=OCTOBER, department_id=world.kitchen.id)
    read_all(world.tenant)


@pytest.mark.parametrize("cadence", [Cadence.MONTHLY, Cadence.WEEKLY, Cadence.QUARTERLY])
def test_the_reports_figures_are_the_dashboards(app, cadence):
    world = small_department_world()
    _with_october(world)
    # the period whose figures cover November 2026 (a week's: the last month ended before it)
    period = {
        Cadence.MONTHLY: NOVEMBER,
        Cadence.WEEKLY: period_containing(Cadence.WEEKLY, dt.date(2026, 12, 1)),
        Cadence.QUARTERLY: period_containing(Cadence.QUARTERLY, dt.date(2026, 11, 1)),
    }[cadence]
    content = _content(world.tenant, period)
    now, before = _boards(world.tenant, period)
    assert now.allowed
    assert before.allowed == (cadence != Cadence.QUARTERLY)  # no responses before October
    figures = content["key_figures"]
    for key, read in {
        "responses": lambda board: board.responses,
        "response_rate": lambda board: board.response_rate,
        "departures": lambda board: board.scores.departures,
        "regretted": lambda board: board.scores.regretted,
        "enps": lambda board: board.scores.enps,
        "come_back": lambda board: board.scores.come_back,
    }.items():
        assert figures[key] == {"now": _shown(read)(now), "before": _shown(read)(before)}, key
    shown = [theme for theme in now.themes if theme.share][: report_content.TOP_THEMES]
    assert [(theme["theme"], theme["share"]) for theme in content["themes"]] == [
        (theme.theme, theme.share.share) for theme in shown
    ]
    assert content["k"] == Thresholds.of(world.tenant).k
    # … and the email shows them as the dashboard's figures read
    _subject, text, html = _rendered(world.tenant, content)
    with force_locale("en_BE"):
        assert f"Responses: {now.responses}" in text
        assert f"Response rate: {rendering.percent(now.response_rate)}" in text
        assert f"eNPS: {rendering.signed(now.scores.enps)}" in text
        assert rendering.percent(now.scores.come_back.share) in html


def _hidden_scores_tenant():
    """Six November responses, of which only three answer the eNPS and "come back"
    questions: the dashboard shows the responses but hides both scores (k = 5)."""
    tenant = make_tenant("few-scores", confidentiality_k=5)
    version = insight_version(tenant)
    sales = make_department(tenant, "Sales")
    respond(tenant, version, 3, {"recommend": 9, "back": "yes"}, department_id=sales.id)
    respond(tenant, version, 3, {"pay": "yes"}, department_id=sales.id)
    read_all(tenant)
    return tenant


def _too_few_tenant():
    tenant = make_tenant("too-few", confidentiality_k=5)
    version = insight_version(tenant)
    respond(tenant, version, 4, {"pay": "yes", "recommend": 2, "back": "no"})
    read_all(tenant)
    return tenant


def _kept(tenant, content):
    """The id of a kept report of ``content``."""
    with tenant_scope(tenant.id):
        report = Report(
            period_key=NOVEMBER.key,
            cadence=NOVEMBER.cadence,
            period_start=NOVEMBER.start,
            period_end=NOVEMBER.end,
            content=content,
        )
        db.session.add(report)
        db.session.commit()
        return report.id


def _pdf_text(tenant, content, poppler) -> str:  # noqa: F811
    with tenant_scope(tenant.id):
        data = rendering.pdf_of(content, "en")
    return " ".join(poppler("pdftotext", data, "-enc", "UTF-8").split())


def _page(app, tenant, report_id) -> str:
    user = make_user(f"hr@{tenant.slug}.example", preferred_language="en")
    add_membership(tenant, user, "hr_admin")
    client = app.test_client()
    login(client, user.email)
    response = client.get(f"/t/{tenant.slug}/reports/{report_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_scores_the_dashboard_hides_read_not_enough_everywhere(app, poppler):  # noqa: F811
    tenant = _hidden_scores_tenant()
    now, _before = _boards(tenant)
    assert now.allowed
    assert not now.scores.enps  # HIDDEN on the dashboard …
    assert not now.scores.come_back
    content = _content(tenant)
    figures = content["key_figures"]
    assert figures["responses"]["now"] == 6
    assert figures["enps"]["now"] is None  # … None in the report
    assert figures["come_back"]["now"] is None
    _subject, text, html = _rendered(tenant, content)
    assert f"eNPS: {HIDDEN_TEXT}" in text
    assert f"Would come back: {HIDDEN_TEXT}" in text
    assert "Responses: 6" in text
    assert html.count(HIDDEN_TEXT) >= 2
    page = _page(app, tenant, _kept(tenant, content))
    assert page.count(HIDDEN_TEXT) >= 2
    text = _pdf_text(tenant, content, poppler)
    assert text.count(HIDDEN_TEXT) >= 2


def test_a_month_of_too_few_responses_shows_no_figure_at_all(app, poppler):  # noqa: F811
    tenant = _too_few_tenant()
    now, _before = _boards(tenant)
    assert not now.allowed
    content = _content(tenant)
    assert content["shown"] is False
    assert all(pair["now"] is None for pair in content["key_figures"].values())
    assert content["themes"] == []
    assert content["hot_spots"] == []
    _subject, text, html = _rendered(tenant, content)
    for part in (text, html):
        assert part.count(HIDDEN_TEXT) >= 7  # the notice and each of the six figures
    assert "4" not in text.split("Key figures", 1)[1].split("Action progress", 1)[0]
    page = _page(app, tenant, _kept(tenant, content))
    assert page.count(HIDDEN_TEXT) >= 7
    assert _pdf_text(tenant, content, poppler).count(HIDDEN_TEXT) >= 7


# --- the PDF download and attachment -------------------------------------------------------


def test_another_tenants_report_pdf_is_a_404(client, world):
    login(client, world.a.users["hr_admin"].email)
    mine = client.get(f"/t/{world.a.tenant.slug}/reports/{world.a.objects['report'].id}/report.pdf")
    assert mine.status_code in (200, 503)  # 503: no WeasyPrint on this machine
    theirs = f"/t/{world.a.tenant.slug}/reports/{world.b.objects['report'].id}/report.pdf"
    assert client.get(theirs).status_code == 404


def test_without_weasyprint_the_download_explains(client, world, monkeypatch):
    monkeypatch.setattr(pdf, "available", lambda: False)
    login(client, world.a.users["hr_admin"].email)
    response = client.get(
        f"/t/{world.a.tenant.slug}/reports/{world.a.objects['report'].id}/report.pdf"
    )
    assert response.status_code == 503
    assert response.content_type.startswith("text/html")
    assert translated("The PDF is not available", "nl") in response.get_data(as_text=True)


def test_the_sent_report_carries_its_pdf_made_once_per_language(app, smtp, monkeypatch):
    if not pdf.available():
        pytest.skip("WeasyPrint cannot be loaded here (Pango missing?)")
    world = small_department_world("attach-world")
    tenant = world.tenant
    made = []
    pdf_of = rendering.pdf_of

    def counted(content, language, report=None):
        made.append(language)
        return pdf_of(content, language, report)

    monkeypatch.setattr(rendering, "pdf_of", counted)
    addresses = {"raad@example.com": "nl", "ceo@example.com": "nl", "cfo@example.com": "fr"}
    user = make_user("hr@attach.example")
    with tenant_scope(tenant.id):
        db.session.add(ReportSettings(cadence=Cadence.MONTHLY, attach_pdf=True))
        for address, language in addresses.items():
            db.session.add(ReportRecipient(address=address, language=language))
        db.session.commit()
        content = sending.send_now(user.id, NOW).content
        emails = db.session.scalars(
            db.select(TenantEmail).where(TenantEmail.tenant_id == tenant.id)
        ).all()
    assert sorted(made) == ["fr", "nl"]
    assert {email.attachment_name for email in emails} == {f"report-{NOVEMBER.key}.pdf"}
    for address, language in addresses.items():
        (message,) = smtp.inbox.to(address)
        parts = {part.get_content_type(): part for part in message.walk()}
        attached = parts["application/pdf"]
        assert attached.get_filename() == f"report-{NOVEMBER.key}.pdf"
        assert attached.get_content().startswith(b"%PDF-")
        with force_locale(f"{language}_BE"):
            assert rendering.title(content) in message["Subject"]
