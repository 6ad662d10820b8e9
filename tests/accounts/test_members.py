"""The members page of a tenant: list, search, paginate, invite, change a role, deactivate;
the last HR administrator stays, also under two concurrent demotions on PostgreSQL."""

import contextlib
import threading

import pytest
import sqlalchemy as sa

from service.accounts import members
from service.accounts.models import User
from service.extensions import db
from service.listing import PER_PAGE
from service.refusals import Refused
from service.tenancy import tenant_scope, unscoped
from service.tenants.models import Membership, TenantRole
from tests.accounts.conftest import post, sign_in
from tests.factories import add_membership, make_user

PAGE = "/t/tenant-a/members/"


def _membership(email: str, tenant) -> Membership:
    db.session.expire_all()
    with tenant_scope(tenant.id):
        return db.session.scalar(
            sa.select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email)
        )


def _admin(app):
    client = app.test_client()
    sign_in(client, "hr_admin@a.example")
    return client


@pytest.mark.parametrize("role", ["hr", "interviewer", "leadership", "member"])
def test_other_tenant_roles_are_refused(app, world, role):
    client = app.test_client()
    sign_in(client, f"{role}@a.example")
    assert client.get(PAGE).status_code == 403
    target = _membership("member@a.example", world.a.tenant)
    assert post(client, f"{PAGE}{target.id}/deactivate", token_from="/profile").status_code == 403
    assert _membership("member@a.example", world.a.tenant).deactivated_at is None


def test_another_tenant_is_not_found(app, world):
    client = _admin(app)
    assert client.get("/t/tenant-b/members/").status_code == 404
    other = _membership("member@b.example", world.b.tenant)
    for action in ("deactivate", "role"):
        response = post(client, f"{PAGE}{other.id}/{action}", {"role": "hr"}, token_from=PAGE)
        assert response.status_code == 404
    assert _membership("member@b.example", world.b.tenant).deactivated_at is None


def test_consultant_not_assigned_is_not_found_and_agency_admin_may_manage(app, world):
    consultant = app.test_client()
    sign_in(consultant, "consultant@agency-a.example")
    assert consultant.get(PAGE).status_code == 404
    agency_admin = app.test_client()
    sign_in(agency_admin, "agency_admin@agency-a.example")
    assert agency_admin.get(PAGE).status_code == 200
    other_agency = app.test_client()
    sign_in(other_agency, "agency_admin@agency-b.example")
    assert other_agency.get(PAGE).status_code == 404


def test_list_shows_members_and_search_narrows_it(app, world):
    client = _admin(app)
    page = client.get(PAGE).get_data(as_text=True)
    for role in TenantRole:
        assert f"{role.value}@a.example" in page
    assert "@b.example" not in page
    found = client.get(PAGE + "?q=LEADER").get_data(as_text=True)
    assert "leadership@a.example" in found
    assert "member@a.example" not in found


def test_search_is_cut_at_100_characters_and_takes_wildcards_literally(app, world):
    client = _admin(app)
    long_search = client.get(PAGE + "?q=" + "leader" + "x" * 200)
    assert long_search.status_code == 200
    assert 'value="leader' + "x" * 94 + '"' in long_search.get_data(as_text=True)
    assert "member@a.example" not in client.get(PAGE + "?q=%25").get_data(as_text=True)
    assert "member@a.example" not in client.get(PAGE + "?q=_").get_data(as_text=True)


def test_list_paginates(app, world):
    for number in range(PER_PAGE):
        add_membership(world.a.tenant, make_user(f"extra{number:02d}@a.example"), "member")
    client = _admin(app)
    first = client.get(PAGE).get_data(as_text=True)
    second = client.get(PAGE + "?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second
    assert first.count('<tr id="member-') == PER_PAGE
    assert second.count('<tr id="member-') == len(TenantRole)
    assert "Page 1 of 2" in client.get(PAGE + "?page=0").get_data(as_text=True)


def test_htmx_search_returns_only_the_list(app, world):
    client = _admin(app)
    response = client.get(PAGE + "?q=hr", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="listing"' in body
    assert "<html" not in body


def _invite(client, **fields):
    data = {"email": "new@a.example", "display_name": "New", "role": "hr", "language": "nl"}
    return post(client, PAGE + "invite", {**data, **fields}, token_from=PAGE)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"email": "a" * 243 + "@example.com"}, "email", "Enter a valid email address."),
        ({"display_name": "x" * 121}, "display_name", "at most 120 characters"),
        ({"display_name": ""}, "display_name", "at most 120 characters"),
        ({"role": "agency_admin"}, "role", "Choose one of the roles."),
        ({"language": "de"}, "language", "Choose Dutch, French or English."),
    ],
)
def test_invalid_invitation_is_refused_with_a_field_message(app, world, fields, field, message):
    response = _invite(_admin(app), **fields)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body
    assert message in body
    assert db.session.scalar(sa.select(User).where(User.email.like("new@%"))) is None


def test_invitation_with_the_longest_name_is_accepted(app, world):
    assert _invite(_admin(app), display_name="x" * 120).status_code == 302
    page = _admin(app).get(PAGE).get_data(as_text=True)
    assert "x" * 120 in page  # listed as a pending invitation, with the name as typed


def test_inviting_a_current_member_is_refused(app, world):
    response = _invite(_admin(app), email="HR@a.example")
    assert response.status_code == 422
    assert "already a member" in response.get_data(as_text=True)


def test_change_role(app, world):
    target = _membership("member@a.example", world.a.tenant)
    response = post(_admin(app), f"{PAGE}{target.id}/role", {"role": "leadership"}, token_from=PAGE)
    assert response.status_code == 302
    assert _membership("member@a.example", world.a.tenant).role == TenantRole.LEADERSHIP


def test_the_last_hr_admin_can_be_neither_demoted_nor_deactivated(app, world):
    client = _admin(app)
    own = _membership("hr_admin@a.example", world.a.tenant)
    demoted = post(client, f"{PAGE}{own.id}/role", {"role": "hr"}, token_from=PAGE)
    assert demoted.status_code == 422
    assert "at least one active HR administrator" in demoted.get_data(as_text=True)
    deactivated = post(client, f"{PAGE}{own.id}/deactivate", token_from=PAGE)
    assert deactivated.status_code == 422
    membership = _membership("hr_admin@a.example", world.a.tenant)
    assert membership.role == TenantRole.HR_ADMIN
    assert membership.deactivated_at is None


def test_with_a_second_admin_one_may_step_down(app, world):
    client = _admin(app)
    other = _membership("hr@a.example", world.a.tenant)
    post(client, f"{PAGE}{other.id}/role", {"role": "hr_admin"}, token_from=PAGE)
    own = _membership("hr_admin@a.example", world.a.tenant)
    # Giving up one's own admin role cannot be undone alone: it is asked first.
    asked = post(client, f"{PAGE}{own.id}/role", {"role": "hr"}, token_from=PAGE)
    assert asked.status_code == 200
    assert "Give up your role of HR administrator?" in asked.get_data(as_text=True)
    assert _membership("hr_admin@a.example", world.a.tenant).role == TenantRole.HR_ADMIN
    confirmed = {"role": "hr", "confirmed": "yes"}
    response = post(client, f"{PAGE}{own.id}/role", confirmed, token_from=PAGE)
    assert response.status_code == 302
    assert client.get(PAGE).status_code == 403  # no longer an HR administrator


def test_deactivated_member_loses_access_at_once_and_can_come_back(app, world):
    member = app.test_client()
    sign_in(member, "leadership@a.example")
    # Give the member a second tenant, so they stay a user with access elsewhere.
    add_membership(world.b.tenant, world.a.users["leadership"], "member")
    admin = _admin(app)
    target = _membership("leadership@a.example", world.a.tenant)
    assert post(admin, f"{PAGE}{target.id}/deactivate", token_from=PAGE).status_code == 302
    assert member.get("/t/tenant-a/").status_code == 404
    assert member.get("/t/tenant-b/").status_code == 200
    assert "Deactivated" in admin.get(PAGE).get_data(as_text=True)

    assert post(admin, f"{PAGE}{target.id}/reactivate", token_from=PAGE).status_code == 302
    assert member.get("/t/tenant-a/").status_code == 200


def test_agency_admin_names_a_new_hr_admin_when_the_last_one_left(app, world):
    with tenant_scope(world.a.tenant.id):
        db.session.execute(
            sa.update(Membership)
            .where(Membership.role == TenantRole.HR_ADMIN)
            .values(deactivated_at=sa.func.now())
        )
        db.session.commit()
    agency_admin = app.test_client()
    sign_in(agency_admin, "agency_admin@agency-a.example")
    target = _membership("hr@a.example", world.a.tenant)
    response = post(agency_admin, f"{PAGE}{target.id}/role", {"role": "hr_admin"}, token_from=PAGE)
    assert response.status_code == 302
    new_admin = app.test_client()
    sign_in(new_admin, "hr@a.example")
    assert new_admin.get(PAGE).status_code == 200


def test_two_concurrent_demotions_leave_one_admin(app, world, monkeypatch):
    """Two admins demote each other at the same moment: exactly one demotion fails."""
    assert db.engine.dialect.name == "postgresql"
    add_membership(world.a.tenant, make_user("second.admin@a.example"), "hr_admin")
    targets = [
        _membership("hr_admin@a.example", world.a.tenant).id,
        _membership("second.admin@a.example", world.a.tenant).id,
    ]
    # Both transactions meet here after taking (or waiting for) the lock: without the row
    # lock both would read two admins and both demotions would pass.
    barrier = threading.Barrier(2)
    locked = members._lock_active_admins

    def lock_then_wait():
        admins = locked()
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1.5)
        return admins

    monkeypatch.setattr(members, "_lock_active_admins", lock_then_wait)
    outcomes: list[str] = []

    def demote(membership_id):
        with app.app_context(), tenant_scope(world.a.tenant.id):
            try:
                members.change_role(membership_id, "hr")
                outcomes.append("demoted")
            except Refused:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["demoted", "refused"]
    db.session.expire_all()
    with unscoped("a test looks across tenants"):
        admins = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.tenant_id == world.a.tenant.id,
                Membership.role == TenantRole.HR_ADMIN,
            )
        )
    assert admins == 1
