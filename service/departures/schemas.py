"""The departure form (by hand). The importer maps its rows onto the same fields."""

import re

from marshmallow import ValidationError, fields, validate, validates_schema

from service.config import LANGUAGES
from service.departures.models import (
    MANAGER_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
    Channel,
    ExitType,
)
from service.emails import EmailAddress
from service.tenants.schemas import EARLIEST_DATE, LATEST_DATE
from service.validation import N_, FormSchema

# Digits with the usual separators, an optional leading +: "+32 9 123 45 67", "09/123.45.67".
_PHONE = re.compile(r"\+?[0-9][0-9 ./()-]*")
_TEXT_LIMITS = {
    NAME_MAX: N_("Use at most 120 characters."),
    PHONE_MAX: N_("Use at most 40 characters."),
    NOTE_MAX: N_("Use at most 2,000 characters."),
}
assert MANAGER_MAX == NAME_MAX  # one message for both


def _text(max_length: int, required: str | None = None) -> fields.String:
    limit = validate.Length(max=max_length, error=_TEXT_LIMITS[max_length])
    if required:
        return fields.String(
            required=True,
            validate=limit,
            error_messages={"required": required, "null": required, "invalid": required},
        )
    return fields.String(
        load_default=None, validate=limit, error_messages={"invalid": N_("Enter text.")}
    )


def _choice(message: str) -> fields.UUID:
    """The id of one of the tenant's rows, from a select (whether it is the tenant's is the
    service's question)."""
    return fields.UUID(
        load_default=None, error_messages={"invalid": message, "invalid_uuid": message}
    )


def _date(required: str | None = None) -> fields.Date:
    between = validate.Range(
        EARLIEST_DATE, LATEST_DATE, error=N_("Enter a date between 1900 and 2100.")
    )
    invalid = N_("Enter a date as YYYY-MM-DD.")
    if required:
        return fields.Date(
            required=True,
            validate=between,
            error_messages={"invalid": invalid, "required": required, "null": required},
        )
    return fields.Date(load_default=None, validate=between, error_messages={"invalid": invalid})


def _phone(value: str) -> None:
    if not _PHONE.fullmatch(value):
        raise ValidationError(N_("Enter a phone number: digits, spaces and + . / ( ) - only."))


class DepartureSchema(FormSchema):
    """One departure: who leaves, from where, when and how, and how to follow it up.

    Department, function and location are chosen from the tenant's lists (``*_id``) or typed
    as a new name (``new_*``); the manager is a member (``manager_membership_id``) or a
    name. The service checks what depends on the tenant (lists, languages, templates)."""

    full_name = _text(NAME_MAX, N_("Enter the name of the person who leaves."))
    work_email = EmailAddress(load_default=None)
    personal_email = EmailAddress(load_default=None)
    phone = fields.String(
        load_default=None,
        validate=[validate.Length(max=PHONE_MAX, error=_TEXT_LIMITS[PHONE_MAX]), _phone],
        error_messages={"invalid": N_("Enter text.")},
    )
    language = fields.String(
        load_default=None,
        validate=validate.OneOf(LANGUAGES, error=N_("Choose a language from the list.")),
    )
    department_id = _choice(N_("Choose a department from the list."))
    new_department = _text(NAME_MAX)
    job_function_id = _choice(N_("Choose a function from the list."))
    new_job_function = _text(NAME_MAX)
    location_id = _choice(N_("Choose a location from the list."))
    new_location = _text(NAME_MAX)
    manager_membership_id = _choice(N_("Choose a manager from the list."))
    manager_name = _text(MANAGER_MAX)
    hired_on = _date()
    last_day = _date(N_("Enter the last working day."))
    exit_type = fields.String(
        required=True,
        validate=validate.OneOf(
            [e.value for e in ExitType], error=N_("Choose a type of exit from the list.")
        ),
        error_messages={
            "required": N_("Choose the type of exit."),
            "null": N_("Choose the type of exit."),
        },
    )
    regretted = fields.Boolean(
        load_default=False, error_messages={"invalid": N_("Tick the box or leave it empty.")}
    )
    channel = fields.String(
        load_default=None,
        validate=validate.OneOf(
            [c.value for c in Channel], error=N_("Choose survey, interview or both.")
        ),
    )
    template_id = _choice(N_("Choose a template from the list."))
    note = _text(NOTE_MAX)

    @validates_schema
    def _hired_before_leaving(self, data, **kwargs):
        hired_on, last_day = data.get("hired_on"), data.get("last_day")
        if hired_on and last_day and hired_on > last_day:
            raise ValidationError(
                N_("The hire date cannot be after the last working day."), "hired_on"
            )
