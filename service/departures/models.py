"""Departures: one leaver's case, the start of every exit interview and survey.

A departure is identified personal data (name, emails, phone): only HR sees it. What later
reports use travels as coarse attributes (department, function, location, tenure band, exit
quarter, exit type), never as the person.
"""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from service.extensions import db
from service.model_types import created_at_column, text_enum, utcnow
from service.tenancy import TenantOwned, tenant_fk

NAME_MAX = 120
EMAIL_MAX = 254
PHONE_MAX = 40
MANAGER_MAX = 120
NOTE_MAX = 2000


class ExitType(enum.StrEnum):
    VOLUNTARY = "voluntary"
    INVOLUNTARY = "involuntary"
    END_OF_CONTRACT = "end_of_contract"
    RETIREMENT = "retirement"


class Channel(enum.StrEnum):
    SURVEY = "survey"  # the confidential online survey
    INTERVIEW = "interview"  # a face-to-face interview by a neutral interviewer
    BOTH = "both"


class DepartureStatus(enum.StrEnum):
    """Moved forward by the survey and interview issues; new and cancelled exist today."""

    NEW = "new"
    INVITED = "invited"
    INTERVIEW_PLANNED = "interview_planned"
    ANSWERED = "answered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class TenureBand(enum.StrEnum):
    UNDER_1 = "under_1"
    FROM_1_TO_2 = "1_2"
    FROM_2_TO_5 = "2_5"
    FROM_5_TO_10 = "5_10"
    OVER_10 = "10_plus"


def tenure_band(hired_on: dt.date | None, last_day: dt.date) -> TenureBand | None:
    """The band of the time between hire date and last working day (whole years)."""
    if hired_on is None or last_day < hired_on:
        return None
    years = (
        last_day.year
        - hired_on.year
        - ((last_day.month, last_day.day) < (hired_on.month, hired_on.day))
    )
    for band, below in _BAND_LIMITS:
        if years < below:
            return band
    return TenureBand.OVER_10


# Each band but the last, and the whole years it stays below.
_BAND_LIMITS = (
    (TenureBand.UNDER_1, 1),
    (TenureBand.FROM_1_TO_2, 2),
    (TenureBand.FROM_2_TO_5, 5),
    (TenureBand.FROM_5_TO_10, 10),
)


class _Ymd(FunctionElement):
    """A date as the number yyyymmdd: two of them differ by 10000 per whole year."""

    type = sa.Integer()
    inherit_cache = True


@compiles(_Ymd)
def _ymd_postgresql(element, compiler, **kw):
    return f"CAST(to_char({compiler.process(element.clauses, **kw)}, 'YYYYMMDD') AS INTEGER)"


@compiles(_Ymd, "sqlite")
def _ymd_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%Y%m%d', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


def tenure_band_sql(hired_on, last_day) -> sa.ColumnElement:
    """`tenure_band` as SQL, so that reports filter departures on it in the database."""
    span = _Ymd(last_day) - _Ymd(hired_on)
    return sa.case(
        (hired_on.is_(None), None),
        *((span < below * 10000, band.value) for band, below in _BAND_LIMITS),
        else_=TenureBand.OVER_10.value,
    )


class Departure(TenantOwned, db.Model):
    __tablename__ = "departures"
    __table_args__ = (
        tenant_fk("department_id", "departments"),
        tenant_fk("job_function_id", "job_functions"),
        tenant_fk("location_id", "locations"),
        tenant_fk("template_id", "question_templates"),
        tenant_fk("manager_membership_id", "memberships"),
        # The same person leaving on the same day is one departure (imports rely on it).
        sa.UniqueConstraint("tenant_id", "identity_key", "last_day"),
        # By the last day, with what insights count of a period's departures (by month and
        # department, regretted or not, not cancelled): read from the index alone.
        sa.Index(
            "ix_departures_last_day",
            "tenant_id",
            "last_day",
            "department_id",
            "status",
            "regretted",
        ),
        sa.Index("ix_departures_status", "tenant_id", "status"),
        sa.CheckConstraint("hired_on IS NULL OR hired_on <= last_day", name="hired_before_leaving"),
    )

    full_name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    work_email: Mapped[str | None] = mapped_column(sa.String(EMAIL_MAX))
    personal_email: Mapped[str | None] = mapped_column(sa.String(EMAIL_MAX))
    phone: Mapped[str | None] = mapped_column(sa.String(PHONE_MAX))
    # Lower-cased email (work, else personal), else lower-cased name: "the same person".
    identity_key: Mapped[str] = mapped_column(sa.String(EMAIL_MAX))
    language: Mapped[str] = mapped_column(sa.String(2))
    department_id: Mapped[uuid.UUID | None]
    job_function_id: Mapped[uuid.UUID | None]
    location_id: Mapped[uuid.UUID | None]
    manager_name: Mapped[str | None] = mapped_column(sa.String(MANAGER_MAX))
    manager_membership_id: Mapped[uuid.UUID | None]
    hired_on: Mapped[dt.date | None]
    last_day: Mapped[dt.date]
    exit_type: Mapped[ExitType] = mapped_column(text_enum(ExitType, "exit_type"))
    regretted: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[Channel] = mapped_column(text_enum(Channel, "departure_channel"))
    template_id: Mapped[uuid.UUID | None]
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    status: Mapped[DepartureStatus] = mapped_column(
        text_enum(DepartureStatus, "departure_status"), default=DepartureStatus.NEW
    )
    # The import that brought it in, if any (its summary lists what it made).
    import_id: Mapped[uuid.UUID | None]
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Set when its identified data was removed (retention or an erasure request,
    # service/privacy/erasure.py): what is left is an anonymous record for the statistics.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))

    def __init__(self, **values):
        # Recorded and last changed at the same moment: a later change is what differs.
        values.setdefault("created_at", utcnow())
        values.setdefault("updated_at", values["created_at"])
        super().__init__(**values)

    @property
    def was_changed(self) -> bool:
        """Changed since it was recorded (a cancellation is no change of its fields)."""
        return self.updated_at != self.created_at

    @hybrid_property
    def tenure_band(self) -> TenureBand | None:
        return tenure_band(self.hired_on, self.last_day)

    @tenure_band.inplace.expression
    @classmethod
    def _tenure_band_expression(cls) -> sa.ColumnElement:
        return tenure_band_sql(cls.hired_on, cls.last_day)
