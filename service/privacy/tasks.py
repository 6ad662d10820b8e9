"""Retention jobs: the daily scan and its one job per tenant (as service/audit/tasks.py)."""

import datetime as dt

import sqlalchemy as sa

from service.extensions import db
from service.jobs.queue import enqueue
from service.jobs.task import task
from service.model_types import utcnow
from service.privacy.retention import apply_retention
from service.tenancy import tenant_scope
from service.tenants.models import Tenant


@task()
def scan_retention(now: str | None = None) -> None:
    """Periodic (daily): one retention job per tenant, every tenant (a suspended company's
    data ages too). ``now`` (ISO): the moment every tenant's job judges by."""
    now = now or utcnow().isoformat()
    tenant_ids = db.session.scalars(sa.select(Tenant.id)).all()  # a global table
    db.session.rollback()
    for tenant_id in tenant_ids:
        enqueue(apply_tenant_retention, str(tenant_id), now)


@task()
def apply_tenant_retention(tenant_id: str, now: str) -> None:
    """One tenant's data past its retention; idempotent (a second run finds none)."""
    with tenant_scope(tenant_id):
        apply_retention(dt.datetime.fromisoformat(now))
