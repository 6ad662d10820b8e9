"""Single-use, expiring password-reset links emailed to a user (invitations have their own
rows, owned by the tenant or agency that sent them: service/accounts/invitations.py).

The token travels only in the email; the table keeps its hash. A link is refused when it
is unknown (mistyped or tampered with), expired, already used, or older than the user's
last password change.
"""

import datetime as dt
import enum

import sqlalchemy as sa
from flask import current_app

from service.accounts.models import AccountLink, LinkPurpose, User
from service.accounts.tokens import new_token, token_hash
from service.extensions import db
from service.model_types import as_utc, utcnow


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"  # an invitation withdrawn, or replaced by a newer one


class LinkRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def lifetime(purpose: LinkPurpose) -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"])


def issue(user: User, purpose: LinkPurpose) -> str:
    """A new link for ``user``; earlier unused links of the same purpose stop working.
    Returns the raw token (for the email only); the caller commits."""
    now = utcnow()
    retire(user, purpose, now)
    token = new_token()
    db.session.add(
        AccountLink(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + lifetime(purpose),
        )
    )
    return token


def retire(user: User, purpose: LinkPurpose | None = None, now: dt.datetime | None = None):
    """Mark the user's unused links as used (all purposes unless one is named)."""
    query = sa.update(AccountLink).where(
        AccountLink.user_id == user.id, AccountLink.used_at.is_(None)
    )
    if purpose is not None:
        query = query.where(AccountLink.purpose == purpose)
    db.session.execute(query.values(used_at=now or utcnow()))


def check(token: str, purpose: LinkPurpose, lock: bool = False) -> tuple[AccountLink, User]:
    """The link and its user, or LinkRefused; ``lock`` holds the row until commit."""
    query = (
        sa.select(AccountLink, User)
        .join(User, User.id == AccountLink.user_id)
        .where(AccountLink.token_hash == token_hash(token), AccountLink.purpose == purpose)
    )
    if lock:
        query = query.with_for_update(of=AccountLink).execution_options(populate_existing=True)
    row = db.session.execute(query).first()
    if row is None or not row[1].active:
        raise LinkRefused(Refusal.UNKNOWN)
    link, user = row
    if link.used_at is not None:
        raise LinkRefused(Refusal.USED)
    if user.password_changed_at is not None and as_utc(user.password_changed_at) > as_utc(
        link.created_at
    ):
        raise LinkRefused(Refusal.SUPERSEDED)
    if as_utc(link.expires_at) <= utcnow():
        raise LinkRefused(Refusal.EXPIRED)
    return link, user
