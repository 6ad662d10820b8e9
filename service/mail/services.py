"""Operator actions on the outbox."""

import uuid
from contextlib import nullcontext

import sqlalchemy as sa

from service.extensions import db
from service.jobs.queue import enqueue_after_commit
from service.mail.models import MailStatus, PlatformEmail, TenantEmail
from service.mail.tasks import deliver_email
from service.model_types import utcnow
from service.tenancy import of_current_tenant, tenant_scope, unscoped


def retry_failed_email(model: type[TenantEmail | PlatformEmail], email_id: uuid.UUID) -> bool:
    """A failed row goes back to pending with a fresh set of attempts; False if not failed."""
    tenant_id = None
    if model is TenantEmail:
        with unscoped("platform outbox: a row found before its tenant is known"):
            tenant_id = db.session.scalar(
                sa.select(TenantEmail.tenant_id).where(TenantEmail.id == email_id)
            )
        if tenant_id is None:
            return False
    with tenant_scope(tenant_id) if tenant_id else nullcontext():
        scope = [of_current_tenant(model)] if tenant_id else []
        retried = db.session.execute(
            sa.update(model)
            .where(*scope, model.id == email_id, model.status == MailStatus.FAILED)
            .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if retried == 1:
            tenant = str(tenant_id) if tenant_id else None
            enqueue_after_commit(deliver_email, str(email_id), tenant)
        db.session.commit()
    return retried == 1
