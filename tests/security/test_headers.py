"""Security headers on every kind of response, read from real responses; pages that carry
no inline style or script, so the strict policy costs them nothing."""

import re

import pytest

from service.config import ROOT
from service.extensions import db
from service.mail.outbox import queue_email
from tests.conftest import login

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


def _assert_secure_headers(response) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    allowed = dict(rule.split("=") for rule in headers["Permissions-Policy"].split(", "))
    for feature in DENIED_FEATURES:
        assert allowed[feature] == "()", feature
    assert "Strict-Transport-Security" not in headers, "HSTS over plain http"


def test_an_anonymous_page(client):
    response = client.get("/login")
    assert response.status_code == 200
    _assert_secure_headers(response)


def test_a_signed_in_page(client, world):
    login(client, "hr@a.example")
    response = client.get("/profile")
    assert response.status_code == 200
    _assert_secure_headers(response)


def test_an_htmx_fragment(client, world):
    login(client, "hr_admin@a.example")
    response = client.get("/t/tenant-a/departments/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    _assert_secure_headers(response)


def test_a_static_file(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    _assert_secure_headers(response)
    response.close()


def test_an_error_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    _assert_secure_headers(response)


def test_a_json_error(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == 404
    _assert_secure_headers(response)


def test_a_refused_csrf_post(client):
    response = client.post("/login", data={"email": "x@example.com", "password": "pw"})
    assert response.status_code == 400
    _assert_secure_headers(response)


def test_hsts_only_with_secure_cookies(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    for path in ("/login", "/no-such-page", "/static/css/app.css"):
        response = client.get(path)
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        ), path
        response.close()


def test_a_secret_link_page_keeps_sending_no_referrer(client):
    response = client.get("/reset-password/not-a-real-token")
    assert response.status_code == 404
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == POLICY


INLINE = re.compile(
    r"""\sstyle\s*=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+\s*=|javascript:""", re.I
)


@pytest.mark.parametrize(
    "template",
    sorted(
        str(path.relative_to(ROOT / "templates"))
        for path in (ROOT / "templates").rglob("*.html")
        # Emails style themselves inline, and so do the documents WeasyPrint prints to PDF:
        # neither reaches a browser, so no CSP applies there.
        if path.parent.name not in ("mail", "pdf")
    ),
)
def test_no_page_template_has_inline_style_or_script(template):
    source = (ROOT / "templates" / template).read_text()
    assert not INLINE.search(source), f"{template}: {INLINE.search(source).group(0)!r}"


def test_the_brand_colour_shows_without_an_inline_style(client, world):
    world.a.agency.brand_colour = "#0f766e"
    db.session.commit()
    login(client, "platform@exitloop.example")
    page = client.get("/platform/").get_data(as_text=True)
    assert 'fill="#0f766e"' in page
    assert "style=" not in page


def test_an_emails_html_is_framed_with_its_own_policy(client, world):
    """A srcdoc frame would inherit the page's policy and lose the email's inline styles:
    the outbox frames a route of its own, sandboxed, allowing inline styles and no script."""
    email_id = queue_email(to="ops@example.com", template="test", language="en", context={})
    db.session.commit()
    login(client, "platform@exitloop.example")
    page = client.get(f"/platform/outbox/platform/{email_id}")
    html = page.get_data(as_text=True)
    _assert_secure_headers(page)
    assert "srcdoc" not in html
    frame = re.search(r'<iframe[^>]*\ssandbox\s[^>]*src="([^"]+)"', html)
    assert frame, "no sandboxed frame for the email's HTML"
    assert frame.group(1) == f"/platform/outbox/platform/{email_id}/html"

    body = client.get(frame.group(1))
    assert body.status_code == 200
    assert 'style="' in body.get_data(as_text=True)
    policy = body.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "sandbox" in policy.split("; ")
    assert "script-src" not in policy
    assert body.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert body.headers["Cache-Control"] == "no-store"


def test_an_emails_html_is_for_platform_admins_only(client, world):
    email_id = queue_email(to="ops@example.com", template="test", language="en", context={})
    db.session.commit()
    login(client, "hr_admin@a.example")
    assert client.get(f"/platform/outbox/platform/{email_id}/html").status_code == 404
