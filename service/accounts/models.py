"""People: users (global, one per email) and their agency memberships."""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.model_types import IdMixin, created_at_column, text_enum


class User(UserMixin, IdMixin, db.Model):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    preferred_language: Mapped[str | None] = mapped_column(sa.String(2))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = created_at_column()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class AgencyRole(enum.StrEnum):
    AGENCY_ADMIN = "agency_admin"
    CONSULTANT = "consultant"


class AgencyMembership(db.Model):
    __tablename__ = "agency_memberships"

    agency_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[AgencyRole] = mapped_column(text_enum(AgencyRole, "agency_role"))
    created_at: Mapped[dt.datetime] = created_at_column()
