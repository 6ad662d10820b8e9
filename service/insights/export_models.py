"""The record of every insights export: who took which figures out, when, for which filter."""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import created_at_column, text_enum
from service.tenancy import TenantOwned

KIND_MAX = 16


class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class InsightExport(TenantOwned, db.Model):
    """One download. The file itself is not kept: the filter and the kind rebuild it (as
    of today's data)."""

    __tablename__ = "insight_exports"
    __table_args__ = (sa.Index("ix_insight_exports_created_at", "tenant_id", "created_at"),)

    by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = created_at_column()
    kind: Mapped[str] = mapped_column(sa.String(KIND_MAX))  # "answers", "dashboard", a panel
    file_format: Mapped[FileFormat] = mapped_column(text_enum(FileFormat, "export_format"))
    filter_args: Mapped[dict] = mapped_column(sa.JSON)  # service/insights/filters.arguments
    rows: Mapped[int]  # data rows written; 0 when only "not enough responses" was
