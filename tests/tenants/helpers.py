"""Posting forms like a browser: with the CSRF token read from a page first."""

import re

from tests.conftest import login

HTMX = {"HX-Request": "true"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client) -> str:
    page = client.get("/", follow_redirects=True)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the start page"
    return match.group(1)


def post_form(client, path: str, data: dict | None = None, htmx: bool = False, **kwargs):
    headers = HTMX if htmx else None
    return client.post(
        path, data={**(data or {}), "csrf_token": token(client)}, headers=headers, **kwargs
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def sign_in(client, email: str):
    """Log in and read the pages in English, whatever the tenant's default language."""
    client.set_cookie("exitloop_lang", "en")
    return login(client, email)
