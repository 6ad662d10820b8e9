"""A whole-tenant export: its progress while the job runs, then its archive until the one
download (or the expiry) drops it.

The archive is kept in the database, not on disk: the web process that serves the download
and the worker that builds the archive may run on different machines, and the database is
the one store both already share (and back up, and delete with the tenant). Its size is
capped by TENANT_EXPORT_MAX_BYTES, and it lives only hours.
"""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import created_at_column, text_enum
from service.tenancy import TenantOwned

ERROR_MAX = 500


class ExportStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its job
    RUNNING = "running"
    READY = "ready"  # the archive waits for its one download
    DOWNLOADED = "downloaded"  # taken once: the archive is gone
    EXPIRED = "expired"  # never taken in time: the archive is gone
    FAILED = "failed"

    @property
    def working(self) -> bool:
        return self in (ExportStatus.PENDING, ExportStatus.RUNNING)


class TenantExport(TenantOwned, db.Model):
    __tablename__ = "tenant_exports"
    __table_args__ = (sa.Index("ix_tenant_exports_created_at", "tenant_id", "created_at"),)

    # Who asked: the only one who may download it.
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[ExportStatus] = mapped_column(
        text_enum(ExportStatus, "tenant_export_status"), default=ExportStatus.PENDING
    )
    tables_total: Mapped[int] = mapped_column(default=0)
    tables_done: Mapped[int] = mapped_column(default=0)
    # The ZIP, only from the end of the job to the download or the expiry.
    archive: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    size_bytes: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    rows: Mapped[int | None]  # every row written, all files together
    error: Mapped[str | None] = mapped_column(sa.String(ERROR_MAX))
    created_at: Mapped[dt.datetime] = created_at_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    downloaded_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def percent(self) -> int:
        return 100 * self.tables_done // self.tables_total if self.tables_total else 0
