"""The agency admin's portfolio: list, create, suspend and reactivate client tenants."""

import html

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.tenants.models import Tenant, TenantStatus
from tests.conftest import writes_to
from tests.factories import make_tenant
from tests.tenants.helpers import post_form, sign_in, text

NEW = {
    "name": "Bakkerij Peeters",
    "slug": "bakkerij-peeters",
    "sector": "horeca",
    "languages": ["nl", "fr"],
    "default_language": "nl",
    "time_zone": "Europe/Brussels",
    "confidentiality_k": "5",
    "data_protection_contact": "privacy@peeters.example",
}


@pytest.fixture
def agency_admin(client, world):
    sign_in(client, "agency_admin@agency-a.example")
    return client


def slugs() -> list[str]:
    return sorted(db.session.scalars(sa.select(Tenant.slug)))


def test_the_portfolio_shows_only_the_agencys_clients(agency_admin, world):
    page = text(agency_admin.get("/agency/agency-a/"))
    assert "Tenant A" in page
    assert "Tenant B" not in page


def test_the_portfolio_searches_and_paginates(agency_admin, world):
    for n in range(26):
        make_tenant(f"client-{n:02d}", world.a.agency, name=f"Client {n:02d}")
    first = text(agency_admin.get("/agency/agency-a/"))
    assert "Page 1 of 2" in first
    assert "Client 23" in first
    assert "Tenant A" not in first
    assert "Tenant A" in text(agency_admin.get("/agency/agency-a/?page=2"))
    found = text(agency_admin.get("/agency/agency-a/?q=client-1"))
    assert "Client 19" in found
    assert "Client 20" not in found
    assert "10 results" in found


def test_create_a_client_tenant(agency_admin, world):
    response = post_form(agency_admin, "/agency/agency-a/tenants/new", NEW)
    assert response.status_code == 302
    assert "Client company “Bakkerij Peeters” created." in text(
        agency_admin.get(response.headers["Location"])
    )
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "bakkerij-peeters"))
    assert tenant.agency_id == world.a.agency.id
    assert tenant.languages == ["nl", "fr"]
    assert tenant.sector.value == "horeca"
    assert tenant.status == TenantStatus.ACTIVE
    assert agency_admin.get("/t/bakkerij-peeters/settings").status_code == 200


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "Use 3 to 63 characters."),
        ("a" * 64, "Use 3 to 63 characters."),
        ("Bakkerij", "Use lowercase letters a-z, digits and hyphens only"),
        ("bakkerij_peeters", "Use lowercase letters a-z, digits and hyphens only"),
        ("-peeters", "Use lowercase letters a-z, digits and hyphens only"),
        ("bäkkerij", "Use lowercase letters a-z, digits and hyphens only"),
        ("admin", "This web address is reserved."),
        ("platform", "This web address is reserved."),
        ("tenant-b", "This web address is already in use."),
        ("", "Enter a web address."),
    ],
)
def test_slug_rules(agency_admin, world, slug, message):
    response = post_form(agency_admin, "/agency/agency-a/tenants/new", {**NEW, "slug": slug})
    assert response.status_code == 422
    assert message in text(response).split('id="slug-error">')[1].split("</p>")[0]
    assert slugs() == ["tenant-a", "tenant-b"]


def test_a_slug_of_63_and_of_3_characters_is_accepted(agency_admin, world):
    for slug in ("a" * 63, "a1b"):
        response = post_form(agency_admin, "/agency/agency-a/tenants/new", {**NEW, "slug": slug})
        assert response.status_code == 302, slug


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sector": "mining"}, "sector", "Choose a sector from the list."),
        ({"sector": ""}, "sector", "Choose a sector."),
        ({"languages": []}, "languages", "Choose at least one language."),
        ({"languages": ["fr"]}, "default_language", "must be one of the chosen languages"),
        ({"time_zone": "Brussels"}, "time_zone", "Choose a time zone from the list"),
        ({"confidentiality_k": "11"}, "confidentiality_k", "Choose a threshold from 3 to 10."),
        ({"name": "x" * 121}, "name", "Use at most 120 characters."),
    ],
)
def test_bad_input_writes_nothing(agency_admin, world, change, field, message):
    response = post_form(agency_admin, "/agency/agency-a/tenants/new", {**NEW, **change})
    assert response.status_code == 422
    assert message in text(response).split(f'id="{field}-error">')[1].split("</p>")[0]
    assert slugs() == ["tenant-a", "tenant-b"]


def test_suspend_and_reactivate_a_client(agency_admin, client, world):
    tenant_id = world.a.tenant.id
    path = f"/agency/agency-a/tenants/{tenant_id}"
    assert post_form(agency_admin, f"{path}/suspend").status_code == 302
    db.session.expire_all()
    assert db.session.get(Tenant, tenant_id).status == TenantStatus.SUSPENDED
    # The agency admin can still open it (to support it); its own members cannot.
    assert agency_admin.get("/t/tenant-a/settings").status_code == 200
    member = client.application.test_client()
    sign_in(member, "hr_admin@a.example")
    assert member.get("/t/tenant-a/").status_code == 403

    assert post_form(agency_admin, f"{path}/reactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Tenant, tenant_id).status == TenantStatus.ACTIVE
    assert member.get("/t/tenant-a/").status_code == 200


def test_another_agencys_tenant_is_404(agency_admin, world):
    path = f"/agency/agency-a/tenants/{world.b.tenant.id}"
    assert post_form(agency_admin, f"{path}/suspend").status_code == 404
    db.session.expire_all()
    assert db.session.get(Tenant, world.b.tenant.id).status == TenantStatus.ACTIVE
    assert agency_admin.get("/agency/agency-b/").status_code == 404
    assert post_form(agency_admin, "/agency/agency-b/tenants/new", NEW).status_code == 404
    assert agency_admin.get("/t/tenant-b/settings").status_code == 404


def test_a_consultant_has_no_portfolio_rights(client, world):
    sign_in(client, "consultant@agency-a.example")
    home = client.get("/agency/agency-a/")
    assert home.status_code == 200
    assert "Tenant A" not in text(home)
    assert client.get("/agency/agency-a/tenants/new").status_code == 403
    assert post_form(client, "/agency/agency-a/tenants/new", NEW).status_code == 403
    path = f"/agency/agency-a/tenants/{world.a.tenant.id}/suspend"
    assert post_form(client, path).status_code == 403
    assert slugs() == ["tenant-a", "tenant-b"]


@pytest.mark.parametrize("email", ["hr_admin@a.example", "platform@exitloop.example"])
def test_people_outside_the_agency_get_404(client, world, email):
    sign_in(client, email)
    assert client.get("/agency/agency-a/").status_code == 404
    assert client.get("/agency/agency-a/tenants/new").status_code == 404


def test_the_new_client_form_offers_sensible_defaults(agency_admin, world):
    page = text(agency_admin.get("/agency/agency-a/tenants/new"))
    assert 'name="languages" value="nl" checked' in page
    assert 'value="Europe/Brussels"' in page
    assert 'name="confidentiality_k" type="number" min="3" max="10"' in page
    assert '<option value="horeca">' in page


def test_the_people_pages_are_linked_where_they_exist(agency_admin, world):
    newcomer = make_tenant("newcomer", world.a.agency)  # no HR admin yet: the link is due
    page = text(agency_admin.get("/agency/agency-a/"))
    app = agency_admin.application
    invite = f"/agency/agency-a/tenants/{newcomer.id}/invite-admin"
    assert (invite in page) == ("agency_people.invite_tenant_admin" in app.view_functions)
    consultants = "/agency/agency-a/consultants"
    assert (consultants in page) == ("agency_people.consultants" in app.view_functions)


def test_suspending_asks_first_and_names_how_many_lose_access(agency_admin, world):
    path = f"/agency/agency-a/tenants/{world.a.tenant.id}/suspend"
    portfolio = text(agency_admin.get("/agency/agency-a/"))
    assert f'href="{path}"' in portfolio
    assert f'action="{path}"' not in portfolio
    response = agency_admin.get(path)
    assert response.status_code == 200
    page = html.unescape(text(response))
    assert f'<form method="post" action="{path}"' in text(response)
    assert "Suspend “Tenant A”?" in page
    # The world gives Tenant A one member of each of its five roles.
    assert "Its 5 members lose access until you reactivate it; nothing is deleted." in page
    assert "To undo, choose Reactivate in the list of client companies." in page
    db.session.expire_all()
    assert db.session.get(Tenant, world.a.tenant.id).status == TenantStatus.ACTIVE

    done = post_form(agency_admin, path)
    assert done.status_code == 302
    flashed = html.unescape(text(agency_admin.get(done.headers["Location"])))
    assert "“Tenant A” is suspended: its members have no access until you reactivate it." in flashed
    assert "“Tenant A” is already suspended." in html.unescape(text(agency_admin.get(path)))


def test_suspending_or_reactivating_twice_says_so_and_writes_nothing(agency_admin, world):
    path = f"/agency/agency-a/tenants/{world.a.tenant.id}"
    with writes_to("tenants") as written:
        response = post_form(agency_admin, f"{path}/reactivate")
    assert written == []
    page = html.unescape(text(agency_admin.get(response.headers["Location"])))
    assert "“Tenant A” was already active." in page
    assert "is active again" not in page
    post_form(agency_admin, f"{path}/suspend")
    with writes_to("tenants") as written:
        response = post_form(agency_admin, f"{path}/suspend")
    assert written == []
    page = html.unescape(text(agency_admin.get(response.headers["Location"])))
    assert "“Tenant A” was already suspended." in page


def test_another_agencys_tenant_cannot_be_asked_about(agency_admin, client, world):
    assert (
        agency_admin.get(f"/agency/agency-a/tenants/{world.b.tenant.id}/suspend").status_code == 404
    )
    consultant = client.application.test_client()
    sign_in(consultant, "consultant@agency-a.example")
    assert (
        consultant.get(f"/agency/agency-a/tenants/{world.a.tenant.id}/suspend").status_code == 403
    )
