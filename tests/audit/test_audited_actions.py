"""Each audited action leaves its entry: who (id, name, role), which action, which object;
in the tenant's trail, or the platform's for agency and platform work."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.model_types import utcnow
from service.surveys.interview_models import Interview, InterviewStatus
from service.tenancy import tenant_scope
from service.tenants.models import Membership
from tests.accounts.conftest import post, sign_in
from tests.actions.test_board import BOARD, _create_form, _move
from tests.audit.helpers import entries, platform_entries, the_entry, the_platform_entry
from tests.conftest import csrf_token, login
from tests.factories import add_membership
from tests.platform.test_agencies import NEW, create
from tests.tenants.helpers import post_form
from tests.tenants.test_settings import VALID

MEMBERS = "/t/tenant-a/members/"


def _signed_in(app, email: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, email)
    return client


def _membership(world, role: str) -> Membership:
    """The membership, loaded and detached (readable after the trail's expire_all)."""
    with tenant_scope(world.a.tenant.id):
        membership = db.session.scalar(
            sa.select(Membership).where(Membership.user_id == world.a.users[role].id)
        )
        db.session.expunge(membership)
        return membership


def _by(entry, user, role: str | None) -> None:
    assert entry.actor_id == user.id
    assert entry.actor_name == user.display_name
    assert entry.actor_role == role


# --- sign-ins ---------------------------------------------------------------------------------


def test_a_sign_in_is_in_the_trail_of_every_company_of_the_account_and_the_platform(app, world):
    user = world.a.users["hr"]
    add_membership(world.b.tenant, user, "member")
    sign_in(app.test_client(), "hr@a.example", ip="198.51.100.23")
    for tenant in (world.a.tenant, world.b.tenant):
        entry = the_entry(tenant, "auth.sign_in")
        _by(entry, user, None)
        assert (entry.object_type, entry.object_id) == ("users", user.id)
        assert entry.ip == "198.51.100.0"  # the /24, not the address
    _by(the_platform_entry("platform.sign_in"), user, None)


def test_a_failed_sign_in_names_the_account_as_its_object_not_its_actor(app, world):
    user = world.a.users["hr"]
    response = sign_in(app.test_client(), "hr@a.example", password="wrong")
    assert response.status_code == 422
    entry = the_entry(world.a.tenant, "auth.sign_in_failed")
    assert (entry.actor_id, entry.object_id) == (None, user.id)
    assert entries(world.a.tenant, "auth.sign_in") == []
    assert the_platform_entry("platform.sign_in_failed").object_id == user.id


def test_a_failed_confirmation_of_identity_is_a_failed_sign_in_of_the_account(app, world):
    """Someone at an open session who does not know its password, before a sensitive
    change: the company's HR admin sees it like a failed sign-in."""
    user = world.a.users["hr_admin"]
    client = app.test_client()
    login(client, "hr_admin@a.example")
    wrong = post(client, "/confirm-identity", {"password": "nope"}, "/confirm-identity")
    assert wrong.status_code == 422
    entry = the_entry(world.a.tenant, "auth.sign_in_failed")
    assert (entry.actor_id, entry.object_id) == (None, user.id)
    assert entries(world.b.tenant, "auth.sign_in_failed") == []
    right = post(client, "/confirm-identity", {"password": "pw"}, "/confirm-identity")
    assert right.status_code == 302
    assert len(entries(world.a.tenant, "auth.sign_in_failed")) == 1


def test_a_failed_sign_in_of_an_unknown_address_keeps_its_domain_and_a_fingerprint(app, world):
    sign_in(app.test_client(), "Nobody.Here@Example.org", password="wrong")
    sign_in(app.test_client(), "nobody.here@example.org", password="wrong")
    first, second = platform_entries("platform.sign_in_failed")
    assert first.changes["domain"] == "example.org"
    assert first.changes["fingerprint"] == second.changes["fingerprint"]  # the same address
    assert "nobody" not in str(first.changes).lower()
    assert (first.object_id, first.tenant_id) == (None, None)


# --- reads of identified responses and exports --------------------------------------------------


@pytest.fixture
def completed_interview(world):
    interview = world.a.objects["interview"]
    with tenant_scope(world.a.tenant.id):
        row = db.session.get(Interview, (world.a.tenant.id, interview.id))
        row.status, row.completed_at = InterviewStatus.COMPLETED, utcnow()
        db.session.commit()
    return interview


def test_reading_a_completed_interview_is_audited(app, world, completed_interview):
    client = _signed_in(app, "hr@a.example")
    assert client.get(f"/t/tenant-a/interviews/{completed_interview.id}").status_code == 200
    entry = the_entry(world.a.tenant, "response.view_identified")
    _by(entry, world.a.users["hr"], "hr")
    assert (entry.object_type, entry.object_id) == ("interviews", completed_interview.id)


def test_reading_a_departure_with_its_completed_interview_is_audited(
    app, world, completed_interview
):
    client = _signed_in(app, "hr_admin@a.example")
    departure = world.a.objects["departure"]
    assert client.get(f"/t/tenant-a/departures/{departure.id}").status_code == 200
    entry = the_entry(world.a.tenant, "response.view_identified")
    _by(entry, world.a.users["hr_admin"], "hr_admin")
    assert entry.object_id == completed_interview.id


def test_a_planned_interview_is_no_identified_response(app, world):
    client = _signed_in(app, "hr@a.example")
    objects = world.a.objects
    assert client.get(f"/t/tenant-a/interviews/{objects['interview'].id}").status_code == 200
    assert client.get(f"/t/tenant-a/departures/{objects['departure'].id}").status_code == 200
    assert entries(world.a.tenant, "response.view_identified") == []


def test_an_insights_export_is_audited(app, world):
    client = _signed_in(app, "hr@a.example")
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    response = client.get(f"/t/tenant-a/insights/export/themes.csv?from={month}&to={month}")
    assert response.status_code == 200
    entry = the_entry(world.a.tenant, "export.insights")
    _by(entry, world.a.users["hr"], "hr")
    assert entry.object_type == "insight_exports"
    assert (entry.changes["kind"], entry.changes["format"]) == ("themes", "csv")


# --- changes in a company -----------------------------------------------------------------------


def test_a_template_change_is_audited(app, world):
    client = _signed_in(app, "hr_admin@a.example")
    template = world.a.objects["template"]
    base = f"/t/tenant-a/templates/{template.id}"
    assert post(client, f"{base}/default", token_from=base).status_code == 302
    entry = the_entry(world.a.tenant, "template.change")
    _by(entry, world.a.users["hr_admin"], "hr_admin")
    assert (entry.object_type, entry.object_id) == ("question_templates", template.id)
    assert entry.changes == {"change": "made_default"}


def test_a_role_change_is_audited(app, world):
    target = _membership(world, "member")
    client = _signed_in(app, "hr_admin@a.example")
    response = post(client, f"{MEMBERS}{target.id}/role", {"role": "leadership"}, MEMBERS)
    assert response.status_code == 302
    entry = the_entry(world.a.tenant, "membership.role_change")
    _by(entry, world.a.users["hr_admin"], "hr_admin")
    assert (entry.object_type, entry.object_id) == ("memberships", target.id)
    assert entry.changes == {"role": ["member", "leadership"]}


def test_deactivation_and_reactivation_are_audited(app, world):
    target = _membership(world, "leadership")
    add_membership(world.b.tenant, world.a.users["leadership"], "member")
    client = _signed_in(app, "hr_admin@a.example")
    assert post(client, f"{MEMBERS}{target.id}/deactivate", token_from=MEMBERS).status_code == 302
    assert post(client, f"{MEMBERS}{target.id}/reactivate", token_from=MEMBERS).status_code == 302
    for action in ("membership.deactivate", "membership.reactivate"):
        entry = the_entry(world.a.tenant, action)
        _by(entry, world.a.users["hr_admin"], "hr_admin")
        assert entry.object_id == target.id


def test_an_invitation_is_audited_and_the_agency_admin_shows_as_such(app, world):
    client = _signed_in(app, "agency_admin@agency-a.example")
    invited = {"email": "new@a.example", "display_name": "New", "role": "hr", "language": "nl"}
    assert post(client, f"{MEMBERS}invite", invited, MEMBERS).status_code == 302
    entry = the_entry(world.a.tenant, "membership.invite")
    _by(entry, world.a.users["agency_admin"], "agency_admin")
    assert entry.object_type == "tenant_invitations"
    assert entry.changes == {"role": "hr", "language": "nl"}


def test_a_settings_change_is_audited_with_what_changed(app, world):
    client = _signed_in(app, "hr_admin@a.example")
    assert post_form(client, "/t/tenant-a/settings", VALID).status_code == 302
    entry = the_entry(world.a.tenant, "settings.change")
    _by(entry, world.a.users["hr_admin"], "hr_admin")
    assert (entry.object_type, entry.object_id) == ("tenants", world.a.tenant.id)
    assert entry.changes["confidentiality_k"] == [5, 7]
    assert "audit_retention_days" not in entry.changes
    assert entries(world.a.tenant, "retention.change") == []


def test_a_retention_change_is_its_own_entry_and_only_the_hr_admin_makes_it(app, world):
    agency_admin = _signed_in(app, "agency_admin@agency-a.example")
    post_form(agency_admin, "/t/tenant-a/settings", {**VALID, "audit_retention_days": "400"})
    assert entries(world.a.tenant, "retention.change") == []
    client = _signed_in(app, "hr_admin@a.example")
    form = {**VALID, "audit_retention_days": "1000"}
    assert post_form(client, "/t/tenant-a/settings", form).status_code == 302
    entry = the_entry(world.a.tenant, "retention.change")
    _by(entry, world.a.users["hr_admin"], "hr_admin")
    assert entry.changes == {"audit_retention_days": [730, 1000]}


@pytest.mark.parametrize("days", ["364", "3651"])
def test_the_retention_has_limits(app, world, days):
    client = _signed_in(app, "hr_admin@a.example")
    form = {**VALID, "audit_retention_days": days}
    response = post_form(client, "/t/tenant-a/settings", form)
    assert response.status_code == 422
    assert "Choose from 365 to 3650 days." in response.get_data(as_text=True)


def test_action_changes_are_audited_as_facts(app, world):
    client = _signed_in(app, "hr@a.example")
    token = csrf_token(client, BOARD)
    assert client.post(f"{BOARD}new", data=_create_form(world, token)).status_code == 302
    created = [e for e in entries(world.a.tenant, "action.change") if e.actor_id is not None]
    assert len(created) == 1
    _by(created[0], world.a.users["hr"], "hr")
    assert created[0].object_type == "actions"
    assert created[0].changes == {"event": "created", "fields": []}
    action = world.a.objects["action"]
    assert _move(client, token, action, "in_progress").status_code == 200
    moved = [e for e in entries(world.a.tenant, "action.change") if e.object_id == action.id]
    assert moved[-1].changes == {"event": "moved", "fields": ["status"]}  # the fact, no values
    _by(moved[-1], world.a.users["hr"], "hr")


# --- agency and platform work: the platform's trail --------------------------------------------


def test_a_new_agency_is_in_the_platform_trail(app, world):
    client = _signed_in(app, "platform@exitloop.example")
    assert create(client, NEW).status_code == 302
    entry = the_platform_entry("agency.create")
    _by(entry, world.platform_admin, "platform_admin")
    assert entry.object_type == "agencies"
    assert entry.agency_id == entry.object_id


def test_a_consultant_assignment_is_in_the_platform_trail(app, world):
    client = _signed_in(app, "agency_admin@agency-a.example")
    consultant = world.a.users["consultant"]
    data = {"user_id": str(consultant.id), "tenant_id": str(world.a.tenant.id)}
    response = post(client, "/agency/agency-a/consultants/assign", data, "/agency/agency-a/")
    assert response.status_code == 302
    entry = the_platform_entry("agency.consultant_assign")
    _by(entry, world.a.users["agency_admin"], "agency_admin")
    assert (entry.object_id, entry.agency_id, entry.tenant_id) == (
        consultant.id,
        world.a.agency.id,
        world.a.tenant.id,
    )


def test_an_agency_library_change_is_in_the_platform_trail(app, world):
    client = _signed_in(app, "agency_admin@agency-a.example")
    template = world.a.objects["library_template"]
    url = f"/agency/agency-a/library/{template.id}/rename"
    response = post(client, url, {"name": "Renamed"}, "/agency/agency-a/library/")
    assert response.status_code == 302
    entry = the_platform_entry("agency.library_change")
    _by(entry, world.a.users["agency_admin"], "agency_admin")
    assert (entry.object_type, entry.object_id) == ("agency_templates", template.id)
    assert (entry.agency_id, entry.tenant_id) == (world.a.agency.id, None)
    assert entry.changes["change"] == "renamed"


def test_the_agency_benchmark_is_a_cross_tenant_read_in_the_platform_trail(app, world):
    client = _signed_in(app, "agency_admin@agency-a.example")
    url = f"/agency/agency-a/tenants/{world.a.tenant.id}/benchmark"
    assert client.get(url).status_code == 200
    entry = the_platform_entry("agency.benchmark_view")
    _by(entry, world.a.users["agency_admin"], "agency_admin")
    assert (entry.tenant_id, entry.agency_id) == (world.a.tenant.id, world.a.agency.id)
    assert entries(world.a.tenant, "agency.benchmark_view") == []
    platform = _signed_in(app, "platform@exitloop.example").get("/platform/audit/")
    page = platform.get_data(as_text=True)
    assert "Read the agency benchmark" in page
    assert f"<br>{world.a.tenant.name}" in page  # the company it concerned, by name
