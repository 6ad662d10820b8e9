"""The reminder digests sent to action owners: one row per owner and day, written in the
same transaction as the email, so the database itself refuses a second copy."""

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import created_at_column
from service.tenancy import TenantOwned


class ActionDigest(TenantOwned, db.Model):
    """The digest of one owner for one day (the tenant's calendar day, ``period``)."""

    __tablename__ = "action_digests"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "membership_id"],
            ["memberships.tenant_id", "memberships.id"],
            ondelete="CASCADE",
        ),
        # Exactly one digest per owner and day: two scans, or two racing jobs, insert the
        # same key and the later one fails whole, its email with it.
        sa.UniqueConstraint("tenant_id", "membership_id", "period"),
    )

    membership_id: Mapped[uuid.UUID]
    period: Mapped[dt.date]
    # What it listed: [[action id, due date], …] (a due date announced once is not
    # announced again; a moved due date is), and how many of them were overdue (the
    # overdue ones are repeated weekly).
    listed: Mapped[list] = mapped_column(sa.JSON, default=list)
    overdue_count: Mapped[int] = mapped_column(default=0)
    email_id: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = created_at_column()
