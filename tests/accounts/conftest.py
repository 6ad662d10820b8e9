"""Helpers of the people and sign-in tests: emailed links, cookies, fresh client IPs."""

import random
import re

import pytest
import sqlalchemy as sa

from service.accounts.models import User
from service.extensions import db
from service.mail.models import PlatformEmail, TenantEmail
from service.tenancy import unscoped
from tests.conftest import csrf_token
from tests.jobs.conftest import jobs_redis  # noqa: F401 — Redis db 14 as REDIS_URL

LINK = re.compile(r"https?://[^/\s]+(/(?:invitation|reset-password)/[A-Za-z0-9_\-]+)")


def emails_to(address: str) -> list:
    """Every email queued for ``address`` (kept rows in tests: no MAIL_SERVER), oldest first."""
    db.session.expire_all()
    with unscoped("a test looks across tenants"):
        found = [
            *db.session.scalars(sa.select(TenantEmail).where(TenantEmail.to_address == address)),
            *db.session.scalars(
                sa.select(PlatformEmail).where(PlatformEmail.to_address == address)
            ),
        ]
    return sorted(found, key=lambda email: email.created_at)


def link_in_last_email(address: str) -> str:
    """The path of the single-use link in the newest email to ``address``."""
    emails = emails_to(address)
    assert emails, f"no email to {address}"
    match = LINK.search(emails[-1].body_text or "")
    assert match, f"no link in the email to {address}: {emails[-1].body_text!r}"
    return match.group(1)


def post(client, path: str, data: dict | None = None, token_from: str = "/login", **kwargs):
    """POST like a browser: with the CSRF token of a page of the same session."""
    return client.post(
        path, data={**(data or {}), "csrf_token": csrf_token(client, token_from)}, **kwargs
    )


def sign_in(client, email: str, password: str = "pw", remember: bool = False, ip=None):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "on"
    environ = {"REMOTE_ADDR": ip} if ip else {}
    return post(client, "/login", data, environ_base=environ)


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def replay(app, **cookies):
    """A fresh browser holding only the given cookies."""
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    return fresh


def fresh_ip() -> str:
    """A loopback address of its own: each test starts with untouched per-IP limits."""
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(1, 254)}"


@pytest.fixture
def limited(app):
    """The app, with the limiter on Redis db 13 (as every test here)."""
    return app


@pytest.fixture(autouse=True)
def _english(request):
    """The world's people read English here, so assertions can quote the msgids (tenant
    A's default language, Dutch, would otherwise apply)."""
    if "world" not in request.fixturenames:
        return
    request.getfixturevalue("world")
    db.session.execute(sa.update(User).values(preferred_language="en"))
    db.session.commit()
