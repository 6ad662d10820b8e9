"""Deleting a whole tenant: requested by its HR admin (fresh proof, the name typed), shown
on every page with the date, cancellable until then, carried out by the scan once the
grace period is over: no row of the tenant remains in any table, and no other is touched."""

import datetime as dt

import sqlalchemy as sa

from service.accounts.models import User
from service.extensions import db
from service.jobs.scheduler import SCHEDULE
from service.mail.models import TenantEmail
from service.model_types import utcnow
from service.tenancy import tenant_scope
from service.tenant_data.tasks import scan_tenant_data
from service.tenants.models import Tenant
from tests.audit.helpers import entries, platform_entries, the_platform_entry
from tests.conftest import admin_engine, login
from tests.factories import add_membership
from tests.snapshots import demo_data
from tests.tenant_data.helpers import age_the_proof, post, says

DATA = "/t/{slug}/settings/data"
GRACE = dt.timedelta(days=30)


def _tenant(slug: str) -> Tenant | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))


def _request(client, slug: str, name: str):
    page = DATA.format(slug=slug)
    return post(client, page + "/deletion", {"company_name": name}, page=page)


def _emails(tenant_id) -> list[TenantEmail]:
    """The deletion's emails (they link to the data page), oldest first."""
    with tenant_scope(tenant_id):
        return list(
            db.session.scalars(
                sa.select(TenantEmail)
                .where(TenantEmail.body_text.contains("/settings/data"))
                .order_by(TenantEmail.created_at)
            )
        )


def test_the_deletion_scan_is_in_the_schedule():
    assert any(p.task == "service.tenant_data.tasks.scan_tenant_data" for p in SCHEDULE)


def test_a_request_schedules_the_deletion_after_the_grace_period(app, world):
    a = world.a.tenant
    client = app.test_client()
    login(client, "hr_admin@a.example")
    before = utcnow()
    response = _request(client, "tenant-a", f"  {a.name.upper()} ")  # case and spaces aside
    assert response.status_code == 303

    tenant = _tenant("tenant-a")
    assert before + GRACE <= tenant.deletion_due_at <= utcnow() + GRACE
    assert tenant.deletion_requested_by == world.a.users["hr_admin"].id
    (entry,) = entries(a, "deletion.request")
    assert entry.changes == {"due_at": tenant.deletion_due_at.isoformat()}
    (email,) = _emails(a.id)  # the one HR admin of tenant A
    assert email.to_address == "hr_admin@a.example"
    assert "/t/tenant-a/settings/data" in email.body_text
    assert _emails(world.b.tenant.id) == []

    # Every page of the tenant says it, with the way to cancel for the HR admin.
    home = client.get("/t/tenant-a/")
    assert 'class="deletion-banner"' in home.get_data(as_text=True)
    assert says(home, "Cancel the deletion")
    hr = app.test_client()
    login(hr, "hr@a.example")
    seen_by_hr = hr.get("/t/tenant-a/")
    assert 'class="deletion-banner"' in seen_by_hr.get_data(as_text=True)
    assert not says(seen_by_hr, "Cancel the deletion")
    other = app.test_client()
    login(other, "hr_admin@b.example")
    assert 'class="deletion-banner"' not in other.get("/t/tenant-b/").get_data(as_text=True)


def test_the_agency_and_the_platform_see_the_scheduled_deletion(app, world):
    client = app.test_client()
    login(client, "hr_admin@a.example")
    _request(client, "tenant-a", world.a.tenant.name)
    agency = app.test_client()
    login(agency, "agency_admin@agency-a.example")
    deletion_on = "Deletion on %(moment)s"
    assert says(agency.get("/agency/agency-a/"), deletion_on, prefix=True)
    other_agency = app.test_client()
    login(other_agency, "agency_admin@agency-b.example")
    assert not says(other_agency.get("/agency/agency-b/"), deletion_on, prefix=True)
    platform = app.test_client()
    login(platform, "platform@exitloop.example")
    page = platform.get("/platform/")
    assert says(page, "Client companies to be deleted")
    assert world.a.tenant.name in page.get_data(as_text=True)


def test_a_wrong_name_is_refused_and_nothing_is_scheduled(app, world):
    client = app.test_client()
    login(client, "hr_admin@a.example")
    response = _request(client, "tenant-a", "Another company")
    assert response.status_code == 422
    assert says(
        response, "Type the company's name exactly as shown: %(name)s", name=world.a.tenant.name
    )
    assert 'value="Another company"' in response.get_data(as_text=True)
    assert _tenant("tenant-a").deletion_due_at is None
    assert entries(world.a.tenant, "deletion.request") == []
    assert _emails(world.a.tenant.id) == []


def test_a_request_asks_to_confirm_identity_first(app, world):
    client = app.test_client()
    login(client, "hr_admin@a.example")
    age_the_proof()
    response = _request(client, "tenant-a", world.a.tenant.name)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/confirm-identity")
    assert _tenant("tenant-a").deletion_due_at is None


def test_only_the_hr_admin_requests_or_cancels(app, world):
    client = app.test_client()
    login(client, "hr@a.example")
    page = DATA.format(slug="tenant-a")
    token_page = "/t/tenant-a/"
    assert (
        post(
            client, page + "/deletion", {"company_name": world.a.tenant.name}, page=token_page
        ).status_code
        == 403
    )
    assert post(client, page + "/deletion/cancel", page=token_page).status_code == 403
    assert _tenant("tenant-a").deletion_due_at is None


def test_a_cancelled_request_deletes_nothing(app, world):
    a = world.a.tenant
    client = app.test_client()
    login(client, "hr_admin@a.example")
    _request(client, "tenant-a", a.name)
    cancelled = post(
        client,
        "/t/tenant-a/settings/data/deletion/cancel",
        {"next": "/t/tenant-a/"},
        page="/t/tenant-a/",
    )
    assert cancelled.status_code == 303
    assert cancelled.headers["Location"] == "/t/tenant-a/"
    assert 'class="deletion-banner"' not in client.get("/t/tenant-a/").get_data(as_text=True)
    assert _tenant("tenant-a").deletion_due_at is None
    (entry,) = entries(a, "deletion.cancel")
    assert entry.actor_id == world.a.users["hr_admin"].id

    scan_tenant_data((utcnow() + GRACE + dt.timedelta(days=1)).isoformat())
    assert _tenant("tenant-a") is not None
    assert platform_entries("tenant.delete") == []


def _tenant_rows(connection, tenant_id) -> dict[str, int]:
    """Rows naming ``tenant_id`` in every table of the live schema with a tenant_id column
    (the tenants table by its id), read with no safety net: what the database holds."""
    columns = connection.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name IN ('tenant_id', 'id')"
        )
    ).all()
    tables = {table for table, column in columns if column == "tenant_id"}
    counts = {}
    for table in sorted(tables):
        counts[table] = connection.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE tenant_id = :id"), {"id": tenant_id}
        ).scalar()
    counts["tenants"] = connection.execute(
        sa.text("SELECT count(*) FROM tenants WHERE id = :id"), {"id": tenant_id}
    ).scalar()
    return counts


def test_after_the_grace_period_no_row_of_the_tenant_remains(app):
    demo_data("pw")
    # One of Het Anker's people also works at Maison Lumière: that account stays.
    both = db.session.scalar(sa.select(User).where(User.email == "member@het-anker.example"))
    add_membership(_tenant("maison-lumiere"), both, "member")
    anker = _tenant("het-anker")
    anker_id, anker_name = anker.id, anker.name
    others = [t.id for t in db.session.scalars(sa.select(Tenant).where(Tenant.id != anker_id))]
    client = app.test_client()
    login(client, "hr.admin@het-anker.example")
    assert _request(client, "het-anker", anker_name).status_code == 303
    due = _tenant("het-anker").deletion_due_at
    with admin_engine(app).connect() as connection:  # above row-level security
        before = _tenant_rows(connection, anker_id)
        others_before = {tenant: _tenant_rows(connection, tenant) for tenant in others}
    users_before = set(db.session.scalars(sa.select(User.email)))
    # Het Anker's own staff have no access elsewhere; the agency's consultant serves others.
    own_staff = {email for email in users_before if email.endswith("@het-anker.example")}
    own_staff.discard(both.email)
    assert "hr.admin@het-anker.example" in own_staff
    assert "consultant@talentbrug.example" in users_before
    assert sum(before.values()) > 500  # a company with its history: the test means something

    told = len(_emails(anker_id))  # the request's: one to each HR admin
    assert told >= 1
    scan_tenant_data((due - dt.timedelta(hours=2)).isoformat())  # a day before: reminded only
    assert _tenant("het-anker") is not None
    assert len(_emails(anker_id)) == 2 * told
    scan_tenant_data((due - dt.timedelta(hours=1)).isoformat())  # once
    assert len(_emails(anker_id)) == 2 * told
    assert _tenant("het-anker").deletion_reminded_at is not None

    scan_tenant_data((due + dt.timedelta(minutes=5)).isoformat())

    assert _tenant("het-anker") is None
    with admin_engine(app).connect() as connection:  # above row-level security
        after = _tenant_rows(connection, anker_id)
        assert {table: count for table, count in after.items() if count} == {
            "platform_audit_entries": after["platform_audit_entries"]  # the platform's record
        }
        assert {tenant: _tenant_rows(connection, tenant) for tenant in others} == others_before
    assert set(db.session.scalars(sa.select(User.email))) == users_before - own_staff
    record = the_platform_entry("tenant.delete")
    assert record.tenant_id == anker_id
    assert record.changes["name"] == anker_name
    assert record.changes["rows"] == sum(
        count for table, count in before.items() if table != "platform_audit_entries"
    )
    assert record.changes["accounts"] == len(own_staff)

    scan_tenant_data((due + dt.timedelta(days=1)).isoformat())  # again: nothing to do
    assert len(platform_entries("tenant.delete")) == 1


def test_before_the_grace_period_ends_nothing_is_deleted(app, world):
    client = app.test_client()
    login(client, "hr_admin@a.example")
    _request(client, "tenant-a", world.a.tenant.name)
    due = _tenant("tenant-a").deletion_due_at
    scan_tenant_data((due - dt.timedelta(days=2)).isoformat())
    tenant = _tenant("tenant-a")
    assert tenant is not None
    assert tenant.deletion_reminded_at is None
    assert len(_emails(world.a.tenant.id)) == 1  # the request's, no reminder yet
    assert client.get("/t/tenant-a/").status_code == 200
