"""The steps of a survey invitation: the first mail, the reminders, expiry, bounce, opened.

Every step that sends a mail first claims it with a conditional UPDATE (``WHERE`` the state
it was read in) in the transaction that queues the mail: a second scan, a retried job or an
HR click racing it finds the row changed and sends nothing. Nothing here commits: the
invitation job, HR's actions and the leaver's page own the transactions.
"""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from service.departures.models import Departure, DepartureStatus
from service.extensions import db
from service.mail.models import MailStatus, TenantEmail
from service.mail.outbox import queue_email
from service.model_types import as_utc, utcnow
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
    next_step,
)
from service.surveys.models import TemplateVersion
from service.tenancy import execute_prepared, of_current_tenant
from service.tenants.models import Tenant

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


# --- the steps ---------------------------------------------------------------------------


def _claim(invitation: SurveyInvitation, conditions: list, **values) -> bool:
    """Move the row only if it is still as read; True when this caller won it (the row is
    read back)."""
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


def end(invitation: SurveyInvitation, status: InvitationStatus, conditions=()) -> bool:
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
    return end(invitation, InvitationStatus.EXPIRED, [SurveyInvitation.expires_at <= now])


def postpone(invitation: SurveyInvitation, now: dt.datetime) -> None:
    invitation.next_step_at = now + RETRY_LATER


# Every click on a survey link runs it: built once, run with parameters.
_OPENED = (
    sa.update(SurveyInvitation)
    .where(
        SurveyInvitation.tenant_id == sa.bindparam("tenant"),
        SurveyInvitation.id == sa.bindparam("invitation"),
        SurveyInvitation.status == InvitationStatus.SENT,
    )
    .values(status=InvitationStatus.OPENED, opened_at=sa.bindparam("now"))
    .execution_options(synchronize_session=False)
)


def mark_opened(invitation: SurveyInvitation) -> bool:
    """For the leaver's page: the link was followed (sent → opened), a claim like the other
    steps'. Never commits, nor reads the row back (every click on the link pays for it):
    only the values written are set. A link opened before writes nothing."""
    if invitation.status is not InvitationStatus.SENT:
        return False
    now = utcnow()
    opened = execute_prepared(
        _OPENED, {"tenant": invitation.tenant_id, "invitation": invitation.id, "now": now}
    )
    if opened.rowcount != 1:
        return False
    set_committed_value(invitation, "status", InvitationStatus.OPENED)
    set_committed_value(invitation, "opened_at", now)
    return True


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
    return end(
        invitation,
        InvitationStatus.BOUNCED,
        [SurveyInvitation.last_email_id == invitation.last_email_id],
    )
