"""Mail jobs. Each reloads its rows under the tenant it was given and is idempotent: a row
is only ever sent by the relay that claimed it."""

import uuid

import sqlalchemy as sa

from service.extensions import db
from service.jobs.queue import enqueue
from service.jobs.task import task
from service.mail import relay
from service.mail.models import PlatformEmail, TenantEmail
from service.model_types import utcnow
from service.tenancy import tenant_scope, unscoped


@task(queue="mail")
def deliver_email(email_id: str, tenant_id: str | None) -> None:
    """Right after the commit that queued it: deliver this one row if it is still due."""
    if tenant_id is None:
        relay.deliver(PlatformEmail, uuid.UUID(email_id))
        return
    with tenant_scope(tenant_id):
        relay.deliver(TenantEmail, uuid.UUID(email_id))


@task(queue="mail", timeout=600)
def relay_outbox(tenant_id: str | None) -> None:
    """Deliver every due row of one tenant (or of the platform)."""
    if tenant_id is None:
        relay.relay_due(PlatformEmail)
        return
    with tenant_scope(tenant_id):
        relay.relay_due(TenantEmail)


@task(queue="mail")
def sweep_outbox() -> None:
    """Periodic: one relay job per tenant with due mail, and one for platform mail.

    Catches what enqueue-after-commit missed (Redis down, a crashed worker) and the retries
    whose back-off has passed.
    """
    # Which tenants have due rows: ids only, a platform-wide read by design.
    with unscoped("outbox sweep: tenants with mail due"):
        tenant_ids = db.session.scalars(
            sa.select(TenantEmail.tenant_id).where(relay.is_due(TenantEmail, utcnow())).distinct()
        ).all()
        platform_due = relay.has_due(PlatformEmail)
    db.session.rollback()
    for tenant_id in tenant_ids:
        enqueue(relay_outbox, str(tenant_id))
    if platform_due:
        enqueue(relay_outbox, None)
