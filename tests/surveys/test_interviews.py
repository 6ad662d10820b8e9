"""The interview: HR plans it from a departure, the interviewer records it with autosave and
completes it, HR reads the identified response; and every refusal on the way."""

import datetime as dt
import re

import sqlalchemy as sa

from service.departures.models import Channel, Departure, DepartureStatus
from service.extensions import db
from service.mail.models import TenantEmail
from service.surveys.interview_models import Interview, InterviewStatus
from service.tenancy import tenant_scope, unscoped
from tests.factories import add_membership, make_departure, make_user
from tests.surveys.interview_helpers import rich_interview, stored_interview
from tests.tenants.helpers import post_form, sign_in, text

FUTURE = (dt.date.today() + dt.timedelta(days=10)).isoformat() + "T14:30"


def _departure(world, departure_id) -> Departure:
    with tenant_scope(world.a.tenant.id):
        found = db.session.get(Departure, (world.a.tenant.id, departure_id))
        db.session.expunge(found)
        db.session.commit()
        return found


def _interviews_of(departure) -> list[Interview]:
    with unscoped("a test looks across tenants"):
        found = list(
            db.session.scalars(
                sa.select(Interview)
                .where(Interview.departure_id == departure.id)
                .order_by(Interview.created_at)
            )
        )
        for interview in found:
            db.session.expunge(interview)
        db.session.commit()
        return found


def _emails_to(address: str) -> list[TenantEmail]:
    with unscoped("a test looks across tenants"):
        found = list(
            db.session.scalars(
                sa.select(TenantEmail)
                .where(TenantEmail.to_address == address)
                .order_by(TenantEmail.created_at)
            )
        )
        for email in found:
            db.session.expunge(email)
        db.session.commit()
        return found


def _leaver(world, name: str, channel: Channel) -> Departure:
    """A departure of tenant A on its (published) template."""
    template_id = world.a.objects["template"].id
    return make_departure(world.a.tenant, name, channel=channel, template_id=template_id)


def _plan_form(interviewer, **values) -> dict:
    return {
        "interviewer_user_id": str(interviewer.id),
        "scheduled_at": FUTURE,
        "place": "Kantoor Gent, zaal 2",
        **values,
    }


# --- planning -------------------------------------------------------------------------------


def test_hr_plans_an_interview_and_the_interviewer_gets_a_calendar_invitation(client, world):
    departure = _leaver(world, "An Peeters", Channel.INTERVIEW)
    interviewer = world.a.users["interviewer"]
    sign_in(client, "hr@a.example")
    page = text(client.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "No interview is planned yet." in page
    form = text(client.get(f"/t/tenant-a/departures/{departure.id}/interview"))
    # Only who may interview is offered: the interviewer, HR and the HR admin, not the rest.
    assert interviewer.email in form
    assert "hr_admin@a.example" in form
    for nobody in ("member@a.example", "leadership@a.example", "consultant@agency-a.example"):
        assert nobody not in form

    response = post_form(
        client, f"/t/tenant-a/departures/{departure.id}/interview", _plan_form(interviewer)
    )
    assert response.status_code == 302
    (interview,) = _interviews_of(departure)
    assert interview.status == InterviewStatus.PLANNED
    assert interview.interviewer_user_id == interviewer.id
    # Typed in Brussels time: 14:30 in December is 13:30 UTC.
    assert interview.scheduled_at.astimezone(dt.UTC).hour in (12, 13)
    assert _departure(world, departure.id).status == DepartureStatus.INTERVIEW_PLANNED
    (email,) = _emails_to(interviewer.email)
    assert "An Peeters" in email.body_text
    assert email.attachment_type == "text/calendar; method=REQUEST"
    assert "SEQUENCE:0" in email.attachment_text
    assert f"UID:interview-{interview.id}@exitloop" in email.attachment_text
    assert "An Peeters" not in email.attachment_text  # a calendar is often seen by colleagues
    page = text(client.get(f"/t/tenant-a/departures/{departure.id}"))
    assert "Kantoor Gent, zaal 2" in page
    assert "Reschedule or reassign" in page


def test_a_reschedule_updates_the_invitation_and_a_reassignment_cancels_the_old_one(client, world):
    departure = _leaver(world, "Bart Maes", Channel.BOTH)
    first, second = world.a.users["interviewer"], world.a.users["hr"]
    sign_in(client, "hr_admin@a.example")
    url = f"/t/tenant-a/departures/{departure.id}/interview"
    post_form(client, url, _plan_form(first))
    later = (dt.date.today() + dt.timedelta(days=12)).isoformat() + "T09:00"
    post_form(client, url, _plan_form(first, scheduled_at=later))
    emails = _emails_to(first.email)
    assert len(emails) == 2
    assert "SEQUENCE:1" in emails[1].attachment_text
    assert emails[1].subject.startswith("Gewijzigd")  # the tenant's language: none chosen

    post_form(client, url, _plan_form(second, scheduled_at=later))
    cancelled = _emails_to(first.email)[-1]
    assert cancelled.attachment_type == "text/calendar; method=CANCEL"
    assert "METHOD:CANCEL" in cancelled.attachment_text
    (request,) = _emails_to(second.email)
    assert "SEQUENCE:2" in request.attachment_text
    assert len(_interviews_of(departure)) == 1  # one live interview per departure


def test_cancelling_asks_first_then_sends_a_cancel_and_frees_the_departure(client, world):
    departure = _leaver(world, "Fien Goossens", Channel.INTERVIEW)
    sign_in(client, "hr@a.example")
    plan = f"/t/tenant-a/departures/{departure.id}/interview"
    post_form(client, plan, _plan_form(world.a.users["interviewer"]))
    (interview,) = _interviews_of(departure)
    url = f"/t/tenant-a/interviews/{interview.id}/cancel"
    assert "Cancel the interview with" in text(client.get(url))
    assert stored_interview(world.a.tenant, interview.id).is_planned
    assert post_form(client, url).status_code == 302
    assert stored_interview(world.a.tenant, interview.id).status == InterviewStatus.CANCELLED
    assert _departure(world, departure.id).status == DepartureStatus.NEW
    cancel = _emails_to("interviewer@a.example")[-1]
    assert "METHOD:CANCEL" in cancel.attachment_text
    assert "STATUS:CANCELLED" in cancel.attachment_text
    # A new interview can be planned for the departure.
    assert post_form(client, plan, _plan_form(world.a.users["hr"])).status_code == 302
    assert len(_interviews_of(departure)) == 2


def _refused(client, departure, form) -> str:
    response = post_form(client, f"/t/tenant-a/departures/{departure.id}/interview", form)
    assert response.status_code == 422
    assert _interviews_of(departure) == []
    return text(response)


def test_planning_refusals_say_why_and_write_nothing(client, world):
    departure = _leaver(world, "Cor Jacobs", Channel.INTERVIEW)
    interviewer = world.a.users["interviewer"]
    sign_in(client, "hr@a.example")
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat() + "T10:00"
    assert "Choose a moment in the future." in _refused(
        client, departure, _plan_form(interviewer, scheduled_at=past)
    )
    assert "Enter a link that starts with https://." in _refused(
        client, departure, _plan_form(interviewer, place="", video_link="http://meet.example")
    )
    assert "Enter a link that starts with https://." in _refused(
        client, departure, _plan_form(interviewer, video_link="javascript:alert(1)")
    )
    assert "Enter a place or a video link." in _refused(
        client, departure, _plan_form(interviewer, place="")
    )
    assert "Enter a date and time" in _refused(
        client, departure, _plan_form(interviewer, scheduled_at="tomorrow")
    )
    not_eligible = [
        world.a.users["member"],
        world.a.users["leadership"],
        world.b.users["interviewer"],  # another tenant's interviewer
        world.a.users["consultant"],  # the agency's, but not assigned to this tenant
        world.a.users["agency_admin"],
    ]
    for person in not_eligible:
        page = _refused(client, departure, _plan_form(person))
        assert "Choose an interviewer from the list." in page, person.email


def test_a_departure_without_the_interview_channel_takes_no_interview(client, world):
    departure = _leaver(world, "Dirk Wouters", Channel.SURVEY)
    sign_in(client, "hr@a.example")
    assert "No interview is planned yet." not in text(
        client.get(f"/t/tenant-a/departures/{departure.id}")
    )
    page = _refused(client, departure, _plan_form(world.a.users["interviewer"]))
    assert "This departure&#39;s channel has no interview." in page


def test_an_assigned_consultant_is_offered_and_can_be_planned(client, world):
    from service.accounts.consultants import assign

    consultant = world.a.users["consultant"]
    assign(world.a.tenant, consultant)
    departure = _leaver(world, "Eva Smet", Channel.INTERVIEW)
    sign_in(client, "hr@a.example")
    url = f"/t/tenant-a/departures/{departure.id}/interview"
    assert consultant.email in text(client.get(url))
    assert post_form(client, url, _plan_form(consultant)).status_code == 302


# --- recording ------------------------------------------------------------------------------


def _save(client, interview, revision, data: dict | None = None):
    return post_form(
        client,
        f"/t/tenant-a/interviews/{interview.id}/autosave",
        {"revision": str(revision), **(data or {})},
        htmx=True,
    )


def test_autosave_stores_what_is_typed_and_answers_with_the_new_revision(client, world):
    interview = rich_interview(world.a.tenant, world.a.users["interviewer"])
    sign_in(client, "interviewer@a.example")
    page = text(client.get(f"/t/tenant-a/interviews/{interview.id}"))
    assert "This interview is identified" in page
    assert "niet anoniem" in page  # read out to the leaver, in their language (Dutch)
    assert 'hx-trigger="input delay:800ms' in page

    response = _save(
        client,
        interview,
        1,
        {"notes": "Werkdruk <b>hoog</b>", "answer_why": "Te veel shifts", "answer_manager": "4"},
    )
    assert response.status_code == 200
    assert 'name="revision" value="2"' in text(response)
    assert "Saved at" in text(response)
    stored = stored_interview(world.a.tenant, interview.id)
    assert stored.notes == "Werkdruk <b>hoog</b>"
    assert stored.answers == {"why": "Te veel shifts", "manager": 4}
    # Shown back escaped, as text.
    page = text(client.get(f"/t/tenant-a/interviews/{interview.id}"))
    assert "Werkdruk &lt;b&gt;hoog&lt;/b&gt;" in page
    assert 'value="4" checked' in page

    same = _save(
        client,
        interview,
        2,
        {"notes": "Werkdruk <b>hoog</b>", "answer_why": "Te veel shifts", "answer_manager": "4"},
    )
    assert "Nothing new to save." in text(same)


def test_a_stale_revision_is_a_conflict_and_overwrites_nothing(client, world):
    interview = rich_interview(world.a.tenant, world.a.users["interviewer"])
    sign_in(client, "interviewer@a.example")
    _save(client, interview, 1, {"notes": "first tab"})
    response = _save(client, interview, 1, {"notes": "second tab"})
    assert response.status_code == 409
    body = text(response)
    assert "Someone else saved this interview meanwhile" in body
    assert "first tab" in body  # what is saved now is shown
    assert 'name="revision" value="1"' in body  # still stale: the next save is refused too
    assert stored_interview(world.a.tenant, interview.id).notes == "first tab"


def test_bad_answers_are_refused_with_a_message_and_nothing_is_stored(client, world):
    interview = rich_interview(world.a.tenant, world.a.users["interviewer"])
    sign_in(client, "interviewer@a.example")
    cases = {
        "This form names a question that is not part of the survey.": {"answer_forged": "x"},
        "Choose among the answers offered.": {"answer_reason": "weather"},
        "Choose a number from 1 to 5.": {"answer_manager": "6"},
        "Choose a number from 0 to 10.": {"answer_recommend": "-1"},
        "Shorten this answer to 5,000 characters": {"answer_why": "x" * 5001},
        "Shorten the notes to 20,000 characters": {"notes": "n" * 20_001},
    }
    for message, data in cases.items():
        response = _save(client, interview, 1, data)
        assert response.status_code == 422, data
        assert message in text(response)
    stored = stored_interview(world.a.tenant, interview.id)
    assert (stored.answers, stored.notes, stored.revision) == ({}, "", 1)
    ok = _save(client, interview, 1, {"answer_why": "x" * 5000, "notes": "n" * 20_000})
    assert ok.status_code == 200


def test_completing_checks_required_answers_then_freezes_the_interview(client, world):
    interview = rich_interview(world.a.tenant, world.a.users["interviewer"])
    sign_in(client, "interviewer@a.example")
    complete = f"/t/tenant-a/interviews/{interview.id}/complete"
    response = post_form(
        client, complete, {"revision": "1", "notes": "kept", "answer_reason": "pay"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Please answer this question." in page
    assert "kept" in page
    assert 'value="pay" checked' in page
    assert stored_interview(world.a.tenant, interview.id).is_planned

    form = {"revision": "1", "notes": "Klaar", "answer_why": "Loon", "answer_extras": "hours"}
    assert post_form(client, complete, form).status_code == 302
    stored = stored_interview(world.a.tenant, interview.id)
    assert stored.status == InterviewStatus.COMPLETED
    assert stored.completed_at is not None
    assert stored.answers == {"why": "Loon", "extras": ["hours"]}
    assert _departure(world, stored.departure_id).status == DepartureStatus.ANSWERED

    # An autosave from a tab left open: refused, nothing changed.
    late = _save(client, interview, 2, {"notes": "too late"})
    assert late.status_code == 409
    assert "completed meanwhile" in text(late)
    assert stored_interview(world.a.tenant, interview.id).notes == "Klaar"


def test_hr_reads_the_completed_response_in_full_and_others_do_not(client, world):
    interview = rich_interview(world.a.tenant, world.a.users["interviewer"])
    sign_in(client, "interviewer@a.example")
    form = {"revision": "1", "notes": "Sprak over <script>", "answer_why": "Loon"}
    post_form(client, f"/t/tenant-a/interviews/{interview.id}/complete", form)
    departure_page = f"/t/tenant-a/departures/{interview.departure_id}"
    for reader in ("hr@a.example", "hr_admin@a.example"):
        other = client.application.test_client()
        sign_in(other, reader)
        page = text(other.get(departure_page))
        assert "The interview's answers (identified)" in page
        assert "Sprak over &lt;script&gt;" in page
        assert ">Loon</textarea>" in page
    for outsider in ("leadership@a.example", "member@a.example", "agency_admin@agency-a.example"):
        other = client.application.test_client()
        sign_in(other, outsider)
        assert other.get(departure_page).status_code == 403
        assert other.get(f"/t/tenant-a/interviews/{interview.id}").status_code == 403


def test_an_interviewer_opens_only_their_own_interviews(client, world):
    colleague = make_user("second.interviewer@a.example")
    add_membership(world.a.tenant, colleague, "interviewer")
    interview = world.a.objects["interview"]  # assigned to interviewer@a.example
    sign_in(client, "second.interviewer@a.example")
    assert client.get(f"/t/tenant-a/interviews/{interview.id}").status_code == 404
    response = _save(client, interview, 1, {"notes": "not mine"})
    assert response.status_code == 404
    assert stored_interview(world.a.tenant, interview.id).notes == ""
    # HR opens any of its tenant's interviews; another tenant's id is a 404.
    hr = client.application.test_client()
    sign_in(hr, "hr@a.example")
    assert hr.get(f"/t/tenant-a/interviews/{interview.id}").status_code == 200
    other = world.b.objects["interview"]
    assert hr.get(f"/t/tenant-a/interviews/{other.id}").status_code == 404


def test_the_autosave_script_is_served_and_the_page_loads_no_inline_script(client, world):
    interview = world.a.objects["interview"]
    sign_in(client, "interviewer@a.example")
    page = text(client.get(f"/t/tenant-a/interviews/{interview.id}"))
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert "js/autosave.js" in page
    script = client.get("/static/js/autosave.js")
    assert script.status_code == 200
    assert b"htmx:sendError" in script.data


def test_cancelling_the_departure_cancels_its_planned_interview(client, world):
    departure = _leaver(world, "Jef Lemmens", Channel.INTERVIEW)
    sign_in(client, "hr@a.example")
    post_form(
        client,
        f"/t/tenant-a/departures/{departure.id}/interview",
        _plan_form(world.a.users["interviewer"]),
    )
    cancel = f"/t/tenant-a/departures/{departure.id}/cancel"
    assert "The planned interview is cancelled too" in text(client.get(cancel))
    assert post_form(client, cancel).status_code == 302
    (interview,) = _interviews_of(departure)
    assert interview.status == InterviewStatus.CANCELLED
    assert "METHOD:CANCEL" in _emails_to("interviewer@a.example")[-1].attachment_text
