"""Server-side sessions: what the session and remember-me cookies point at.

The cookies hold a random token (Flask-Login's user id is that token, see User.get_id);
the user loader accepts it only while its row is neither revoked nor expired and the user
is active. Revoking the row therefore ends every copy of both cookies at once.
"""

import datetime as dt
import uuid

import sqlalchemy as sa
from flask import current_app, g, request, session

from service.accounts.models import User, UserSession
from service.accounts.tokens import new_token, token_hash
from service.extensions import db
from service.model_types import as_utc, utcnow

# last_seen_at is written at most this often: one write per minute, not per request.
TOUCH_EVERY = dt.timedelta(seconds=60)


def start_session(user: User, remember: bool) -> None:
    """Add a session row for ``user`` (the caller commits) and attach its token."""
    config = current_app.config
    now = utcnow()
    lifetime = (
        dt.timedelta(days=config["SESSION_REMEMBER_DAYS"])
        if remember
        else dt.timedelta(hours=config["SESSION_MAX_HOURS"])
    )
    token = new_token()
    record = UserSession(
        user_id=user.id,
        token_hash=token_hash(token),
        remember=remember,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        user_agent=(request.user_agent.string or "")[:200] or None,
        ip_address=(request.remote_addr or "")[:45] or None,
    )
    db.session.add(record)
    db.session.flush()
    user.session_token, user.session_id = token, record.id


def renew_session() -> None:
    """Start a new Flask session at a change of privilege (sign-in, sign-out, a new
    password): nothing of the old one survives, neither data planted in it (session
    fixation) nor its CSRF secret, so a token read before no longer passes."""
    session.clear()
    # Flask-WTF caches the request's signed token in g under the same name as its secret.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def is_live(record: UserSession, now: dt.datetime) -> bool:
    if record.revoked_at is not None or as_utc(record.expires_at) <= now:
        return False
    if record.remember:
        return True
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return as_utc(record.last_seen_at) + idle > now


def load_user(token: str) -> User | None:
    """Flask-Login's user loader: the user of a live session, or None (signed out)."""
    row = db.session.execute(
        sa.select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    record, user = row
    now = utcnow()
    if not user.active or not is_live(record, now):
        return None
    if now - as_utc(record.last_seen_at) >= TOUCH_EVERY:
        _touch(record.id, now)
    user.session_token, user.session_id = token, record.id
    return user


def _touch(session_id: uuid.UUID, now: dt.datetime) -> None:
    # Its own short transaction: the request's unit of work must not be committed by it.
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
        )


def revoke(session_id: uuid.UUID) -> None:
    """End one session (the caller commits)."""
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_all(user_id: uuid.UUID) -> None:
    """End every session of a user (the caller commits)."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    db.session.execute(query.values(revoked_at=utcnow()))


def live_sessions(user_id: uuid.UUID) -> list[UserSession]:
    now = utcnow()
    records = db.session.scalars(
        sa.select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return [record for record in records if is_live(record, now)]
