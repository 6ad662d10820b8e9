"""Translated labels of the survey invitation statuses, for HR's pages."""

from flask_babel import lazy_gettext as _l

from service.surveys.invitation_models import InvitationStatus

INVITATION_STATUSES = {
    InvitationStatus.SCHEDULED: _l("Scheduled"),
    InvitationStatus.SENT: _l("Sent"),
    InvitationStatus.OPENED: _l("Opened"),
    InvitationStatus.COMPLETED: _l("Completed"),
    InvitationStatus.DECLINED: _l("Declined"),
    InvitationStatus.EXPIRED: _l("Expired"),
    InvitationStatus.BOUNCED: _l("Bounced"),
    InvitationStatus.CANCELLED: _l("Cancelled"),
}
assert set(INVITATION_STATUSES) == set(InvitationStatus)
