"""What travels inside a message besides its text: an attachment (text or bytes, a PDF
report) and the agency's logo in the band of a tenant's HTML, through a real SMTP server."""

import contextlib
import re

import pytest

from service.demo_logo import demo_logo_png
from service.extensions import db
from service.mail import relay
from service.mail.models import ATTACHMENT_MAX_BYTES, MailStatus, PlatformEmail, TenantEmail
from service.mail.outbox import Attachment, queue_email
from service.tenancy import tenant_scope
from service.tenants.models import Agency

# Bytes a text part would mangle: a PDF's binary comment line, NUL, CR without LF, no final EOL.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\r<<>>\x00\x01\xff\rendobj\n%%EOF"


def _queue(to: str, *, tenant_id=None, **arguments):
    with tenant_scope(tenant_id) if tenant_id else contextlib.nullcontext():
        email_id = queue_email(
            to=to, template="test", language="en", context={}, tenant_id=tenant_id, **arguments
        )
        db.session.commit()
    return email_id


def _parts(message) -> dict:
    return {part.get_content_type(): part for part in message.walk()}


def _logo(agency, content: bytes | None, mime_type: str | None = "image/png") -> None:
    agency = db.session.get(Agency, agency.id)
    agency.brand_name = "Talentbrug Interim"
    agency.logo, agency.logo_mime_type = content, mime_type if content else None
    db.session.commit()


# --- attachments ---------------------------------------------------------------------------


def test_a_pdf_arrives_intact_with_its_name_and_type(app, smtp):
    _queue("lead@example.com", attachment=Attachment("report.pdf", "application/pdf", data=PDF))
    (message,) = smtp.inbox.to("lead@example.com")
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().strip()  # the text is still there
    pdf = _parts(message)["application/pdf"]
    assert pdf.get_filename() == "report.pdf"
    assert pdf.get_content_disposition() == "attachment"
    assert pdf.get_content() == PDF


def test_a_text_attachment_still_travels_as_text(app, smtp):
    calendar = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    attachment = Attachment("interview.ics", "text/calendar; method=REQUEST", calendar)
    _queue("planner@example.com", attachment=attachment)
    (message,) = smtp.inbox.to("planner@example.com")
    part = _parts(message)["text/calendar"]
    assert (part.get_filename(), part.get_param("method")) == ("interview.ics", "REQUEST")
    assert "METHOD:REQUEST" in part.get_content()


def test_the_size_limit_is_the_constant(app):
    Attachment("big.pdf", "application/pdf", data=b"x" * ATTACHMENT_MAX_BYTES)
    with pytest.raises(ValueError, match="at most"):
        Attachment("big.pdf", "application/pdf", data=b"x" * (ATTACHMENT_MAX_BYTES + 1))
    with pytest.raises(ValueError, match="at most"):  # the text's UTF-8 bytes count
        Attachment("big.txt", "text/plain", text="é" * (ATTACHMENT_MAX_BYTES // 2 + 1))


@pytest.mark.parametrize(
    "arguments",
    [
        {"mime_type": "application/pdf", "text": "%PDF-"},  # bytes type given text
        {"mime_type": "application/pdf"},  # no content
        {"mime_type": "text/calendar", "data": b"BEGIN:VCALENDAR"},  # text type given bytes
        {"mime_type": "text/plain", "text": "x", "data": b"x"},  # both
        {"mime_type": "pdf", "data": PDF},  # not a MIME type
        {"mime_type": "application/pdf\r\nBcc: x@example.com", "data": PDF},
    ],
)
def test_an_attachment_holds_text_or_bytes_as_its_type_says(arguments):
    with pytest.raises(ValueError, match="attachment is sent as|not a MIME type"):
        Attachment("file", **arguments)


def test_a_secret_mails_attachment_is_erased_with_its_body(app, smtp):
    attachment = Attachment("report.pdf", "application/pdf", data=PDF)
    email_id = _queue("reset@example.com", secret=True, attachment=attachment)
    email = db.session.get(PlatformEmail, email_id)
    assert (email.body_html, email.attachment_data, email.attachment_text) == (None, None, None)
    assert (email.attachment_name, email.attachment_type) == ("report.pdf", "application/pdf")
    assert _parts(smtp.inbox.to("reset@example.com")[0])["application/pdf"].get_content() == PDF


def test_an_ordinary_mails_attachment_stays(app, smtp):
    email_id = _queue(
        "lead@example.com", attachment=Attachment("report.pdf", "application/pdf", data=PDF)
    )
    assert db.session.get(PlatformEmail, email_id).attachment_data == PDF


# --- the agency's logo -----------------------------------------------------------------------


def test_the_logo_is_inside_the_message_where_the_html_points(app, world, smtp):
    logo = demo_logo_png()
    _logo(world.a.agency, logo)
    _queue("leaver@example.com", tenant_id=world.a.tenant.id)
    (message,) = smtp.inbox.to("leaver@example.com")
    assert message.get_content_type() == "multipart/alternative"
    related = _parts(message)["multipart/related"]
    html_part, image = related.iter_parts()
    html = html_part.get_content()
    (img,) = re.findall(r"<img [^>]*>", html)
    (cid,) = re.findall(r'src="cid:([^"]+)"', img)
    assert 'alt="Talentbrug Interim"' in img
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == f"<{cid}>"
    assert image.get_content() == logo
    assert "http" not in img
    assert "data:" not in img
    text = message.get_body(("plain",)).get_content()
    assert "cid:" not in text  # the text part is unchanged
    assert "offered by Talentbrug Interim" in text


def test_the_logo_and_a_pdf_travel_together(app, world, smtp):
    _logo(world.a.agency, demo_logo_png())
    attachment = Attachment("report.pdf", "application/pdf", data=PDF)
    _queue("lead@example.com", tenant_id=world.a.tenant.id, attachment=attachment)
    (message,) = smtp.inbox.to("lead@example.com")
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
        "application/pdf",
    ]


@pytest.mark.parametrize(
    ("content", "mime_type"),
    [(None, None), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp")],  # none; one Outlook hides
    ids=["no logo", "webp"],
)
def test_without_a_logo_mail_can_show_the_band_shows_the_name(app, world, smtp, content, mime_type):
    _logo(world.a.agency, content, mime_type)
    _queue("leaver@example.com", tenant_id=world.a.tenant.id)
    (message,) = smtp.inbox.to("leaver@example.com")
    assert {part.get_content_maintype() for part in message.walk()} == {"multipart", "text"}
    html = message.get_body(("html",)).get_content()
    assert "<img" not in html
    assert ">Talentbrug Interim</div>" in html


def test_a_logo_removed_before_sending_leaves_the_alt_text(app, world, smtp):
    _logo(world.a.agency, demo_logo_png())
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "MAIL_SERVER", "")  # kept, not sent: as if the relay waited
        email_id = _queue("leaver@example.com", tenant_id=world.a.tenant.id)
    _logo(world.a.agency, None)
    with tenant_scope(world.a.tenant.id):
        email = db.session.get(TenantEmail, (world.a.tenant.id, email_id))
        assert email.brand_logo
        email.status = MailStatus.SENDING
        db.session.commit()
        assert relay.send_claimed(TenantEmail, email_id) == MailStatus.SENT
    (message,) = smtp.inbox.to("leaver@example.com")
    assert "image/png" not in _parts(message)
    assert 'alt="Talentbrug Interim"' in message.get_body(("html",)).get_content()
