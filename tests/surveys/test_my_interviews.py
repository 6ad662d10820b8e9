"""“My interviews” across tenants: exactly the person's own interviews, only in the tenants
they can still reach (the one cross-tenant read of interviews: my_interviews.interviews_of)."""

import sqlalchemy as sa

from service.accounts.consultants import assign, unassign
from service.extensions import db
from service.model_types import utcnow
from service.surveys.my_interviews import interviews_of
from service.tenancy import tenant_scope
from service.tenants.models import Membership, TenantStatus
from tests.factories import make_departure, make_interview, make_question_template, make_tenant
from tests.tenants.helpers import sign_in, text


def _two_clients_one_consultant(world):
    """Agency A's consultant, assigned to tenant A and to a second client of agency A, with
    an interview in each; tenant B (another agency) has one for its own interviewer."""
    consultant = world.a.users["consultant"]
    second = make_tenant("tenant-c", world.a.agency, name="Client C")
    make_question_template(second)
    for tenant in (world.a.tenant, second):
        assign(tenant, consultant)
    interviews = {
        "a": make_interview(
            world.a.tenant, make_departure(world.a.tenant, "Hanne Wuyts"), consultant
        ),
        "c": make_interview(second, make_departure(second, "Ilse Mertens"), consultant),
    }
    return consultant, second, interviews


def test_a_consultant_sees_the_interviews_of_both_clients_and_nothing_else(client, world):
    consultant, second, interviews = _two_clients_one_consultant(world)
    found = interviews_of(consultant)
    assert {row.interview_id for row in found} == {i.id for i in interviews.values()}
    assert {row.tenant_name for row in found} == {world.a.tenant.name, "Client C"}
    assert {row.leaver for row in found} == {"Hanne Wuyts", "Ilse Mertens"}

    sign_in(client, consultant.email)
    page = text(client.get("/interviews/"))
    assert "Hanne Wuyts" in page
    assert "Ilse Mertens" in page
    assert "Jan Peeters" not in page  # tenant A's interview of its own interviewer
    assert f"/t/tenant-c/interviews/{interviews['c'].id}" in page
    assert 'data-label="Company"' in page
    # The way in: from any page of the person.
    assert 'href="/interviews/"' in text(client.get("/profile"))


def test_unassigned_or_suspended_means_nothing_is_listed(client, world):
    consultant, second, _interviews = _two_clients_one_consultant(world)
    unassign(second, consultant)
    assert {row.tenant_slug for row in interviews_of(consultant)} == {"tenant-a"}

    world.a.agency.status = TenantStatus.SUSPENDED
    db.session.add(world.a.agency)
    db.session.commit()
    assert interviews_of(consultant) == []
    sign_in(client, consultant.email)
    assert "No interview is planned for you." in text(client.get("/interviews/"))


def test_a_removed_member_sees_their_old_interviews_no_more(world):
    interviewer = world.a.users["interviewer"]
    assert [row.leaver for row in interviews_of(interviewer)] == ["Jan Peeters"]
    with tenant_scope(world.a.tenant.id):
        membership = db.session.scalar(
            sa.select(Membership).where(
                Membership.tenant_id == world.a.tenant.id, Membership.user_id == interviewer.id
            )
        )
        membership.deactivated_at = utcnow()
        db.session.commit()
    assert interviews_of(interviewer) == []


def test_a_member_demoted_from_interviewer_sees_nothing(world):
    interviewer = world.a.users["interviewer"]
    with tenant_scope(world.a.tenant.id):
        membership = db.session.scalar(
            sa.select(Membership).where(
                Membership.tenant_id == world.a.tenant.id, Membership.user_id == interviewer.id
            )
        )
        membership.role = "member"
        db.session.commit()
    assert interviews_of(interviewer) == []


def test_someone_without_interviews_gets_an_empty_page_that_says_what_comes(client, world):
    sign_in(client, "leadership@a.example")
    response = client.get("/interviews/")
    assert response.status_code == 200
    assert "HR assigns interviews from a departure" in text(response)
    assert 'href="/interviews/"' not in text(client.get("/profile"))
