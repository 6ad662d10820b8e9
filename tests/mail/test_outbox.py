"""The outbox: mail rows commit with their change, render in the recipient's language,
and reach a real SMTP server once."""

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.mail.models import MailStatus, PlatformEmail, TenantEmail
from service.mail.outbox import queue_email
from service.tenancy import CrossTenantWrite, tenant_scope
from service.tenants.models import Agency, Department


def test_change_and_email_commit_together(app, world, smtp):
    with tenant_scope(world.a.tenant.id):
        db.session.add(Department(name="Bar"))
        queue_email(
            to="leaver@example.com",
            template="test",
            language="nl",
            context={},
            tenant_id=world.a.tenant.id,
        )
        db.session.commit()
        assert db.session.scalar(sa.select(Department).where(Department.name == "Bar"))
        assert db.session.scalar(sa.select(TenantEmail.status)) == MailStatus.SENT
    assert len(smtp.inbox.to("leaver@example.com")) == 1


def test_a_failure_after_the_email_leaves_neither_change_nor_email(app, world, smtp):
    def hire_and_announce():
        db.session.add(Department(name="Terrace"))
        queue_email(
            to="leaver@example.com",
            template="test",
            language="nl",
            context={},
            tenant_id=world.a.tenant.id,
        )
        db.session.flush()
        raise RuntimeError("something broke after the email row was added")

    with tenant_scope(world.a.tenant.id):
        with pytest.raises(RuntimeError):
            hire_and_announce()
        db.session.rollback()
        assert db.session.scalar(sa.select(Department).where(Department.name == "Terrace")) is None
        assert db.session.scalar(sa.select(sa.func.count(TenantEmail.id))) == 0
    db.session.commit()  # a later commit must not deliver the forgotten email
    assert smtp.inbox.conversations == 0


def test_message_is_multipart_in_the_recipients_language_from_the_agency(app, world, smtp):
    with tenant_scope(world.a.tenant.id):
        queue_email(
            to="leaver@example.com",
            template="test",
            language="fr",
            context={},
            tenant_id=world.a.tenant.id,
        )
        db.session.commit()
    (message,) = smtp.inbox.to("leaver@example.com")
    assert message["Subject"] == "Message de test d'Exitloop"
    assert message["From"].addresses[0].display_name == "Agency-A"
    assert message["From"].addresses[0].addr_spec == "noreply@exitloop.test"
    assert message["Content-Language"] == "fr"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Ceci est un message de test" in text
    assert '<html lang="fr">' in html


def test_agency_brand_name_wins_over_its_name(app, world, smtp):
    agency = db.session.get(Agency, world.a.agency.id)
    agency.brand_name = "Talent & Co"
    db.session.commit()
    with tenant_scope(world.a.tenant.id):
        queue_email(
            to="x@example.com",
            template="test",
            language="en",
            context={},
            tenant_id=world.a.tenant.id,
        )
        db.session.commit()
    (message,) = smtp.inbox.to("x@example.com")
    assert message["From"].addresses[0].display_name == "Talent & Co"


def test_platform_email_has_the_default_sender(app, smtp):
    queue_email(to="someone@example.com", template="test", language="en", context={})
    db.session.commit()
    (message,) = smtp.inbox.to("someone@example.com")
    assert str(message["From"]) == "Exitloop <noreply@exitloop.test>"
    assert message["Subject"] == "Exitloop test message"


def test_a_tenant_email_only_for_the_current_tenant(app, world):
    with tenant_scope(world.a.tenant.id), pytest.raises(CrossTenantWrite):
        queue_email(
            to="x@example.com",
            template="test",
            language="en",
            context={},
            tenant_id=world.b.tenant.id,
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("to", "a" * 243 + "@example.com"),  # 255 characters: one over the limit
        ("to", "two@example.com, three@example.com"),
        ("to", "evil@example.com\r\nBcc: victim@example.com"),
        ("to", "not-an-address"),
        ("language", "de"),
        ("template", "../base"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(app, field, value):
    arguments = {"to": "x@example.com", "template": "test", "language": "en", "context": {}}
    arguments[field] = value
    with pytest.raises(ValueError, match="."):
        queue_email(**arguments)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(PlatformEmail.id))) == 0


def test_longest_address_is_accepted(app):
    address = "a" * 242 + "@example.com"  # 254 characters
    queue_email(to=address, template="test", language="en", context={})
    db.session.commit()
    assert db.session.scalar(sa.select(PlatformEmail.to_address)) == address


def test_without_mail_server_mail_is_kept_readable_even_when_secret(app):
    assert not app.config["MAIL_SERVER"]
    email_id = queue_email(
        to="reset@example.com",
        template="test",
        language="nl",
        context={},
        secret=True,
    )
    db.session.commit()
    email = db.session.get(PlatformEmail, email_id)
    assert email.status == MailStatus.KEPT
    assert "Exitloop" in email.body_text
    assert email.body_html


def test_secret_body_is_erased_once_sent(app, smtp):
    email_id = queue_email(
        to="reset@example.com", template="test", language="en", context={}, secret=True
    )
    db.session.commit()
    email = db.session.get(PlatformEmail, email_id)
    assert email.status == MailStatus.SENT
    assert email.sent_at is not None
    assert email.body_text is None
    assert email.body_html is None
    assert email.subject == "Exitloop test message"  # the envelope stays for the record
    assert len(smtp.inbox.to("reset@example.com")) == 1
