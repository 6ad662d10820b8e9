"""People: users (global, one per email), their agency memberships, their sign-in sessions
and the single-use links (invitations, password resets) emailed to them."""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from service.extensions import db
from service.model_types import IdMixin, created_at_column, text_enum, utcnow
from service.roles import AgencyRole, TenantRole
from service.tenancy import TenantOwned


class User(UserMixin, IdMixin, db.Model):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Links issued before this moment are refused: a password change retires them.
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    preferred_language: Mapped[str | None] = mapped_column(sa.String(2))
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    # The second factor (service/accounts/second_factor.py): the TOTP secret (base32), set
    # when enrolment starts and in force only once a code proved the authenticator has it;
    # the last accepted time step, so that a code is accepted once (no replay).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    # The raw token of the server-side session this object was loaded for (never stored).
    session_token = None
    session_id = None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        """Flask-Login keeps this in the session and remember cookies: the session token,
        not the user id, so that ending the server-side session ends every copy of both."""
        if self.session_token is None:
            raise RuntimeError("a user is signed in only through a server-side session")
        return self.session_token


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


class UserSession(IdMixin, db.Model):
    """One signed-in browser. The cookies carry a random token; only its hash is kept."""

    __tablename__ = "user_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = created_at_column()
    last_seen_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    # The last time the person proved who they are here (password, and the code when
    # enrolled): sensitive changes ask again when it is older (service/accounts/reauth.py).
    authenticated_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Set while the password was right but the second factor is still to come: such a
    # session signs nobody in, and is dead after this moment.
    second_factor_due_by: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RecoveryCode(IdMixin, db.Model):
    """A one-time code that stands in for the authenticator; only its hash is kept."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class PlatformSettings(db.Model):
    """Platform-wide settings: a single row (id 1), made when first changed."""

    __tablename__ = "platform_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Every platform administrator and agency staff member must use a second factor.
    require_second_factor_for_staff: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )


class LinkPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 — a purpose, not a password


class AccountLink(IdMixin, db.Model):
    """A single-use, expiring password-reset link; only the token's hash is kept."""

    __tablename__ = "account_links"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[LinkPurpose] = mapped_column(text_enum(LinkPurpose, "link_purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = created_at_column()
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))


class InvitationColumns:
    """An invitation belongs to the tenant or agency that made it: only that one sees it,
    resends or cancels it. It holds what the inviter typed (never what the person or
    another tenant set elsewhere), and gives access only once the person accepts through
    the emailed single-use link (kept as a hash)."""

    email: Mapped[str] = mapped_column(sa.String(254))
    display_name: Mapped[str] = mapped_column(sa.String(120))
    language: Mapped[str] = mapped_column(sa.String(2))
    token_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = created_at_column()
    expires_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @declared_attr
    def invited_by(cls) -> Mapped[uuid.UUID | None]:  # noqa: N805
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None

    @classmethod
    def unanswered(cls) -> sa.ColumnElement[bool]:
        """``is_pending`` in SQL: neither accepted nor cancelled (an expired one is still
        listed, so that it can be resent)."""
        return sa.and_(cls.accepted_at.is_(None), cls.cancelled_at.is_(None))

    @classmethod
    def awaiting_answer(cls) -> sa.ColumnElement[bool]:
        """Unanswered, and its link still works."""
        return sa.and_(cls.unanswered(), cls.expires_at > utcnow())


class TenantInvitation(InvitationColumns, TenantOwned, db.Model):
    __tablename__ = "tenant_invitations"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "token_hash"),
        sa.Index("ix_tenant_invitations_email", "tenant_id", "email"),
        # The emailed link names no tenant: it is found by its hash alone.
        sa.Index("ix_tenant_invitations_token", "token_hash"),
    )

    role: Mapped[TenantRole] = mapped_column(text_enum(TenantRole, "tenant_role"))


class AgencyInvitation(InvitationColumns, IdMixin, db.Model):
    __tablename__ = "agency_invitations"

    agency_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[AgencyRole] = mapped_column(text_enum(AgencyRole, "agency_role"))
    __table_args__ = (sa.UniqueConstraint("token_hash"),)
