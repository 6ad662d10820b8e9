"""The agency's view of its clients' leadership reports: statuses only, its own clients only."""

import datetime as dt

import pytest

from service.agencies import services
from service.extensions import db
from service.mail.models import MailStatus, TenantEmail
from service.reports.models import ReportDelivery, ReportSettings
from service.tenancy import tenant_scope
from tests.conftest import login
from tests.factories import make_report, make_tenant
from tests.tenants.helpers import text

PAGE = "/agency/agency-a/reports"


@pytest.fixture
def admin(app, world):
    client = app.test_client()
    client.set_cookie("exitloop_lang", "en")
    login(client, "agency_admin@agency-a.example")
    return client


def switch_on(tenant, cadence: str = "monthly") -> None:
    with tenant_scope(tenant.id):
        db.session.add(
            ReportSettings(
                enabled=True, enabled_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), cadence=cadence
            )
        )
        db.session.commit()


def deliveries(tenant, *statuses: MailStatus) -> None:
    """A report of tenant with one copy per status (the newest report of the tenant)."""
    report = make_report(tenant, period_key=None)
    with tenant_scope(tenant.id):
        for number, status in enumerate(statuses):
            email = TenantEmail(
                to_address=f"r{number}@example.com",
                subject="Report",
                body_text="…",
                language="nl",
                status=status,
                last_error="550 no such user" if status == MailStatus.FAILED else None,
            )
            db.session.add(email)
            db.session.flush()
            db.session.add(
                ReportDelivery(
                    report_id=report.id,
                    address=email.to_address,
                    language="nl",
                    email_id=email.id,
                )
            )
        db.session.commit()


def row(page: str, name: str) -> str:
    return page.split(f">{name}")[1].split("</tr>")[0]


def test_each_client_shows_its_reports_state(admin, world):
    a = world.a.tenant
    delivered = make_tenant("client-delivered", world.a.agency, name="Client Delivered")
    failing = make_tenant("client-failing", world.a.agency, name="Client Failing")
    waiting = make_tenant("client-waiting", world.a.agency, name="Client Waiting")
    never = make_tenant("client-never", world.a.agency, name="Client Never")
    for tenant in (delivered, failing, waiting, never):
        switch_on(tenant, "weekly" if tenant is waiting else "monthly")
    deliveries(delivered, MailStatus.SENT, MailStatus.SENT)
    deliveries(failing, MailStatus.SENT, MailStatus.FAILED, MailStatus.FAILED)
    deliveries(waiting, MailStatus.SENT, MailStatus.PENDING)
    page = text(admin.get(PAGE))
    assert "all delivered" in row(page, "Client Delivered")
    assert "On, monthly" in row(page, "Client Delivered")
    assert "1 Oct 2026 to 31 Oct 2026" in row(page, "Client Delivered")
    assert "2 copies failed" in row(page, "Client Failing")
    assert "on its way" in row(page, "Client Waiting")
    assert "On, weekly" in row(page, "Client Waiting")
    assert "Never sent" in row(page, "Client Never")
    # The world's tenant: reports off, one report sent (the world's) to nobody.
    assert "Off" in row(page, a.name)
    assert "No recipients" in row(page, a.name)


def test_only_statuses_never_the_figures_or_the_addresses(admin, world):
    switch_on(world.a.tenant)
    deliveries(world.a.tenant, MailStatus.FAILED)
    page = text(admin.get(PAGE))
    assert "r0@example.com" not in page
    assert "550 no such user" not in page
    assert "/reports/" not in page.split('id="listing"')[1]  # no link to a report


def test_the_agency_sees_only_its_own_clients(admin, world):
    switch_on(world.b.tenant)
    page = text(admin.get(PAGE))
    assert world.a.tenant.name in page
    assert world.b.tenant.name not in page
    # Another agency's page: its slug is a 404 for this admin, as everywhere.
    assert admin.get("/agency/agency-b/reports").status_code == 404


def test_the_query_reads_only_the_clients_asked_for(app, world):
    switch_on(world.b.tenant)
    deliveries(world.b.tenant, MailStatus.FAILED)
    states = services.report_states([world.a.tenant])
    assert set(states) == {world.a.tenant.id}
    assert not states[world.a.tenant.id].enabled


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("agency_admin@agency-a.example", 200),
        ("consultant@agency-a.example", 403),
        ("hr_admin@a.example", 404),
    ],
)
def test_only_the_agency_admin_opens_it(app, world, email, status):
    client = app.test_client()
    login(client, email)
    assert client.get(PAGE).status_code == status


def test_the_portfolio_links_to_it(admin, world):
    assert f'href="{PAGE}"' in text(admin.get("/agency/agency-a/"))
