"""The email outbox: one row per message, written in the transaction that causes it.

``TenantEmail`` belongs to a tenant (invitations, reminders, reports); ``PlatformEmail`` is
global (password resets, agency mail) and is on the GLOBAL_TABLES allow-list. The relay
(service/mail/relay.py) moves a row through its statuses.
"""

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import IdMixin, created_at_column, text_enum, utcnow
from service.tenancy import TenantOwned

TO_ADDRESS_MAX = 254  # RFC 5321 path limit
SUBJECT_MAX = 200
SENDER_NAME_MAX = 120
ERROR_MAX = 500
ATTACHMENT_NAME_MAX = 100
ATTACHMENT_TYPE_MAX = 100
# An attachment's content, text (encoded as UTF-8) or bytes: a report, not an archive.
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


class MailStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the relay (or for its next attempt)
    SENDING = "sending"  # claimed by a relay; the SMTP conversation may be under way
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS; an operator can retry it
    KEPT = "kept"  # no MAIL_SERVER (development): kept for the outbox page, never sent


class EmailColumns:
    """What both outbox tables hold."""

    to_address: Mapped[str] = mapped_column(sa.String(TO_ADDRESS_MAX))
    sender_name: Mapped[str | None] = mapped_column(sa.String(SENDER_NAME_MAX))
    subject: Mapped[str] = mapped_column(sa.String(SUBJECT_MAX))
    # Nullable: a secret body (a sign-in or survey link) is erased once sent.
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2))
    status: Mapped[MailStatus] = mapped_column(
        text_enum(MailStatus, "mail_status"), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.String(ERROR_MAX))
    secret: Mapped[bool] = mapped_column(default=False)
    # At most one attachment: its file name, its MIME type with parameters
    # ("text/calendar; method=REQUEST", "application/pdf") and its content, text for a text/*
    # type (a calendar invitation), else bytes (a PDF report). A secret mail's content is
    # erased with its body once sent.
    attachment_name: Mapped[str | None] = mapped_column(sa.String(ATTACHMENT_NAME_MAX))
    attachment_type: Mapped[str | None] = mapped_column(sa.String(ATTACHMENT_TYPE_MAX))
    attachment_text: Mapped[str | None] = mapped_column(sa.Text)
    attachment_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = created_at_column()
    sent_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class TenantEmail(TenantOwned, EmailColumns, db.Model):
    __tablename__ = "tenant_emails"
    # The HTML shows the agency's logo (cid:, service/mail/outbox.py): the relay loads it when
    # sending and embeds it, rather than a copy of the logo in every row.
    brand_logo: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    __table_args__ = (
        sa.Index("ix_tenant_emails_due", "tenant_id", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )


class PlatformEmail(IdMixin, EmailColumns, db.Model):
    __tablename__ = "platform_emails"
    __table_args__ = (
        sa.Index("ix_platform_emails_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )


OutboxEmail = TenantEmail | PlatformEmail
