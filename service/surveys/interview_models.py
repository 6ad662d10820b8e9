"""The interview: a face-to-face conversation with a leaver, recorded by an assigned
interviewer on the departure's template, plus free notes.

Unlike an online survey, an interview is identified: it belongs to its departure (the
interviewer knows the person, and the leaver is told so). It answers one published, hence
frozen, template version; a version is never changed once published (service/surveys/
models.py), and the RESTRICT foreign key keeps an answered version from being deleted.
"""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import created_at_column, text_enum, utcnow
from service.tenancy import TenantOwned, tenant_fk

PLACE_MAX = 200
VIDEO_LINK_MAX = 500
NOTES_MAX = 20_000


class InterviewStatus(enum.StrEnum):
    PLANNED = "planned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Interview(TenantOwned, db.Model):
    __tablename__ = "interviews"
    __table_args__ = (
        tenant_fk("departure_id", "departures", "CASCADE"),
        tenant_fk("template_version_id", "template_versions"),
        # One live (planned or completed) interview per departure; cancelled ones stay.
        sa.Index(
            "uq_interviews_live_departure",
            "tenant_id",
            "departure_id",
            unique=True,
            sqlite_where=sa.text("status != 'cancelled'"),
            postgresql_where=sa.text("status != 'cancelled'"),
        ),
        # "My interviews" of one person in one tenant.
        sa.Index("ix_interviews_interviewer", "tenant_id", "interviewer_user_id"),
        sa.CheckConstraint("place IS NOT NULL OR video_link IS NOT NULL", name="where_given"),
    )

    departure_id: Mapped[uuid.UUID]
    interviewer_user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    scheduled_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    place: Mapped[str | None] = mapped_column(sa.String(PLACE_MAX))
    video_link: Mapped[str | None] = mapped_column(sa.String(VIDEO_LINK_MAX))
    status: Mapped[InterviewStatus] = mapped_column(
        text_enum(InterviewStatus, "interview_status"), default=InterviewStatus.PLANNED
    )
    template_version_id: Mapped[uuid.UUID]
    # Question key → answer: text, an int (rating, eNPS), "yes"/"no", a choice key or a
    # list of choice keys. An unanswered question has no key.
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Bumped by every save of the answers or notes (not by a reschedule): an autosave
    # based on an older revision is stale.
    revision: Mapped[int] = mapped_column(default=1)
    # The calendar invitation's SEQUENCE (RFC 5546): bumped by each reschedule or cancel.
    calendar_sequence: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def is_planned(self) -> bool:
        return self.status == InterviewStatus.PLANNED
