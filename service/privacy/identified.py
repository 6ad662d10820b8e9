"""Removing a leaver's identified data, for the retention job and for an erasure request.

What goes: the departure's personal fields (name, addresses, phone, manager, note, the
link to its import), the addresses and links of its survey invitations and the answers in
progress, its interviews with their answers and notes, the insight rows read from those
interviews and HR's theme corrections of them, quotes of those answers in actions'
evidence, and the outbox emails to the person or naming them.

What stays, as an anonymous record for turnover statistics: department, function,
location, exit type, regretted loss, channel, language, template, status, and the last
day and hire date as months (the hire month is moved by at most one month so that the
tenure band stays exactly what it was). Invitations keep their status and dates, so past
response rates do not change. Confidential survey answers are untouched: they were never
linked to the person.

Each function is part of the caller's transaction (no commit).
"""

import datetime as dt
import uuid
from collections import Counter

import sqlalchemy as sa

from service.actions.models import Action
from service.departures.models import Departure, tenure_band
from service.extensions import db
from service.insights.models import AnswerInsight, Feedback, ThemeCorrection, ThemeTag
from service.mail.models import TenantEmail
from service.surveys.interview_models import Interview
from service.surveys.invitation_models import (
    LIVE_STATUSES,
    InvitationStatus,
    SurveyDraft,
    SurveyInvitation,
)
from service.tenancy import of_current_tenant

# A name shorter than this would match unrelated emails; its addresses still find its own.
NAME_MATCH_MIN = 5
# An answer shorter than this is not looked for among quotes ("yes", "the pay").
QUOTE_MATCH_MIN = 20


def _delete(model, *conditions) -> int:
    return db.session.execute(
        sa.delete(model)
        .where(of_current_tenant(model), *conditions)
        .execution_options(synchronize_session=False)
    ).rowcount


def remove_feedback(feedback_ids: list[uuid.UUID]) -> None:
    """The insight rows read from these responses or interviews, and HR's corrections."""
    if not feedback_ids:
        return
    _delete(ThemeTag, ThemeTag.feedback_id.in_(feedback_ids))
    _delete(AnswerInsight, AnswerInsight.feedback_id.in_(feedback_ids))
    _delete(Feedback, Feedback.id.in_(feedback_ids))
    _delete(ThemeCorrection, ThemeCorrection.feedback_id.in_(feedback_ids))


def remove_interviews(interviews: list[Interview]) -> int:
    """Interviews with their answers, notes and what insights read from them; how many.
    Quotes of their free-text answers leave the actions' evidence."""
    if not interviews:
        return 0
    texts = [
        answer.strip()
        for interview in interviews
        for answer in (interview.answers or {}).values()
        if isinstance(answer, str) and len(answer.strip()) >= QUOTE_MATCH_MIN
    ]
    if texts:
        _forget_quotes(texts)
    ids = [interview.id for interview in interviews]
    remove_feedback(ids)
    return _delete(Interview, Interview.id.in_(ids))


def _forget_quotes(texts: list[str]) -> None:
    """Actions keep quotes as evidence: those drawn from these answers go."""
    actions = db.session.scalars(
        sa.select(Action).where(of_current_tenant(Action), Action.evidence.is_not(None))
    )
    for action in actions:
        quotes = action.evidence.get("quotes") or []
        kept = [quote for quote in quotes if not _drawn_from(quote, texts)]
        if len(kept) != len(quotes):
            action.evidence = {**action.evidence, "quotes": kept}


def _drawn_from(quote, texts: list[str]) -> bool:
    quote = str(quote).strip().strip("“”\"'…").strip()
    return len(quote) >= QUOTE_MATCH_MIN and any(quote in text or text in quote for text in texts)


def _anonymous_dates(hired_on: dt.date | None, last_day: dt.date) -> tuple:
    """The last day and hire date as the first of their months, the tenure band kept.

    Both on the 1st, the band can only grow, by a year, when both fall in the same month
    of the year and the hire day came later in it than the last day: the hire month then
    moves one month on (still before the last day's month, as the years differ)."""
    last_month = last_day.replace(day=1)
    if hired_on is None:
        return None, last_month
    hire_month = hired_on.replace(day=1)
    if tenure_band(hire_month, last_month) != tenure_band(hired_on, last_day):
        year, month = divmod(hire_month.month, 12)
        hire_month = dt.date(hire_month.year + year, month + 1, 1)
    return hire_month, last_month


def _outbox_about(departure: Departure) -> list:
    """Conditions on the outbox that find the emails to or naming this person."""
    addresses = {
        address.strip().lower()
        for address in (departure.work_email, departure.personal_email)
        if address and address.strip()
    }
    addresses.update(
        address.strip().lower()
        for address in db.session.scalars(
            sa.select(SurveyInvitation.address).where(
                of_current_tenant(SurveyInvitation),
                SurveyInvitation.departure_id == departure.id,
                SurveyInvitation.address.is_not(None),
            )
        )
    )
    found = []
    if addresses:
        found.append(sa.func.lower(TenantEmail.to_address).in_(addresses))
    name = (departure.full_name or "").strip()
    if len(name) >= NAME_MATCH_MIN:
        pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for column in (
            TenantEmail.subject,
            TenantEmail.body_text,
            TenantEmail.body_html,
            TenantEmail.attachment_text,
        ):
            found.append(column.ilike(pattern, escape="\\"))
    return found


def anonymise(departure: Departure, now: dt.datetime) -> Counter:
    """Remove this departure's identified data (see the module's docstring); what went,
    counted by kind. A departure already anonymised loses nothing more."""
    removed: Counter = Counter()
    if departure.anonymised_at is not None:
        return removed
    about = _outbox_about(departure)
    if about:
        removed["emails"] += _delete(TenantEmail, sa.or_(*about))
    interviews = db.session.scalars(
        sa.select(Interview).where(
            of_current_tenant(Interview), Interview.departure_id == departure.id
        )
    ).all()
    removed["interviews"] += remove_interviews(list(interviews))
    invitations = db.session.scalars(
        sa.select(SurveyInvitation).where(
            of_current_tenant(SurveyInvitation), SurveyInvitation.departure_id == departure.id
        )
    ).all()
    if invitations:
        _delete(SurveyDraft, SurveyDraft.invitation_id.in_([i.id for i in invitations]))
    for invitation in invitations:
        if invitation.status in LIVE_STATUSES:
            invitation.status = InvitationStatus.CANCELLED
            invitation.ended_at = now
        invitation.address = None
        invitation.token_hash = None
        invitation.next_step_at = None
        invitation.decline_reason = None
        invitation.last_email_id = None
    removed["invitations"] += len(invitations)
    hired_on, last_day = _anonymous_dates(departure.hired_on, departure.last_day)
    departure.full_name = ""
    departure.work_email = departure.personal_email = departure.phone = None
    departure.manager_name = departure.note = None
    departure.manager_membership_id = departure.import_id = None
    departure.identity_key = f"anonymised:{departure.id}"
    departure.hired_on, departure.last_day = hired_on, last_day
    departure.anonymised_at = departure.updated_at = now
    removed["departures"] += 1
    db.session.flush()
    return removed
