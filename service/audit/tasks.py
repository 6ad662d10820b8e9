"""Audit jobs: the daily retention scan and its one purge job per tenant."""

import datetime as dt

import sqlalchemy as sa

from service.audit.retention import purge_expired, purge_platform_expired
from service.extensions import db
from service.jobs.queue import enqueue
from service.jobs.task import task
from service.model_types import utcnow
from service.tenancy import tenant_scope
from service.tenants.models import Tenant


@task()
def scan_audit_retention(now: str | None = None) -> None:
    """Periodic (daily): one purge job per tenant, every tenant (a suspended one's trail
    ages too). ``now`` (ISO): the moment every tenant's job judges by."""
    now = now or utcnow().isoformat()
    purge_platform_expired(dt.datetime.fromisoformat(now))
    tenant_ids = db.session.scalars(sa.select(Tenant.id)).all()  # a global table
    db.session.rollback()
    for tenant_id in tenant_ids:
        enqueue(purge_audit_trail, str(tenant_id), now)


@task()
def purge_audit_trail(tenant_id: str, now: str) -> None:
    """One tenant's entries past its retention; idempotent (a second run finds none)."""
    with tenant_scope(tenant_id):
        purge_expired(dt.datetime.fromisoformat(now))
