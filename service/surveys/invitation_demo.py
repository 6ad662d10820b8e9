"""Demo survey invitations: the recent leavers of each demo client are at every step of the
survey — one waiting for its first mail, some sent, one opened with answers in progress,
some completed, one declined with a reason, one expired, one bounced, one cancelled by HR —
so that every status shows on the departures list and its pages.

Dates follow the client's own invitation settings (service/surveys/invitation_schedule.py);
a departure whose survey completed is marked answered. Deterministic (a random generator
seeded with the client's slug, dates counted from ``today``) and idempotent: a client that
has invitations is left alone.
"""

import datetime as dt
import random

import sqlalchemy as sa

from service.departures.models import Channel, Departure, DepartureStatus
from service.extensions import db
from service.model_types import as_utc
from service.surveys import demo_writing
from service.surveys.document import from_json
from service.surveys.invitation_links import link_hash
from service.surveys.invitation_models import InvitationStatus, SurveyDraft, SurveyInvitation
from service.surveys.invitation_schedule import Cadence, expires_at, reminder_times
from service.surveys.invitation_steps import cadence_of
from service.surveys.models import TemplateVersion
from service.tenancy import of_current_tenant, tenant_scope
from service.tenants.models import Department

S = InvitationStatus
# From the most recent leaver back: every status at least once; the live ones (sent,
# opened) go to the leavers whose survey is still running, the ended ones further back.
PLAN = (
    S.SCHEDULED, S.OPENED, S.SENT, S.BOUNCED, S.COMPLETED, S.DECLINED,
    S.SENT, S.COMPLETED, S.EXPIRED, S.CANCELLED, S.COMPLETED, S.COMPLETED,
)  # fmt: skip
# How many days ago the first mail went out, per status (drawn in the range): a live
# invitation within its expiry, an expired one past it.
SENT_DAYS_AGO = {
    S.SENT: (1, 6),
    S.OPENED: (2, 8),
    S.BOUNCED: (3, 12),
    S.COMPLETED: (3, 60),
    S.DECLINED: (4, 30),
    S.CANCELLED: (5, 40),
}
# The departure's status as the survey left it (a scheduled invitation has sent nothing yet).
DEPARTURE_STATUS = {
    S.SCHEDULED: DepartureStatus.NEW,
    S.COMPLETED: DepartureStatus.ANSWERED,
    S.CANCELLED: DepartureStatus.NEW,
}


def _at(day: dt.date, rng: random.Random, hours: tuple[int, int] = (8, 21)) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(*hours), rng.randrange(60)), tzinfo=dt.UTC)


def published_versions(template_ids) -> dict:
    """Template id → its published versions, oldest first."""
    versions: dict = {}
    rows = db.session.scalars(
        sa.select(TemplateVersion)
        .where(
            of_current_tenant(TemplateVersion),
            TemplateVersion.template_id.in_(template_ids),
            TemplateVersion.published_at.is_not(None),
        )
        .order_by(TemplateVersion.number)
    )
    for version in rows:
        versions.setdefault(version.template_id, []).append(version)
    return versions


def version_at(versions: list, moment: dt.datetime):
    """The version a leaver got at `moment`: the last one published by then."""
    return [v for v in versions if as_utc(v.published_at) <= moment][-1] if versions else None


def _first_mail(departure, status, rules: Cadence, today, rng) -> dt.datetime | None:
    """When the first mail went out: on its scheduled morning, or (a leaver further off)
    sent early by HR; None for an invitation still waiting for it."""
    scheduled = departure.last_day - dt.timedelta(days=rules.days_before)
    if status is S.SCHEDULED:
        return None
    low, high = (
        (rules.expiry_days + 2, rules.expiry_days + 30)
        if status is S.EXPIRED
        else SENT_DAYS_AGO[status]
    )
    first = min(scheduled, today - dt.timedelta(days=rng.randint(low, high)))
    return _at(first, rng, (8, 9))


def _feasible(departure, status, rules: Cadence, today) -> bool:
    scheduled = departure.last_day - dt.timedelta(days=rules.days_before)
    if status is S.SCHEDULED:
        return scheduled > today
    if status in (S.SENT, S.OPENED):  # still running: sent within the expiry period
        return scheduled > today - dt.timedelta(days=rules.expiry_days - SENT_DAYS_AGO[status][1])
    return True


def _invitation(departure, status, tenant, first, today, rng, versions) -> SurveyInvitation:
    rules = cadence_of(tenant)
    invitation = SurveyInvitation(
        departure_id=departure.id,
        status=status,
        address=departure.personal_email or departure.work_email,
        language=departure.language,
        scheduled_for=departure.last_day - dt.timedelta(days=rules.days_before),
        created_at=departure.created_at,
    )
    if status is S.SCHEDULED:
        invitation.next_step_at = _at(invitation.scheduled_for, rng, (8, 8))
        return invitation
    end = {S.EXPIRED: expires_at(first, rules)}.get(status)
    if status in (S.OPENED, S.COMPLETED, S.DECLINED):
        invitation.opened_at = first + dt.timedelta(hours=rng.randint(1, 30))
        end = invitation.opened_at + dt.timedelta(minutes=rng.randint(4, 40))
    elif status is S.BOUNCED:
        end = first + dt.timedelta(minutes=rng.randint(1, 5))
    elif status is S.CANCELLED:
        end = first + dt.timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
    if status in (S.SENT, S.OPENED):
        end = None
    reminders = [at for at in reminder_times(first, rules) if at <= (end or _now(today))]
    if status is S.BOUNCED:
        reminders = []
        invitation.address = _mistyped(invitation.address, rng)
    invitation.link_version = 1  # the first mail's link
    invitation.first_sent_at = first
    invitation.last_sent_at = reminders[-1] if reminders else first
    invitation.reminders_sent = len(reminders)
    invitation.expires_at = expires_at(first, rules)
    invitation.template_version_id = version_at(versions, first).id
    if status in (S.SENT, S.OPENED):
        later = [at for at in reminder_times(first, rules) if at > _now(today)]
        invitation.next_step_at = later[0] if later else invitation.expires_at
    else:
        invitation.ended_at = end
    if status is S.DECLINED:
        invitation.decline_reason = demo_writing.decline_reason(
            rng, tenant.sector.value, departure.language
        )
    return invitation


def _now(today: dt.date) -> dt.datetime:
    return dt.datetime.combine(today, dt.time(7), tzinfo=dt.UTC)


def _mistyped(address: str, rng: random.Random) -> str:
    """An address the mail server refuses: the kind of slip made when typing it in."""
    local = address.partition("@")[0]
    local = "".join(ch for ch in local.lower() if ch.isalnum() or ch == ".") or "leaver"
    return f"{local}@{rng.choice(['gmial.com', 'telenet.b', 'hotmal.com'])}"


def _draft(invitation, version, tenant, department: str | None, rng) -> SurveyDraft:
    """The first half of a leaver's answers, saved as they went."""
    questionnaire = from_json(version.document)
    voice = demo_writing.voice_of(tenant.slug, department, None)
    reasons, liked = demo_writing.pick_themes(rng, voice.reasons, voice.liked)
    leaver = demo_writing.Leaver(invitation.language, reasons, liked, rng.betavariate(*voice.mood))
    sector = tenant.sector.value
    half = questionnaire.questions[: len(questionnaire.questions) // 2]
    return SurveyDraft(
        invitation_id=invitation.id,
        language=invitation.language,
        answers={q.key: demo_writing.answer(rng, sector, q, leaver) for q in half},
        updated_at=invitation.opened_at + dt.timedelta(minutes=rng.randint(2, 9)),
    )


def seed_tenant_invitations(tenant, today: dt.date) -> None:
    with tenant_scope(tenant.id):
        if db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyInvitation)
            .where(of_current_tenant(SurveyInvitation))
        ):
            return
        rng = random.Random(f"invitations:{tenant.slug}")
        departures = db.session.scalars(
            sa.select(Departure)
            .where(
                of_current_tenant(Departure),
                Departure.status != DepartureStatus.CANCELLED,
                Departure.channel.in_([Channel.SURVEY, Channel.BOTH]),
                Departure.template_id.is_not(None),
                sa.or_(Departure.personal_email.is_not(None), Departure.work_email.is_not(None)),
            )
            .order_by(Departure.last_day.desc(), Departure.full_name)
            .limit(3 * len(PLAN))
        ).all()
        versions = published_versions({d.template_id for d in departures})
        rules, plan = cadence_of(tenant), list(PLAN)
        for departure in departures:
            status = next((s for s in plan if _feasible(departure, s, rules, today)), None)
            if status is None:
                continue
            plan.remove(status)
            first = _first_mail(departure, status, rules, today, rng)
            invitation = _invitation(
                departure, status, tenant, first, today, rng, versions[departure.template_id]
            )
            db.session.add(invitation)
            departure.status = DEPARTURE_STATUS.get(status, DepartureStatus.INVITED)
            db.session.flush()
            if invitation.is_live and status is not S.SCHEDULED:
                # The link the mails carried (derived, as the scan's reminders will be).
                invitation.token_hash = link_hash(invitation)
            if status is S.OPENED:
                version = version_at(versions[departure.template_id], invitation.first_sent_at)
                department = db.session.scalar(
                    sa.select(Department.name).where(
                        of_current_tenant(Department), Department.id == departure.department_id
                    )
                )
                db.session.add(_draft(invitation, version, tenant, department, rng))
        db.session.commit()
