"""The data page and the retention form: who may read and change them, bounds, re-auth,
the audit entry, and a page that follows the settings and the permission matrix."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service.accounts.models import UserSession
from service.extensions import db
from service.model_types import utcnow
from service.tenants.models import Tenant
from tests.audit.helpers import entries
from tests.tenants.helpers import post_form, sign_in, text

VALID = {
    "departure_retention_months": "18",
    "interview_retention_months": "12",
    "confidential_retention_months": "48",
    "outbox_retention_days": "60",
}


def _tenant(world) -> Tenant:
    tenant = db.session.get(Tenant, world.a.tenant.id)
    db.session.refresh(tenant)
    return tenant


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("hr_admin@a.example", 200),
        ("hr@a.example", 200),
        ("leadership@a.example", 200),
        ("interviewer@a.example", 403),
        ("member@a.example", 403),
        ("agency_admin@agency-a.example", 403),
    ],
)
def test_who_reads_the_data_page(client, world, email, status):
    sign_in(client, email)
    assert client.get("/t/tenant-a/settings/privacy/").status_code == status
    assert client.get("/t/tenant-b/settings/privacy/").status_code == 404


def test_the_page_says_the_tenants_periods_and_the_matrixs_readers(client, world):
    sign_in(client, "hr@a.example")
    page = text(client.get("/t/tenant-a/settings/privacy/"))
    assert "24 months after the last working day." in page
    assert "36 months after the month they came in." in page
    assert "90 days after they were written." in page
    assert "730 days after the entry was written." in page
    assert "HR administrator, HR" in page  # departures: tenant.departures.view
    assert "Interviewer: only the interviews assigned to them" in page
    assert "Leadership: figures and quotes only" in page
    assert "Platform administrator: to solve delivery problems" in page
    assert "Change how long data is kept" not in page  # HR reads, does not change

    tenant = _tenant(world)
    tenant.departure_retention_months = 18
    db.session.commit()
    assert "18 months after the last working day." in text(
        client.get("/t/tenant-a/settings/privacy/")
    )


def test_the_page_is_in_the_readers_language(client, world):
    sign_in(client, "hr@a.example")
    client.set_cookie("exitloop_lang", "nl")
    page = text(client.get("/t/tenant-a/settings/privacy/"))
    assert "24 maanden na de laatste werkdag." in page
    client.set_cookie("exitloop_lang", "fr")
    page = text(client.get("/t/tenant-a/settings/privacy/"))
    assert "24\u00a0mois après le dernier jour de travail." in page


def test_the_hr_admin_changes_the_retention_and_it_is_audited(client, world):
    sign_in(client, "hr_admin@a.example")
    form = text(client.get("/t/tenant-a/settings/privacy/retention"))
    assert 'value="24"' in form
    response = post_form(client, "/t/tenant-a/settings/privacy/retention", VALID)
    assert response.status_code == 302
    tenant = _tenant(world)
    assert (
        tenant.departure_retention_months,
        tenant.interview_retention_months,
        tenant.confidential_retention_months,
        tenant.outbox_retention_days,
    ) == (18, 12, 48, 60)
    (entry,) = entries(world.a.tenant, "retention.change")
    assert entry.changes == {
        "departure_retention_months": [24, 18],
        "interview_retention_months": [24, 12],
        "confidential_retention_months": [36, 48],
        "outbox_retention_days": [90, 60],
    }
    again = post_form(
        client, "/t/tenant-a/settings/privacy/retention", VALID, follow_redirects=True
    )
    assert "No changes to save." in text(again)
    assert len(entries(world.a.tenant, "retention.change")) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("departure_retention_months", "5", "Choose from 6 to 120 months."),
        ("interview_retention_months", "121", "Choose from 6 to 120 months."),
        ("confidential_retention_months", "11", "Choose from 12 to 120 months."),
        ("outbox_retention_days", "731", "Choose from 30 to 730 days."),
        ("outbox_retention_days", "29", "Choose from 30 to 730 days."),
        ("outbox_retention_days", "", "Choose from 30 to 730 days."),
        ("departure_retention_months", "two years", "Enter a whole number."),
    ],
)
def test_out_of_range_is_refused_with_its_message_and_nothing_changes(
    client, world, field, value, message
):
    sign_in(client, "hr_admin@a.example")
    response = post_form(client, "/t/tenant-a/settings/privacy/retention", {**VALID, field: value})
    assert response.status_code == 422
    assert message in text(response)
    assert _tenant(world).departure_retention_months == 24
    assert entries(world.a.tenant, "retention.change") == []


def test_the_database_refuses_a_period_out_of_range(app, world):
    tenant = _tenant(world)
    tenant.outbox_retention_days = 1
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("email", ["hr@a.example", "agency_admin@agency-a.example"])
def test_only_the_hr_admin_changes_the_retention(client, world, email):
    sign_in(client, email)
    assert client.get("/t/tenant-a/settings/privacy/retention").status_code == 403
    response = post_form(client, "/t/tenant-a/settings/privacy/retention", VALID)
    assert response.status_code == 403
    assert _tenant(world).departure_retention_months == 24


def test_another_tenants_retention_is_a_404(client, world):
    sign_in(client, "hr_admin@a.example")
    assert client.get("/t/tenant-b/settings/privacy/retention").status_code == 404
    assert post_form(client, "/t/tenant-b/settings/privacy/retention", VALID).status_code == 404
    assert db.session.get(Tenant, world.b.tenant.id).departure_retention_months == 24


def test_changing_the_retention_needs_a_recent_proof(client, world):
    sign_in(client, "hr_admin@a.example")
    db.session.execute(
        sa.update(UserSession).values(authenticated_at=utcnow() - dt.timedelta(minutes=30))
    )
    db.session.commit()
    response = post_form(client, "/t/tenant-a/settings/privacy/retention", VALID)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/confirm-identity")
    assert _tenant(world).departure_retention_months == 24


def test_every_reader_finds_the_page_hr_and_leadership_in_the_menu(client, world):
    link = 'href="/t/tenant-a/settings/privacy/"'
    for email in ("hr@a.example", "leadership@a.example"):
        reader = client.application.test_client()
        sign_in(reader, email)
        assert link in text(reader.get("/t/tenant-a/"))
    sign_in(client, "hr_admin@a.example")
    assert link in text(client.get("/t/tenant-a/settings"))
    member = client.application.test_client()
    sign_in(member, "member@a.example")
    assert link not in text(member.get("/t/tenant-a/"))
