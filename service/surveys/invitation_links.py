"""The leaver's survey link: ``/s/<token>``, the token stored only as its SHA-256 hash.

The token is derived (HMAC with the app's secret key) from the invitation and its
``link_version``, so a reminder carries the very link of the first mail without the token
ever being stored; a resend counts the version up, and the old link's hash is gone. A leaked
table opens no survey: the hashes cannot be turned back into links without the key.
"""

import base64
import hashlib
import hmac

from flask import current_app

from service.accounts.tokens import token_hash
from service.surveys.invitation_models import SurveyInvitation


def link_token(invitation: SurveyInvitation, version: int | None = None) -> str:
    """The link's token for ``version`` (the invitation's current one by default)."""
    if version is None:
        version = invitation.link_version
    message = f"survey-link|{invitation.tenant_id}|{invitation.id}|{version}"
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()  # 256 bits
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_hash(invitation: SurveyInvitation, version: int | None = None) -> str:
    return token_hash(link_token(invitation, version))


def survey_link(token: str) -> str:
    """The absolute URL of the leaver's page for ``token``: built from PUBLIC_URL, since the
    mails are written by a job with no request (and so no host) at hand."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/s/{token}"
