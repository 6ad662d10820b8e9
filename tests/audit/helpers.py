"""Reading the audit trails in tests."""

import sqlalchemy as sa

from service.audit.models import AuditEntry, PlatformAuditEntry
from service.extensions import db
from service.tenancy import tenant_scope


def entries(tenant, action: str | None = None) -> list[AuditEntry]:
    """The tenant's entries (of ``action``), oldest first."""
    db.session.expire_all()
    with tenant_scope(tenant.id):
        query = sa.select(AuditEntry).order_by(AuditEntry.at, AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(db.session.scalars(query))


def platform_entries(action: str | None = None) -> list[PlatformAuditEntry]:
    db.session.expire_all()
    query = sa.select(PlatformAuditEntry).order_by(PlatformAuditEntry.at, PlatformAuditEntry.id)
    if action:
        query = query.where(PlatformAuditEntry.action == action)
    return list(db.session.scalars(query))


def the_entry(tenant, action: str) -> AuditEntry:
    found = entries(tenant, action)
    assert len(found) == 1, f"{len(found)} entries of {action}: {[e.changes for e in found]}"
    return found[0]


def the_platform_entry(action: str) -> PlatformAuditEntry:
    found = platform_entries(action)
    assert len(found) == 1, f"{len(found)} platform entries of {action}"
    return found[0]
