"""The audit trail's tables: one per tenant (its HR admin reads it) and the platform's own.

Append-only: the database refuses UPDATE and DELETE on both (triggers made by migration
0021_audit, see service/audit/append_only.py); only the retention purge may delete.

The actor is kept as an id and a snapshot of their name, with no foreign key to users: an
entry is a record of what happened and must never change, so a person's later erasure
cannot rewrite it (a SET NULL would be an UPDATE). The entry leaves with its retention.
"""

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import IdMixin, utcnow
from service.tenancy import TenantOwned

ACTION_MAX = 64
OBJECT_TYPE_MAX = 64
ACTOR_NAME_MAX = 120  # users.display_name
ROLE_MAX = 32
IP_MAX = 45  # an IPv6 address as text


class EntryColumns:
    """What every entry says: when, who (as who), what, to which object, what changed."""

    at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[uuid.UUID | None]  # None: the system (a job), or nobody known
    actor_name: Mapped[str] = mapped_column(sa.String(ACTOR_NAME_MAX), default="")
    actor_role: Mapped[str | None] = mapped_column(sa.String(ROLE_MAX))
    action: Mapped[str] = mapped_column(sa.String(ACTION_MAX))
    object_type: Mapped[str | None] = mapped_column(sa.String(OBJECT_TYPE_MAX))
    object_id: Mapped[uuid.UUID | None]
    # Names of the fields changed with their old and new values, or a few facts; never the
    # text of an answer or a note (service/audit/trail.py keeps it small).
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The request's address, truncated (IPv4 /24, IPv6 /48): where from, not which household.
    ip: Mapped[str | None] = mapped_column(sa.String(IP_MAX))


class AuditEntry(TenantOwned, EntryColumns, db.Model):
    """One audited action in a client company."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_at", "tenant_id", "at"),
        sa.Index("ix_audit_entries_actor", "tenant_id", "actor_id", "at"),
    )


class PlatformAuditEntry(IdMixin, EntryColumns, db.Model):
    """One agency or platform action, or a read across tenants; a sign-in failure that
    names no known account. Global: the platform admin reads it."""

    __tablename__ = "platform_audit_entries"
    __table_args__ = (sa.Index("ix_platform_audit_entries_at", "at"),)

    # The agency and the client company concerned, when there is one (no foreign key: an
    # entry outlives neither changes nor deletions of what it names).
    agency_id: Mapped[uuid.UUID | None]
    tenant_id: Mapped[uuid.UUID | None]
