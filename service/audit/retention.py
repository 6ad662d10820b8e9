"""The audit trail's retention: entries older than the tenant's ``audit_retention_days``
leave, through the one path the database lets delete (service/audit/append_only.py)."""

import datetime as dt

from flask import current_app

from service.audit.append_only import purge
from service.audit.models import AuditEntry, PlatformAuditEntry
from service.audit.trail import record
from service.extensions import db
from service.tenancy import current_tenant_id
from service.tenants.models import Tenant


def purge_expired(now: dt.datetime) -> int:
    """Delete the current tenant's entries older than its retention at ``now``; how many.
    What was removed is itself an entry (how many, up to when), in the same transaction."""
    tenant = db.session.get(Tenant, current_tenant_id())
    before = now - dt.timedelta(days=tenant.audit_retention_days)
    removed = purge(db.session, AuditEntry, tenant.id, before)
    if removed:
        record("audit.purge", changes={"removed": removed, "before": before.isoformat()})
    db.session.commit()
    return removed


def purge_platform_expired(now: dt.datetime) -> int:
    """The platform's trail: entries older than PLATFORM_AUDIT_RETENTION_DAYS; how many."""
    before = now - dt.timedelta(days=current_app.config["PLATFORM_AUDIT_RETENTION_DAYS"])
    removed = purge(db.session, PlatformAuditEntry, None, before)
    db.session.commit()
    return removed
