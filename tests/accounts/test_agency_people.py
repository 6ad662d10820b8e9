"""Agency admins: consultants and their assignments, a client tenant's first HR admin;
platform admins: an agency's first admin."""

import sqlalchemy as sa

from service.accounts.models import AgencyMembership, AgencyRole, User
from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Membership, TenantRole
from tests.accounts.conftest import emails_to, link_in_last_email, post, sign_in
from tests.factories import make_tenant

CONSULTANTS = "/agency/agency-a/consultants"


def _as(app, email):
    client = app.test_client()
    sign_in(client, email)
    return client


def _assign(client, world, tenant=None, user=None, action="assign"):
    user_id = (user or world.a.users["consultant"]).id
    tenant_id = (tenant or world.a.tenant).id
    if action == "unassign":
        path = f"{CONSULTANTS}/{user_id}/clients/{tenant_id}/unassign"
        return post(client, path, token_from=CONSULTANTS)
    data = {"user_id": str(user_id), "tenant_id": str(tenant_id)}
    return post(client, f"{CONSULTANTS}/assign", data, token_from=CONSULTANTS)


def test_consultants_page_by_role_and_agency(app, world):
    assert _as(app, "agency_admin@agency-a.example").get(CONSULTANTS).status_code == 200
    assert _as(app, "consultant@agency-a.example").get(CONSULTANTS).status_code == 403
    assert _as(app, "agency_admin@agency-b.example").get(CONSULTANTS).status_code == 404
    assert _as(app, "hr_admin@a.example").get(CONSULTANTS).status_code == 404


def test_assignment_gives_access_and_unassignment_removes_it_at_once(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    consultant = _as(app, "consultant@agency-a.example")
    assert consultant.get("/t/tenant-a/").status_code == 404

    assert _assign(admin, world).status_code == 302
    assert consultant.get("/t/tenant-a/").status_code == 200
    page = admin.get(CONSULTANTS).get_data(as_text=True)
    assert world.a.tenant.name in page
    with tenant_scope(world.a.tenant.id):
        membership = db.session.scalar(
            sa.select(Membership).where(Membership.user_id == world.a.users["consultant"].id)
        )
        assert membership.role == TenantRole.INTERVIEWER
        assert membership.assigned_by_agency
    assert _assign(admin, world).status_code == 302  # assigning twice changes nothing

    assert _assign(admin, world, action="unassign").status_code == 302
    assert consultant.get("/t/tenant-a/").status_code == 404


def test_consultant_assigned_to_two_tenants_switches_between_them(app, world):
    second = make_tenant("tenant-a2", world.a.agency, name="Second Client")
    admin = _as(app, "agency_admin@agency-a.example")
    _assign(admin, world)
    _assign(admin, world, tenant=second)
    consultant = _as(app, "consultant@agency-a.example")
    header = consultant.get("/t/tenant-a/").get_data(as_text=True)
    assert 'href="/t/tenant-a2/"' in header
    assert "Second Client" in header
    assert consultant.get("/t/tenant-a2/").status_code == 200


def test_assignment_refuses_another_agency_s_tenant_or_consultant(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    assert _assign(admin, world, tenant=world.b.tenant).status_code == 404
    assert _assign(admin, world, user=world.b.users["consultant"]).status_code == 404
    with tenant_scope(world.b.tenant.id):
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Membership)
                .where(Membership.assigned_by_agency.is_(True))
            )
            == 0
        )


def test_assignment_refuses_a_consultant_who_already_has_a_role_there(app, world):
    consultant = world.a.users["consultant"]
    with tenant_scope(world.a.tenant.id):
        db.session.add(Membership(user_id=consultant.id, role=TenantRole.HR))
        db.session.commit()
    response = _assign(_as(app, "agency_admin@agency-a.example"), world)
    assert response.status_code == 422
    assert "already has another role" in response.get_data(as_text=True)


def test_assignment_form_rejects_bad_ids(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    response = post(
        admin, f"{CONSULTANTS}/assign", {"user_id": "x", "tenant_id": ""}, token_from=CONSULTANTS
    )
    assert response.status_code == 422
    assert "Choose a consultant." in response.get_data(as_text=True)


def test_consultant_assignment_is_not_managed_on_the_members_page(app, world):
    _assign(_as(app, "agency_admin@agency-a.example"), world)
    with tenant_scope(world.a.tenant.id):
        membership_id = db.session.scalar(
            sa.select(Membership.id).where(Membership.user_id == world.a.users["consultant"].id)
        )
    hr_admin = _as(app, "hr_admin@a.example")
    path = f"/t/tenant-a/members/{membership_id}/role"
    response = post(hr_admin, path, {"role": "hr_admin"}, token_from="/t/tenant-a/members/")
    assert response.status_code == 422
    assert "managed by the agency" in response.get_data(as_text=True)


def test_agency_admin_invites_a_consultant(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    response = post(
        admin,
        f"{CONSULTANTS}/invite",
        {"email": "new.consultant@example.com", "display_name": "Nieuw", "language": "nl"},
        token_from=CONSULTANTS,
    )
    assert response.status_code == 302
    assert _agency_role(world, "new.consultant@example.com") is None  # not before accepting
    (email,) = emails_to("new.consultant@example.com")
    assert email.language == "nl"
    _accept(app.test_client(), "new.consultant@example.com")
    assert _agency_role(world, "new.consultant@example.com") == AgencyRole.CONSULTANT


def _agency_role(world, email):
    return db.session.scalar(
        sa.select(AgencyMembership.role)
        .join(User, User.id == AgencyMembership.user_id)
        .where(AgencyMembership.agency_id == world.a.agency.id, User.email == email)
    )


def _accept(invitee, address, password="a brand new password"):
    link = link_in_last_email(address)
    response = post(
        invitee,
        link,
        {"display_name": "Accepted Person", "password": password, "confirm": password},
        token_from=link,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _invite_admin_path(world, tenant=None):
    return f"/agency/agency-a/tenants/{(tenant or world.a.tenant).id}/invite-admin"


def test_agency_admin_invites_a_client_tenant_s_first_hr_admin(app, world):
    fresh = make_tenant("fresh-client", world.a.agency, default_language="fr")
    admin = _as(app, "agency_admin@agency-a.example")
    path = _invite_admin_path(world, fresh)
    page = admin.get(path)
    assert page.status_code == 200
    assert '<option value="fr" selected>' in page.get_data(as_text=True)
    response = post(
        admin,
        path,
        {"email": "chef@fresh.example", "display_name": "Chef", "language": "fr"},
        token_from=path,
    )
    assert response.status_code == 302
    (email,) = emails_to("chef@fresh.example")
    assert email.tenant_id == fresh.id
    assert email.language == "fr"

    invitee = app.test_client()
    _accept(invitee, "chef@fresh.example")
    assert invitee.get("/t/fresh-client/members/").status_code == 200


def test_invite_admin_by_role_and_agency(app, world):
    path = _invite_admin_path(world)
    assert _as(app, "consultant@agency-a.example").get(path).status_code == 403
    assert _as(app, "agency_admin@agency-b.example").get(path).status_code == 404
    other_client = _invite_admin_path(world, world.b.tenant)
    assert _as(app, "agency_admin@agency-a.example").get(other_client).status_code == 404


def test_invite_admin_validates(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    path = _invite_admin_path(world)
    response = post(
        admin, path, {"email": "x", "display_name": "", "language": "nl"}, token_from=path
    )
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_platform_admin_invites_an_agency_s_first_admin(app, world):
    platform = _as(app, "platform@exitloop.example")
    path = f"/platform/agencies/{world.b.agency.id}/invite-admin"
    assert platform.get(path).status_code == 200
    response = post(
        platform,
        path,
        {"email": "boss@agency.example", "display_name": "Boss", "language": "en"},
        token_from=path,
    )
    assert response.status_code == 302
    (email,) = emails_to("boss@agency.example")
    assert email.secret
    assert not hasattr(email, "tenant_id")

    invitee = app.test_client()
    assert invitee.get("/agency/agency-b/consultants").status_code == 302  # not yet a member
    _accept(invitee, "boss@agency.example")
    assert invitee.get("/agency/agency-b/consultants").status_code == 200


def test_platform_invite_is_for_platform_admins_and_existing_agencies(app, world):
    path = f"/platform/agencies/{world.b.agency.id}/invite-admin"
    assert _as(app, "agency_admin@agency-b.example").get(path).status_code == 404
    platform = _as(app, "platform@exitloop.example")
    assert platform.get(f"/platform/agencies/{world.b.tenant.id}/invite-admin").status_code == 404


def test_inviting_an_existing_agency_member_is_refused(app, world):
    platform = _as(app, "platform@exitloop.example")
    path = f"/platform/agencies/{world.a.agency.id}/invite-admin"
    response = post(
        platform,
        path,
        {"email": "consultant@agency-a.example", "display_name": "X", "language": "en"},
        token_from=path,
    )
    assert response.status_code == 422
    assert "already belongs to the agency" in response.get_data(as_text=True)


def _remove(client, user):
    return post(client, f"{CONSULTANTS}/{user.id}/remove", {}, token_from=CONSULTANTS)


def test_removing_a_consultant_from_the_agency_ends_every_access_at_once(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    consultant = world.a.users["consultant"]
    assert _assign(admin, world).status_code == 302
    signed_in = _as(app, "consultant@agency-a.example")
    assert signed_in.get("/t/tenant-a/").status_code == 200

    assert _remove(admin, consultant).status_code == 302

    # The copy of the session the consultant holds no longer works anywhere.
    assert signed_in.get("/t/tenant-a/").status_code == 302
    assert signed_in.get("/agency/agency-a/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, consultant.id).active is False
    assert (
        db.session.scalar(
            sa.select(AgencyMembership).where(AgencyMembership.user_id == consultant.id)
        )
        is None
    )
    with tenant_scope(world.a.tenant.id):
        assert (
            db.session.scalar(sa.select(Membership).where(Membership.user_id == consultant.id))
            is None
        )
    assert f"{consultant.id}/remove" not in admin.get(CONSULTANTS).get_data(as_text=True)


def test_a_consultant_with_other_access_stays_active(app, world):
    consultant = world.a.users["consultant"]
    with tenant_scope(world.b.tenant.id):
        db.session.add(Membership(user_id=consultant.id, role=TenantRole.MEMBER))
        db.session.commit()
    admin = _as(app, "agency_admin@agency-a.example")
    assert _remove(admin, consultant).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, consultant.id).active is True
    assert _as(app, "consultant@agency-a.example").get("/t/tenant-b/").status_code == 200


def test_another_agencys_consultant_cannot_be_removed(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    other = world.b.users["consultant"]
    assert _remove(admin, other).status_code == 404
    assert _as(app, "consultant@agency-b.example").get("/agency/agency-b/").status_code == 200
    consultant = _as(app, "consultant@agency-a.example")
    assert _remove(consultant, world.a.users["consultant"]).status_code == 403


def test_consultants_are_searched_and_paginated(app, world):
    from tests.factories import add_agency_membership, make_user

    for number in range(30):
        user = make_user(f"extra{number:02d}@agency-a.example", display_name=f"Extra {number:02d}")
        add_agency_membership(world.a.agency, user, "consultant")
    admin = _as(app, "agency_admin@agency-a.example")
    first = admin.get(CONSULTANTS).get_data(as_text=True)
    assert "extra00@agency-a.example" in first
    assert "extra29@agency-a.example" not in first
    assert "extra29@agency-a.example" in admin.get(f"{CONSULTANTS}?page=2").get_data(as_text=True)
    found = admin.get(f"{CONSULTANTS}?q=extra07").get_data(as_text=True)
    assert "extra07@agency-a.example" in found
    assert "extra08@agency-a.example" not in found


def test_suspended_clients_are_not_offered_for_assignment(app, world):
    from service.tenants.models import TenantStatus

    suspended = make_tenant("closed-shop", world.a.agency, name="Closed Shop")
    suspended.status = TenantStatus.SUSPENDED
    db.session.add(suspended)
    db.session.commit()
    page = _as(app, "agency_admin@agency-a.example").get(CONSULTANTS).get_data(as_text=True)
    assert f'value="{suspended.id}"' not in page
    assert f'value="{world.a.tenant.id}"' in page
