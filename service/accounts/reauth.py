"""Re-authentication before a sensitive change: the password (and the second factor when
enrolled) is asked again when the last proof in this session is older than REAUTH_MINUTES.

One decorator, ``recent_proof_required``, on each such view: a member's role, the insights
exports, the tenant's confidentiality settings and second-factor requirement, enrolling in
and removing the second factor. The proof is recorded on the server-side session
(UserSession.authenticated_at), so a copied cookie carries no proof of its own.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from service.accounts import sessions
from service.model_types import utcnow
from service.rendering import to_page


def has_recent_proof() -> bool:
    """Whether the signed-in person proved who they are within REAUTH_MINUTES."""
    if not current_user.is_authenticated:
        return False
    since = sessions.authenticated_since(current_user.session_id)
    window = dt.timedelta(minutes=current_app.config["REAUTH_MINUTES"])
    return since is not None and since + window > utcnow()


def _way_back() -> str:
    """Where to return once confirmed: this page for a GET (a download, a form); for a
    POST the page the form was on (its data is not kept: the person sends it again)."""
    if request.method == "GET":
        return request.full_path if request.query_string else request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("accounts.index")


def recent_proof_required(view: Callable) -> Callable:
    """View decorator: without a recent proof, the confirm-identity page first."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if not has_recent_proof():
            if request.method != "GET":
                flash(_("Confirm it is you, then do it again."), "info")
            return to_page(url_for("second_factor.confirm_identity", next=_way_back()))
        return view(*args, **kwargs)

    guarded.recent_proof_required = True
    return guarded
