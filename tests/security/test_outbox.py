"""The outbox and the platform: no secret link is readable by an operator, and an agency's
name cannot break (or inject headers into) its clients' mail."""

import socket

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.mail.models import MailStatus, PlatformEmail, TenantEmail
from service.mail.outbox import queue_email
from service.mail.smtp import build_message
from service.tenancy import tenant_scope, unscoped
from tests.accounts.conftest import post
from tests.conftest import login


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def failing_smtp(app, monkeypatch):
    """A mail server that refuses connections: mail stays pending, then fails."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)


@pytest.mark.parametrize("status", [MailStatus.PENDING, MailStatus.FAILED])
def test_the_platform_cannot_read_a_password_reset_link(client, world, failing_smtp, status):
    """A platform admin who asks a reset for a client's HR admin must not find the link in
    the outbox while the mail waits or after it failed: that would open the client's data."""
    response = post(client, "/forgot-password", {"email": "hr_admin@a.example"})
    assert response.status_code == 200
    with unscoped("a test looks across tenants"):
        email = db.session.scalar(
            sa.select(PlatformEmail).where(PlatformEmail.to_address == "hr_admin@a.example")
        )
    assert email.status == MailStatus.PENDING
    assert "/reset-password/" in email.body_text
    email.status = status
    db.session.commit()

    login(client, "platform@exitloop.example")
    page = client.get(f"/platform/outbox/platform/{email.id}")
    assert page.status_code == 200
    assert "/reset-password/" not in page.get_data(as_text=True)
    assert client.get(f"/platform/outbox/platform/{email.id}/html").status_code == 404


def test_a_tenant_invitation_link_is_not_shown_either(client, world, failing_smtp):
    login(client, "hr_admin@a.example")
    response = post(
        client,
        "/t/tenant-a/members/invite",
        {"email": "new@a.example", "display_name": "New", "role": "hr", "language": "en"},
        token_from="/t/tenant-a/members/",
    )
    assert response.status_code == 302
    with tenant_scope(world.a.tenant.id):
        email_id = db.session.scalar(sa.select(TenantEmail.id))
        db.session.commit()
    platform = client.application.test_client()
    login(platform, "platform@exitloop.example")
    page = platform.get(f"/platform/outbox/tenant/{email_id}").get_data(as_text=True)
    assert "/invitation/" not in page
    assert platform.get(f"/platform/outbox/tenant/{email_id}/html").status_code == 404


def test_a_plain_platform_mail_stays_readable_for_the_operator(client, world, failing_smtp):
    email_id = queue_email(to="ops@example.com", template="test", language="en", context={})
    db.session.commit()
    login(client, "platform@exitloop.example")
    page = client.get(f"/platform/outbox/platform/{email_id}").get_data(as_text=True)
    assert "This is a test message from Exitloop." in page


def test_an_agency_brand_with_a_line_break_neither_injects_nor_blocks_mail(client, world):
    login(client, "platform@exitloop.example")
    response = post(
        client,
        "/platform/agencies/new",
        {"name": "Evil", "slug": "evil-agency", "brand_name": "Evil\r\nBcc: spy@evil.example"},
        token_from="/platform/agencies/new",
    )
    if response.status_code == 422:
        return  # refused at the door: fine too
    assert response.status_code == 302
    from service.tenants.models import Agency
    from tests.factories import make_tenant

    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == "evil-agency"))
    tenant = make_tenant("evil-client", agency)
    with tenant_scope(tenant.id):
        email_id = queue_email(
            to="leaver@client.example",
            template="test",
            language="en",
            context={},
            tenant_id=tenant.id,
        )
        db.session.commit()
        email = db.session.get(TenantEmail, (tenant.id, email_id))
        message = build_message(email)  # raised ValueError: every client mail failed
        db.session.commit()
    assert message["Bcc"] is None
    assert "\n" not in message["From"]
    assert "\r" not in message["From"]
