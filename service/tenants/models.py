"""The tenancy hierarchy (agency → tenant) and a tenant's organisation structure."""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import IdMixin, created_at_column, text_enum
from service.roles import TenantRole
from service.tenancy import TenantOwned


class Sector(enum.StrEnum):
    MARKETING_SALES = "marketing_sales"
    RETAIL = "retail"
    HORECA = "horeca"
    IT = "it"
    HR = "hr"
    OTHER = "other"


class TenantStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Agency(IdMixin, db.Model):
    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    brand_name: Mapped[str | None] = mapped_column(sa.String(120))
    brand_colour: Mapped[str | None] = mapped_column(sa.String(7))
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_mime_type: Mapped[str | None] = mapped_column(sa.String(32))
    status: Mapped[TenantStatus] = mapped_column(
        text_enum(TenantStatus, "agency_status"), default=TenantStatus.ACTIVE
    )
    created_at: Mapped[dt.datetime] = created_at_column()


class Tenant(IdMixin, db.Model):
    """A client company. Everything it owns carries its id."""

    __tablename__ = "tenants"
    __table_args__ = (
        sa.CheckConstraint("confidentiality_k BETWEEN 3 AND 10", name="confidentiality_k_range"),
        sa.CheckConstraint(
            "default_channel IN ('survey', 'interview', 'both')", name="default_channel_known"
        ),
        sa.CheckConstraint(
            "survey_invite_days_before BETWEEN 0 AND 30", name="survey_invite_days_range"
        ),
        sa.CheckConstraint("survey_expiry_days BETWEEN 7 AND 90", name="survey_expiry_days_range"),
        sa.CheckConstraint(
            "action_reminder_days BETWEEN 1 AND 30", name="action_reminder_days_range"
        ),
        sa.CheckConstraint(
            "quote_threshold IS NULL OR quote_threshold BETWEEN confidentiality_k AND 30",
            name="quote_threshold_range",
        ),
        sa.CheckConstraint(
            "audit_retention_days BETWEEN 365 AND 3650", name="audit_retention_days_range"
        ),
        # How long the rest is kept (service/privacy/retention.py LIMITS says why these).
        sa.CheckConstraint(
            "departure_retention_months BETWEEN 6 AND 120", name="departure_retention_months_range"
        ),
        sa.CheckConstraint(
            "interview_retention_months BETWEEN 6 AND 120", name="interview_retention_months_range"
        ),
        sa.CheckConstraint(
            "confidential_retention_months BETWEEN 12 AND 120",
            name="confidential_retention_months_range",
        ),
        sa.CheckConstraint(
            "outbox_retention_days BETWEEN 30 AND 730", name="outbox_retention_days_range"
        ),
    )

    agency_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("agencies.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    sector: Mapped[Sector] = mapped_column(text_enum(Sector, "sector"))
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: ["nl"])
    default_language: Mapped[str] = mapped_column(sa.String(2), default="nl")
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="Europe/Brussels")
    confidentiality_k: Mapped[int] = mapped_column(default=5)
    # Quotes need a larger group: this many responses, or twice k when not set.
    quote_threshold: Mapped[int | None]
    data_protection_contact: Mapped[str | None] = mapped_column(sa.String(254))
    # How a new departure is followed up unless HR chooses: survey, interview or both.
    default_channel: Mapped[str] = mapped_column(
        sa.String(16), default="both", server_default="both"
    )
    # The survey invitation's schedule: the first mail N days before the last day, reminders
    # that many days after the first mail ("3,7"), the link dead that many days after it.
    survey_invite_days_before: Mapped[int] = mapped_column(default=3, server_default="3")
    survey_reminder_days: Mapped[str] = mapped_column(
        sa.String(40), default="3,7", server_default="3,7"
    )
    survey_expiry_days: Mapped[int] = mapped_column(default=21, server_default="21")
    # Action owners get a reminder this many days before an action's due date.
    action_reminder_days: Mapped[int] = mapped_column(default=3, server_default="3")
    # Everyone who works in the tenant must sign in with a second factor (set by HR admin).
    require_second_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # How long the audit trail keeps an entry (service/audit/retention.py): two years unless
    # the HR admin chooses; at least one, so last year's "who read this?" has its answer.
    audit_retention_days: Mapped[int] = mapped_column(default=730, server_default="730")
    # The daily retention job (service/privacy/) removes or anonymises what is older: a
    # departure's identified data, months after its last day; an interview's answers and
    # notes, months after it took place; confidential responses, months after the month
    # they came in; sent or failed emails, days after they were written.
    departure_retention_months: Mapped[int] = mapped_column(default=24, server_default="24")
    interview_retention_months: Mapped[int] = mapped_column(default=24, server_default="24")
    confidential_retention_months: Mapped[int] = mapped_column(default=36, server_default="36")
    outbox_retention_days: Mapped[int] = mapped_column(default=90, server_default="90")
    # Deletion of the whole tenant (service/tenant_data/deletion.py): requested by its HR
    # admin, carried out by the daily scan once due (after the grace period), cancellable
    # until then; the reminder a day before is sent once.
    deletion_requested_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deletion_requested_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    deletion_due_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    deletion_reminded_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    status: Mapped[TenantStatus] = mapped_column(
        text_enum(TenantStatus, "tenant_status"), default=TenantStatus.ACTIVE
    )
    created_at: Mapped[dt.datetime] = created_at_column()

    @property
    def is_active(self) -> bool:
        return self.status == TenantStatus.ACTIVE

    @property
    def survey_reminder_cadence(self) -> tuple[int, ...]:
        """The reminder days as numbers, ascending (the settings form keeps them valid)."""
        return tuple(int(day) for day in self.survey_reminder_days.split(",") if day)


class Membership(TenantOwned, db.Model):
    """A user's role in one tenant (a consultant's assignment is one too)."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "user_id"),
        sa.Index("ix_memberships_user", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[TenantRole] = mapped_column(text_enum(TenantRole, "tenant_role"))
    created_at: Mapped[dt.datetime] = created_at_column()
    # A consultant's assignment by the tenant's agency: managed by the agency, not by HR.
    assigned_by_agency: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Deactivated members keep their row (they may own things) but lose access at once.
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


def unique_name_per_tenant(table: str) -> sa.Index:
    """One name per tenant regardless of case ("Sales" is "sales"). The services check first
    for a friendly message; this index refuses what a concurrent request slips past them.

    The case-sensitive UniqueConstraint it makes redundant stays: dropping it rebuilds the
    table on SQLite, where foreign keys are on and the rebuild's DROP TABLE cascades (a
    department's headcount history would be lost)."""
    return sa.Index(
        f"uq_{table}_tenant_id_lower_name", "tenant_id", sa.func.lower(sa.text("name")), unique=True
    )


class Department(TenantOwned, db.Model):
    __tablename__ = "departments"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name"),
        unique_name_per_tenant("departments"),
    )

    name: Mapped[str] = mapped_column(sa.String(120))


class DepartmentHeadcount(TenantOwned, db.Model):
    """Headcount from ``effective_from`` until the next row: turnover for any period."""

    __tablename__ = "department_headcounts"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "department_id"],
            ["departments.tenant_id", "departments.id"],
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("tenant_id", "department_id", "effective_from"),
        sa.CheckConstraint("headcount >= 0", name="headcount_not_negative"),
    )

    department_id: Mapped[uuid.UUID]
    effective_from: Mapped[dt.date]
    headcount: Mapped[int]


class JobFunction(TenantOwned, db.Model):
    """A function (job family) such as "sales representative" or "store manager"."""

    __tablename__ = "job_functions"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name"),
        unique_name_per_tenant("job_functions"),
    )

    name: Mapped[str] = mapped_column(sa.String(120))


class Location(TenantOwned, db.Model):
    __tablename__ = "locations"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name"),
        unique_name_per_tenant("locations"),
    )

    name: Mapped[str] = mapped_column(sa.String(120))
    city: Mapped[str | None] = mapped_column(sa.String(120))
