"""The daily retention job: with the clock moved past each limit it removes exactly what is
past its time, per tenant, and nothing else; a day short of the limit stays; a second run
does nothing; what it did is in the tenant's audit trail."""

import datetime as dt
import uuid

import sqlalchemy as sa

from service.departures.models import Departure, ExitType
from service.extensions import db
from service.insights.models import (
    AnswerInsight,
    Feedback,
    Origin,
    Source,
    ThemeCorrection,
    ThemeTag,
    Verdict,
    theme_columns,
)
from service.jobs.scheduler import SCHEDULE
from service.mail.models import MailStatus, TenantEmail
from service.privacy.limits import months_before
from service.privacy.tasks import scan_retention
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.invitation_models import SurveyInvitation
from service.surveys.response_models import SurveyResponse
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.audit.helpers import entries
from tests.factories import (
    make_departure,
    make_interview,
    make_survey_invitation,
    make_survey_response,
    published_version,
)

# 03:00 UTC is 05:00 in Brussels: the same day there.
NOW = dt.datetime(2030, 6, 15, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(dt.date(2030, 6, 15), 24) == dt.date(2028, 6, 15)
    assert months_before(dt.date(2030, 3, 31), 1) == dt.date(2030, 2, 28)
    assert months_before(dt.date(2030, 1, 10), 13) == dt.date(2028, 12, 10)


def test_the_job_is_in_the_schedule():
    assert any(p.task == "service.privacy.tasks.scan_retention" for p in SCHEDULE)


def _feedback(tenant, feedback_id: uuid.UUID, source: Source, month: dt.date) -> None:
    """What insights read from one response or interview: a row, an answer, a tag and an
    HR correction."""
    coarse = {
        "source": source,
        "month": month,
        "exit_type": ExitType.VOLUNTARY,
        "regretted": False,
    }
    with tenant_scope(tenant.id):
        db.session.add(
            Feedback(id=feedback_id, language="nl", **theme_columns(["workload"]), **coarse)
        )
        db.session.flush()
        answer = AnswerInsight(feedback_id=feedback_id, question_key="why", text="t", **coarse)
        db.session.add(answer)
        db.session.flush()
        db.session.add(
            ThemeTag(
                answer_id=answer.id,
                feedback_id=feedback_id,
                question_key="why",
                theme="workload",
                origin=Origin.DETECTED,
                **coarse,
            )
        )
        db.session.add(
            ThemeCorrection(
                feedback_id=feedback_id, question_key="why", theme="pay", verdict=Verdict.ADD
            )
        )
        db.session.commit()


def _email(tenant, label: str, status: MailStatus, age: dt.timedelta) -> None:
    with tenant_scope(tenant.id):
        db.session.add(
            TenantEmail(
                to_address=f"{label}@mail.example",
                subject=label,
                body_text="…",
                language="nl",
                status=status,
                created_at=NOW - age,
            )
        )
        db.session.commit()


def _count(tenant, model, *conditions) -> int:
    with tenant_scope(tenant.id):
        found = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))
        db.session.commit()
        return found


def _departure(tenant, departure_id) -> Departure:
    with tenant_scope(tenant.id):
        found = db.session.get(Departure, (tenant.id, departure_id))
        db.session.expunge(found)
        db.session.commit()
        return found


def _setting_up(world):
    """Tenant A on the defaults (24, 24, 36 months, 90 days), each kind on both sides of
    its limit; tenant B keeps everything a year longer, so the same rows stay there."""
    a, b = world.a.tenant, world.b.tenant
    stored_b = db.session.get(Tenant, b.id)
    stored_b.departure_retention_months = stored_b.interview_retention_months = 36
    stored_b.confidential_retention_months = 48
    stored_b.outbox_retention_days = 365
    db.session.commit()
    made = {}
    for side in (world.a, world.b):
        tenant = side.tenant
        with tenant_scope(tenant.id):  # the world's own leaver: recent at NOW
            departure = db.session.get(Departure, (tenant.id, side.objects["departure"].id))
            departure.last_day = dt.date(2030, 1, 1)
            interview = db.session.get(Interview, (tenant.id, side.objects["interview"].id))
            interview.scheduled_at = NOW
            db.session.commit()
        limit = dt.date(2028, 6, 15)  # NOW less 24 months
        past = make_departure(tenant, "Old Leaver", last_day=limit - DAY, note="kept too long")
        at_limit = make_departure(tenant, "Recent Leaver", last_day=limit)
        invitation = make_survey_invitation(tenant, past, address="old@mail.example")
        old_interview = make_interview(
            tenant,
            at_limit,
            side.users["interviewer"],
            status=InterviewStatus.COMPLETED,
            scheduled_at=NOW.replace(year=2028) - 2 * DAY,
            completed_at=NOW.replace(year=2028) - DAY,
            notes="an old interview",
        )
        interview_of_past = make_interview(
            tenant,
            past,
            side.users["interviewer"],
            status=InterviewStatus.CANCELLED,
            scheduled_at=NOW.replace(year=2028) + 5 * DAY,
        )
        recent_interview = make_interview(
            tenant,
            make_departure(tenant, "Other Leaver", last_day=dt.date(2030, 1, 1)),
            side.users["interviewer"],
            status=InterviewStatus.COMPLETED,
            scheduled_at=NOW.replace(year=2028) - DAY,
            completed_at=NOW.replace(year=2028) + DAY,
            notes="kept",
        )
        _feedback(tenant, old_interview.id, Source.INTERVIEW, dt.date(2028, 6, 1))
        _feedback(tenant, recent_interview.id, Source.INTERVIEW, dt.date(2028, 6, 1))
        version = published_version(tenant, side.objects["template"])
        old_response = make_survey_response(tenant, version, month=dt.date(2027, 5, 1))
        kept_response = make_survey_response(tenant, version, month=dt.date(2027, 6, 1))
        _feedback(tenant, old_response.id, Source.SURVEY, old_response.month)
        _feedback(tenant, kept_response.id, Source.SURVEY, kept_response.month)
        _email(tenant, "sent-old", MailStatus.SENT, dt.timedelta(days=90) + DAY)
        _email(tenant, "failed-old", MailStatus.FAILED, dt.timedelta(days=91))
        _email(tenant, "sent-recent", MailStatus.SENT, dt.timedelta(days=89))
        _email(tenant, "pending-old", MailStatus.PENDING, dt.timedelta(days=400))
        made[tenant.id] = {
            "past": past,
            "at_limit": at_limit,
            "invitation": invitation,
            "old_interview": old_interview,
            "interview_of_past": interview_of_past,
            "recent_interview": recent_interview,
            "old_response": old_response,
            "kept_response": kept_response,
        }
    return a, b, made


def _subjects(tenant) -> set[str]:
    with tenant_scope(tenant.id):
        found = set(db.session.scalars(sa.select(TenantEmail.subject)))
        db.session.commit()
        return found


def test_the_job_removes_exactly_what_is_past_each_limit(app, world):
    a, b, made = _setting_up(world)
    a_made, b_made = made[a.id], made[b.id]
    emails_before = _subjects(a)

    scan_retention(NOW.isoformat())

    # Departures: the day past the limit is anonymised, the day at the limit stays.
    past = _departure(a, a_made["past"].id)
    assert past.anonymised_at is not None
    assert (past.full_name, past.work_email, past.note) == ("", None, None)
    assert past.last_day == dt.date(2028, 6, 1)
    assert _departure(a, a_made["at_limit"].id).full_name == "Recent Leaver"
    with tenant_scope(a.id):
        invitation = db.session.get(SurveyInvitation, (a.id, a_made["invitation"].id))
        assert invitation.address is None
        db.session.commit()
    # Interviews: the one held a day past the limit goes with its insight rows and
    # corrections (and the anonymised departure's); the one a day short stays.
    ids = [a_made[key].id for key in ("old_interview", "interview_of_past", "recent_interview")]
    assert _count(a, Interview, Interview.id.in_(ids)) == 1
    assert _count(a, Interview, Interview.id == a_made["recent_interview"].id) == 1
    for model in (Feedback, AnswerInsight, ThemeTag, ThemeCorrection):
        key = model.id if model is Feedback else model.feedback_id
        assert _count(a, model, key == a_made["old_interview"].id) == 0
        assert _count(a, model, key == a_made["recent_interview"].id) == 1
        # Confidential responses: May 2027 is past 36 months, June 2027 is not.
        assert _count(a, model, key == a_made["old_response"].id) == 0
        assert _count(a, model, key == a_made["kept_response"].id) == 1
    responses = [a_made["old_response"].id, a_made["kept_response"].id]
    assert _count(a, SurveyResponse, SurveyResponse.id.in_(responses)) == 1
    # Emails: sent or failed past 90 days go; a recent one and a pending one stay.
    assert _subjects(a) == emails_before - {"sent-old", "failed-old"}

    # Tenant B keeps everything a year longer: none of the same rows went.
    assert _departure(b, b_made["past"].id).full_name == "Old Leaver"
    assert _count(b, Interview) == 4
    assert _count(b, SurveyResponse) == 2
    assert {"sent-old", "failed-old", "pending-old"} <= _subjects(b)
    assert entries(b, "retention.apply") == []

    (entry,) = entries(a, "retention.apply")
    assert entry.actor_id is None  # the system
    assert entry.changes == {
        "at": NOW.isoformat(),
        "departures": 1,
        "emails": 2,
        "interviews": 2,
        "invitations": 1,
        "responses": 1,
    }
    assert "Old Leaver" not in str(entry.changes)


def test_a_second_run_changes_nothing_and_records_nothing(app, world):
    a, _b, made = _setting_up(world)
    scan_retention(NOW.isoformat())
    anonymised = _departure(a, made[a.id]["past"].id)
    scan_retention(NOW.isoformat())
    assert len(entries(a, "retention.apply")) == 1
    assert _departure(a, anonymised.id).anonymised_at == anonymised.anonymised_at


def test_the_clock_a_day_earlier_removes_nothing(app, world):
    a, _b, _made = _setting_up(world)
    emails = _subjects(a)
    scan_retention((NOW - 2 * DAY).isoformat())
    assert _count(a, Departure, Departure.anonymised_at.is_not(None)) == 0
    assert _count(a, Interview) == 4
    assert _subjects(a) == emails
    # A response knows only its month: May 2027's stay through May 2030, 36 months on.
    assert _count(a, SurveyResponse) == 1
    assert entries(a, "retention.apply")[0].changes == {
        "at": (NOW - 2 * DAY).isoformat(),
        "responses": 1,
    }


def test_a_response_stays_through_the_whole_month_at_its_limit(app, world):
    a, _b, _made = _setting_up(world)
    scan_retention(dt.datetime(2030, 5, 31, 20, 0, tzinfo=dt.UTC).isoformat())  # 22:00 there
    assert _count(a, SurveyResponse) == 2
    assert entries(a, "retention.apply") == []
