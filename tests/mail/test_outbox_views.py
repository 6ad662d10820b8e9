"""/platform/outbox: platform admins read kept mail; a client's sent mail stays closed."""

import uuid

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.mail.models import MailStatus, TenantEmail
from service.mail.outbox import queue_email
from service.tenancy import tenant_scope
from tests.conftest import csrf_token, login


def _tenant_mail(world, side="a", **fields):
    tenant_id = getattr(world, side).tenant.id
    with tenant_scope(tenant_id):
        email_id = queue_email(
            to=f"leaver@{side}.example",
            template="test",
            language="nl",
            context={},
            tenant_id=tenant_id,
            **fields,
        )
        db.session.commit()
    return email_id


def test_platform_admin_reads_kept_mail(app, world, client):
    reset_id = queue_email(
        to="reset@example.com", template="test", language="en", context={}, secret=True
    )
    db.session.commit()
    tenant_id = _tenant_mail(world)
    login(client, "platform@exitloop.example")

    listing = client.get("/platform/outbox/")
    assert listing.status_code == 200
    assert "reset@example.com" in listing.get_data(as_text=True)
    page = client.get(f"/platform/outbox/platform/{reset_id}").get_data(as_text=True)
    assert "This is a test message from Exitloop." in page
    assert "Kept (not sent)" in page

    tenants = client.get("/platform/outbox/?kind=tenant").get_data(as_text=True)
    assert "leaver@a.example" in tenants
    assert "Tenant A" in tenants
    page = client.get(f"/platform/outbox/tenant/{tenant_id}").get_data(as_text=True)
    with tenant_scope(world.a.tenant.id):
        body = db.session.scalar(sa.select(TenantEmail.body_text))
        db.session.commit()
    assert body.splitlines()[0] in page  # kept in development: readable, in Dutch
    assert "is not shown" not in page


def test_a_sent_client_mail_body_is_not_shown_to_the_platform(app, world, client, smtp):
    email_id = _tenant_mail(world)
    login(client, "platform@exitloop.example")
    page = client.get(f"/platform/outbox/tenant/{email_id}").get_data(as_text=True)
    assert "Sent" in page
    assert "message is not shown." in page
    with tenant_scope(world.a.tenant.id):
        body = db.session.scalar(sa.select(TenantEmail.body_text))
        db.session.commit()
    assert body.splitlines()[0] not in page


def test_status_filter_and_an_unknown_filter_value(app, world, client, smtp):
    smtp.inbox.refuse_always = "550 5.1.1 No such user"
    queue_email(to="bounced@example.com", template="test", language="en", context={})
    db.session.commit()
    smtp.inbox.refuse_always = None
    queue_email(to="fine@example.com", template="test", language="en", context={})
    db.session.commit()
    login(client, "platform@exitloop.example")
    failed = client.get("/platform/outbox/?status=failed").get_data(as_text=True)
    assert "bounced@example.com" in failed
    assert "fine@example.com" not in failed
    anything = client.get("/platform/outbox/?status=bogus&page=0")
    assert anything.status_code == 200
    assert "fine@example.com" in anything.get_data(as_text=True)


def test_htmx_filter_gets_only_the_list(app, world, client):
    login(client, "platform@exitloop.example")
    fragment = client.get("/platform/outbox/?kind=tenant", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert 'id="outbox-list"' in body
    assert "<html" not in body


def test_send_again_on_a_failed_mail(app, world, client, smtp):
    smtp.inbox.refuse_always = "550 5.1.1 No such user"
    email_id = _tenant_mail(world)
    smtp.inbox.refuse_always = None
    login(client, "platform@exitloop.example")
    path = f"/platform/outbox/tenant/{email_id}"
    assert "Send again" in client.get(path).get_data(as_text=True)
    response = client.post(f"{path}/retry", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert len(smtp.inbox.to("leaver@a.example")) == 1
    # Only a failed row can be sent again.
    again = client.post(f"{path}/retry", data={"csrf_token": csrf_token(client, path)})
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("email", "home"),
    [
        ("hr_admin@a.example", "/t/tenant-a/"),
        ("agency_admin@agency-a.example", "/agency/agency-a/"),
        ("consultant@agency-b.example", "/agency/agency-b/"),
    ],
)
def test_the_outbox_is_no_page_for_other_users(app, world, client, smtp, email, home):
    """Platform pages have one role: for anyone else they do not exist (404, not 403)."""
    smtp.inbox.refuse_always = "550 5.1.1 No such user"
    email_id = _tenant_mail(world)
    login(client, email)
    assert client.get("/platform/outbox/").status_code == 404
    assert client.get(f"/platform/outbox/tenant/{email_id}").status_code == 404
    retry = client.post(
        f"/platform/outbox/tenant/{email_id}/retry", data={"csrf_token": csrf_token(client, home)}
    )
    assert retry.status_code == 404
    with tenant_scope(world.a.tenant.id):
        assert db.session.scalar(sa.select(TenantEmail.status)) == MailStatus.FAILED
        db.session.commit()


def test_anonymous_users_are_sent_to_login(app, client):
    response = client.get("/platform/outbox/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_ids_and_kinds_are_404(app, world, client):
    email_id = _tenant_mail(world)
    login(client, "platform@exitloop.example")
    assert client.get(f"/platform/outbox/platform/{email_id}").status_code == 404
    assert client.get(f"/platform/outbox/letters/{email_id}").status_code == 404
    assert client.get(f"/platform/outbox/tenant/{uuid.uuid4()}").status_code == 404
    assert client.get("/platform/outbox/tenant/not-a-uuid").status_code == 404
