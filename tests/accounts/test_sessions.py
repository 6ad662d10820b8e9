"""Server-side sessions: logout, sign-out-everywhere, a password change and deactivation
end every copy of the session and remember-me cookies; idle and absolute timeouts."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service import config as configs
from service import create_app
from service.accounts.models import User, UserSession
from service.config import Config
from service.extensions import db, limiter
from service.model_types import utcnow
from tests.accounts.conftest import cookie, post, replay, sign_in

PROTECTED = "/profile"


def _signed_in(client) -> bool:
    return client.get(PROTECTED).status_code == 200


def _sessions_of(email: str) -> list[UserSession]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(UserSession)
            .join(User, User.id == UserSession.user_id)
            .where(User.email == email)
        )
    )


def test_sign_in_records_a_session_and_cookies_name_it_not_the_user(app, client, world):
    assert sign_in(client, "hr@a.example", remember=True).status_code == 302
    records = _sessions_of("hr@a.example")
    assert len(records) == 1
    assert records[0].remember
    remember = cookie(client, "remember_token")
    assert remember
    assert str(world.a.users["hr"].id) not in remember
    assert _signed_in(client)


def test_cookies_captured_before_logout_no_longer_work(app, client, world):
    sign_in(client, "hr@a.example", remember=True)
    session_cookie, remember_cookie = cookie(client, "session"), cookie(client, "remember_token")
    # Both captured cookies work on their own in another browser before the logout...
    assert _signed_in(replay(app, session=session_cookie))
    assert _signed_in(replay(app, remember_token=remember_cookie))

    assert post(client, "/logout", token_from=PROTECTED).status_code == 302

    # ...and neither works after it.
    assert not _signed_in(client)
    assert replay(app, session=session_cookie).get(PROTECTED).status_code == 302
    assert replay(app, remember_token=remember_cookie).get(PROTECTED).status_code == 302
    assert not _signed_in(replay(app, session=session_cookie, remember_token=remember_cookie))


def test_password_change_in_another_browser_ends_the_other_sessions(app, world):
    first, second = app.test_client(), app.test_client()
    sign_in(first, "hr@a.example", remember=True)
    captured = {
        "session": cookie(first, "session"),
        "remember_token": cookie(first, "remember_token"),
    }
    sign_in(second, "hr@a.example")
    copied = cookie(second, "session")  # a copy of the changing browser's own session

    response = post(
        second,
        "/profile/password",
        {
            "current_password": "pw",
            "password": "a long new passphrase",
            "confirm": "a long new passphrase",
        },
        token_from=PROTECTED,
    )
    assert response.status_code == 302

    assert _signed_in(second), "the browser that changed the password stays signed in"
    assert not _signed_in(first)
    assert not _signed_in(replay(app, session=captured["session"]))
    assert not _signed_in(replay(app, remember_token=captured["remember_token"]))
    assert not _signed_in(replay(app, session=copied)), "the change renews this session too"


def test_deactivation_ends_the_sessions_of_a_user_with_no_other_access(app, world):
    member, admin = app.test_client(), app.test_client()
    sign_in(member, "member@a.example", remember=True)
    captured = {
        "session": cookie(member, "session"),
        "remember_token": cookie(member, "remember_token"),
    }
    assert member.get("/t/tenant-a/").status_code == 200

    membership_id = _membership_id("member@a.example")
    sign_in(admin, "hr_admin@a.example")
    response = post(admin, f"/t/tenant-a/members/{membership_id}/deactivate", token_from=PROTECTED)
    assert response.status_code == 302

    assert member.get("/t/tenant-a/").status_code == 302  # to the sign-in page
    assert not _signed_in(replay(app, session=captured["session"]))
    assert not _signed_in(replay(app, remember_token=captured["remember_token"]))
    assert sign_in(app.test_client(), "member@a.example").status_code == 422


def _membership_id(email: str):
    from service.tenancy import unscoped
    from service.tenants.models import Membership

    with unscoped("a test looks across tenants"):
        return db.session.scalar(
            sa.select(Membership.id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email)
        )


def test_sign_out_everywhere_ends_every_session(app, world):
    first, second = app.test_client(), app.test_client()
    sign_in(first, "hr@a.example", remember=True)
    remember_cookie = cookie(first, "remember_token")
    sign_in(second, "hr@a.example")
    assert post(second, "/sign-out-everywhere", token_from=PROTECTED).status_code == 302
    assert not _signed_in(first)
    assert not _signed_in(second)
    assert not _signed_in(replay(app, remember_token=remember_cookie))


def _age_session(email: str, **changes) -> None:
    db.session.execute(
        sa.update(UserSession)
        .where(
            UserSession.user_id == sa.select(User.id).where(User.email == email).scalar_subquery()
        )
        .values(**changes)
    )
    db.session.commit()


def test_idle_timeout_ends_a_session(app, client, world):
    sign_in(client, "hr@a.example")
    idle = dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    _age_session("hr@a.example", last_seen_at=utcnow() - idle + dt.timedelta(minutes=2))
    assert _signed_in(client), "still within the idle limit"
    _age_session("hr@a.example", last_seen_at=utcnow() - idle - dt.timedelta(minutes=1))
    assert not _signed_in(client)


def test_activity_keeps_a_session_alive(app, client, world):
    sign_in(client, "hr@a.example")
    _age_session("hr@a.example", last_seen_at=utcnow() - dt.timedelta(minutes=20))
    assert _signed_in(client)
    (record,) = _sessions_of("hr@a.example")
    assert utcnow() - record.last_seen_at < dt.timedelta(minutes=1)


def test_remembered_session_outlives_the_idle_limit_but_not_its_end(app, client, world):
    sign_in(client, "hr@a.example", remember=True)
    _age_session("hr@a.example", last_seen_at=utcnow() - dt.timedelta(hours=3))
    assert _signed_in(client)
    (record,) = _sessions_of("hr@a.example")
    assert record.expires_at - record.created_at == dt.timedelta(days=14)
    _age_session("hr@a.example", expires_at=utcnow() - dt.timedelta(seconds=1))
    assert not _signed_in(client)


def test_absolute_timeout_ends_a_session_in_use(app, client, world):
    sign_in(client, "hr@a.example")
    (record,) = _sessions_of("hr@a.example")
    assert record.expires_at - record.created_at == dt.timedelta(hours=12)
    _age_session("hr@a.example", expires_at=utcnow() - dt.timedelta(seconds=1))
    assert not _signed_in(client)


def test_logout_without_csrf_token_is_refused(app, client, world):
    sign_in(client, "hr@a.example")
    assert client.post("/logout").status_code == 400
    assert _signed_in(client)


def test_secure_cookies_are_on_unless_embedded(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.invalid/exitloop")
    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    config = Config()
    assert config.SESSION_COOKIE_SECURE
    assert config.REMEMBER_COOKIE_SECURE
    monkeypatch.delenv("DATABASE_URL")
    assert not Config().SESSION_COOKIE_SECURE
    monkeypatch.setenv("SECURE_COOKIES", "1")
    assert Config().SESSION_COOKIE_SECURE


def test_limiter_uses_redis_when_redis_url_is_set(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert Config().RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/3"
    monkeypatch.delenv("REDIS_URL")
    assert Config().RATELIMIT_STORAGE_URI == "memory://"


def test_limits_are_checked_by_their_views_alone(limited, client, world):
    """Every limit decorates its view (the sign-in's are tested above): Flask-Limiter's pass
    over each request before its view, which looks for other kinds of limits, is not run,
    and declaring such a limit stops the app from starting instead of going unchecked."""
    assert limiter._check_request_limit not in limited.before_request_funcs[None]
    config = configs.TestConfig("sqlite://")
    config.RATELIMIT_DEFAULT = "100 per day"
    try:
        with pytest.raises(RuntimeError, match="rate limits decorate their views"):
            create_app(config)
    finally:
        limiter.limit_manager.set_default_limits([])  # the extension keeps it across apps
    assert create_app(configs.TestConfig("sqlite://"))
