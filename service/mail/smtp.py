"""The SMTP conversation: one multipart (text + HTML) message, Flask-Mail's MAIL_* settings.

The message: text and HTML alternatives; the HTML with the agency's logo beside it when it
shows one (multipart/related, the image's Content-ID is the HTML's ``cid:``); the attachment,
if any, after them (multipart/mixed).
"""

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from flask import current_app

from service.model_types import utcnow

# The logo's Content-ID: the HTML refers to it as cid:LOGO_CONTENT_ID. It only has to be
# unique inside its message.
LOGO_CONTENT_ID = "agency-logo@exitloop"


class PermanentRefusal(Exception):
    """The server refused the message for good (a 5xx reply): retrying cannot help."""


def build_message(email, logo: tuple[bytes, str] | None = None) -> EmailMessage:
    """The message of an outbox row; ``logo`` (content, MIME type): the image its HTML shows
    as cid:LOGO_CONTENT_ID."""
    config = current_app.config
    default_name, sender = parseaddr(config["MAIL_DEFAULT_SENDER"])
    domain = sender.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    # An agency's name comes from a form: a line break in it must neither add a header nor
    # make every one of its clients' messages unsendable.
    name = " ".join((email.sender_name or default_name or "Exitloop").split())
    message["From"] = formataddr((name, sender))
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(utcnow())
    # The row's id: a receiving side can recognise the one possible duplicate.
    message["Message-ID"] = f"<{email.id}@{domain}>"
    message.set_content(email.body_text)
    message.add_alternative(email.body_html, subtype="html")
    if logo is not None:
        content, mime_type = logo
        maintype, _, subtype = mime_type.partition("/")
        message.get_body(("html",)).add_related(
            content, maintype, subtype, cid=f"<{LOGO_CONTENT_ID}>"
        )
    content = email.attachment_text if email.attachment_text is not None else email.attachment_data
    if content is not None:
        _attach(message, email.attachment_name, email.attachment_type, content)
    message["Content-Language"] = email.language  # after the content: set_content clears it
    return message


def _attach(message: EmailMessage, name: str, mime_type: str, content: str | bytes) -> None:
    """The attachment: "text/calendar; method=REQUEST" gives the subtype and parameters (a
    calendar reads the method from the Content-Type); bytes travel base64-encoded."""
    full_type, *parameters = (part.strip() for part in mime_type.split(";"))
    maintype, _, subtype = full_type.partition("/")
    params = dict(parameter.split("=", 1) for parameter in parameters if "=" in parameter)
    if isinstance(content, str):
        message.add_attachment(content, subtype=subtype, filename=name, params=params)
    else:
        message.add_attachment(content, maintype, subtype, filename=name, params=params)


def send(message: EmailMessage) -> None:
    """Deliver over SMTP; PermanentRefusal when the recipient or message gets a 5xx."""
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        if all(code >= 500 for code in codes):
            raise PermanentRefusal(str(exc)) from exc
        raise
    except smtplib.SMTPDataError as exc:
        # Only the message or its recipient can be refused for good; a refused login or
        # sender is a setting an operator fixes, so those stay transient.
        if exc.smtp_code >= 500:
            raise PermanentRefusal(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise
