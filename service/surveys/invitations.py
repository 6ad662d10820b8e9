"""Survey invitations of departures: scheduled with the departure, then sent, reminded,
expired, bounced or cancelled, each step exactly once.

Every step that sends a mail first claims it with a conditional UPDATE (``WHERE`` the state
it was read in) in the transaction that queues the mail: a second scan, a retried job or an
HR click racing it finds the row changed and sends nothing. The functions here never commit
unless they say so; the departure services and the invitation job own the transactions.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from service.departures.models import Channel, Departure, DepartureStatus
from service.extensions import db
from service.mail.models import MailStatus, TenantEmail
from service.mail.outbox import queue_email
from service.model_types import utcnow
from service.refusals import Refused
from service.surveys.invitation_links import link_hash, link_token, survey_link
from service.surveys.invitation_models import (
    LIVE_STATUSES,
    InvitationStatus,
    SurveyDraft,
    SurveyInvitation,
)
from service.surveys.invitation_schedule import (
    Cadence,
    Due,
    Step,
    expires_at,
    first_mail_at,
    first_mail_day,
    next_step,
    reminder_times,
)
from service.surveys.models import TemplateVersion
from service.tenancy import of_current_tenant
from service.tenants.models import Tenant

SURVEY_CHANNELS = (Channel.SURVEY, Channel.BOTH)
# What a leaver's earlier answer or refusal settles: no new invitation after it.
SETTLED = (InvitationStatus.COMPLETED, InvitationStatus.DECLINED)
# An invitation that cannot go out yet (no address, no published template) is looked at
# again this much later, or at once when HR changes the departure.
RETRY_LATER = dt.timedelta(days=1)
SENT_STATUSES = (InvitationStatus.SENT, InvitationStatus.OPENED)
RESENDABLE = (*SENT_STATUSES, InvitationStatus.EXPIRED, InvitationStatus.BOUNCED)


def cadence_of(tenant: Tenant) -> Cadence:
    return Cadence(
        days_before=tenant.survey_invite_days_before,
        reminder_days=tenant.survey_reminder_cadence,
        expiry_days=tenant.survey_expiry_days,
        time_zone=tenant.time_zone,
    )


def address_of(departure: Departure) -> str | None:
    """Where the survey goes: the personal address (the work one dies with the job)."""
    return departure.personal_email or departure.work_email


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes: they are UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


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
    cadence = cadence_of(tenant)
    return PanelFacts(
        address=address_of(departure) if scheduled else invitation.address,
        blocker=blocker(invitation, departure) if scheduled else None,
        reminders_planned=len(reminder_times(first_sent_at, cadence))
        if first_sent_at is not None
        else len(cadence.reminder_days),
        may_send_now=scheduled,
        may_resend=invitation.status in RESENDABLE,
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
            _end(live, InvitationStatus.CANCELLED)
        return
    cadence = cadence_of(tenant)
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
    cadence = cadence_of(tenant)
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
        .where(of_current_tenant(SurveyInvitation), SurveyInvitation.status.in_(SENT_STATUSES))
        .values(next_step_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def schedule_imported(rows: list[dict], tenant: Tenant) -> None:
    """Scheduled invitations for imported departures (the rows just inserted) with the
    survey channel, in the import's transaction."""
    cadence = cadence_of(tenant)
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


# --- the steps ---------------------------------------------------------------------------


def _claim(invitation: SurveyInvitation, conditions: list, **values) -> bool:
    """Move the row only if it is still as read; True when this caller won it."""
    result = db.session.execute(
        sa.update(SurveyInvitation)
        .where(
            of_current_tenant(SurveyInvitation), SurveyInvitation.id == invitation.id, *conditions
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(invitation)
    return True


def _template_version_id(departure: Departure) -> uuid.UUID | None:
    """The template's published version in use (the leaver answers that one)."""
    if departure.template_id is None:
        return None
    return db.session.scalar(
        sa.select(TemplateVersion.id)
        .where(
            of_current_tenant(TemplateVersion),
            TemplateVersion.template_id == departure.template_id,
            TemplateVersion.published_at.is_not(None),
        )
        .order_by(TemplateVersion.number.desc())
        .limit(1)
    )


def blocker(invitation: SurveyInvitation, departure: Departure) -> str | None:
    """Why the first mail cannot go out, in words for HR; None when it can."""
    if address_of(departure) is None:
        return _("No email address: add the leaver's personal or work email to the departure.")
    if _template_version_id(departure) is None:
        return _("No published question template: choose one for the departure.")
    return None


def _queue(
    invitation: SurveyInvitation, departure: Departure, tenant: Tenant, template: str
) -> uuid.UUID:
    expires_on = as_utc(invitation.expires_at).astimezone(ZoneInfo(tenant.time_zone)).date()
    return queue_email(
        to=invitation.address,
        template=template,
        language=invitation.language,
        context={
            "url": survey_link(link_token(invitation)),
            "name": departure.full_name,
            "company": tenant.name,
            "expires_on": expires_on,
        },
        tenant_id=invitation.tenant_id,
        secret=True,
    )


def send_first_mail(
    invitation: SurveyInvitation,
    departure: Departure,
    tenant: Tenant,
    now: dt.datetime,
    from_statuses=(InvitationStatus.SCHEDULED,),
) -> bool:
    """The invitation mail with a new link (a resend is one too: the old link dies). False
    when someone else sent it first, or when it cannot go out yet (see ``blocker``)."""
    cadence = cadence_of(tenant)
    address, version_id = address_of(departure), _template_version_id(departure)
    if address is None or version_id is None:
        return False
    version = invitation.link_version
    won = _claim(
        invitation,
        [SurveyInvitation.status.in_(from_statuses), SurveyInvitation.link_version == version],
        status=InvitationStatus.SENT,
        link_version=version + 1,
        token_hash=link_hash(invitation, version + 1),
        address=address,
        language=departure.language,
        template_version_id=version_id,
        first_sent_at=now,
        last_sent_at=now,
        reminders_sent=0,
        expires_at=expires_at(now, cadence),
        next_step_at=next_step(
            sent=True,
            scheduled_for=invitation.scheduled_for,
            first_sent_at=now,
            reminders_sent=0,
            cadence=cadence,
            now=now,
        ).at,
        ended_at=None,
    )
    if not won:
        db.session.expire(invitation)
        return False
    invitation.last_email_id = _queue(invitation, departure, tenant, "survey_invitation")
    if departure.status == DepartureStatus.NEW:
        departure.status = DepartureStatus.INVITED
    return True


def send_reminder(
    invitation: SurveyInvitation, departure: Departure, tenant: Tenant, now: dt.datetime
) -> bool:
    """The next reminder, with the same link; False when someone else sent it first."""
    cadence = cadence_of(tenant)
    first_sent_at = as_utc(invitation.first_sent_at)
    due = step_of(invitation, cadence, now)
    if due.step != Step.REMINDER or due.at > now:
        return False
    following = next_step(
        sent=True,
        scheduled_for=invitation.scheduled_for,
        first_sent_at=first_sent_at,
        reminders_sent=due.reminders_after,
        cadence=cadence,
        now=now,
        expiry=as_utc(invitation.expires_at),
    )
    won = _claim(
        invitation,
        [
            SurveyInvitation.status.in_(SENT_STATUSES),
            SurveyInvitation.reminders_sent == invitation.reminders_sent,
            SurveyInvitation.link_version == invitation.link_version,
        ],
        reminders_sent=due.reminders_after,
        last_sent_at=now,
        next_step_at=following.at,
        token_hash=link_hash(invitation),
    )
    if not won:
        db.session.expire(invitation)
        return False
    invitation.last_email_id = _queue(invitation, departure, tenant, "survey_reminder")
    return True


def step_of(invitation: SurveyInvitation, cadence: Cadence, now: dt.datetime) -> Due:
    """The invitation's next step under the tenant's settings as they are now."""
    return next_step(
        sent=invitation.first_sent_at is not None,
        scheduled_for=invitation.scheduled_for,
        first_sent_at=as_utc(invitation.first_sent_at),
        reminders_sent=invitation.reminders_sent,
        cadence=cadence,
        now=now,
        expiry=as_utc(invitation.expires_at),
    )


def _end(invitation: SurveyInvitation, status: InvitationStatus, conditions=()) -> bool:
    """End a running invitation: its link dies and the answers in progress are deleted."""
    won = _claim(
        invitation,
        [SurveyInvitation.status.in_(LIVE_STATUSES), *conditions],
        status=status,
        token_hash=None,
        next_step_at=None,
        ended_at=utcnow(),
    )
    if won:
        db.session.execute(
            sa.delete(SurveyDraft)
            .where(of_current_tenant(SurveyDraft), SurveyDraft.invitation_id == invitation.id)
            .execution_options(synchronize_session=False)
        )
    return won


def expire(invitation: SurveyInvitation, now: dt.datetime) -> bool:
    return _end(invitation, InvitationStatus.EXPIRED, [SurveyInvitation.expires_at <= now])


def postpone(invitation: SurveyInvitation, now: dt.datetime) -> None:
    invitation.next_step_at = now + RETRY_LATER


def mark_opened(invitation: SurveyInvitation) -> bool:
    """For the leaver's page: the link was followed (sent → opened). Never commits."""
    return _claim(
        invitation,
        [SurveyInvitation.status == InvitationStatus.SENT],
        status=InvitationStatus.OPENED,
        opened_at=utcnow(),
    )


def bounced_invitations() -> list[SurveyInvitation]:
    """Sent invitations whose last mail the relay gave up on (a permanent refusal, or every
    attempt failed): the leaver never got the link."""
    return list(
        db.session.scalars(
            sa.select(SurveyInvitation)
            .join(
                TenantEmail,
                sa.and_(
                    TenantEmail.tenant_id == SurveyInvitation.tenant_id,
                    TenantEmail.id == SurveyInvitation.last_email_id,
                ),
            )
            .where(
                of_current_tenant(SurveyInvitation),
                SurveyInvitation.status.in_(SENT_STATUSES),
                TenantEmail.status == MailStatus.FAILED,
            )
        )
    )


def mark_bounced(invitation: SurveyInvitation) -> bool:
    return _end(
        invitation,
        InvitationStatus.BOUNCED,
        [SurveyInvitation.last_email_id == invitation.last_email_id],
    )


# --- HR's actions (one transaction each) ---------------------------------------------------


def _locked(invitation: SurveyInvitation) -> SurveyInvitation:
    return db.session.scalar(
        sa.select(SurveyInvitation)
        .where(of_current_tenant(SurveyInvitation), SurveyInvitation.id == invitation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _refused(message: str) -> Refused:
    db.session.rollback()
    return Refused({"form": [message]})


def send_now(invitation: SurveyInvitation, departure: Departure, tenant: Tenant) -> None:
    """Send the first mail at once instead of on its day."""
    invitation = _locked(invitation)
    if invitation.status != InvitationStatus.SCHEDULED:
        raise _refused(_("The invitation has already been sent."))
    _send_or_refuse(invitation, departure, tenant, (InvitationStatus.SCHEDULED,))


def resend(invitation: SurveyInvitation, departure: Departure, tenant: Tenant) -> None:
    """A new link in a new invitation mail; the old link stops working, and the reminders
    and expiry start again from this mail. An expired or bounced invitation runs again."""
    invitation = _locked(invitation)
    if invitation.status not in RESENDABLE:
        raise _refused(_("This invitation cannot be sent again."))
    if invitation.status not in LIVE_STATUSES and live_invitation(departure.id) is not None:
        raise _refused(_("This departure has a newer invitation."))
    _send_or_refuse(invitation, departure, tenant, RESENDABLE)


def _send_or_refuse(invitation, departure, tenant, from_statuses) -> None:
    problem = blocker(invitation, departure)
    if problem is not None:
        raise _refused(problem)
    if not send_first_mail(invitation, departure, tenant, utcnow(), from_statuses):
        raise _refused(_("The invitation changed meanwhile: look again."))
    db.session.commit()


def cancel(invitation: SurveyInvitation) -> bool:
    """Withdraw the invitation: its link dies. False when it had already ended."""
    invitation = _locked(invitation)
    cancelled = _end(invitation, InvitationStatus.CANCELLED)
    db.session.commit()
    return cancelled
