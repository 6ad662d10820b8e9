"""An agency's home: a consultant's client companies; on the portfolio, the invitation of
a client's HR admin offered only where one is missing."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service.accounts import consultants
from service.accounts.models import TenantInvitation, User
from service.extensions import db
from service.model_types import utcnow
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.factories import (
    add_agency_membership,
    add_membership,
    make_agency,
    make_tenant,
    make_tenant_invitation,
    make_user,
)
from tests.tenants.helpers import sign_in, text

CONSULTANT = "consultant@agency-a.example"
EMPTY = (
    "The agency has not assigned you to a client yet. Your agency administrator assigns "
    "consultants on the Consultants page."
)


def _assign(world, tenant: Tenant) -> None:
    user = db.session.scalar(sa.select(User).where(User.email == CONSULTANT))
    consultants.assign(tenant, user)


def test_a_consultant_without_clients_is_told_what_comes_next(app, client, world):
    sign_in(client, CONSULTANT)
    page = text(client.get("/agency/agency-a/"))
    assert EMPTY in page
    assert "Tenant A" not in page


def test_a_consultant_sees_the_clients_assigned_to_them(app, client, world):
    other_client = make_tenant("bakkerij", world.a.agency, name="Bakkerij Peeters")
    make_tenant("unassigned", world.a.agency, name="Unassigned Client")
    _assign(world, world.a.tenant)
    _assign(world, other_client)
    sign_in(client, CONSULTANT)
    page = text(client.get("/agency/agency-a/"))
    assert '<a href="/t/tenant-a/">Tenant A</a>' in page
    assert '<a href="/t/bakkerij/">Bakkerij Peeters</a>' in page
    assert page.index("Bakkerij Peeters") < page.index("Tenant A")  # by name
    assert "Retail" in page  # the sector
    assert "Unassigned Client" not in page
    assert "Tenant B" not in page  # another agency's client
    assert EMPTY not in page


@pytest.fixture
def agency_admin(client, world):
    sign_in(client, "agency_admin@agency-a.example")
    return client


def _invite_path(tenant: Tenant) -> str:
    return f"/agency/agency-a/tenants/{tenant.id}/invite-admin"


def _portfolio_row(client, tenant: Tenant) -> str:
    page = text(client.get("/agency/agency-a/"))
    start = page.index(f'href="/t/{tenant.slug}/"')
    return page[start : page.index("</tr>", start)]


def test_the_hr_admin_invitation_is_offered_only_where_one_is_missing(agency_admin, world):
    newcomer = make_tenant("newcomer", world.a.agency)
    assert _invite_path(newcomer) in _portfolio_row(agency_admin, newcomer)
    # Tenant A has an active HR admin: nothing to invite.
    row = _portfolio_row(agency_admin, world.a.tenant)
    assert _invite_path(world.a.tenant) not in row
    assert "Invitation pending" not in row


def test_a_pending_hr_admin_invitation_is_named_instead_of_the_link(agency_admin, world):
    newcomer = make_tenant("newcomer", world.a.agency)
    make_tenant_invitation(newcomer, "boss@newcomer.example", role="hr_admin")
    row = _portfolio_row(agency_admin, newcomer)
    assert "Invitation pending" in row
    assert _invite_path(newcomer) not in row


def test_an_expired_or_other_invitation_leaves_the_link(agency_admin, world):
    newcomer = make_tenant("newcomer", world.a.agency)
    make_tenant_invitation(newcomer, "hr@newcomer.example", role="hr")  # not an admin
    expired = make_tenant_invitation(newcomer, "boss@newcomer.example", role="hr_admin")
    with tenant_scope(newcomer.id):
        db.session.execute(
            sa.update(TenantInvitation)
            .where(TenantInvitation.tenant_id == newcomer.id, TenantInvitation.id == expired.id)
            .values(expires_at=utcnow() - dt.timedelta(hours=1))
        )
        db.session.commit()
    row = _portfolio_row(agency_admin, newcomer)
    assert _invite_path(newcomer) in row
    assert "Invitation pending" not in row


def test_a_deactivated_hr_admin_does_not_count(agency_admin, world):
    newcomer = make_tenant("newcomer", world.a.agency)
    membership = add_membership(newcomer, make_user("gone@newcomer.example"), "hr_admin")
    with tenant_scope(newcomer.id):
        db.session.merge(membership).deactivated_at = utcnow()
        db.session.commit()
    assert _invite_path(newcomer) in _portfolio_row(agency_admin, newcomer)


def test_an_empty_portfolio_leads_to_the_new_client_form(app, client):
    agency = make_agency("empty-agency")
    add_agency_membership(agency, make_user("boss@empty.example"), "agency_admin")
    sign_in(client, "boss@empty.example")
    page = text(client.get("/agency/empty-agency/"))
    assert "No client companies yet." in page
    assert '<a href="/agency/empty-agency/tenants/new">Create your first client company</a>' in page
