"""Survey invitations of departures: found for HR's pages, and kept in line with their
departure (scheduled when it is recorded or imported, moved with its last day, cancelled
with it). Nothing here commits: the departure and settings services own the transactions.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from service.departures.models import Channel, Departure, DepartureStatus
from service.extensions import db
from service.model_types import as_utc, utcnow
from service.surveys import invitation_steps as steps
from service.surveys.invitation_models import (
    LIVE_STATUSES,
    InvitationStatus,
    SurveyInvitation,
)
from service.surveys.invitation_schedule import (
    Cadence,
    first_mail_at,
    first_mail_day,
    reminder_times,
)
from service.tenancy import of_current_tenant
from service.tenants.models import Tenant

SURVEY_CHANNELS = (Channel.SURVEY, Channel.BOTH)
# What a leaver's earlier answer or refusal settles: no new invitation after it.
SETTLED = (InvitationStatus.COMPLETED, InvitationStatus.DECLINED)


# --- finding them ------------------------------------------------------------------------


def _of_departure(departure_id: uuid.UUID) -> sa.Select:
    return sa.select(SurveyInvitation).where(
        of_current_tenant(SurveyInvitation), SurveyInvitation.departure_id == departure_id
    )


def live_invitation(departure_id: uuid.UUID) -> SurveyInvitation | None:
    return db.session.scalar(
        _of_departure(departure_id).where(SurveyInvitation.status.in_(LIVE_STATUSES))
    )


def latest_invitation(departure_id: uuid.UUID) -> SurveyInvitation | None:
    """The departure's invitation HR sees: the running one, else the last one."""
    return db.session.scalar(
        _of_departure(departure_id)
        .order_by(SurveyInvitation.ended_at.is_(None).desc(), SurveyInvitation.created_at.desc())
        .limit(1)
    )


def latest_statuses(departure_ids: list[uuid.UUID]) -> dict[uuid.UUID, InvitationStatus]:
    """For the departure list: each departure's latest invitation status."""
    if not departure_ids:
        return {}
    rows = db.session.execute(
        sa.select(SurveyInvitation.departure_id, SurveyInvitation.status)
        .where(
            of_current_tenant(SurveyInvitation),
            SurveyInvitation.departure_id.in_(departure_ids),
        )
        .order_by(SurveyInvitation.created_at)
    )
    statuses: dict[uuid.UUID, InvitationStatus] = {}
    for departure_id, status in rows:
        # Oldest first: a later one wins, but nothing replaces the running one.
        if statuses.get(departure_id) not in LIVE_STATUSES:
            statuses[departure_id] = status
    return statuses


@dataclass(frozen=True)
class PanelFacts:
    """What HR's survey panel says beyond the invitation's own columns."""

    address: str | None  # where it went, or where it will go
    blocker: str | None  # why a scheduled first mail cannot go out
    reminders_planned: int
    may_send_now: bool
    may_resend: bool
    may_cancel: bool


def panel_facts(invitation: SurveyInvitation, departure: Departure, tenant: Tenant) -> PanelFacts:
    scheduled = invitation.status == InvitationStatus.SCHEDULED
    first_sent_at = as_utc(invitation.first_sent_at)
    cadence = steps.cadence_of(tenant)
    return PanelFacts(
        address=steps.address_of(departure) if scheduled else invitation.address,
        blocker=steps.blocker(invitation, departure) if scheduled else None,
        reminders_planned=len(reminder_times(first_sent_at, cadence))
        if first_sent_at is not None
        else len(cadence.reminder_days),
        may_send_now=scheduled,
        may_resend=invitation.status in steps.RESENDABLE,
        may_cancel=invitation.is_live,
    )


# --- following the departure -------------------------------------------------------------


def _schedule_values(last_day: dt.date, cadence: Cadence) -> dict:
    scheduled_for = first_mail_day(last_day, cadence)
    return {"scheduled_for": scheduled_for, "next_step_at": first_mail_at(scheduled_for, cadence)}


def follow_departure(departure: Departure, tenant: Tenant, *, replan: bool) -> None:
    """Bring the departure's invitation in line with it, in the departure's transaction.

    ``replan``: the departure is new or its channel or last day changed; then a departure
    with the survey channel and no running invitation gets a scheduled one (unless the
    leaver already answered or declined). A departure that is cancelled or no longer has
    the survey channel has its running invitation cancelled.
    """
    # No autoflush: the caller's commit is where a refused change of the departure becomes
    # a friendly message.
    with db.session.no_autoflush:
        _follow(departure, tenant, replan)


def _follow(departure: Departure, tenant: Tenant, replan: bool) -> None:
    is_new = sa.inspect(departure).pending  # not yet written: it has no invitation
    live = None if is_new else live_invitation(departure.id)
    settled = not is_new and _settled(departure.id)
    wants = departure.channel in SURVEY_CHANNELS and departure.status != DepartureStatus.CANCELLED
    if not wants:
        if live is not None:
            steps.end(live, InvitationStatus.CANCELLED)
        return
    cadence = steps.cadence_of(tenant)
    if live is None:
        if replan and not settled:
            db.session.add(
                SurveyInvitation(
                    departure_id=departure.id,
                    language=departure.language,
                    **_schedule_values(departure.last_day, cadence),
                )
            )
        return
    if live.status == InvitationStatus.SCHEDULED:
        # A changed address or template may let a postponed first mail go out now.
        live.language = departure.language
        for key, value in _schedule_values(departure.last_day, cadence).items():
            setattr(live, key, value)


def _settled(departure_id) -> bool:
    return (
        db.session.scalar(
            _of_departure(departure_id)
            .where(SurveyInvitation.status.in_(SETTLED))
            .with_only_columns(SurveyInvitation.id)
            .limit(1)
        )
        is not None
    )


def replan(tenant: Tenant) -> None:
    """After the tenant's schedule changed, in that transaction: first mails not yet sent
    move to their new day, and the next scan looks at the sent ones again (their reminders
    follow the new days; the expiry announced in their mail stays)."""
    cadence = steps.cadence_of(tenant)
    scheduled = db.session.execute(
        sa.select(SurveyInvitation, Departure.last_day)
        .join(
            Departure,
            sa.and_(
                Departure.tenant_id == SurveyInvitation.tenant_id,
                Departure.id == SurveyInvitation.departure_id,
            ),
        )
        .where(
            of_current_tenant(SurveyInvitation),
            SurveyInvitation.status == InvitationStatus.SCHEDULED,
        )
    )
    for invitation, last_day in scheduled:
        for key, value in _schedule_values(last_day, cadence).items():
            setattr(invitation, key, value)
    db.session.execute(
        sa.update(SurveyInvitation)
        .where(
            of_current_tenant(SurveyInvitation), SurveyInvitation.status.in_(steps.SENT_STATUSES)
        )
        .values(next_step_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def schedule_imported(rows: list[dict], tenant: Tenant) -> None:
    """Scheduled invitations for imported departures (the rows just inserted) with the
    survey channel, in the import's transaction."""
    cadence = steps.cadence_of(tenant)
    values = [
        {
            "tenant_id": tenant.id,
            "departure_id": row["id"],
            "language": row["language"],
            "status": InvitationStatus.SCHEDULED,
            "reminders_sent": 0,
            "link_version": 0,
            "created_at": utcnow(),
            **_schedule_values(row["last_day"], cadence),
        }
        for row in rows
        if Channel(row["channel"]) in SURVEY_CHANNELS
    ]
    if values:
        db.session.execute(sa.insert(SurveyInvitation), values)
