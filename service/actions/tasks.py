"""Action jobs: the periodic reminder scan and its one job per tenant."""

import datetime as dt

import sqlalchemy as sa

from service.actions.models import PENDING_STATUSES, Action
from service.actions.reminders import send_due_digests
from service.extensions import db
from service.jobs.queue import enqueue
from service.jobs.task import task
from service.model_types import utcnow
from service.tenancy import tenant_scope, unscoped
from service.tenants.models import Tenant, TenantStatus


@task()
def scan_action_reminders(now: str | None = None) -> None:
    """Periodic: one digest job per active tenant with pending actions. ``now`` (ISO): the
    moment the scan stands for, passed on so every tenant's job judges the same day."""
    now = now or utcnow().isoformat()
    # Which tenants have pending actions: ids only, a platform-wide read by design.
    with unscoped("action reminder scan: tenants with pending actions"):
        tenant_ids = db.session.scalars(
            sa.select(Action.tenant_id)
            .join(Tenant, Tenant.id == Action.tenant_id)
            .where(Action.status.in_(PENDING_STATUSES), Tenant.status == TenantStatus.ACTIVE)
            .distinct()
        ).all()
    db.session.rollback()
    for tenant_id in tenant_ids:
        enqueue(send_action_digests, str(tenant_id), now)


@task(queue="mail")
def send_action_digests(tenant_id: str, now: str) -> None:
    """The digests one tenant's owners are due; idempotent (a digest is sent once per owner
    and day, whoever runs it and however often)."""
    with tenant_scope(tenant_id):
        send_due_digests(dt.datetime.fromisoformat(now))
