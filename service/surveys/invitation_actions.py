"""HR's actions on a departure's survey invitation: send now, resend, cancel (one
transaction each)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from service.departures.models import Departure, DepartureStatus
from service.extensions import db
from service.model_types import utcnow
from service.refusals import Refused
from service.surveys import invitation_steps as steps
from service.surveys.invitation_models import (
    LIVE_STATUSES,
    InvitationStatus,
    SurveyInvitation,
)
from service.surveys.invitations import SURVEY_CHANNELS, live_invitation
from service.tenancy import of_current_tenant
from service.tenants.models import Tenant


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
    if invitation.status not in steps.RESENDABLE:
        raise _refused(_("This invitation cannot be sent again."))
    if invitation.status not in LIVE_STATUSES and live_invitation(departure.id) is not None:
        raise _refused(_("This departure has a newer invitation."))
    _send_or_refuse(invitation, departure, tenant, steps.RESENDABLE)


def _send_or_refuse(invitation, departure, tenant, from_statuses) -> None:
    if departure.status == DepartureStatus.CANCELLED:
        raise _refused(_("A cancelled departure cannot be changed."))
    if departure.channel not in SURVEY_CHANNELS:
        raise _refused(_("The departure's follow-up no longer includes the online survey."))
    problem = steps.blocker(invitation, departure)
    if problem is not None:
        raise _refused(problem)
    if not steps.send_first_mail(invitation, departure, tenant, utcnow(), from_statuses):
        raise _refused(_("The invitation changed meanwhile: look again."))
    db.session.commit()


def cancel(invitation: SurveyInvitation) -> bool:
    """Withdraw the invitation: its link dies. False when it had already ended."""
    invitation = _locked(invitation)
    cancelled = steps.end(invitation, InvitationStatus.CANCELLED)
    db.session.commit()
    return cancelled
