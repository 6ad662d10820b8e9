"""Emailed links are built from the request's host: a forged Host header must not send a
victim a reset link that points at another site (password-reset poisoning)."""

import re

import sqlalchemy as sa

from service.extensions import db
from service.mail.models import PlatformEmail
from service.tenancy import unscoped


def _reset_mails() -> list[PlatformEmail]:
    with unscoped("a test looks across tenants"):
        return list(db.session.scalars(sa.select(PlatformEmail)))


def test_a_forged_host_gets_no_reset_link(app, world):
    attacker = app.test_client()
    form = attacker.get("/forgot-password", base_url="http://evil.example")
    assert form.status_code == 400
    match = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True))
    token = match.group(1) if match else ""
    response = attacker.post(
        "/forgot-password",
        data={"email": "hr_admin@a.example", "csrf_token": token},
        base_url="http://evil.example",
    )
    assert response.status_code == 400
    assert not any("evil.example" in (mail.body_text or "") for mail in _reset_mails())


def test_the_local_hosts_are_trusted_by_default(app, client, world):
    assert {"localhost", "127.0.0.1"} <= set(app.config["TRUSTED_HOSTS"])
    local = "http://127.0.0.1:5000"
    form = client.get("/forgot-password", base_url=local).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(
        "/forgot-password",
        data={"email": "hr_admin@a.example", "csrf_token": token},
        base_url=local,
    )
    assert response.status_code == 200
    assert "http://127.0.0.1:5000/reset-password/" in _reset_mails()[0].body_text
