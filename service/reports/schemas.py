"""Input schemas of the report pages: the settings, a recipient (a member or an address)."""

from marshmallow import fields, validate

from service.config import LANGUAGES
from service.emails import EmailAddress
from service.reports.models import Cadence
from service.validation import N_, FormSchema

CADENCES = [cadence.value for cadence in Cadence]
_LANGUAGE_MESSAGE = N_("Choose Dutch, French or English.")


def _whole_number(low: int, high: int, message: str) -> fields.Integer:
    return fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(low, high, error=message),
        error_messages={"required": message, "null": message, "invalid": message},
    )


def _box() -> fields.Boolean:
    return fields.Boolean(
        load_default=False, error_messages={"invalid": N_("Tick the box or leave it empty.")}
    )


class ReportSettingsSchema(FormSchema):
    """On or off, the cadence and the sending moment, the PDF. Every field is required (the
    form shows them all), so a change never leaves one at a value the page did not show."""

    enabled = _box()
    cadence = fields.String(
        required=True,
        validate=validate.OneOf(CADENCES, error=N_("Choose weekly, monthly or quarterly.")),
        error_messages={"required": N_("Choose weekly, monthly or quarterly.")},
    )
    weekday = _whole_number(0, 6, N_("Choose a day of the week."))
    day_of_month = _whole_number(1, 28, N_("Choose a day from 1 to 28."))
    hour = _whole_number(0, 23, N_("Choose an hour from 0 to 23."))
    attach_pdf = _box()


class MemberRecipientSchema(FormSchema):
    """A member of the company; no language: the member's own."""

    membership_id = fields.UUID(
        required=True,
        error_messages={
            "required": N_("Choose a member of the company."),
            "invalid_uuid": N_("Choose a member of the company."),
        },
    )
    language = fields.String(
        load_default=None,
        validate=validate.OneOf(LANGUAGES, error=_LANGUAGE_MESSAGE),
    )


class AddressRecipientSchema(FormSchema):
    """An address outside the company's members, with the language of its report."""

    address = EmailAddress(
        required=True, error_messages={"required": N_("Enter an email address.")}
    )
    language = fields.String(
        required=True,
        validate=validate.OneOf(LANGUAGES, error=_LANGUAGE_MESSAGE),
        error_messages={"required": _LANGUAGE_MESSAGE},
    )
