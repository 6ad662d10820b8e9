"""A departure import (one uploaded file, from the preview to its summary) and the column
mapping a tenant used last, its first guess next time."""

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import created_at_column, text_enum
from service.tenancy import TenantOwned

FILENAME_MAX = 255
ERROR_MAX = 500
HEADER_MAX = 120


class ImportStatus(enum.StrEnum):
    DRAFT = "draft"  # uploaded, being mapped and checked: nothing of it is imported yet
    PENDING = "pending"  # confirmed, waiting for its job
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ABANDONED = "abandoned"  # a draft never confirmed: its file was dropped

    @property
    def ended(self) -> bool:
        return self in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.ABANDONED)


class DepartureImport(TenantOwned, db.Model):
    __tablename__ = "departure_imports"
    __table_args__ = (sa.Index("ix_departure_imports_fingerprint", "tenant_id", "fingerprint"),)

    filename: Mapped[str] = mapped_column(sa.String(FILENAME_MAX))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))  # sha256 of the file, hex
    # The uploaded file, only until the import ends: the file itself is not kept.
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    status: Mapped[ImportStatus] = mapped_column(
        text_enum(ImportStatus, "departure_import_status"), default=ImportStatus.DRAFT
    )
    # {field: column number} as confirmed; None until the person has seen a preview.
    mapping: Mapped[dict | None] = mapped_column(sa.JSON)
    # Unknown departments, functions and locations are created (the importer may manage
    # the structure) rather than refused.
    create_structure: Mapped[bool] = mapped_column(default=False)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    skipped_existing: Mapped[int] = mapped_column(default=0)  # already a departure
    skipped_repeated: Mapped[int] = mapped_column(default=0)  # an earlier row of the file
    error: Mapped[str | None] = mapped_column(sa.String(ERROR_MAX))
    created_at: Mapped[dt.datetime] = created_at_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def percent(self) -> int:
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0


class DepartureImportMapping(TenantOwned, db.Model):
    """One remembered heading: a file column headed like this was this field last time."""

    __tablename__ = "departure_import_mappings"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "header"),)

    header: Mapped[str] = mapped_column(sa.String(HEADER_MAX))  # as header_key compares it
    field: Mapped[str] = mapped_column(sa.String(40))
