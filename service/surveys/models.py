"""Question templates: a tenant's own (versioned, frozen once published) and an agency's
library (copied into a client's templates, never referenced by answers).

The questions of a template live in one JSON document per version (service/surveys/
document.py): a published version's document never changes (see ``_refuse_frozen_edits``),
and later answers refer to (version id, question key).
"""

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.extensions import db
from service.model_types import IdMixin, created_at_column, utcnow
from service.tenancy import TenantOwned

NAME_MAX = 120


class FrozenVersion(RuntimeError):
    """A published template version was about to change: published versions are frozen."""


class QuestionTemplate(TenantOwned, db.Model):
    __tablename__ = "question_templates"
    __table_args__ = (
        # At most one default template per tenant, enforced by the database.
        sa.Index(
            "uq_question_templates_default",
            "tenant_id",
            unique=True,
            sqlite_where=sa.text("is_default"),
            postgresql_where=sa.text("is_default"),
        ),
    )

    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    languages: Mapped[list[str]] = mapped_column(sa.JSON)
    # Where it was started from, for the record: "preset:horeca@1", "agency:<name>", "blank".
    origin: Mapped[str] = mapped_column(sa.String(200))
    is_default: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    archived_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()


class TemplateVersion(TenantOwned, db.Model):
    """One version of a template: a draft (``published_at`` is None, at most one per
    template) that the editor changes, or a published, frozen one."""

    __tablename__ = "template_versions"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["tenant_id", "template_id"],
            ["question_templates.tenant_id", "question_templates.id"],
            ondelete="RESTRICT",
        ),
        sa.UniqueConstraint("tenant_id", "template_id", "number"),
        sa.Index(
            "uq_template_versions_one_draft",
            "tenant_id",
            "template_id",
            unique=True,
            sqlite_where=sa.text("published_at IS NULL"),
            postgresql_where=sa.text("published_at IS NULL"),
        ),
    )

    template_id: Mapped[uuid.UUID]
    number: Mapped[int]
    document: Mapped[dict] = mapped_column(sa.JSON)
    # Bumped by every save: an edit based on an older revision is stale (optimistic lock).
    revision: Mapped[int] = mapped_column(default=1)
    published_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __mapper_args__ = {"version_id_col": revision}

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class AgencyTemplate(IdMixin, db.Model):
    """A template of an agency's library: edited in place, copied by its clients."""

    __tablename__ = "agency_templates"

    agency_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    languages: Mapped[list[str]] = mapped_column(sa.JSON)
    origin: Mapped[str] = mapped_column(sa.String(200))
    document: Mapped[dict] = mapped_column(sa.JSON)
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __mapper_args__ = {"version_id_col": revision}


@event.listens_for(Session, "before_flush")
def _refuse_frozen_edits(session: Session, flush_context, instances) -> None:
    """The last line of defence behind the services: a published version's row never
    changes and is never deleted."""
    for obj in [*session.dirty, *session.deleted]:
        if not isinstance(obj, TemplateVersion):
            continue
        published = sa.inspect(obj).attrs.published_at.history
        was_published = (published.deleted or published.unchanged or [None])[0] is not None
        if not was_published:
            continue
        if obj in session.deleted or session.is_modified(obj, include_collections=False):
            raise FrozenVersion(f"version {obj.number} of template {obj.template_id} is published")


# The invitation tables refer to template versions: importing them here registers every
# survey table wherever the templates are loaded (the app, migrations, the schema test).
from service.surveys import invitation_models  # noqa: E402, F401
