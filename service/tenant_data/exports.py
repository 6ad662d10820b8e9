"""Starting a tenant export: one at a time; its job (tasks.py) builds the archive, and
keeping.py hands it over once."""

import sqlalchemy as sa

from service.accounts.models import User
from service.audit.trail import record
from service.extensions import db
from service.jobs.queue import enqueue_after_commit
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenant_data.models import ExportStatus, TenantExport
from service.tenant_data.tasks import run_tenant_export
from service.tenants.models import Tenant

WORKING = (ExportStatus.PENDING, ExportStatus.RUNNING)


def working_export() -> TenantExport | None:
    return db.session.scalar(
        sa.select(TenantExport).where(
            of_current_tenant(TenantExport), TenantExport.status.in_(WORKING)
        )
    )


def start_export(user: User, language: str) -> TenantExport | None:
    """A new export for its job to build; None while another is under way (one at a time:
    each reads the whole tenant)."""
    db.session.get(Tenant, current_tenant_id(), with_for_update=True)  # one start at a time
    if working_export() is not None:
        db.session.rollback()
        return None
    export = TenantExport(requested_by=user.id)
    db.session.add(export)
    db.session.flush()
    record("tenant_export.start", export)
    enqueue_after_commit(run_tenant_export, str(export.id), str(current_tenant_id()), language)
    db.session.commit()
    return export
