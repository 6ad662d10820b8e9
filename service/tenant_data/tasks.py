"""The tenant's data jobs: building an export archive (with progress), and the periodic
scan that drops archives never downloaded, reminds of a deletion a day before and carries
out the deletions that are due — one job per tenant with something to do."""

import datetime as dt
import logging
import uuid

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from service.extensions import db
from service.jobs.queue import enqueue
from service.jobs.task import RetryPolicy, task
from service.model_types import utcnow
from service.tenancy import current_tenant_id, tenant_scope, unscoped
from service.tenant_data import archive, deletion, keeping
from service.tenant_data.models import ERROR_MAX, ExportStatus, TenantExport
from service.tenants.models import Tenant

log = logging.getLogger(__name__)


def _progress_writer(export_id: uuid.UUID):
    """Progress through its own connection, committed at once, so the page sees it while
    the archive's snapshot is still open. SQLite has one writer: no progress there."""
    if db.engine.dialect.name != "postgresql":
        return None

    def write(done: int) -> None:
        with Session(db.engine) as side:
            side.execute(
                sa.update(TenantExport).where(TenantExport.id == export_id).values(tables_done=done)
            )
            side.commit()

    return write


def _snapshot() -> None:
    """Every table read as of one moment: a REPEATABLE READ transaction on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


# No retry: a failed export says so on its page; the HR admin starts another.
@task(retry=RetryPolicy(retries=0, delays=()), timeout=3600)
def run_tenant_export(export_id: str, tenant_id: str, language: str = "en") -> None:
    """``language``: the one a failure is told in (the requester's)."""
    with tenant_scope(tenant_id), force_locale(language):
        _run(uuid.UUID(export_id))


def _run(export_id: uuid.UUID) -> None:
    # Locked until it says running: a second job for it waits here, then finds it taken.
    export = db.session.get(TenantExport, (current_tenant_id(), export_id), with_for_update=True)
    if export is None or export.status != ExportStatus.PENDING:
        return
    export.status = ExportStatus.RUNNING
    export.tables_total = archive.file_count()
    db.session.commit()
    max_bytes = current_app.config["TENANT_EXPORT_MAX_BYTES"]
    try:
        _snapshot()
        built = archive.build(current_tenant_id(), max_bytes, _progress_writer(export_id))
    except archive.ArchiveTooLarge:
        db.session.rollback()
        message = _(
            "The archive would be larger than %(size)s MB. Ask your agency or the platform"
            " for the export.",
            size=format_decimal(max_bytes / 2**20, format="#,##0.###"),
        )
        _end(export_id, ExportStatus.FAILED, error=message)
        return
    except Exception:
        db.session.rollback()
        log.exception("tenant export %s failed", export_id)
        _end(export_id, ExportStatus.FAILED, error=_("The export failed. Start it again."))
        raise
    db.session.rollback()  # the snapshot ends; the result is written in a transaction of its own
    _end(export_id, ExportStatus.READY, built=built)


def _end(export_id: uuid.UUID, status: ExportStatus, built=None, error=None) -> None:
    export = db.session.get(TenantExport, (current_tenant_id(), export_id))
    now = utcnow()
    export.status, export.finished_at = status, now
    export.error = error[:ERROR_MAX] if error else None
    if built is not None:
        export.archive, export.size_bytes = built.content, len(built.content)
        export.sha256, export.rows = built.sha256, built.rows
        export.tables_done = export.tables_total
        keep = dt.timedelta(hours=current_app.config["TENANT_EXPORT_KEEP_HOURS"])
        export.expires_at = now + keep
    db.session.commit()


@task()
def scan_tenant_data(now: str | None = None) -> None:
    """Periodic: one job per tenant with an archive past its expiry, a deletion reminder or
    a deletion due. ``now`` (ISO): the moment every job judges by."""
    now = now or utcnow().isoformat()
    moment = dt.datetime.fromisoformat(now)
    with unscoped("the company-data scan: which tenants have an archive to drop (ids)"):
        expired = set(
            db.session.scalars(
                sa.select(TenantExport.tenant_id).where(
                    TenantExport.status == ExportStatus.READY, TenantExport.expires_at <= moment
                )
            )
        )
    deleting = set(
        db.session.scalars(  # a global table
            sa.select(Tenant.id).where(
                Tenant.deletion_due_at <= moment + deletion.REMIND_BEFORE,
            )
        )
    )
    db.session.rollback()
    for tenant_id in sorted(expired | deleting):
        enqueue(keep_tenant_data, str(tenant_id), now)


@task()
def keep_tenant_data(tenant_id: str, now: str) -> None:
    """One tenant's due work at ``now``; idempotent (a second run finds nothing to do)."""
    moment = dt.datetime.fromisoformat(now)
    tenant_uuid = uuid.UUID(tenant_id)
    if deletion.delete_if_due(tenant_uuid, moment) is not None:
        return
    if db.session.get(Tenant, tenant_uuid) is None:
        return
    with tenant_scope(tenant_uuid):
        keeping.drop_expired(moment)
        deletion.remind(tenant_uuid, moment)
