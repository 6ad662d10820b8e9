"""Survey invitations: the emailed, confidential link a leaver answers the survey through,
and the leaver's answers in progress.

An invitation is identified (it names its departure): it carries the link's hash, the
address it went to and the mail schedule. What the leaver finally submits is stored apart,
with no link back to it (issue 11, item 3); ``SurveyDraft`` only holds the answers until
then and is deleted when the survey is submitted, declined or expired.
"""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import created_at_column, text_enum, utcnow
from service.tenancy import TenantOwned, tenant_fk

ADDRESS_MAX = 254
DECLINE_REASON_MAX = 500


class InvitationStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # waiting for its first mail
    SENT = "sent"
    OPENED = "opened"  # the leaver followed the link
    COMPLETED = "completed"
    DECLINED = "declined"
    EXPIRED = "expired"
    BOUNCED = "bounced"  # the mail server refused the address for good
    CANCELLED = "cancelled"


# Statuses in which the invitation is still running (a departure has at most one of them).
LIVE_STATUSES = (InvitationStatus.SCHEDULED, InvitationStatus.SENT, InvitationStatus.OPENED)
_LIVE_SQL = sa.text("status IN ('scheduled', 'sent', 'opened')")


class SurveyInvitation(TenantOwned, db.Model):
    __tablename__ = "survey_invitations"
    __table_args__ = (
        tenant_fk("departure_id", "departures", "CASCADE"),
        tenant_fk("template_version_id", "template_versions"),
        sa.UniqueConstraint("tenant_id", "token_hash"),
        # At most one running invitation per departure, enforced by the database.
        sa.Index(
            "uq_survey_invitations_live",
            "tenant_id",
            "departure_id",
            unique=True,
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
        # The emailed link names no tenant: it is found by its hash alone.
        sa.Index("ix_survey_invitations_token", "token_hash"),
        # The periodic scan looks across tenants for running invitations with a step due.
        sa.Index(
            "ix_survey_invitations_due",
            "next_step_at",
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
        sa.CheckConstraint("reminders_sent >= 0", name="reminders_not_negative"),
    )

    departure_id: Mapped[uuid.UUID]
    status: Mapped[InvitationStatus] = mapped_column(
        text_enum(InvitationStatus, "survey_invitation_status"), default=InvitationStatus.SCHEDULED
    )
    # SHA-256 of the link's token (service/accounts/tokens.py): set when a mail is sent,
    # replaced on resend (the old link dies) and cleared when the invitation ends.
    token_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Which link is current: a resend counts up (service/surveys/invitation_links.py derives
    # the token from it, so a reminder repeats the link without the token being stored).
    link_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # The address the mails went to (personal email when known, else work email).
    address: Mapped[str | None] = mapped_column(sa.String(ADDRESS_MAX))
    language: Mapped[str] = mapped_column(sa.String(2))
    # The version the leaver answers: fixed when the first mail goes out.
    template_version_id: Mapped[uuid.UUID | None]
    scheduled_for: Mapped[dt.date]
    # When the scan should next act on it (first mail, a reminder or expiry); None once ended.
    next_step_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    first_sent_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    expires_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    opened_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(DECLINE_REASON_MAX))
    # The outbox row (TenantEmail) of the last mail: a permanent refusal of it is a bounce.
    # No foreign key: the outbox is purged on its own terms and knows nothing of surveys.
    last_email_id: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = created_at_column()

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class SurveyDraft(TenantOwned, db.Model):
    """The leaver's answers in progress, kept apart from the confidential responses."""

    __tablename__ = "survey_drafts"
    __table_args__ = (
        tenant_fk("invitation_id", "survey_invitations", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "invitation_id"),
    )

    invitation_id: Mapped[uuid.UUID]
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    language: Mapped[str] = mapped_column(sa.String(2))
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
