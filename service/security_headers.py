"""Security headers on every response.

The pages run no inline script or style (htmx's own indicator style is switched off in
base.html), so the policy allows only this site's files. A response that needs another
policy sets its own headers, which are kept (an uploaded logo, an email body framed by the
outbox).
"""

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
# The leaver's page (service/surveys/leaver_views.py) is stricter still: nothing but this
# site's own script, style and requests, and no form sent anywhere else.
LEAVER_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
# Nothing in Exitloop needs a device or a payment: no page, nor anything injected into one.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Content-Type-Options"] = "nosniff"
    # Links with a secret token (invitations, resets) never travel in a Referer elsewhere;
    # their own pages send none at all.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    # Secure cookies mean the site is served over HTTPS; the embedded default's plain
    # http has no HTTPS to insist on.
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
