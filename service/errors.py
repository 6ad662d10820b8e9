"""Content-negotiated errors: an HTML page, an htmx fragment or JSON; the session rolls back."""

import logging
import math
import time

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, SecurityError

from service.extensions import db, limiter
from service.rendering import render

log = logging.getLogger(__name__)


class Suspended(Forbidden):
    """A suspended company or agency refusing its own people: the page says why, so they
    do not take it for a missing permission."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def message(self) -> str:
        if self.scope == "agency":
            return _("This agency's account is suspended: its pages are closed for now.")
        return _(
            "This company's account is suspended: its pages are closed for now. "
            "Please contact your agency or Exitloop."
        )


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("You do not have permission to open this page."),
        404: _("This page does not exist, or you have no access to it."),
        405: _("This action is not allowed here."),
        413: _("The upload is too large."),
        422: _("Some fields need your attention."),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side. Please try again later."),
        503: _("The service is temporarily unavailable."),
    }


def retry_after() -> int:
    """Seconds until every rate limit this request has used up lets an attempt through
    again (after a breach Flask-Limiter keeps the request's limits; reading one asks the
    limiter's storage for its window)."""
    resets = [
        limit.window.reset_time  # not reset_at: that one adds a second
        for limit in limiter.current_limits
        if limit.breached or limit.window.remaining <= 0
    ]
    now = time.time()  # after the storage answered: its expiry is now + whole seconds
    return max([1, *(round(reset - now) for reset in resets)])


def wait_minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(error: HTTPException):
    db.session.rollback()
    if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no URL, so no page
        return error.get_response()
    code = error.code or 500
    retry = retry_after() if code == 429 else None
    if error.response is not None:  # the view's own answer, such as a rate-limited form
        return _retry_after(error.response, retry)
    if isinstance(error, CSRFError):
        message = _("This form has expired. Please reload the page and try again.")
    elif isinstance(error, Suspended):
        message = error.message()
    else:
        message = _titles().get(code, error.name)
    if wants_json():
        response = jsonify(error={"code": code, "message": message})
        response.status_code = code
        return _retry_after(response, retry)
    wait = wait_minutes(retry) if retry else None
    response = render(
        "errors/error.html", block="content", status=code, code=code, message=message, wait=wait
    )
    return _retry_after(response, retry)


def _retry_after(response, seconds: int | None):
    if seconds:
        response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return error_response(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError())
