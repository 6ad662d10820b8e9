"""Confidential survey responses: what a leaver answered online, kept apart from who.

A response carries no link to its departure, invitation or person: no foreign key to them,
no id they share, an id that is random (UUIDv4, not the house's time-ordered UUIDv7, whose
order would match the invitations' completion times) and no moment finer than the month it
came in. What reporting needs travels as coarse attributes copied at submission. Lists
order responses by month and then by their random id, never by when they were written
(PostgreSQL's physical row order is no guarantee, and nothing exposes it).
"""

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.departures.models import ExitType, TenureBand
from service.extensions import db
from service.model_types import text_enum
from service.tenancy import TenantOwned, tenant_fk

QUARTER_LENGTH = 7  # "2026-Q3"


class SurveyResponse(TenantOwned, db.Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        tenant_fk("department_id", "departments"),
        tenant_fk("job_function_id", "job_functions"),
        tenant_fk("location_id", "locations"),
        tenant_fk("template_version_id", "template_versions"),
        sa.Index("ix_survey_responses_month", "tenant_id", "month"),
    )

    # Random, so that ids say nothing about the order in which responses came in.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-9)
    month: Mapped[dt.date]  # the first day of the month the answers were sent
    department_id: Mapped[uuid.UUID | None]
    job_function_id: Mapped[uuid.UUID | None]
    location_id: Mapped[uuid.UUID | None]
    tenure_band: Mapped[TenureBand | None] = mapped_column(text_enum(TenureBand, "tenure_band"))
    exit_quarter: Mapped[str] = mapped_column(sa.String(QUARTER_LENGTH))
    exit_type: Mapped[ExitType] = mapped_column(text_enum(ExitType, "exit_type"))
    regretted: Mapped[bool]
    language: Mapped[str] = mapped_column(sa.String(2))
    template_version_id: Mapped[uuid.UUID]
    answers: Mapped[dict] = mapped_column(sa.JSON)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
