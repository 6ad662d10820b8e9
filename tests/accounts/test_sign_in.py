"""Sign-in: argon2id rehash, the same answer for unknown addresses, rate limits per IP
and per account (Flask-Limiter on Redis db 13)."""

import re
import uuid

from argon2 import PasswordHasher
from limits import parse

from service.accounts import services
from service.accounts.models import User
from service.accounts.passwords import needs_rehash, verify_password
from service.extensions import db
from tests.accounts.conftest import fresh_ip, sign_in
from tests.factories import make_user

# The CSRF token, in the form and in htmx's headers: signed with the second it was made in.
_TOKEN = re.compile(r'name="csrf_token" value="[^"]+"|"X-CSRFToken": "[^"]+"')


def test_login_rehashes_a_password_made_with_other_parameters(app, client, world):
    old = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash("pw")
    user = make_user("old@a.example")
    user.password_hash = old
    db.session.commit()
    assert needs_rehash(old)

    assert sign_in(client, "old@a.example").status_code == 302

    db.session.expire_all()
    stored = db.session.get(User, user.id).password_hash
    assert stored != old
    assert not needs_rehash(stored)
    assert verify_password(stored, "pw")


def test_wrong_password_does_not_rehash(app, client, world):
    old = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash("pw")
    user = make_user("old2@a.example")
    user.password_hash = old
    db.session.commit()
    assert sign_in(client, "old2@a.example", "wrong").status_code == 422
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old


def _answer(client, email: str, password: str):
    response = sign_in(client, email, password, ip=fresh_ip())
    body = _TOKEN.sub("", response.get_data(as_text=True)).replace(email, "EMAIL")
    return response.status_code, body


def test_unknown_email_gets_the_same_page_status_and_work(app, client, world, monkeypatch):
    checks = []
    original = services.verify_password
    monkeypatch.setattr(
        services, "verify_password", lambda *args: checks.append(args) or original(*args)
    )
    known = _answer(client, "hr@a.example", "wrong password")
    unknown = _answer(client, "nobody@a.example", "wrong password")
    assert known[0] == unknown[0] == 422
    assert known[1] == unknown[1]
    assert "The email address or password is incorrect." in known[1]
    assert len(checks) == 2, "a password hash is verified for the unknown address too"
    assert checks[1][0] is None


def test_deactivated_user_cannot_sign_in_and_gets_the_same_answer(app, client, world):
    world.a.users["hr"].active = False
    db.session.commit()
    status, body = _answer(client, "hr@a.example", "pw")
    assert status == 422
    assert "The email address or password is incorrect." in body


def test_per_account_limit_holds_across_two_client_ips(limited, client, world):
    email = "hr@a.example"
    first, second = fresh_ip(), fresh_ip()
    limit = int(limited.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for attempt in range(limit):
        ip = first if attempt % 2 else second
        assert sign_in(client, email, "wrong", ip=ip).status_code == 422
    # Even the right password from a third address is refused now.
    refused = sign_in(client, email, "pw", ip=fresh_ip())
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    # Another account from the same addresses is not affected.
    assert sign_in(client, "hr_admin@a.example", "pw", ip=first).status_code == 302


def test_per_account_limit_treats_an_unknown_email_alike(limited, client, world):
    email = f"nobody-{uuid.uuid4().hex[:8]}@a.example"
    limit = int(limited.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    statuses = [sign_in(client, email, "wrong", ip=fresh_ip()).status_code for _ in range(limit)]
    assert statuses == [422] * limit
    assert sign_in(client, email, "wrong", ip=fresh_ip()).status_code == 429


def test_per_account_limit_ignores_case_and_spaces(limited, client, world):
    limit = int(limited.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for attempt in range(limit):
        email = " HR@A.example " if attempt % 2 else "hr@a.example"
        sign_in(client, email, "wrong", ip=fresh_ip())
    assert sign_in(client, "Hr@A.Example", "pw", ip=fresh_ip()).status_code == 429


def test_successful_sign_ins_do_not_count(limited, client, world):
    limit = int(limited.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    ip = fresh_ip()
    for _ in range(limit + 2):
        fresh = limited.test_client()
        assert sign_in(fresh, "hr@a.example", ip=ip).status_code == 302


def test_per_ip_limit(limited, client, world, monkeypatch):
    monkeypatch.setitem(limited.config, "LOGIN_LIMIT_PER_IP", "3 per 15 minutes")
    ip = fresh_ip()
    for number in range(3):
        assert sign_in(client, f"guess{number}@a.example", "x", ip=ip).status_code == 422
    assert sign_in(client, "hr@a.example", "pw", ip=ip).status_code == 429
    assert sign_in(client, "hr@a.example", "pw", ip=fresh_ip()).status_code == 302


def test_forgot_password_is_limited_per_account(limited, client, world):
    from tests.accounts.conftest import post

    limit = int(limited.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit):
        response = post(
            client,
            "/forgot-password",
            {"email": "hr@a.example"},
            environ_base={"REMOTE_ADDR": fresh_ip()},
        )
        assert response.status_code == 200
    response = post(
        client,
        "/forgot-password",
        {"email": "hr@a.example"},
        environ_base={"REMOTE_ADDR": fresh_ip()},
    )
    assert response.status_code == 429


def test_limits_are_stored_in_redis(limited, client, world):
    """Failed sign-ins are counted in the limiter's Redis, where every web process sees
    them: the run's keys appear there, and deleting them lifts the block."""
    import redis

    url = limited.config["RATELIMIT_STORAGE_URI"]
    assert url.startswith("redis://"), url
    store = redis.Redis.from_url(url)
    pattern = f"*{limited.config['RATELIMIT_KEY_PREFIX']}*"
    assert list(store.scan_iter(match=pattern)) == []
    limit = int(limited.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for _ in range(limit):
        sign_in(client, "hr@a.example", "wrong", ip=fresh_ip())
    assert sign_in(client, "hr@a.example", "pw", ip=fresh_ip()).status_code == 429
    counted = list(store.scan_iter(match=pattern))
    assert counted, "no attempt was counted in Redis"
    store.delete(*counted)
    assert sign_in(client, "hr@a.example", "pw", ip=fresh_ip()).status_code == 302


WAIT = re.compile(r"Try again in (\d+) minutes?\.")


def _window_minutes(limit: str) -> int:
    """15 of "5 per 15 minutes"."""
    return parse(limit).get_expiry() // 60


def _assert_lockout_page(response, email: str, window: int) -> None:
    """The form again with the address typed, a short headline and a plausible wait."""
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert re.search(r"<h1>\s*Too many attempts\s*</h1>", body)
    assert f'name="email" type="email" value="{email}"' in body
    assert 'name="csrf_token"' in body
    wait = WAIT.search(body)
    assert wait, "the page does not say how long to wait"
    assert 0 < int(wait.group(1)) <= window
    assert 0 < int(response.headers["Retry-After"]) <= window * 60


def test_the_lockout_keeps_the_form_and_says_how_long_to_wait(limited, client, world):
    limit = limited.config["LOGIN_LIMIT_PER_ACCOUNT"]
    for _ in range(int(limit.split()[0])):
        sign_in(client, "hr@a.example", "wrong", ip=fresh_ip())
    refused = sign_in(client, "hr@a.example", "pw", ip=fresh_ip())
    _assert_lockout_page(refused, "hr@a.example", _window_minutes(limit))
    assert 'action="/login"' in refused.get_data(as_text=True)


def test_the_forgot_password_lockout_keeps_the_form_too(limited, client, world):
    from tests.accounts.conftest import post

    limit = limited.config["LOGIN_LIMIT_PER_ACCOUNT"]
    for _ in range(int(limit.split()[0]) + 1):
        response = post(
            client,
            "/forgot-password",
            {"email": "hr@a.example"},
            token_from="/forgot-password",
            environ_base={"REMOTE_ADDR": fresh_ip()},
        )
    _assert_lockout_page(response, "hr@a.example", _window_minutes(limit))
    assert 'action="/forgot-password"' in response.get_data(as_text=True)


def test_the_lockout_page_speaks_the_visitors_language(limited, client, world, monkeypatch):
    monkeypatch.setitem(limited.config, "LOGIN_LIMIT_PER_IP", "2 per 10 minutes")
    ip = fresh_ip()
    french = {"Accept-Language": "fr-BE"}
    for number in range(2):
        sign_in(client, f"guess{number}@a.example", "x", ip=ip)
    from tests.accounts.conftest import post

    refused = post(
        client,
        "/login",
        {"email": "guess9@a.example", "password": "x"},
        headers=french,
        environ_base={"REMOTE_ADDR": ip},
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert '<html lang="fr">' in body
    assert "Trop de tentatives" in body
    assert re.search(r"Réessayez dans (\d+) minutes?\.", body)
    assert 0 < int(re.search(r"Réessayez dans (\d+)", body).group(1)) <= 10
