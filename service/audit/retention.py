"""The audit trail's retention: entries older than the tenant's ``audit_retention_days``
leave, through the one path the database lets delete (service/audit/append_only.py)."""

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from service.audit.append_only import purging
from service.audit.models import AuditEntry, PlatformAuditEntry
from service.audit.trail import record
from service.extensions import db
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.models import Tenant


def purge_expired(now: dt.datetime) -> int:
    """Delete the current tenant's entries older than its retention at ``now``; how many.
    What was removed is itself an entry (how many, up to when), in the same transaction."""
    tenant = db.session.get(Tenant, current_tenant_id())
    before = now - dt.timedelta(days=tenant.audit_retention_days)
    with purging(db.session):
        removed = db.session.execute(
            sa.delete(AuditEntry)
            .where(of_current_tenant(AuditEntry), AuditEntry.at < before)
            .execution_options(synchronize_session=False)
        ).rowcount
    if removed:
        record("audit.purge", changes={"removed": removed, "before": before.isoformat()})
    db.session.commit()
    return removed


def purge_platform_expired(now: dt.datetime) -> int:
    """The platform's trail: entries older than PLATFORM_AUDIT_RETENTION_DAYS; how many."""
    before = now - dt.timedelta(days=current_app.config["PLATFORM_AUDIT_RETENTION_DAYS"])
    with purging(db.session):
        removed = db.session.execute(
            sa.delete(PlatformAuditEntry).where(PlatformAuditEntry.at < before)
        ).rowcount
    db.session.commit()
    return removed
