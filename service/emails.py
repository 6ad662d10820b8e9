"""The one email-address rule: what the forms accept is exactly what the outbox sends to.

An address is a dot-atom local part, ``@`` and a domain of at least two labels (so no
``a@localhost``), at most 254 characters (RFC 5321), with no whitespace or control
character anywhere (nothing that could fold a header). One spelling: trimmed, lowercase.
"""

import re

from marshmallow import fields

from service.validation import N_

MAX_LENGTH = 254

_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LABEL = r"[^\W_](?:[^\W_]|-){0,62}(?<!-)"  # letters or digits, inner hyphens, 63 at most
_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def normalise(address: str) -> str:
    return address.strip().lower()


def is_address(address: str) -> bool:
    """True for one plain address (already normalised: no surrounding spaces)."""
    return len(address) <= MAX_LENGTH and _ADDRESS.fullmatch(address) is not None


class EmailAddress(fields.String):
    """A form's email field: loads the normalised address, or fails with ``invalid``."""

    default_error_messages = {"invalid": N_("Enter a valid email address.")}

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        address = normalise(super()._deserialize(value, attr, data, **kwargs))
        if not is_address(address):
            raise self.make_error("invalid")
        return address
