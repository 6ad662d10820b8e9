"""Leadership reports: each tenant's settings and recipients, and every report sent.

A report is keyed by (tenant, period): the scheduled report of a period is one row, inserted
in the same transaction as its outbox emails, so a second scan, a retried job or a second
scheduler meets the unique key and sends nothing. "Send now" reports carry no period key
(NULLs are distinct): they are deliberate extra copies.
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
PERIOD_KEY_MAX = 16  # "2026-11", "2026-Q4", "2026-W48"
RECIPIENTS_MAX = 50


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


DEFAULT_CADENCE = Cadence.MONTHLY


class ReportSettings(TenantOwned, db.Model):
    """One row per tenant (created on first save). ``enabled_at``: periods whose sending
    moment came before the reports were switched on are never sent (switching on in the
    middle of a month does not mail last month's report at once)."""

    __tablename__ = "report_settings"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", name="uq_report_settings_tenant"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        sa.CheckConstraint("day_of_month BETWEEN 1 AND 28", name="day_in_every_month"),
        sa.CheckConstraint("hour BETWEEN 0 AND 23", name="hour_in_day"),
    )

    enabled: Mapped[bool] = mapped_column(default=False)
    enabled_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cadence: Mapped[Cadence] = mapped_column(
        text_enum(Cadence, "report_cadence"), default=DEFAULT_CADENCE
    )
    weekday: Mapped[int] = mapped_column(default=0)  # Monday; weekly reports
    day_of_month: Mapped[int] = mapped_column(default=1)  # monthly and quarterly reports
    hour: Mapped[int] = mapped_column(default=8)  # in the tenant's time zone
    attach_pdf: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class ReportRecipient(TenantOwned, db.Model):
    """A member (their address follows their account) or an extra address, each with the
    language their report is written in."""

    __tablename__ = "report_recipients"
    __table_args__ = (
        tenant_fk("membership_id", "memberships", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "membership_id", name="uq_report_recipients_member"),
        sa.UniqueConstraint("tenant_id", "address", name="uq_report_recipients_address"),
        sa.CheckConstraint(
            "(membership_id IS NULL) <> (address IS NULL)", name="member_or_address"
        ),
    )

    membership_id: Mapped[uuid.UUID | None]
    address: Mapped[str | None] = mapped_column(sa.String(ADDRESS_MAX))
    language: Mapped[str] = mapped_column(sa.String(2))
    created_at: Mapped[dt.datetime] = created_at_column()


class Report(TenantOwned, db.Model):
    """One report as it was sent: its period, its figures (``content``, language-free, so
    the archive shows, prints and exports exactly what went out) and who asked for it."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "period_key", name="uq_reports_period"),
        sa.Index("ix_reports_created_at", "tenant_id", "created_at"),
    )

    period_key: Mapped[str | None] = mapped_column(sa.String(PERIOD_KEY_MAX))  # None: sent now
    cadence: Mapped[Cadence] = mapped_column(text_enum(Cadence, "report_cadence"))
    period_start: Mapped[dt.date]  # first day of the period
    period_end: Mapped[dt.date]  # last day of the period
    content: Mapped[dict] = mapped_column(sa.JSON)
    sent_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = created_at_column()


class ReportDelivery(TenantOwned, db.Model):
    """One recipient's copy: the outbox email carries its delivery status. ``email_id`` has
    no foreign key, like the action digests': outbox rows may be purged before the archive."""

    __tablename__ = "report_deliveries"
    __table_args__ = (
        tenant_fk("report_id", "reports", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "report_id", "address", name="uq_report_deliveries"),
    )

    report_id: Mapped[uuid.UUID]
    address: Mapped[str] = mapped_column(sa.String(ADDRESS_MAX))
    language: Mapped[str] = mapped_column(sa.String(2))
    email_id: Mapped[uuid.UUID | None]
