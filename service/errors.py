"""Content-negotiated errors: an HTML page, an htmx fragment or JSON; the session rolls back."""

import logging

from flask import Flask, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, SecurityError

from service.extensions import db
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
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Please try again later."),
        503: _("The service is temporarily unavailable."),
    }


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
    if isinstance(error, CSRFError):
        message = _("This form has expired. Please reload the page and try again.")
    elif isinstance(error, Suspended):
        message = error.message()
    else:
        message = _titles().get(code, error.name)
    if wants_json():
        response = jsonify(error={"code": code, "message": message})
        response.status_code = code
        return response
    return render("errors/error.html", block="content", status=code, code=code, message=message)


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
