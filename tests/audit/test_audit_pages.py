"""The audit trail's pages: the HR admin's (filters in the URL, pages, a formula-safe CSV that
is itself audited), the platform admin's, and another company's trail a 404."""

import csv
import datetime as dt
import io

import pytest

from service.audit import trail
from service.audit.models import AuditEntry
from service.extensions import db
from service.listing import PER_PAGE
from service.tenancy import tenant_scope
from tests.audit.helpers import the_entry, the_platform_entry
from tests.conftest import login

PAGE = "/t/tenant-a/settings/audit/"


def _client(app, email: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, email)
    return client


def _add(tenant, action: str, actor=None, at: dt.datetime | None = None, **changes) -> None:
    with tenant_scope(tenant.id):
        trail.record(action, tenant, changes, actor=actor)
        if at is not None:  # an entry of the past: only a row not yet written may say so
            next(obj for obj in db.session.new if isinstance(obj, AuditEntry)).at = at
        db.session.commit()


def test_only_the_hr_admin_reads_the_trail(app, world):
    for email in ("hr@a.example", "leadership@a.example", "agency_admin@agency-a.example"):
        assert _client(app, email).get(PAGE).status_code == 403
    assert _client(app, "hr_admin@a.example").get(PAGE).status_code == 200


def test_another_companys_trail_is_not_found(app, world):
    client = _client(app, "hr_admin@a.example")
    assert client.get("/t/tenant-b/settings/audit/").status_code == 404
    assert client.get("/t/tenant-b/settings/audit/export.csv").status_code == 404


def test_the_page_lists_the_companys_entries_only(app, world):
    _add(world.b.tenant, "settings.change", world.b.users["hr_admin"], name=["B", "Bee"])
    page = _client(app, "hr_admin@a.example").get(PAGE).get_data(as_text=True)
    assert "Sign-in" in page  # this sign-in
    assert "Bee" not in page


def test_filters_by_actor_action_and_period_stay_in_the_url(app, world):
    hr, admin = world.a.users["hr"], world.a.users["hr_admin"]
    _add(world.a.tenant, "settings.change", hr, name=["A", "Old name"])
    _add(
        world.a.tenant,
        "settings.change",
        admin,
        at=dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC),
        name=["A", "Last year"],
    )
    client = _client(app, "hr_admin@a.example")
    by_hr = client.get(f"{PAGE}?actor={hr.id}&action=settings.change").get_data(as_text=True)
    assert "Old name" in by_hr
    assert "Last year" not in by_hr
    march = client.get(f"{PAGE}?from=2025-03-01&to=2025-03-31").get_data(as_text=True)
    assert "Last year" in march
    assert "Old name" not in march
    assert "export.csv?from=2025-03-01&amp;to=2025-03-31" in march  # the CSV of this filter
    junk = client.get(f"{PAGE}?actor=x&action=nonsense&from=never&page=-3")
    assert junk.status_code == 200  # what cannot be read is left out


def test_the_list_is_paginated(app, world):
    for number in range(PER_PAGE + 2):
        _add(world.a.tenant, "settings.change", world.a.users["hr"], name=["A", f"N{number}"])
    client = _client(app, "hr_admin@a.example")
    query = "?action=settings.change"
    first = client.get(PAGE + query).get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = client.get(f"{PAGE}{query}&page=2").get_data(as_text=True)
    assert "N0" in second  # the oldest
    assert "N0<" not in first


def test_the_csv_is_formula_safe_and_its_download_audited(app, world):
    _add(world.a.tenant, "settings.change", world.a.users["hr"], name=["A", "=HYPERLINK(1)"])
    client = _client(app, "hr_admin@a.example")
    response = client.get(f"{PAGE}export.csv?action=settings.change")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["When (UTC)", "Who", "Role", "Action"]
    assert len(rows) == 2
    assert rows[1][1] == "hr@a.example"  # the actor's name as recorded
    assert rows[1][6].startswith("name: ['A', '=HYPERLINK(1)']")
    assert not any(cell.startswith("=") for row in rows for cell in row)
    entry = the_entry(world.a.tenant, "audit.export")
    assert entry.actor_id == world.a.users["hr_admin"].id
    assert entry.changes == {"action": "settings.change", "rows": 1}


def test_the_platform_admin_reads_and_exports_the_platform_trail(app, world):
    client = _client(app, "platform@exitloop.example")
    page = client.get("/platform/audit/")
    assert page.status_code == 200
    assert "Sign-in" in page.get_data(as_text=True)
    assert client.get("/platform/audit/export.csv").status_code == 200
    assert the_platform_entry("platform.audit_export").actor_id == world.platform_admin.id
    assert _client(app, "hr_admin@a.example").get("/platform/audit/").status_code == 404


@pytest.mark.parametrize("email", ["hr_admin@a.example", "platform@exitloop.example"])
def test_an_empty_filter_says_what_to_do(app, world, email):
    client = _client(app, email)
    url = PAGE if email.startswith("hr") else "/platform/audit/"
    page = client.get(f"{url}?from=2001-01-01&to=2001-01-02").get_data(as_text=True)
    assert "No entries match these filters" in page
