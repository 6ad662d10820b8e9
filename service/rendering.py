"""One render helper: the whole page, or one named block of it for an htmx request."""

from flask import Response, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context) -> Response:
    if block is not None and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return respond(body, status)


def respond(body: str, status: int = 200) -> Response:
    """A rendered page as the response (whether it was a fragment depends on HX-Request)."""
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def to_page(target: str) -> Response:
    """After a saved form: the page ``target``. A form posted by htmx is a fragment, so the
    browser is told to load the page as a whole (a 302 would be followed by the XHR)."""
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)
