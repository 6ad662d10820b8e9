"""A business rule's refusal, carrying messages for the fields of the form."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from service.extensions import db
from service.validation import load_or_errors


class Refused(Exception):
    """The change breaks a rule; ``errors`` maps form fields (or "form") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def commit_or_refuse(errors: dict[str, list[str]]) -> None:
    """Commit the unit of work; a constraint the database enforces becomes ``Refused``.

    The services check uniqueness first for a friendly message; this covers the
    concurrent request that slipped in between the check and the commit.
    """
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Refused(errors) from None


def validate_and_apply(schema, form: dict, change: Callable[[dict], Any]):
    """The form flow of every view that changes data: validate ``form`` with ``schema``
    (None: an action without input), then run ``change(data)``; a business rule's refusal
    comes back as field errors, exactly like a validation error. Returns (data, what
    ``change`` returned, errors)."""
    data, errors = load_or_errors(schema, form) if schema is not None else ({}, {})
    if data is None:
        return None, None, errors
    try:
        return data, change(data), {}
    except Refused as refused:
        return data, None, refused.errors
