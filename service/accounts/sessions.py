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


def _lifetime(remember: bool) -> dt.timedelta:
    config = current_app.config
    if remember:
        return dt.timedelta(days=config["SESSION_REMEMBER_DAYS"])
    return dt.timedelta(hours=config["SESSION_MAX_HOURS"])


def start_session(user: User, remember: bool, second_factor_due: bool = False) -> None:
    """Add a session row for ``user`` (the caller commits) and attach its token. With
    ``second_factor_due`` the row signs nobody in until ``complete_second_factor``, and
    dies unused after a few minutes."""
    now = utcnow()
    lifetime = _lifetime(remember)
    if second_factor_due:
        minutes = current_app.config["SECOND_FACTOR_STEP_MINUTES"]
        lifetime = min(lifetime, dt.timedelta(minutes=minutes))
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
        authenticated_at=None if second_factor_due else now,
        second_factor_due_by=now + lifetime if second_factor_due else None,
    )
    db.session.add(record)
    db.session.flush()
    user.session_token, user.session_id = token, record.id


def awaiting_second_factor(token: str) -> tuple[UserSession, User] | None:
    """The session still waiting for the second factor under ``token``, and its user: None
    when there is none, it expired or was revoked, or the user was deactivated."""
    row = db.session.execute(
        sa.select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.token_hash == token_hash(token),
            UserSession.second_factor_due_by > utcnow(),
            UserSession.revoked_at.is_(None),
        )
    ).first()
    if row is None or not row[1].active:
        return None
    return row[0], row[1]


def complete_second_factor(record: UserSession, user: User, token: str) -> None:
    """The second factor is in: the session signs the user in from now, for its full
    lifetime (the caller commits)."""
    now = utcnow()
    record.second_factor_due_by = None
    record.authenticated_at = now
    record.last_seen_at = now
    record.expires_at = now + _lifetime(record.remember)
    user.session_token, user.session_id = token, record.id


def confirm_identity(session_id: uuid.UUID) -> None:
    """The person proved who they are again in this session (the caller commits)."""
    db.session.execute(
        sa.update(UserSession).where(UserSession.id == session_id).values(authenticated_at=utcnow())
    )


def authenticated_since(session_id: uuid.UUID | None) -> dt.datetime | None:
    """When the person last proved who they are in this session."""
    if session_id is None:
        return None
    at = db.session.scalar(
        sa.select(UserSession.authenticated_at).where(UserSession.id == session_id)
    )
    return as_utc(at)


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
    if record.second_factor_due_by is not None:
        return False  # the password was right, but the second factor never came
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
