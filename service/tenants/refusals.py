"""A business rule's refusal, carrying messages for the fields of the form."""

from sqlalchemy.exc import IntegrityError

from service.extensions import db


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
