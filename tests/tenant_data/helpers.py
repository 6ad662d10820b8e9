"""Driving the tenant data pages in tests."""

import datetime as dt
import re

import sqlalchemy as sa
from markupsafe import escape

from service.accounts.models import UserSession
from service.extensions import db
from service.model_types import utcnow
from tests.conftest import csrf_token, translated


def post(client, path: str, data: dict | None = None, page: str | None = None, **kwargs):
    """A form post with the CSRF token of ``page`` (the path's own page by default)."""
    token = csrf_token(client, page or path.rsplit("/", 1)[0])
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def age_the_proof(minutes: int = 11) -> None:
    """The last proof of identity, older than the re-authentication window."""
    db.session.execute(
        sa.update(UserSession).values(authenticated_at=utcnow() - dt.timedelta(minutes=minutes))
    )
    db.session.commit()


def says(response, message: str, lang: str | None = None, prefix=False, **values) -> bool:
    """Whether the page shows ``message`` in its own language (``lang`` for a fragment);
    ``prefix``: only its words before the first placeholder."""
    html = response.get_data(as_text=True)
    lang = lang or re.search(r'<html lang="(\w+)"', html).group(1)
    text = translated(message, lang)
    if prefix:
        text = text.split("%(")[0]
    return str(escape(text % values if values else text)) in html
