"""Survey invitations: scheduled with the departure, sent, reminded, expired, bounced, and
HR's send now / resend / cancel; every mail exactly once, checked at a real SMTP server."""

import datetime as dt
import re
import threading
import time

import pytest
import sqlalchemy as sa

from service.accounts.tokens import token_hash
from service.departures.models import Channel, Departure, DepartureStatus
from service.extensions import db
from service.mail.models import MailStatus, TenantEmail
from service.model_types import utcnow
from service.surveys import invitation_steps, tasks
from service.surveys.invitation_models import InvitationStatus, SurveyDraft, SurveyInvitation
from service.surveys.invitation_schedule import Step
from service.tenancy import tenant_scope, unscoped
from tests.departures.test_imports import confirm, csv_file, import_id_of, upload
from tests.factories import make_departure, make_survey_invitation
from tests.tenants.helpers import post_form, sign_in, text

DAY = dt.timedelta(days=1)
LINK = re.compile(r"https?://[^/\s]+/s/([A-Za-z0-9_-]{43})")
ADDRESS = "sofie@telenet.example"


@pytest.fixture
def hr_admin(client, world):
    sign_in(client, "hr_admin@a.example")
    return client


def due_invitation(world, side="a", **departure_values):
    """A departure with the survey channel and a published template whose first mail is
    due now (its last day is past)."""
    owner = getattr(world, side)
    values = {
        "personal_email": ADDRESS,
        "language": "fr",
        "channel": Channel.SURVEY,
        "last_day": dt.date.today() - 10 * DAY,
        "template_id": owner.objects["template"].id,
        **departure_values,
    }
    departure = make_departure(owner.tenant, "Sofie Claes", **values)
    invitation = make_survey_invitation(
        owner.tenant,
        departure,
        scheduled_for=departure.last_day - 3 * DAY,
        next_step_at=utcnow() - DAY,
    )
    return departure, invitation


def run(world, now=None, side="a"):
    with tenant_scope(getattr(world, side).tenant.id):
        done = tasks.run_due(now)
    db.session.remove()
    return done


def reload(invitation) -> SurveyInvitation:
    db.session.expire_all()
    with unscoped("a test looks across tenants"):
        return db.session.scalar(
            sa.select(SurveyInvitation).where(SurveyInvitation.id == invitation.id)
        )


def invitations_of(departure_id):
    db.session.expire_all()
    with unscoped("a test looks across tenants"):
        return db.session.scalars(
            sa.select(SurveyInvitation)
            .where(SurveyInvitation.departure_id == departure_id)
            .order_by(SurveyInvitation.created_at)
        ).all()


def link_of(message) -> str:
    body = message.get_body(("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return match.group(1)


# --- scheduling with the departure -------------------------------------------------------


def test_a_departure_with_the_survey_gets_a_scheduled_invitation(hr_admin, world):
    form = {
        "full_name": "Sofie Claes",
        "personal_email": ADDRESS,
        "language": "fr",
        "last_day": "2030-10-31",
        "exit_type": "voluntary",
        "channel": "survey",
        "template_id": str(world.a.objects["template"].id),
    }
    response = post_form(hr_admin, "/t/tenant-a/departures/new", form)
    assert response.status_code == 302
    departure_id = response.headers["Location"].rsplit("/", 1)[1]
    [invitation] = invitations_of(departure_id)
    assert invitation.status == InvitationStatus.SCHEDULED
    assert invitation.scheduled_for == dt.date(2030, 10, 28)  # three days before
    assert invitation.language == "fr"
    assert invitation.token_hash is None  # no link exists before a mail

    page = text(hr_admin.get(f"/t/tenant-a/departures/{departure_id}"))
    assert "Online survey" in page
    assert "Scheduled" in page
    assert ADDRESS in page

    # The last day moves: so does the first mail. The channel drops the survey: cancelled.
    edit = f"/t/tenant-a/departures/{departure_id}/edit"
    assert post_form(hr_admin, edit, {**form, "last_day": "2030-11-30"}).status_code == 302
    assert invitations_of(departure_id)[0].scheduled_for == dt.date(2030, 11, 27)
    assert post_form(hr_admin, edit, {**form, "channel": "interview"}).status_code == 302
    assert [i.status for i in invitations_of(departure_id)] == [InvitationStatus.CANCELLED]
    # Back to the survey: a new one is scheduled.
    assert post_form(hr_admin, edit, {**form, "channel": "both"}).status_code == 302
    statuses = [i.status for i in invitations_of(departure_id)]
    assert statuses == [InvitationStatus.CANCELLED, InvitationStatus.SCHEDULED]


def test_an_interview_only_departure_gets_no_invitation(hr_admin, world):
    form = {
        "full_name": "Tom Claes",
        "work_email": "tom@tenant-a.example",
        "last_day": "2030-10-31",
        "exit_type": "voluntary",
        "channel": "interview",
    }
    response = post_form(hr_admin, "/t/tenant-a/departures/new", form)
    departure_id = response.headers["Location"].rsplit("/", 1)[1]
    assert invitations_of(departure_id) == []
    assert "Online survey" not in text(hr_admin.get(f"/t/tenant-a/departures/{departure_id}"))


def test_cancelling_the_departure_cancels_its_invitation(hr_admin, world):
    departure, invitation = due_invitation(world)
    response = post_form(hr_admin, f"/t/tenant-a/departures/{departure.id}/cancel")
    assert response.status_code == 302
    assert reload(invitation).status == InvitationStatus.CANCELLED
    assert run(world)[Step.FIRST_MAIL] == 0


def test_an_import_schedules_invitations_for_its_survey_departures(hr_admin, world):
    # The tenant's default channel is "both": every imported departure has the survey.
    confirm(hr_admin, import_id_of(upload(hr_admin, csv_file())))
    with unscoped("a test looks across tenants"):
        imported = db.session.scalars(
            sa.select(Departure).where(Departure.import_id.is_not(None))
        ).all()
        scheduled = db.session.scalars(sa.select(SurveyInvitation)).all()
    assert imported
    by_departure = {i.departure_id: i for i in scheduled}
    for departure in imported:
        invitation = by_departure[departure.id]
        assert invitation.status == InvitationStatus.SCHEDULED
        assert invitation.scheduled_for == departure.last_day - 3 * DAY


# --- the mails ---------------------------------------------------------------------------


def test_the_first_mail_goes_out_in_the_leavers_language_with_a_hashed_link(world, smtp):
    departure, invitation = due_invitation(world)
    assert run(world)[Step.FIRST_MAIL] == 1

    [message] = smtp.inbox.to(ADDRESS)
    assert "Agency-A" in message["From"]  # the agency's brand as sender name
    assert "Tenant A" in message["Subject"]  # French subject naming the company
    assert message.get_body(("html",)) is not None
    token = link_of(message)
    stored = reload(invitation)
    assert stored.status == InvitationStatus.SENT
    assert stored.token_hash == token_hash(token)  # only the hash is kept
    assert stored.address == ADDRESS
    assert stored.template_version_id is not None
    with unscoped("a test looks across tenants"):
        email = db.session.get(TenantEmail, (stored.tenant_id, stored.last_email_id))
        assert email.status == MailStatus.SENT
        assert email.body_text is None  # the body held the link: erased once sent
        assert db.session.get(Departure, (departure.tenant_id, departure.id)).status == (
            DepartureStatus.INVITED
        )


def test_no_address_keeps_it_scheduled_and_hr_sees_why(hr_admin, world, smtp):
    departure, invitation = due_invitation(world, personal_email=None, work_email=None)
    done = run(world)
    assert (done[Step.FIRST_MAIL], done["postponed"]) == (0, 1)
    stored = reload(invitation)
    assert stored.status == InvitationStatus.SCHEDULED
    assert stored.next_step_at > utcnow()  # looked at again later, not at every scan
    page = text(hr_admin.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "No email address" in page
    assert "No address" in page


def test_reminders_follow_the_cadence_exactly_once_then_the_link_expires(world, smtp):
    departure, invitation = due_invitation(world)
    start = utcnow()
    run(world, start)
    run(world, start)  # a second scan at the same moment sends nothing
    token = link_of(smtp.inbox.to(ADDRESS)[0])

    for moment in (start + 3 * DAY + dt.timedelta(minutes=1), start + 7 * DAY + DAY):
        run(world, moment)
        run(world, moment)
    messages = smtp.inbox.to(ADDRESS)
    assert len(messages) == 3  # the invitation and two reminders
    assert all(link_of(m) == token for m in messages)  # reminders repeat the same link
    assert reload(invitation).reminders_sent == 2

    with tenant_scope(world.a.tenant.id):
        db.session.add(SurveyDraft(invitation_id=invitation.id, answers={"pay": 3}, language="fr"))
        db.session.commit()
    run(world, start + 22 * DAY)
    expired = reload(invitation)
    assert expired.status == InvitationStatus.EXPIRED
    assert expired.token_hash is None  # the link is dead
    with unscoped("a test looks across tenants"):
        assert db.session.scalars(sa.select(SurveyDraft)).all() == []  # answers in progress gone
    assert len(smtp.inbox.to(ADDRESS)) == 3


def test_two_jobs_at_once_send_each_mail_once(app, world, smtp, monkeypatch):
    due_invitation(world)
    real_queue = invitation_steps.queue_email

    def slow_queue(**kwargs):
        time.sleep(0.3)  # the other job reaches its claim while this one holds the row
        return real_queue(**kwargs)

    monkeypatch.setattr(invitation_steps, "queue_email", slow_queue)
    tenant_id = str(world.a.tenant.id)

    def job():
        with app.app_context():
            tasks.run_invitations(tenant_id)

    jobs = [threading.Thread(target=job) for _ in range(2)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    assert len(smtp.inbox.to(ADDRESS)) == 1


def test_the_scan_fans_out_through_redis_and_a_double_scan_sends_once(app, world, smtp, jobs_redis):
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from service.jobs.queue import rq_queue

    due_invitation(world)
    due_invitation(world, side="b")
    assert tasks.tenants_with_work(utcnow()) == sorted([world.a.tenant.id, world.b.tenant.id])
    tasks.scan_invitations()
    tasks.scan_invitations()  # a second scheduler
    queues = [rq_queue(name, jobs_redis) for name in ("mail", "default")]
    SimpleWorker(queues, connection=jobs_redis, serializer=JSONSerializer).work(burst=True)
    assert len(smtp.inbox.to(ADDRESS)) == 2  # one per tenant
    assert tasks.tenants_with_work(utcnow()) == []


def test_a_permanent_refusal_marks_the_invitation_bounced(hr_admin, world, smtp):
    smtp.inbox.refuse_always = "550 5.1.1 No such user"
    departure, invitation = due_invitation(world)
    run(world)
    assert tasks.tenants_with_work(utcnow()) == [world.a.tenant.id]
    assert run(world)["bounced"] == 1
    stored = reload(invitation)
    assert stored.status == InvitationStatus.BOUNCED
    assert stored.token_hash is None
    page = text(hr_admin.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "Bounced" in page
    assert "could not be delivered" in page


# --- HR's actions ------------------------------------------------------------------------


def test_send_now_sends_a_scheduled_invitation_at_once(hr_admin, world, smtp):
    departure, invitation = due_invitation(world, last_day=dt.date(2030, 6, 30))
    response = post_form(hr_admin, f"/t/tenant-a/departures/{departure.id}/survey/send")
    assert response.status_code == 302
    assert len(smtp.inbox.to(ADDRESS)) == 1
    assert reload(invitation).status == InvitationStatus.SENT
    # A second click has nothing left to send.
    page = text(
        post_form(
            hr_admin, f"/t/tenant-a/departures/{departure.id}/survey/send", follow_redirects=True
        )
    )
    assert "already been sent" in page
    assert len(smtp.inbox.to(ADDRESS)) == 1


def test_resend_gives_a_new_link_and_the_old_one_dies(hr_admin, world, smtp):
    departure, invitation = due_invitation(world)
    run(world)
    old_token = link_of(smtp.inbox.to(ADDRESS)[0])
    url = f"/t/tenant-a/departures/{departure.id}/survey/resend"
    assert "earlier link stops working" in text(hr_admin.get(url))
    assert post_form(hr_admin, url).status_code == 302
    new_token = link_of(smtp.inbox.to(ADDRESS)[1])
    stored = reload(invitation)
    assert new_token != old_token
    assert stored.token_hash == token_hash(new_token)
    assert stored.token_hash != token_hash(old_token)
    assert stored.reminders_sent == 0


def test_cancel_asks_first_then_kills_the_link(hr_admin, world, smtp):
    departure, invitation = due_invitation(world)
    run(world)
    url = f"/t/tenant-a/departures/{departure.id}/survey/cancel"
    assert "Cancel the survey of Sofie Claes?" in text(hr_admin.get(url))
    assert reload(invitation).status == InvitationStatus.SENT  # asking changed nothing
    assert post_form(hr_admin, url).status_code == 302
    stored = reload(invitation)
    assert (stored.status, stored.token_hash) == (InvitationStatus.CANCELLED, None)
    assert "no longer running" in text(hr_admin.get(url))


def test_mark_opened_moves_sent_to_opened_once(world, smtp):
    _departure, invitation = due_invitation(world)
    run(world)
    with tenant_scope(world.a.tenant.id):
        stored = db.session.get(SurveyInvitation, (invitation.tenant_id, invitation.id))
        assert invitation_steps.mark_opened(stored) is True
        assert invitation_steps.mark_opened(stored) is False
        db.session.commit()
    assert reload(invitation).status == InvitationStatus.OPENED


@pytest.mark.parametrize("action", ["send", "resend", "cancel"])
def test_another_tenants_invitation_answers_404(hr_admin, world, action):
    departure = world.b.objects["departure"]
    response = post_form(hr_admin, f"/t/tenant-a/departures/{departure.id}/survey/{action}")
    assert response.status_code == 404
    assert reload(world.b.objects["survey_invitation"]).status == InvitationStatus.SCHEDULED


def test_the_list_shows_the_survey_status(hr_admin, world, smtp):
    due_invitation(world)
    run(world)
    assert "Survey: Sent" in text(hr_admin.get("/t/tenant-a/departures/"))


def test_send_now_without_a_published_template_says_why_and_sends_nothing(hr_admin, world, smtp):
    departure, invitation = due_invitation(world, template_id=None)
    page = text(hr_admin.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "No published question template" in page
    response = post_form(
        hr_admin, f"/t/tenant-a/departures/{departure.id}/survey/send", follow_redirects=True
    )
    assert "No published question template: choose one for the departure." in text(response)
    assert smtp.inbox.to(ADDRESS) == []
    assert reload(invitation).status == InvitationStatus.SCHEDULED


def test_a_bounced_invitation_runs_again_after_the_address_is_corrected(hr_admin, world, smtp):
    smtp.inbox.refuse_always = "550 5.1.1 No such user"
    departure, invitation = due_invitation(world)
    run(world)
    run(world)
    assert reload(invitation).status == InvitationStatus.BOUNCED
    smtp.inbox.refuse_always = None
    with tenant_scope(world.a.tenant.id):
        stored = db.session.get(Departure, (departure.tenant_id, departure.id))
        stored.personal_email = "sofie.claes@proximus.example"
        db.session.commit()
    resend = f"/t/tenant-a/departures/{departure.id}/survey/resend"
    assert post_form(hr_admin, resend).status_code == 302
    revived = reload(invitation)
    assert (revived.status, revived.address) == (
        InvitationStatus.SENT,
        "sofie.claes@proximus.example",
    )
    assert revived.token_hash == token_hash(link_of(smtp.inbox.to(revived.address)[0]))
