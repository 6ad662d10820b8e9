"""Access ends at once: a suspended agency's consultants lose the clients they were assigned
to, as its admins do."""

from service.accounts.models import User
from service.accounts.services import destinations
from service.extensions import db
from service.tenants.models import TenantStatus
from tests.accounts.conftest import post
from tests.conftest import login


def _assign(client, world):
    login(client, "agency_admin@agency-a.example")
    response = post(
        client,
        "/agency/agency-a/consultants/assign",
        {
            "user_id": str(world.a.users["consultant"].id),
            "tenant_id": str(world.a.tenant.id),
        },
        token_from="/agency/agency-a/consultants",
    )
    assert response.status_code == 302


def test_a_suspended_agencys_consultant_loses_its_clients(app, world):
    _assign(app.test_client(), world)
    consultant = app.test_client()
    login(consultant, "consultant@agency-a.example")
    assert consultant.get("/t/tenant-a/").status_code == 200

    world.a.agency.status = TenantStatus.SUSPENDED
    db.session.merge(world.a.agency)
    db.session.commit()

    assert consultant.get("/t/tenant-a/").status_code == 404
    user = db.session.get(User, world.a.users["consultant"].id)
    assert "tenant-a" not in [place.slug for place in destinations(user)]  # not in the switcher


def test_the_clients_own_people_keep_their_access(app, world):
    world.a.agency.status = TenantStatus.SUSPENDED
    db.session.merge(world.a.agency)
    db.session.commit()
    client = app.test_client()
    login(client, "hr_admin@a.example")
    assert client.get("/t/tenant-a/").status_code == 200


def test_a_suspended_companys_people_are_told_why(app, world):
    world.a.tenant.status = TenantStatus.SUSPENDED
    db.session.merge(world.a.tenant)
    db.session.commit()
    client = app.test_client()
    login(client, "hr_admin@a.example")
    page = client.get("/t/tenant-a/", headers={"Accept-Language": "en"})
    assert page.status_code == 403
    assert "account is suspended" in page.get_data(as_text=True)
    start = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The account of Tenant A is suspended" in start
    assert "no access to any company yet" not in start


def test_a_suspended_agencys_admin_is_told_why(app, world):
    world.a.agency.status = TenantStatus.SUSPENDED
    db.session.merge(world.a.agency)
    db.session.commit()
    client = app.test_client()
    login(client, "agency_admin@agency-a.example")
    page = client.get("/agency/agency-a/", headers={"Accept-Language": "en"})
    assert page.status_code == 403
    assert "agency&#39;s account is suspended" in page.get_data(as_text=True)
