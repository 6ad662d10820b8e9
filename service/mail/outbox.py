"""``queue_email``: the one way code sends an email.

Templates: ``templates/mail/<template>.txt`` (plain text, not autoescaped) and
``templates/mail/<template>.html``, both extending ``mail/base.*``. The subject is the
``{% block subject %}`` of the .txt template, rendered with the same context, whitespace
collapsed onto one line. Everything is rendered in ``language`` with Babel's
``force_locale`` (Belgian locale), so ``_()`` in the templates speaks the recipient's language.
A tenant's mail wears its agency's brand: ``mail_brand`` in the templates (name, colour and
the logo's ``cid:``), the brand as sender name. The logo travels inside the message (a
multipart/related image, embedded by the relay at send time), never as a link.

The row is added to the caller's session and delivered after the caller commits; a rollback
takes the row and its delivery away together. ``secret=True`` marks a body holding a secret
link: the relay erases it, and the attachment's content, once the message is sent (kept
development mail stays readable).
"""

import re
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from service.agencies.brand import brand_of
from service.config import LANGUAGES
from service.emails import is_address
from service.extensions import db
from service.jobs.queue import enqueue_after_commit
from service.mail.models import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_NAME_MAX,
    ATTACHMENT_TYPE_MAX,
    SENDER_NAME_MAX,
    SUBJECT_MAX,
    PlatformEmail,
    TenantEmail,
)
from service.mail.smtp import LOGO_CONTENT_ID
from service.mail.tasks import deliver_email
from service.tenancy import CrossTenantWrite, current_tenant_id
from service.tenants.models import Tenant

_TEMPLATE_NAME = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+)*")
_MIME_TYPE = re.compile(r"[a-z]+/[a-z0-9.+-]+(;.*)?")
# Logo types every common mail client shows inline (WebP is not among them: Outlook).
_MAIL_IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email: ``text`` for a text/* ``mime_type`` (a calendar invitation,
    "text/calendar; method=REQUEST"), ``data`` for any other ("application/pdf")."""

    name: str
    mime_type: str
    text: str | None = None
    data: bytes | None = None

    def __post_init__(self):
        if len(self.name) > ATTACHMENT_NAME_MAX or len(self.mime_type) > ATTACHMENT_TYPE_MAX:
            raise ValueError("attachment name or type too long")
        if not _MIME_TYPE.fullmatch(self.mime_type):
            raise ValueError(f"not a MIME type: {self.mime_type!r}")
        if self.mime_type.startswith("text/"):
            if self.text is None or self.data is not None:
                raise ValueError(f"a {self.mime_type} attachment is sent as text")
            size = len(self.text.encode())
        else:
            if not isinstance(self.data, bytes) or self.text is not None:
                raise ValueError(f"a {self.mime_type} attachment is sent as bytes")
            size = len(self.data)
        if size > ATTACHMENT_MAX_BYTES:
            raise ValueError(f"attachment of {size} bytes: at most {ATTACHMENT_MAX_BYTES}")


def queue_email(
    *,
    to: str,
    template: str,
    language: str,
    context: dict,
    tenant_id: uuid.UUID | None = None,
    secret: bool = False,
    attachment: Attachment | None = None,
    deliver_after_commit: bool = True,
) -> uuid.UUID:
    """Render ``mail/<template>`` in ``language``, add one outbox row, deliver after commit.

    ``tenant_id`` given: a TenantEmail of that tenant, which must be the current tenant;
    else a PlatformEmail. ``attachment``: one text file sent along (a calendar
    invitation, a PDF report). ``deliver_after_commit=False``: no delivery job of its own,
    the caller (a job) delivers it with the relay once committed, and the outbox sweep catches
    it if that does not happen. Never commits. Returns the row's id.
    """
    # One address, no display name, no header folding: the rule the forms check.
    to = to.strip()
    if not is_address(to):
        raise ValueError(f"not a single email address: {to!r}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if not _TEMPLATE_NAME.fullmatch(template):
        raise ValueError(f"bad mail template name {template!r}")

    brand = _agency_brand(tenant_id) if tenant_id is not None else None
    subject, body_text, body_html = render_email(
        template, language, {**context, "mail_brand": brand}
    )
    fields = {
        "to_address": to,
        "subject": subject,
        "body_text": body_text,
        "body_html": body_html,
        "language": language,
        "secret": secret,
    }
    if attachment is not None:
        fields.update(
            attachment_name=attachment.name,
            attachment_type=attachment.mime_type,
            attachment_text=attachment.text,
            attachment_data=attachment.data,
        )
    if tenant_id is None:
        email = PlatformEmail(**fields)
    else:
        if tenant_id != current_tenant_id():
            raise CrossTenantWrite("an email may only be queued for the current tenant")
        sender_name = brand.name[:SENDER_NAME_MAX] if brand else None
        brand_logo = brand is not None and brand.logo_cid is not None
        email = TenantEmail(
            tenant_id=tenant_id, sender_name=sender_name, brand_logo=brand_logo, **fields
        )
    db.session.add(email)
    db.session.flush()
    if deliver_after_commit:
        enqueue_after_commit(deliver_email, str(email.id), str(tenant_id) if tenant_id else None)
    return email.id


def render_email(template: str, language: str, context: dict) -> tuple[str, str, str]:
    env = current_app.jinja_env
    text_template = env.get_template(f"mail/{template}.txt")
    html_template = env.get_template(f"mail/{template}.html")
    context = {**context, "language": language}
    if "subject" not in text_template.blocks:
        raise ValueError(f"mail/{template}.txt has no {{% block subject %}}")
    with force_locale(f"{language}_BE"):
        subject_block = text_template.blocks["subject"](text_template.new_context(context))
        subject = " ".join("".join(subject_block).split())
        body_text = text_template.render(context)
        body_html = html_template.render(context)
    if not subject or len(subject) > SUBJECT_MAX:
        raise ValueError(f"mail/{template} renders a subject of {len(subject)} characters")
    return subject, body_text, body_html


@dataclass(frozen=True)
class MailBrand:
    """The agency a tenant's mail comes from: its brand (or name), a readable colour, and the
    Content-ID of its logo in the message (None: no logo, the band shows the name)."""

    name: str
    colour: str | None
    logo_cid: str | None = None


def _agency_brand(tenant_id: uuid.UUID) -> MailBrand | None:
    tenant = db.session.get(Tenant, tenant_id)  # loaded already, as a rule: no statement
    brand = brand_of(tenant.agency_id) if tenant and tenant.agency_id else None
    if brand is None:
        return None
    logo_cid = LOGO_CONTENT_ID if brand.logo_mime_type in _MAIL_IMAGE_TYPES else None
    return MailBrand(brand.name, brand.colour, logo_cid)
