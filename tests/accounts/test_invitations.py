"""An invitation belongs to the tenant or agency that sent it and gives access only once
accepted; agency staff reach the agency's clients only through the agency."""

import sqlalchemy as sa

from service.accounts.models import AgencyInvitation, AgencyMembership, TenantInvitation, User
from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Agency, Membership, TenantRole, TenantStatus
from tests.accounts.conftest import emails_to, link_in_last_email, post, sign_in
from tests.factories import add_agency_membership

PASSWORD = "a brand new password"


def _as(app, email):
    client = app.test_client()
    sign_in(client, email)
    return client


def _invite(client, tenant_slug, email, name="Typed Name", role="member"):
    page = f"/t/{tenant_slug}/members/"
    return post(
        client,
        page + "invite",
        {"email": email, "display_name": name, "role": role, "language": "en"},
        token_from=page,
    )


def _membership(tenant, user_id):
    with tenant_scope(tenant.id):
        db.session.expire_all()
        return db.session.scalar(sa.select(Membership).where(Membership.user_id == user_id))


def _accept_new(client, link, name="Chosen Name"):
    data = {"display_name": name, "password": PASSWORD, "confirm": PASSWORD}
    return post(client, link, data, token_from=link)


# --- 1. agency staff reach a client only through the agency ------------------------------


def test_an_agency_admin_cannot_make_themselves_a_client_member(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    response = _invite(admin, "tenant-a", "agency_admin@agency-a.example", role="hr_admin")
    assert response.status_code == 422
    assert "the agency gives its staff access" in response.get_data(as_text=True)
    assert _membership(world.a.tenant, world.a.users["agency_admin"].id) is None
    with tenant_scope(world.a.tenant.id):
        assert db.session.scalar(sa.select(sa.func.count(TenantInvitation.id))) == 1  # factory's


def test_a_consultant_cannot_be_made_a_tenant_managed_member(app, world):
    response = _invite(_as(app, "hr_admin@a.example"), "tenant-a", "consultant@agency-a.example")
    assert response.status_code == 422
    assert _membership(world.a.tenant, world.a.users["consultant"].id) is None


def test_a_staff_membership_held_anyway_counts_for_nothing_once_the_agency_is_suspended(app, world):
    """Data written before the rule: an agency admin with an ordinary HR-admin membership."""
    admin_user = world.a.users["agency_admin"]
    with tenant_scope(world.a.tenant.id):
        db.session.add(Membership(user_id=admin_user.id, role=TenantRole.HR_ADMIN))
        db.session.commit()
    admin = _as(app, "agency_admin@agency-a.example")
    assert admin.get("/t/tenant-a/members/").status_code == 200  # as the agency's admin
    agency = db.session.get(Agency, world.a.agency.id)
    agency.status = TenantStatus.SUSPENDED
    db.session.commit()
    for path in ("/t/tenant-a/", "/t/tenant-a/members/", "/t/tenant-a/settings"):
        assert admin.get(path).status_code == 404, path
    assert "tenant-a" not in admin.get("/").get_data(as_text=True)


def test_a_client_member_cannot_join_the_clients_agency(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    page = "/agency/agency-a/consultants"
    response = post(
        admin,
        page + "/invite",
        {"email": "hr@a.example", "display_name": "X", "language": "nl"},
        token_from=page,
    )
    assert response.status_code == 422
    assert "cannot also join the agency" in response.get_data(as_text=True)


def test_the_rule_holds_at_acceptance_too(app, world):
    """Invited as a member, then hired by the agency before accepting: refused."""
    assert _invite(_as(app, "hr_admin@a.example"), "tenant-a", "late@example.com").status_code
    link = link_in_last_email("late@example.com")
    late = User(email="late@example.com", display_name="Late")
    db.session.add(late)
    db.session.commit()
    add_agency_membership(world.a.agency, late, "consultant")
    response = _accept_new(app.test_client(), link)
    assert response.status_code == 422
    assert "the agency gives its staff access" in response.get_data(as_text=True)
    assert _membership(world.a.tenant, late.id) is None


# --- 2. an invitation belongs to its tenant and needs the person's acceptance ------------


def test_an_existing_account_gets_access_only_after_accepting(app, world):
    hr_a = world.a.users["hr"]
    assert _invite(_as(app, "hr_admin@b.example"), "tenant-b", "hr@a.example").status_code == 302
    invitee = _as(app, "hr@a.example")
    assert invitee.get("/t/tenant-b/").status_code == 404
    assert _membership(world.b.tenant, hr_a.id) is None

    (email,) = emails_to("hr@a.example")
    assert email.secret  # a single-use link, erased once sent
    link = link_in_last_email("hr@a.example")
    assert link.startswith("/invitation/")
    anonymous = app.test_client().get(link).get_data(as_text=True)
    assert "Sign in to accept" in anonymous
    assert "Typed Name" not in anonymous
    assert "hr@a.example" in anonymous

    assert post(invitee, link, token_from=link).status_code == 302
    assert invitee.get("/t/tenant-b/").status_code == 200
    assert _membership(world.b.tenant, hr_a.id).role == TenantRole.MEMBER
    assert db.session.get(User, hr_a.id).display_name == "hr@a.example"  # untouched
    assert app.test_client().get(link).status_code == 410


def test_someone_else_signed_in_cannot_accept(app, world):
    _invite(_as(app, "hr_admin@b.example"), "tenant-b", "hr@a.example")
    link = link_in_last_email("hr@a.example")
    other = _as(app, "member@a.example")
    page = other.get(link).get_data(as_text=True)
    assert "you are signed in as member@a.example" in page
    post(other, link, token_from=link)
    assert _membership(world.b.tenant, world.a.users["member"].id) is None
    assert _membership(world.b.tenant, world.a.users["hr"].id) is None
    assert app.test_client().get(link).status_code == 200  # still unused


def test_the_inviter_sees_only_what_they_typed(app, world):
    user = db.session.get(User, world.a.users["hr"].id)
    user.display_name = "Hanne Claes (set in A)"
    db.session.commit()
    admin_b = _as(app, "hr_admin@b.example")
    _invite(admin_b, "tenant-b", "hr@a.example", name="Typed By B")
    page = admin_b.get("/t/tenant-b/members/").get_data(as_text=True)
    assert "Typed By B" in page
    assert "Hanne Claes" not in page


def test_invitations_of_two_tenants_do_not_touch_each_other(app, world):
    _invite(_as(app, "hr_admin@a.example"), "tenant-a", "new@example.com", name="Named By A")
    link_a = link_in_last_email("new@example.com")
    admin_b = _as(app, "hr_admin@b.example")
    _invite(admin_b, "tenant-b", "new@example.com", name="Named By B")
    link_b = link_in_last_email("new@example.com")
    assert link_a != link_b
    assert app.test_client().get(link_a).status_code == 200  # A's link still works
    page_b = admin_b.get("/t/tenant-b/members/").get_data(as_text=True)
    assert "Named By B" in page_b
    assert "Named By A" not in page_b

    invitee = app.test_client()
    assert _accept_new(invitee, link_a).location == "/t/tenant-a/"
    assert invitee.get("/t/tenant-b/").status_code == 404  # B's invitation not yet accepted
    assert app.test_client().get(link_b).status_code == 200
    assert "Named By B" in admin_b.get("/t/tenant-b/members/").get_data(as_text=True)
    assert post(invitee, link_b, token_from=link_b).status_code == 302
    assert invitee.get("/t/tenant-b/").status_code == 200


def test_inviting_a_pending_address_again_replaces_the_invitation(app, world):
    admin = _as(app, "hr_admin@a.example")
    _invite(admin, "tenant-a", "twice@example.com")
    first = link_in_last_email("twice@example.com")
    response = _invite(admin, "tenant-a", "twice@example.com", role="hr")
    assert response.status_code == 302
    assert "earlier one no longer works" in admin.get("/t/tenant-a/members/").get_data(as_text=True)
    refused = app.test_client().get(first)
    assert refused.status_code == 410
    assert "withdrawn or replaced" in refused.get_data(as_text=True)
    invitee = app.test_client()
    _accept_new(invitee, link_in_last_email("twice@example.com"))
    user = db.session.scalar(sa.select(User).where(User.email == "twice@example.com"))
    assert _membership(world.a.tenant, user.id).role == TenantRole.HR


def _pending_id(tenant, email):
    with tenant_scope(tenant.id):
        return db.session.scalar(
            sa.select(TenantInvitation.id).where(
                TenantInvitation.email == email, TenantInvitation.cancelled_at.is_(None)
            )
        )


def test_a_pending_invitation_is_resent_or_cancelled_by_its_tenant_only(app, world):
    admin = _as(app, "hr_admin@a.example")
    members = "/t/tenant-a/members/"
    _invite(admin, "tenant-a", "pending@example.com", name="Pending Person")
    first = link_in_last_email("pending@example.com")
    invitation_id = _pending_id(world.a.tenant, "pending@example.com")
    page = admin.get(members).get_data(as_text=True)
    assert "Pending Person" in page
    assert f"invitations/{invitation_id}/cancel" in page

    other = _as(app, "hr_admin@b.example")
    foreign = f"/t/tenant-b/members/invitations/{invitation_id}/cancel"
    assert post(other, foreign, token_from="/t/tenant-b/members/").status_code == 404
    assert app.test_client().get(first).status_code == 200

    resend = f"{members}invitations/{invitation_id}/resend"
    assert post(admin, resend, token_from=members).status_code == 302
    second = link_in_last_email("pending@example.com")
    assert second != first
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    assert post(admin, resend, token_from=members).status_code == 404  # replaced

    invitation_id = _pending_id(world.a.tenant, "pending@example.com")
    cancel = f"{members}invitations/{invitation_id}/cancel"
    assert post(admin, cancel, token_from=members).status_code == 302
    assert app.test_client().get(second).status_code == 410
    assert "Pending Person" not in admin.get(members).get_data(as_text=True)
    assert post(admin, cancel, token_from=members).status_code == 404  # nothing pending


def test_agency_invitations_are_listed_resent_and_cancelled_by_their_agency(app, world):
    admin = _as(app, "agency_admin@agency-a.example")
    page = "/agency/agency-a/consultants"
    post(
        admin,
        page + "/invite",
        {"email": "scout@example.com", "display_name": "Scout", "language": "nl"},
        token_from=page,
    )
    link = link_in_last_email("scout@example.com")
    invitation_id = db.session.scalar(
        sa.select(AgencyInvitation.id).where(AgencyInvitation.email == "scout@example.com")
    )
    assert f"invitations/{invitation_id}/cancel" in admin.get(page).get_data(as_text=True)
    other = _as(app, "agency_admin@agency-b.example")
    foreign = f"/agency/agency-b/invitations/{invitation_id}/cancel"
    assert post(other, foreign, token_from="/agency/agency-b/consultants").status_code == 404
    cancel = f"/agency/agency-a/invitations/{invitation_id}/cancel"
    assert post(admin, cancel, token_from=page).status_code == 302
    assert app.test_client().get(link).status_code == 410
    assert (
        db.session.scalar(
            sa.select(AgencyMembership)
            .join(User, User.id == AgencyMembership.user_id)
            .where(User.email == "scout@example.com")
        )
        is None
    )


# --- 3. what the inviter is told: sent, or kept in the outbox -----------------------------

KEPT = "Mail is not sent in this installation (no MAIL_SERVER): "


def _told(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_without_a_mail_server_the_inviter_learns_where_the_invitation_waits(app, world):
    admin = _as(app, "hr_admin@a.example")
    page = _told(admin, _invite(admin, "tenant-a", "new@example.com"))
    assert "The invitation to new@example.com is ready." in page
    assert KEPT + "a platform administrator can read it in the outbox." in page
    assert "has been sent" not in page

    again = _told(admin, _invite(admin, "tenant-a", "new@example.com"))
    assert "A new invitation to new@example.com is ready; the link of the earlier one" in again
    assert KEPT in again


def test_a_platform_admin_is_told_to_read_it_in_the_outbox_themselves(app, world):
    platform = _as(app, "platform@exitloop.example")
    path = f"/platform/agencies/{world.b.agency.id}/invite-admin"
    data = {"email": "boss@agency.example", "display_name": "Boss", "language": "en"}
    page = _told(platform, post(platform, path, data, token_from=path))
    assert "The invitation to boss@agency.example is ready." in page
    assert KEPT + "you can read it in the outbox." in page


def test_with_a_mail_server_the_invitation_has_been_sent(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # refused at once: the mail waits, pending
    admin = _as(app, "hr_admin@a.example")
    page = _told(admin, _invite(admin, "tenant-a", "new@example.com"))
    assert "The invitation has been sent to new@example.com." in page
    assert "MAIL_SERVER" not in page
