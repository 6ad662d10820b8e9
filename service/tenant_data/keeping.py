"""An archive's keeping: handed over once (and gone from the database as it is), or
dropped at its expiry if never taken."""

import datetime as dt
import uuid

import sqlalchemy as sa

from service.audit.trail import record
from service.extensions import db
from service.model_types import as_utc
from service.tenancy import of_current_tenant
from service.tenant_data.models import ExportStatus, TenantExport


def _drop(export: TenantExport, status: ExportStatus, now: dt.datetime) -> None:
    export.archive = None
    export.status = status
    if status == ExportStatus.DOWNLOADED:
        export.downloaded_at = now


def take_archive(export_id: uuid.UUID, now: dt.datetime) -> bytes | None:
    """The archive, once: it leaves the database in the same transaction that hands it over
    (and the download is audited). None when it is gone: taken, expired or never built."""
    export = db.session.scalar(
        sa.select(TenantExport)
        .where(of_current_tenant(TenantExport), TenantExport.id == export_id)
        .with_for_update()
    )
    if export is None or export.status != ExportStatus.READY or export.archive is None:
        db.session.rollback()
        return None
    if as_utc(export.expires_at) <= now:
        _drop(export, ExportStatus.EXPIRED, now)
        db.session.commit()
        return None
    content = export.archive
    _drop(export, ExportStatus.DOWNLOADED, now)
    record("tenant_export.download", export, {"size_bytes": export.size_bytes})
    db.session.commit()
    return content


def drop_expired(now: dt.datetime) -> int:
    """The current tenant's archives past their expiry, never downloaded: dropped; how many."""
    expired = db.session.scalars(
        sa.select(TenantExport).where(
            of_current_tenant(TenantExport),
            TenantExport.status == ExportStatus.READY,
            TenantExport.expires_at <= now,
        )
    ).all()
    for export in expired:
        _drop(export, ExportStatus.EXPIRED, now)
    db.session.commit()
    return len(expired)
