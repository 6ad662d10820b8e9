"""Erasing one leaver on request: the HR admin confirms (after a recent proof of identity)
and every identified trace of the person leaves every table; the departure stays as an
anonymous record, and confidential answers stay."""

import datetime as dt

import sqlalchemy as sa

from service.actions.models import Action
from service.audit.models import AuditEntry
from service.departures.models import Channel, Departure
from service.extensions import db
from service.insights.models import Feedback, ThemeCorrection, Verdict
from service.mail.models import MailStatus, TenantEmail
from service.model_types import utcnow
from service.surveys.interview_models import Interview
from service.surveys.invitation_models import InvitationStatus, SurveyDraft, SurveyInvitation
from service.surveys.models import TemplateVersion
from service.surveys.response_models import SurveyResponse
from service.tenancy import tenant_scope
from tests.factories import make_departure, make_live_survey_invitation, make_survey_response
from tests.privacy.helpers import places_holding
from tests.surveys.interview_helpers import rich_template
from tests.tenants.helpers import post_form, sign_in, text

NAME = "Zephyrine Quackenbush"
PERSONAL = "zephyrine.q@privemail.example"
WORK = "zquackenbush@tenant-a.example"
PHONE = "+32 470 99 88 71"
MANAGER = "Bartholomew Underhill"
NOTE = "Wants her forklift licence certificate sent on"
ANSWER = "The night shifts at the Vlierbeek depot wore me down completely"
NOTES = "Spoke warmly of Ingeborg from planning"
NEEDLES = [
    "Zephyrine",
    "Quackenbush",
    "privemail",
    "470 99 88 71",
    "Underhill",
    "forklift",
    "Vlierbeek",
    "Ingeborg",
]
FUTURE = (dt.date.today() + dt.timedelta(days=10)).isoformat() + "T14:30"


def as_member(client, email: str):
    """A client of its own, signed in as ``email`` (one person per browser)."""
    other = client.application.test_client()
    sign_in(other, email)
    return other


def _version_id(tenant, template) -> object:
    with tenant_scope(tenant.id):
        return db.session.scalar(
            sa.select(TemplateVersion.id).where(TemplateVersion.template_id == template.id)
        )


def _leaver_with_everything(client, world):
    """A leaver planned and interviewed through the pages, with a live survey link and a
    draft, mails to and about them, an HR correction and a quote in an action."""
    tenant = world.a.tenant
    template = rich_template(tenant)
    departure = make_departure(
        tenant,
        NAME,
        work_email=WORK,
        personal_email=PERSONAL,
        phone=PHONE,
        manager_name=MANAGER,
        note=NOTE,
        channel=Channel.BOTH,
        template_id=template.id,
        department_id=world.a.objects["department"].id,
        hired_on=dt.date(2021, 3, 20),
        last_day=dt.date(2026, 3, 15),
    )
    interviewer = world.a.users["interviewer"]
    sign_in(client, "hr@a.example")
    plan = {"interviewer_user_id": str(interviewer.id), "scheduled_at": FUTURE, "place": "Gent"}
    assert (
        post_form(client, f"/t/tenant-a/departures/{departure.id}/interview", plan).status_code
        == 302
    )
    with tenant_scope(tenant.id):
        interview = db.session.scalar(
            sa.select(Interview).where(Interview.departure_id == departure.id)
        )
    recorder = as_member(client, interviewer.email)
    complete = {"revision": "1", "notes": NOTES, "answer_why": ANSWER}
    response = post_form(recorder, f"/t/tenant-a/interviews/{interview.id}/complete", complete)
    assert response.status_code == 302
    with tenant_scope(tenant.id):
        version = db.session.get(TemplateVersion, (tenant.id, _version_id(tenant, template)))
        db.session.expunge(version)
        db.session.commit()
    invitation, _token = make_live_survey_invitation(tenant, departure, version)
    with tenant_scope(tenant.id):
        db.session.add(
            SurveyDraft(invitation_id=invitation.id, answers={"why": ANSWER}, language="nl")
        )
        db.session.add(
            TenantEmail(
                to_address=PERSONAL,
                subject="Your exit survey",
                body_text=f"Dear {NAME}, …",
                language="nl",
                status=MailStatus.SENT,
            )
        )
        db.session.add(
            ThemeCorrection(
                feedback_id=interview.id, question_key="why", theme="workload", verdict=Verdict.ADD
            )
        )
        action = db.session.scalar(sa.select(Action))
        action.evidence = {
            "themes": ["workload"],
            "quotes": [ANSWER, "Another leaver's quote, kept"],
        }
        db.session.commit()
    # A confidential response of the same month: no link to anyone, it stays.
    make_survey_response(tenant, version, answers={"why": "Confidential words stay here"})
    return departure


def test_the_hr_admin_erases_a_leaver_and_no_trace_is_left_in_any_table(client, world):
    departure = _leaver_with_everything(client, world)
    assert set(places_holding(NEEDLES)) >= {
        "departures.full_name: Zephyrine",
        "interviews.notes: Ingeborg",
        "insight_answers.text: Vlierbeek",
        "tenant_emails.body_text: Zephyrine",
        "survey_invitations.address: privemail",
        "actions.evidence: Vlierbeek",
    }

    client = as_member(client, "hr_admin@a.example")
    page = text(client.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "Erase this person's data" in page
    ask = text(client.get(f"/t/tenant-a/departures/{departure.id}/erase"))
    assert f"Erase the data of {NAME}?" in ask
    assert "This cannot be undone." in ask
    assert "Confidential survey answers stay" in ask
    response = post_form(client, f"/t/tenant-a/departures/{departure.id}/erase")
    assert response.status_code == 302

    assert places_holding(NEEDLES) == []
    tenant = world.a.tenant
    with tenant_scope(tenant.id):
        kept = db.session.get(Departure, (tenant.id, departure.id))
        assert kept.anonymised_at is not None
        assert kept.full_name == ""
        assert kept.department_id == world.a.objects["department"].id
        assert (kept.hired_on, kept.last_day) == (dt.date(2021, 4, 1), dt.date(2026, 3, 1))
        assert kept.tenure_band.value == "2_5"  # as before: 4 years and 11 months
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Interview)) == 1
        assert db.session.get(Feedback, (tenant.id, departure.id)) is None
        invitation = db.session.scalar(
            sa.select(SurveyInvitation).where(SurveyInvitation.departure_id == departure.id)
        )
        assert invitation.status == InvitationStatus.CANCELLED
        assert invitation.token_hash is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyDraft)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyResponse)) == 1
        action = db.session.scalar(sa.select(Action))
        assert action.evidence["quotes"] == ["Another leaver's quote, kept"]
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "departure.erase")
        )
        assert entry.object_id == departure.id
        assert entry.changes == {"departures": 1, "emails": 2, "interviews": 1, "invitations": 1}
        db.session.commit()
    page = text(client.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "Erased leaver" in page
    assert "Erase this person" not in page
    again = text(client.get(f"/t/tenant-a/departures/{departure.id}/erase"))
    assert "already been erased" in again


def test_only_the_hr_admin_erases_and_another_tenants_departure_is_a_404(client, world):
    departure = world.a.objects["departure"]
    for email in ("hr@a.example", "leadership@a.example", "agency_admin@agency-a.example"):
        someone = as_member(client, email)
        assert someone.get(f"/t/tenant-a/departures/{departure.id}/erase").status_code == 403
        url = f"/t/tenant-a/departures/{departure.id}/erase"
        assert post_form(someone, url).status_code == 403
    sign_in(client, "hr_admin@a.example")
    other = world.b.objects["departure"]
    assert client.get(f"/t/tenant-a/departures/{other.id}/erase").status_code == 404
    assert post_form(client, f"/t/tenant-a/departures/{other.id}/erase").status_code == 404
    with tenant_scope(world.b.tenant.id):
        assert db.session.get(Departure, (world.b.tenant.id, other.id)).anonymised_at is None
        db.session.commit()


def test_erasing_needs_a_recent_proof_of_identity(client, world):
    from service.accounts.models import UserSession

    departure = world.a.objects["departure"]
    sign_in(client, "hr_admin@a.example")
    db.session.execute(
        sa.update(UserSession).values(authenticated_at=utcnow() - dt.timedelta(minutes=30))
    )
    db.session.commit()
    url = f"/t/tenant-a/departures/{departure.id}/erase"
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/confirm-identity")
    assert post_form(client, url).status_code == 302
    with tenant_scope(world.a.tenant.id):
        assert db.session.get(Departure, (world.a.tenant.id, departure.id)).full_name
        db.session.commit()


def test_an_erased_departure_can_no_longer_be_edited(client, world):
    departure = world.a.objects["departure"]
    sign_in(client, "hr_admin@a.example")
    post_form(client, f"/t/tenant-a/departures/{departure.id}/erase")
    edit = f"/t/tenant-a/departures/{departure.id}/edit"
    page = text(client.get(edit, follow_redirects=True))
    assert "the departure can no longer change" in page
    response = post_form(client, edit, {"full_name": "Jan Peeters", "last_day": "2026-06-30"})
    assert response.status_code == 302
    with tenant_scope(world.a.tenant.id):
        assert db.session.get(Departure, (world.a.tenant.id, departure.id)).full_name == ""
        db.session.commit()
