"""People: deactivating a member, cancelling an invitation, removing or unassigning a
consultant and signing out everywhere ask first and say what will be lost; a change that
changes nothing says so and writes nothing.

For each action: the GET names who and what, changes nothing, and its form posts the
action; the POST does it; another tenant's or agency's object is a 404 on both; a role
without the permission gets a 403 on both.
"""

import html

import pytest
import sqlalchemy as sa

from service.accounts.models import AgencyInvitation, AgencyMembership, TenantInvitation, User
from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Membership, TenantRole
from tests.accounts.conftest import post, sign_in
from tests.conftest import writes_to
from tests.factories import add_membership, make_tenant, make_user

MEMBERS = "/t/tenant-a/members/"
CONSULTANTS = "/agency/agency-a/consultants"


def _as(app, email):
    client = app.test_client()
    sign_in(client, email)
    return client


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def membership(email: str, tenant) -> Membership:
    db.session.expire_all()
    with tenant_scope(tenant.id):
        return db.session.scalar(
            sa.select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email)
        )


def named(world, role: str, name: str) -> None:
    db.session.get(User, world.a.users[role].id).display_name = name
    db.session.commit()


def assert_asks(response, action: str) -> str:
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'<form method="post" action="{action}"' in body
    return page_text(response)


# --- deactivating a member -----------------------------------------------------------------


def test_deactivating_a_member_names_them_the_company_and_the_way_back(app, world):
    named(world, "leadership", "An Peeters")
    add_membership(world.b.tenant, world.a.users["leadership"], "member")  # access elsewhere
    target = membership("leadership@a.example", world.a.tenant)
    path = f"{MEMBERS}{target.id}/deactivate"
    admin = _as(app, "hr_admin@a.example")
    listing = admin.get(MEMBERS).get_data(as_text=True)
    assert f'href="{path}"' in listing
    assert f'action="{path}"' not in listing

    page = assert_asks(admin.get(path), path)
    assert "Deactivate An Peeters?" in page
    assert "They lose access to Tenant A at once." in page
    assert "You can reactivate them later on the members page." in page
    assert "signed out on every device" not in page  # they keep Tenant B
    assert membership("leadership@a.example", world.a.tenant).deactivated_at is None

    response = post(admin, path, token_from=MEMBERS)
    assert response.status_code == 302
    assert membership("leadership@a.example", world.a.tenant).deactivated_at is not None
    flashed = page_text(admin.get(response.headers["Location"]))
    assert "An Peeters has been deactivated and no longer has access." in flashed
    assert "To undo, choose Reactivate on their row." in flashed


def test_a_member_without_another_workspace_is_told_to_lose_every_session(app, world):
    target = membership("member@a.example", world.a.tenant)
    page = page_text(_as(app, "hr_admin@a.example").get(f"{MEMBERS}{target.id}/deactivate"))
    assert "They have no other workspace, so they are also signed out on every device." in page


def test_the_last_hr_admin_is_told_before_confirming_that_it_cannot_be_done(app, world):
    own = membership("hr_admin@a.example", world.a.tenant)
    response = _as(app, "hr_admin@a.example").get(f"{MEMBERS}{own.id}/deactivate")
    assert response.status_code == 200
    page = page_text(response)
    assert "The company needs at least one active HR administrator." in page
    assert "you lose access" not in page  # what would happen, were it possible
    panel = response.get_data(as_text=True).split('id="confirm-heading"')[1].split("</section>")[0]
    assert "<form" not in panel  # nothing to confirm: only the way back


def test_deactivating_oneself_says_who_can_give_access_back(app, world):
    add_membership(world.a.tenant, make_user("second.admin@a.example"), "hr_admin")
    own = membership("hr_admin@a.example", world.a.tenant)
    page = page_text(_as(app, "hr_admin@a.example").get(f"{MEMBERS}{own.id}/deactivate"))
    assert "That is you: you lose access to Tenant A at once" in page
    assert "only another HR administrator can give it back." in page
    assert "You have no other workspace, so you are also signed out on every device." in page
    assert "You can reactivate them later" not in page


def test_deactivating_twice_says_it_was_already_done(app, world):
    target = membership("member@a.example", world.a.tenant)
    path = f"{MEMBERS}{target.id}/deactivate"
    admin = _as(app, "hr_admin@a.example")
    post(admin, path, token_from=MEMBERS)
    assert "is already deactivated." in page_text(admin.get(path))
    with writes_to("memberships") as written:
        response = post(admin, path, token_from=MEMBERS)
    assert written == []
    page = page_text(admin.get(response.headers["Location"]))
    assert "member@a.example was already deactivated." in page
    assert "has been deactivated" not in page


def test_reactivating_an_active_member_says_nothing_changed(app, world):
    target = membership("member@a.example", world.a.tenant)
    admin = _as(app, "hr_admin@a.example")
    with writes_to("memberships") as written:
        response = post(admin, f"{MEMBERS}{target.id}/reactivate", token_from=MEMBERS)
    assert written == []
    page = page_text(admin.get(response.headers["Location"]))
    assert "Nothing changed: member@a.example already has access." in page


def test_another_tenants_member_is_404_to_ask_and_to_do(app, world):
    other = membership("member@b.example", world.b.tenant)
    admin = _as(app, "hr_admin@a.example")
    path = f"{MEMBERS}{other.id}/deactivate"
    assert admin.get(path).status_code == 404
    assert post(admin, path, token_from=MEMBERS).status_code == 404
    assert membership("member@b.example", world.b.tenant).deactivated_at is None


@pytest.mark.parametrize("role", ["hr", "leadership", "member"])
def test_roles_without_the_members_page_may_not_be_asked(app, world, role):
    target = membership("member@a.example", world.a.tenant)
    client = _as(app, f"{role}@a.example")
    path = f"{MEMBERS}{target.id}/deactivate"
    assert client.get(path).status_code == 403
    assert post(client, path, token_from="/profile").status_code == 403
    invitation = f"{MEMBERS}invitations/{world.a.objects['invitation'].id}/cancel"
    assert client.get(invitation).status_code == 403
    assert membership("member@a.example", world.a.tenant).deactivated_at is None


# --- roles: the same role twice, and giving up one's own ----------------------------------


def test_the_same_role_twice_changes_nothing_and_says_so(app, world):
    named(world, "member", "Jef Janssens")
    target = membership("member@a.example", world.a.tenant)
    admin = _as(app, "hr_admin@a.example")
    path = f"{MEMBERS}{target.id}/role"
    with writes_to("memberships") as written:
        response = post(admin, path, {"role": "member"}, token_from=MEMBERS)
    assert response.status_code == 302
    assert written == []
    page = page_text(admin.get(response.headers["Location"]))
    assert "Nothing changed: Jef Janssens already has the role Member." in page
    assert "now has the role" not in page

    response = post(admin, path, {"role": "hr"}, token_from=MEMBERS)
    assert "Jef Janssens now has the role HR." in page_text(admin.get(response.headers["Location"]))


def test_the_last_hr_admin_is_refused_at_once_not_asked(app, world):
    own = membership("hr_admin@a.example", world.a.tenant)
    response = post(
        _as(app, "hr_admin@a.example"), f"{MEMBERS}{own.id}/role", {"role": "hr"}, MEMBERS
    )
    assert response.status_code == 422
    assert "at least one active HR administrator" in page_text(response)


# --- invitations ------------------------------------------------------------------------


def test_cancelling_a_tenant_invitation_names_who_loses_the_link(app, world):
    invitation = world.a.objects["invitation"]
    path = f"{MEMBERS}invitations/{invitation.id}/cancel"
    admin = _as(app, "hr_admin@a.example")
    assert f'href="{path}"' in admin.get(MEMBERS).get_data(as_text=True)
    page = assert_asks(admin.get(path), path)
    assert "Cancel the invitation to invited@a.example?" in page
    assert "Its link stops working at once: Invited can no longer use it to join Tenant A." in page
    assert ">Keep the invitation</a>" in page
    with tenant_scope(world.a.tenant.id):
        assert db.session.get(TenantInvitation, (world.a.tenant.id, invitation.id)).is_pending

    assert post(admin, path, token_from=MEMBERS).status_code == 302
    db.session.expire_all()
    with tenant_scope(world.a.tenant.id):
        cancelled = db.session.get(TenantInvitation, (world.a.tenant.id, invitation.id))
        assert not cancelled.is_pending


def test_another_tenants_invitation_is_404_to_ask_and_to_do(app, world):
    foreign = world.b.objects["invitation"]
    admin = _as(app, "hr_admin@a.example")
    path = f"{MEMBERS}invitations/{foreign.id}/cancel"
    assert admin.get(path).status_code == 404
    assert post(admin, path, token_from=MEMBERS).status_code == 404
    with tenant_scope(world.b.tenant.id):
        assert db.session.get(TenantInvitation, (world.b.tenant.id, foreign.id)).is_pending


def test_cancelling_an_agency_invitation_asks_first(app, world):
    invitation = world.a.objects["agency_invitation"]
    path = f"/agency/agency-a/invitations/{invitation.id}/cancel"
    admin = _as(app, "agency_admin@agency-a.example")
    page = assert_asks(admin.get(path), path)
    assert "Cancel the invitation to invited@agency-a.example?" in page
    assert "to join Agency-A" in page
    assert db.session.get(AgencyInvitation, invitation.id).is_pending
    assert post(admin, path, token_from=CONSULTANTS).status_code == 302
    db.session.expire_all()
    assert not db.session.get(AgencyInvitation, invitation.id).is_pending
    foreign = f"/agency/agency-a/invitations/{world.b.objects['agency_invitation'].id}/cancel"
    assert admin.get(foreign).status_code == 404
    consultant = _as(app, "consultant@agency-a.example")
    assert consultant.get(path).status_code == 403


# --- consultants ------------------------------------------------------------------------


def _assign(client, tenant, user):
    data = {"user_id": str(user.id), "tenant_id": str(tenant.id)}
    return post(client, f"{CONSULTANTS}/assign", data, token_from=CONSULTANTS)


def _assigned(tenant, user) -> bool:
    db.session.expire_all()
    with tenant_scope(tenant.id):
        found = db.session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
    return found is not None and found.assigned_by_agency


@pytest.fixture
def sofie(world):
    """The agency's consultant, assigned to Tenant A and to a second client."""
    user = world.a.users["consultant"]
    user.display_name = "Sofie Claes"
    db.session.add(user)
    db.session.commit()
    second = make_tenant("brasserie", world.a.agency, name="Brasserie Het Anker")
    with tenant_scope(world.a.tenant.id):
        db.session.add(
            Membership(user_id=user.id, role=TenantRole.INTERVIEWER, assigned_by_agency=True)
        )
        db.session.commit()
    with tenant_scope(second.id):
        db.session.add(
            Membership(user_id=user.id, role=TenantRole.INTERVIEWER, assigned_by_agency=True)
        )
        db.session.commit()
    return user, second


def test_unassigning_a_consultant_asks_and_says_how_to_undo(app, world, sofie):
    user, _second = sofie
    path = f"{CONSULTANTS}/{user.id}/clients/{world.a.tenant.id}/unassign"
    admin = _as(app, "agency_admin@agency-a.example")
    listing = admin.get(CONSULTANTS).get_data(as_text=True)
    assert f'href="{path}"' in listing
    page = assert_asks(admin.get(path), path)
    assert "Remove Sofie Claes from Tenant A?" in page
    assert "Their access to Tenant A ends at once." in page
    assert "You can assign them again on the consultants page at any time." in page
    assert _assigned(world.a.tenant, user)

    response = post(admin, path, token_from=CONSULTANTS)
    assert response.status_code == 302
    assert not _assigned(world.a.tenant, user)
    flashed = page_text(admin.get(response.headers["Location"]))
    assert "Sofie Claes no longer has access to Tenant A. To undo, assign them again" in flashed

    assert "Sofie Claes is not assigned to Tenant A." in page_text(admin.get(path))
    with writes_to("memberships") as written:
        again = post(admin, path, token_from=CONSULTANTS)
    assert written == []
    assert "Sofie Claes was not assigned to Tenant A." in page_text(
        admin.get(again.headers["Location"])
    )


def test_assigning_twice_says_it_was_already_done(app, world, sofie):
    user, _second = sofie
    admin = _as(app, "agency_admin@agency-a.example")
    with writes_to("memberships") as written:
        response = _assign(admin, world.a.tenant, user)
    assert response.status_code == 302
    assert written == []
    page = page_text(admin.get(response.headers["Location"]))
    assert "Sofie Claes was already assigned to Tenant A." in page
    assert "is now assigned" not in page


def test_removing_a_consultant_names_every_assignment_that_ends(app, world, sofie):
    user, _second = sofie
    path = f"{CONSULTANTS}/{user.id}/remove"
    admin = _as(app, "agency_admin@agency-a.example")
    page = assert_asks(admin.get(path), path)
    assert "Remove Sofie Claes from Agency-A?" in page
    assert (
        "Their assignments to 2 client companies end at once: Brasserie Het Anker, Tenant A."
        in page
    )
    assert "They have no other workspace, so their account is deactivated" in page
    assert _assigned(world.a.tenant, user)

    assert post(admin, path, token_from=CONSULTANTS).status_code == 302
    assert not _assigned(world.a.tenant, user)
    assert (
        db.session.scalar(sa.select(AgencyMembership).where(AgencyMembership.user_id == user.id))
        is None
    )


def test_a_consultant_with_another_workspace_keeps_their_account(app, world):
    user = world.a.users["consultant"]
    add_membership(world.b.tenant, user, "member")
    page = page_text(
        _as(app, "agency_admin@agency-a.example").get(f"{CONSULTANTS}/{user.id}/remove")
    )
    assert "They are not assigned to any client company." in page
    assert "no other workspace" not in page


def test_another_agencys_consultant_or_client_is_404_to_ask_and_to_do(app, world, sofie):
    user, _second = sofie
    admin = _as(app, "agency_admin@agency-b.example")
    paths = [
        f"/agency/agency-b/consultants/{user.id}/remove",
        f"/agency/agency-b/consultants/{user.id}/clients/{world.a.tenant.id}/unassign",
        f"/agency/agency-b/consultants/{world.b.users['consultant'].id}/clients/"
        f"{world.a.tenant.id}/unassign",
    ]
    for path in paths:
        assert admin.get(path).status_code == 404, path
        assert post(admin, path, token_from="/agency/agency-b/consultants").status_code == 404
    assert _assigned(world.a.tenant, user)


def test_a_consultant_may_not_be_asked_to_remove_anyone(app, world, sofie):
    user, _second = sofie
    consultant = _as(app, "consultant@agency-a.example")
    for path in (
        f"{CONSULTANTS}/{user.id}/remove",
        f"{CONSULTANTS}/{user.id}/clients/{world.a.tenant.id}/unassign",
    ):
        assert consultant.get(path).status_code == 403
        assert post(consultant, path, token_from="/profile").status_code == 403
    assert _assigned(world.a.tenant, user)


# --- signing out everywhere -------------------------------------------------------------


def test_signing_out_everywhere_says_how_many_sessions_end(app, world):
    user = make_user("two.devices@example.com", preferred_language="en")
    add_membership(world.a.tenant, user, "member")
    phone, laptop = _as(app, "two.devices@example.com"), _as(app, "two.devices@example.com")
    assert 'href="/sign-out-everywhere"' in laptop.get("/profile").get_data(as_text=True)
    page = assert_asks(laptop.get("/sign-out-everywhere"), "/sign-out-everywhere")
    assert "Sign out on every device?" in page
    assert "Your 2 sessions end, this one included." in page
    assert phone.get("/profile").status_code == 200  # asking ended nothing

    assert post(laptop, "/sign-out-everywhere", token_from="/profile").status_code == 302
    assert phone.get("/profile").status_code == 302


def test_saving_an_unchanged_profile_says_nothing_was_saved(app, world):
    client = _as(app, "member@a.example")
    same = {"display_name": "member@a.example", "language": "en"}
    with writes_to("users") as written:
        response = post(client, "/profile", same, token_from="/profile")
    assert response.status_code == 302
    assert written == []
    page = page_text(client.get("/profile"))
    assert "No changes to save." in page
    assert "Your profile has been saved." not in page
