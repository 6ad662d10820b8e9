"""Asking before a destructive or hard-to-undo action: one confirmation page for all of them.

The action's button is a link: a GET of the action's own URL answers with this page (what
will happen, what will be lost, how to undo it when that is cheap), whose form POSTs the
action; Cancel leads back. It needs no JavaScript. The view guarding the POST guards the
GET too, so both ask the same permission and find the object the same scoped way (another
tenant's object is a 404 before anything is shown).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from flask import Response, request

from service.rendering import render


@dataclass(frozen=True)
class Confirmation:
    question: str  # the heading: "Delete the department “Keuken”?"
    consequences: Sequence[str]  # what will happen and be lost, one sentence each
    confirm: str  # the button that does it: "Delete the department"
    back: str  # where Cancel leads: the page the person came from
    back_label: str | None = None  # instead of "Cancel", where that would be ambiguous
    undo: str | None = None  # how to undo it, when that is cheap
    refusal: str | None = None  # why it cannot (or need not) be done now: no button then
    fields: Sequence[tuple[str, str]] = field(default_factory=tuple)  # posted along
    action: str | None = None  # where the form posts; the page's own URL by default


def asking() -> bool:
    """True unless the action itself is requested (a POST): a GET asks, and so does a HEAD,
    which Flask routes to the same view and CSRF protection does not check."""
    return request.method != "POST"


def ask(confirmation: Confirmation) -> Response:
    """The confirmation page; it changes nothing."""
    if confirmation.action is None:
        confirmation = replace(confirmation, action=request.path)
    return render("confirm.html", confirmation=confirmation)
