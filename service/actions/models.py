"""Actions: what a company does about what its leavers said, with an owner and a deadline.

An action belongs to one tenant, is owned by one of its members, and keeps its history as
events (who, when, what changed). Its themes, departments and functions are rows of their
own, so the board filters on them with an index on either database, and the database
refuses a department or owner of another tenant (composite foreign keys).
"""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db
from service.model_types import created_at_column, text_enum, utcnow
from service.tenancy import TenantOwned, tenant_fk

TITLE_MAX = 160
DESCRIPTION_MAX = 5000
PUBLIC_SUMMARY_MAX = 1000
OUTCOME_MAX = 5000
NOTE_MAX = 2000
THEME_KEY_MAX = 32


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    CANCELLED = "cancelled"


# Still to be done: the board's overdue badge and the reminders look only at these.
PENDING_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED)


class ActionPriority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class EventKind(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    MOVED = "moved"
    PROGRESS = "progress"
    DONE = "done"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class ActionTheme(TenantOwned, db.Model):
    """One theme (service/surveys/themes.py THEME_KEYS) an action addresses."""

    __tablename__ = "action_themes"
    __table_args__ = (
        tenant_fk("action_id", "actions", "CASCADE"),
        sa.UniqueConstraint("tenant_id", "action_id", "theme"),
        # The board's theme filter: the actions of one theme.
        sa.Index("ix_action_themes_theme", "tenant_id", "theme", "action_id"),
    )

    action_id: Mapped[uuid.UUID]
    theme: Mapped[str] = mapped_column(sa.String(THEME_KEY_MAX))


class ActionDepartment(TenantOwned, db.Model):
    __tablename__ = "action_departments"
    __table_args__ = (
        tenant_fk("action_id", "actions", "CASCADE"),
        tenant_fk("department_id", "departments"),
        sa.UniqueConstraint("tenant_id", "action_id", "department_id"),
        sa.Index("ix_action_departments_department", "tenant_id", "department_id", "action_id"),
    )

    action_id: Mapped[uuid.UUID]
    department_id: Mapped[uuid.UUID]


class ActionJobFunction(TenantOwned, db.Model):
    __tablename__ = "action_job_functions"
    __table_args__ = (
        tenant_fk("action_id", "actions", "CASCADE"),
        tenant_fk("job_function_id", "job_functions"),
        sa.UniqueConstraint("tenant_id", "action_id", "job_function_id"),
        sa.Index(
            "ix_action_job_functions_job_function", "tenant_id", "job_function_id", "action_id"
        ),
    )

    action_id: Mapped[uuid.UUID]
    job_function_id: Mapped[uuid.UUID]


class Action(TenantOwned, db.Model):
    __tablename__ = "actions"
    __table_args__ = (
        tenant_fk("owner_membership_id", "memberships"),
        sa.Index("ix_actions_status", "tenant_id", "status"),
        sa.Index("ix_actions_owner", "tenant_id", "owner_membership_id"),
        sa.Index("ix_actions_due_on", "tenant_id", "due_on"),
        sa.CheckConstraint(
            "progress_percent IS NULL OR progress_percent BETWEEN 0 AND 100",
            name="progress_percent_range",
        ),
        sa.CheckConstraint("status <> 'done' OR outcome IS NOT NULL", name="done_has_outcome"),
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str | None] = mapped_column(sa.String(DESCRIPTION_MAX))
    owner_membership_id: Mapped[uuid.UUID]
    due_on: Mapped[dt.date]
    status: Mapped[ActionStatus] = mapped_column(
        text_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN
    )
    priority: Mapped[ActionPriority] = mapped_column(
        text_enum(ActionPriority, "action_priority"), default=ActionPriority.NORMAL
    )
    # The snapshot that motivated it (service/actions/evidence.py Evidence.to_json).
    evidence: Mapped[dict | None] = mapped_column(sa.JSON)
    progress_percent: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(OUTCOME_MAX))
    # "You said, we did": only a done action HR chose to publish, with its summary.
    published: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    public_summary: Mapped[str | None] = mapped_column(sa.String(PUBLIC_SUMMARY_MAX))
    revision: Mapped[int] = mapped_column()
    # The UPDATE carries "WHERE revision = <read>": a save that lost a race fails whole.
    __mapper_args__ = {"version_id_col": revision}
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # Loaded lazily for one action; a list of actions loads them all at once with
    # service/actions/services.py load_links (the board costs the same number of queries
    # for 5 actions as for 5,000).
    theme_rows: Mapped[list[ActionTheme]] = relationship(
        cascade="all, delete-orphan", order_by=ActionTheme.theme
    )
    department_rows: Mapped[list[ActionDepartment]] = relationship(cascade="all, delete-orphan")
    job_function_rows: Mapped[list[ActionJobFunction]] = relationship(cascade="all, delete-orphan")

    def __init__(self, **values):
        values.setdefault("created_at", utcnow())
        values.setdefault("updated_at", values["created_at"])
        super().__init__(**values)

    @property
    def themes(self) -> list[str]:
        return [row.theme for row in self.theme_rows]

    @property
    def department_ids(self) -> list[uuid.UUID]:
        return sorted(row.department_id for row in self.department_rows)

    @property
    def job_function_ids(self) -> list[uuid.UUID]:
        return sorted(row.job_function_id for row in self.job_function_rows)

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_pending and self.due_on < today


class ActionEvent(TenantOwned, db.Model):
    """One change of an action: its history, oldest first."""

    __tablename__ = "action_events"
    __table_args__ = (
        tenant_fk("action_id", "actions", "CASCADE"),
        sa.Index("ix_action_events_action", "tenant_id", "action_id", "at"),
        sa.CheckConstraint("percent IS NULL OR percent BETWEEN 0 AND 100", name="percent_range"),
    )

    action_id: Mapped[uuid.UUID]
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    at: Mapped[dt.datetime] = created_at_column()
    kind: Mapped[EventKind] = mapped_column(text_enum(EventKind, "action_event_kind"))
    # field → [before, after], as JSON values (dates ISO, ids as text).
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    percent: Mapped[int | None]
