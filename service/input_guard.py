"""Refuse NUL characters at the door.

No form or link of ours ever carries one, and PostgreSQL refuses NUL in text: letting it
through would turn a crafted request into a server error. So a NUL in the path, the query
string, a form field (name or value) or the User-Agent (stored with the session) is a 400,
before any resolver or view runs. Uploaded files are checked where they are read.
"""

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict


def _has_nul(fields: MultiDict) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in fields.items(multi=True))


def refuse_nul() -> None:
    if (
        "\x00" in request.path
        or _has_nul(request.args)
        or _has_nul(request.form)
        or "\x00" in (request.user_agent.string or "")
    ):
        abort(400)


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
