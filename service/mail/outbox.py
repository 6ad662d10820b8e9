"""``queue_email``: the one way code sends an email.

Templates: ``templates/mail/<template>.txt`` (plain text, not autoescaped) and
``templates/mail/<template>.html``, both extending ``mail/base.*``. The subject is the
``{% block subject %}`` of the .txt template, rendered with the same context, whitespace
collapsed onto one line. Everything is rendered in ``language`` with Babel's
``force_locale`` (Belgian locale), so ``_()`` in the templates speaks the recipient's language.
A tenant's mail wears its agency's brand: ``mail_brand`` in the templates (name and colour),
the brand as sender name.

The row is added to the caller's session and delivered after the caller commits; a rollback
takes the row and its delivery away together. ``secret=True`` marks a body holding a secret
link: the relay erases it once the message is sent (kept development mail stays readable).
"""

import re
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from service.colours import is_hex_colour, readable
from service.config import LANGUAGES
from service.emails import is_address
from service.extensions import db
from service.jobs.queue import enqueue_after_commit
from service.mail.models import (
    ATTACHMENT_NAME_MAX,
    ATTACHMENT_TYPE_MAX,
    SENDER_NAME_MAX,
    SUBJECT_MAX,
    PlatformEmail,
    TenantEmail,
)
from service.mail.tasks import deliver_email
from service.tenancy import CrossTenantWrite, current_tenant_id
from service.tenants.models import Agency, Tenant

_TEMPLATE_NAME = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+)*")


@dataclass(frozen=True)
class Attachment:
    """A text file sent with an email: ``mime_type`` is a text/* type, with parameters."""

    name: str
    mime_type: str
    text: str

    def __post_init__(self):
        if not self.mime_type.startswith("text/"):
            raise ValueError(f"only text attachments are sent: {self.mime_type!r}")
        if len(self.name) > ATTACHMENT_NAME_MAX or len(self.mime_type) > ATTACHMENT_TYPE_MAX:
            raise ValueError("attachment name or type too long")


def queue_email(
    *,
    to: str,
    template: str,
    language: str,
    context: dict,
    tenant_id: uuid.UUID | None = None,
    secret: bool = False,
    attachment: Attachment | None = None,
) -> uuid.UUID:
    """Render ``mail/<template>`` in ``language``, add one outbox row, deliver after commit.

    ``tenant_id`` given: a TenantEmail of that tenant, which must be the current tenant;
    else a PlatformEmail. ``attachment``: one text file sent along (a calendar
    invitation). Never commits. Returns the row's id.
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
        )
    if tenant_id is None:
        email = PlatformEmail(**fields)
    else:
        if tenant_id != current_tenant_id():
            raise CrossTenantWrite("an email may only be queued for the current tenant")
        sender_name = brand.name[:SENDER_NAME_MAX] if brand else None
        email = TenantEmail(tenant_id=tenant_id, sender_name=sender_name, **fields)
    db.session.add(email)
    db.session.flush()
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
    """The agency a tenant's mail comes from: its brand (or name) and a readable colour."""

    name: str
    colour: str | None


def _agency_brand(tenant_id: uuid.UUID) -> MailBrand | None:
    agency = db.session.scalar(
        db.select(Agency).join(Tenant, Tenant.agency_id == Agency.id).where(Tenant.id == tenant_id)
    )
    if agency is None:
        return None
    colour = readable(agency.brand_colour) if is_hex_colour(agency.brand_colour) else None
    return MailBrand(agency.brand_name or agency.name, colour)
