"""Interviews: HR assigns, reschedules or cancels one from a departure; the interviewer
records it (autosaved) and marks it completed. One transaction per function.

Every change the interviewer's calendar must know of sends an email with a calendar
invitation: REQUEST on assignment and on each change (SEQUENCE + 1), CANCEL when it is
cancelled or taken from them. Autosaves name the revision they were made on: a save based
on an older one is refused (two tabs, or HR and the interviewer at once), never merged.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from service.accounts.models import User
from service.departures.models import Channel, Departure, DepartureStatus
from service.extensions import db
from service.i18n import language_for
from service.insights.analysis import read_interview
from service.mail.outbox import Attachment, queue_email
from service.model_types import as_utc, utcnow
from service.permissions import MATRIX
from service.refusals import Refused
from service.scopes import current_tenant, tenant_role
from service.surveys.answers import missing_required, read
from service.surveys.calendar import CalendarEvent, Method, ics
from service.surveys.document import Questionnaire, from_json
from service.surveys.interview_models import (
    NOTES_MAX,
    Interview,
    InterviewStatus,
)
from service.surveys.models import TemplateVersion
from service.tenancy import get_for_tenant_or_404, of_current_tenant
from service.tenants.models import Membership

CONDUCTING_ROLES = MATRIX["tenant.interviews.edit"]


class Conflict(Exception):
    """The interview changed since the page was loaded, or was completed or cancelled."""

    def __init__(self, message: str, interview: Interview):
        super().__init__(message)
        self.message = message
        self.interview = interview


# --- reading ---------------------------------------------------------------------------------


def interview_or_404(interview_id) -> Interview:
    return get_for_tenant_or_404(Interview, interview_id)


def live_interview(departure: Departure) -> Interview | None:
    """The departure's planned or completed interview, if any."""
    return db.session.scalar(
        sa.select(Interview).where(
            of_current_tenant(Interview),
            Interview.departure_id == departure.id,
            Interview.status != InterviewStatus.CANCELLED,
        )
    )


def departure_of(interview: Interview) -> Departure:
    return get_for_tenant_or_404(Departure, interview.departure_id)


def questionnaire_of(interview: Interview) -> Questionnaire:
    version = db.session.scalar(
        sa.select(TemplateVersion).where(
            of_current_tenant(TemplateVersion), TemplateVersion.id == interview.template_version_id
        )
    )
    return from_json(version.document)


def user_of(user_id: uuid.UUID) -> User | None:
    return db.session.get(User, user_id)


def takes_interview(departure: Departure) -> bool:
    return departure.channel in (Channel.INTERVIEW, Channel.BOTH)


def eligible_interviewers() -> list[User]:
    """Who may interview in the current tenant: an active member whose effective role there
    (service/scopes.py: an assigned consultant's counts only while its agency is active)
    may conduct interviews. A tenant has tens of members: one check each is fine."""
    users = db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            of_current_tenant(Membership),
            Membership.deactivated_at.is_(None),
            Membership.role.in_(CONDUCTING_ROLES),
            User.active.is_(True),
        )
        .order_by(User.display_name, User.email)
    )
    return [user for user in users if tenant_role(user, current_tenant) in CONDUCTING_ROLES]


# --- assigning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    interviewer: User
    scheduled_at: dt.datetime
    place: str | None
    video_link: str | None


def _plan(data: Mapping) -> Plan:
    """The assignment form's data checked against the tenant: an eligible interviewer, a
    moment to come (typed in the tenant's time zone), a place or a video link."""
    errors: dict[str, list[str]] = {}
    interviewer = next(
        (u for u in eligible_interviewers() if u.id == data["interviewer_user_id"]), None
    )
    if interviewer is None:
        errors["interviewer_user_id"] = [_("Choose an interviewer from the list.")]
    scheduled_at = data["scheduled_at"].replace(tzinfo=ZoneInfo(current_tenant.time_zone))
    if scheduled_at <= utcnow():
        errors["scheduled_at"] = [_("Choose a moment in the future.")]
    if errors:
        raise Refused(errors)
    return Plan(interviewer, scheduled_at, data.get("place"), data.get("video_link"))


def _current_version_id(departure: Departure) -> uuid.UUID:
    version_id = db.session.scalar(
        sa.select(TemplateVersion.id)
        .where(
            of_current_tenant(TemplateVersion),
            TemplateVersion.template_id == departure.template_id,
            TemplateVersion.published_at.is_not(None),
        )
        .order_by(TemplateVersion.number.desc())
        .limit(1)
    )
    if version_id is None:
        raise Refused(
            {"form": [_("Give this departure a published question template first (Edit).")]}
        )
    return version_id


def _refuse_unless_plannable(departure: Departure) -> None:
    if departure.status == DepartureStatus.CANCELLED:
        raise Refused({"form": [_("This departure is cancelled: no interview follows from it.")]})
    if not takes_interview(departure):
        raise Refused({"form": [_("This departure's channel has no interview.")]})


def plan_interview(departure: Departure, data: Mapping) -> Interview:
    """Assign a new interview, or change the planned one (interviewer, moment, place).
    The interviewer(s) get the calendar invitation; the departure is "interview planned"."""
    try:
        _refuse_unless_plannable(departure)
        plan = _plan(data)
        interview = live_interview(departure)
        if interview is not None and not interview.is_planned:
            raise Refused({"form": [_("This interview is completed: it can no longer change.")]})
        if interview is None:
            interview = Interview(
                departure_id=departure.id,
                template_version_id=_current_version_id(departure),
                answers={},
                notes="",
            )
            db.session.add(interview)
            previous = None
        else:
            previous = interview.interviewer_user_id
            if (
                previous == plan.interviewer.id
                and as_utc(interview.scheduled_at) == plan.scheduled_at
                and (interview.place, interview.video_link) == (plan.place, plan.video_link)
            ):
                db.session.rollback()
                return interview
            interview.calendar_sequence += 1
    except Refused:
        db.session.rollback()
        raise
    interview.interviewer_user_id = plan.interviewer.id
    interview.scheduled_at = plan.scheduled_at
    interview.place, interview.video_link = plan.place, plan.video_link
    interview.updated_at = utcnow()
    if departure.status in (DepartureStatus.NEW, DepartureStatus.INVITED):
        departure.status = DepartureStatus.INTERVIEW_PLANNED
    db.session.flush()
    if previous is not None and previous != plan.interviewer.id:
        _send_calendar(interview, departure, user_of(previous), Method.CANCEL)
    _send_calendar(interview, departure, plan.interviewer, Method.REQUEST, changed=previous)
    db.session.commit()
    return interview


def cancel_interview(interview: Interview) -> bool:
    """Cancel a planned interview; the interviewer's calendar drops it. False when it is not
    planned (completed or already cancelled)."""
    if not interview.is_planned:
        return False
    departure = departure_of(interview)
    _cancel(interview, departure)
    if departure.status == DepartureStatus.INTERVIEW_PLANNED:
        departure.status = DepartureStatus.NEW
    db.session.commit()
    return True


def planned_interview(departure: Departure) -> Interview | None:
    interview = live_interview(departure)
    return interview if interview is not None and interview.is_planned else None


def cancel_with_departure(departure: Departure) -> None:
    """The departure is being cancelled: its planned interview goes with it, and the
    interviewer's calendar is told. Part of the caller's transaction (no commit)."""
    interview = planned_interview(departure)
    if interview is not None:
        _cancel(interview, departure)


def _cancel(interview: Interview, departure: Departure) -> None:
    interview.status = InterviewStatus.CANCELLED
    interview.calendar_sequence += 1
    interview.updated_at = utcnow()
    db.session.flush()
    _send_calendar(interview, departure, user_of(interview.interviewer_user_id), Method.CANCEL)


def _send_calendar(interview, departure, interviewer: User | None, method: Method, changed=None):
    if interviewer is None:
        return
    link = url_for("interviews.show", interview_id=interview.id, _external=True)
    tenant = current_tenant
    language = language_for(interviewer, tenant.default_language)
    event = CalendarEvent(
        uid=f"interview-{interview.id}@exitloop",
        sequence=interview.calendar_sequence,
        starts_at=interview.scheduled_at,
        summary=_calendar_summary(language, tenant.name),
        description=link,
        organizer=parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1],
        attendee=interviewer.email,
        attendee_name=interviewer.display_name,
        location=interview.place,
        url=interview.video_link,
    )
    template = "interview_cancelled" if method is Method.CANCEL else "interview_assigned"
    queue_email(
        to=interviewer.email,
        template=template,
        language=language,
        context={
            "name": interviewer.display_name,
            "company": tenant.name,
            "leaver": departure.full_name,
            "interview": interview,
            "time_zone": tenant.time_zone,
            "url": link,
            "changed": changed is not None,
        },
        tenant_id=tenant.id,
        attachment=Attachment(
            name="interview.ics",
            mime_type=f"text/calendar; method={method}",
            text=ics(event, method, utcnow()),
        ),
    )


def _calendar_summary(language: str, company: str) -> str:
    with force_locale(f"{language}_BE"):
        return _("Exit interview · %(company)s", company=company)


# --- recording -------------------------------------------------------------------------------


def _refuse_unless_open(interview: Interview, revision: int | None) -> None:
    if interview.status == InterviewStatus.COMPLETED:
        raise Conflict(_("This interview was completed meanwhile: nothing was changed."), interview)
    if interview.status == InterviewStatus.CANCELLED:
        raise Conflict(_("This interview was cancelled: nothing was changed."), interview)
    if revision != interview.revision:
        raise Conflict(_stale_message(), interview)


def _recorded(interview: Interview, form: MultiDict) -> tuple[dict, str]:
    questionnaire = questionnaire_of(interview)
    reading = read(questionnaire, form)
    answers = reading.answers
    errors = {key: [message] for key, message in reading.errors.items()}
    notes = form.get("notes", "").replace("\r\n", "\n").replace("\r", "\n")
    if len(notes) > NOTES_MAX:
        errors["notes"] = [
            _("Shorten the notes to %(limit)s characters (they have %(length)s).")
            % {"limit": f"{NOTES_MAX:,}", "length": f"{len(notes):,}"}
        ]
    if errors:
        raise Refused(errors)
    return answers, notes


def _stale_message() -> str:
    return _(
        "Someone else saved this interview meanwhile: your last changes were not saved. "
        "Copy what you typed, then reload the page to see their version."
    )


def _write(interview: Interview, revision: int, **values) -> None:
    """Write only if the interview is still planned at ``revision`` (a guarded UPDATE: of
    two racing saves, exactly one wins), bumping the revision; Conflict otherwise."""
    written = db.session.execute(
        sa.update(Interview)
        .where(
            of_current_tenant(Interview),
            Interview.id == interview.id,
            Interview.revision == revision,
            Interview.status == InterviewStatus.PLANNED,
        )
        .values(**values, revision=Interview.revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if written != 1:
        db.session.rollback()
        raise Conflict(_stale_message(), interview)


def autosave(interview: Interview, revision: int | None, form: MultiDict) -> bool:
    """Store the answers and notes as typed so far; False (and no write) when nothing
    changed. Raises Conflict (stale, completed, cancelled) or Refused (bad answers)."""
    try:
        _refuse_unless_open(interview, revision)
        answers, notes = _recorded(interview, form)
    except (Conflict, Refused):
        db.session.rollback()
        raise
    if answers == interview.answers and notes == interview.notes:
        db.session.rollback()
        return False
    _write(interview, revision, answers=answers, notes=notes)
    db.session.commit()
    db.session.refresh(interview)
    return True


def complete(interview: Interview, revision: int | None, form: MultiDict) -> Interview:
    """Store the last answers and mark the interview completed: every required question
    must be answered. The departure is then "answered"."""
    try:
        _refuse_unless_open(interview, revision)
        answers, notes = _recorded(interview, form)
        missing = {
            key: [message]
            for key, message in missing_required(questionnaire_of(interview), answers).items()
        }
        if missing:
            missing["form"] = [_("Answer every required question before completing.")]
            raise Refused(missing)
    except (Conflict, Refused):
        db.session.rollback()
        raise
    departure = departure_of(interview)
    _write(
        interview,
        revision,
        answers=answers,
        notes=notes,
        status=InterviewStatus.COMPLETED,
        completed_at=utcnow(),
    )
    if departure.status not in (DepartureStatus.CANCELLED, DepartureStatus.CLOSED):
        departure.status = DepartureStatus.ANSWERED
    db.session.refresh(interview)  # as the guarded UPDATE left it
    read_interview(interview, departure, questionnaire_of(interview))
    db.session.commit()
    return interview
