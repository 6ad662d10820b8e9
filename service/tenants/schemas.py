"""Input schemas of tenant settings and the organisation structure (HTML forms)."""

import datetime as dt
import zoneinfo
from functools import cache

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from service.config import LANGUAGES
from service.departures.models import Channel
from service.emails import EmailAddress
from service.validation import N_, FormSchema

NAME_MAX_LENGTH = 120
HEADCOUNT_MAX = 1_000_000
K_MIN, K_MAX = 3, 10
REMINDER_DAYS_MIN, REMINDER_DAYS_MAX = 1, 30
QUOTE_THRESHOLD_MAX = 30
# The audit trail's retention: a full year at least (a works council or a DPO asks about the
# last twelve months), ten years at most (tenants.audit_retention_days_range).
AUDIT_RETENTION_MIN, AUDIT_RETENTION_MAX = 365, 3650
AUDIT_RETENTION_RANGE = N_("Choose from 365 to 3650 days.")
QUOTE_THRESHOLD_RANGE = N_(
    "Choose a number from the confidentiality threshold up to 30, or leave it empty for "
    "twice the threshold."
)
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def name_field(required: str = N_("Enter a name.")) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(max=NAME_MAX_LENGTH, error=N_("Use at most 120 characters.")),
        error_messages={"required": required, "null": required, "invalid": required},
    )


def optional_text(max_length: int = NAME_MAX_LENGTH) -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.Length(max=max_length, error=N_("Use at most 120 characters.")),
        error_messages={"invalid": N_("Enter text.")},
    )


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_time_zone(value: str) -> None:
    if value not in time_zones():
        raise ValidationError(N_("Choose a time zone from the list, such as Europe/Brussels."))


def _languages(value: list[str]) -> None:
    if not value:
        raise ValidationError(N_("Choose at least one language."))
    if any(code not in LANGUAGES for code in value):
        raise ValidationError(N_("Choose among Dutch, French and English."))


class TenantSettingsSchema(FormSchema):
    """What a tenant may change about itself; slug, sector and status are not here."""

    name = name_field(N_("Enter the company name."))
    languages = fields.List(
        fields.String(),
        required=True,
        validate=_languages,
        error_messages={"required": N_("Choose at least one language.")},
    )
    default_language = fields.String(
        required=True,
        validate=validate.OneOf(LANGUAGES, error=N_("Choose Dutch, French or English.")),
        error_messages={"required": N_("Choose the default language.")},
    )
    time_zone = fields.String(
        required=True,
        validate=_known_time_zone,
        error_messages={"required": N_("Choose a time zone.")},
    )
    confidentiality_k = fields.Integer(
        required=True,
        validate=validate.Range(K_MIN, K_MAX, error=N_("Choose a threshold from 3 to 10.")),
        error_messages={
            "required": N_("Choose a threshold from 3 to 10."),
            "invalid": N_("Enter a whole number."),
        },
    )
    data_protection_contact = EmailAddress(load_default=None)
    # How a new departure is followed up unless HR chooses otherwise for it.
    default_channel = fields.String(
        load_default=Channel.BOTH.value,
        validate=validate.OneOf(
            [channel.value for channel in Channel], error=N_("Choose survey, interview or both.")
        ),
    )

    # How many days before an action's due date its owner is reminded.
    action_reminder_days = fields.Integer(
        load_default=3,
        validate=validate.Range(
            REMINDER_DAYS_MIN, REMINDER_DAYS_MAX, error=N_("Choose from 1 to 30 days.")
        ),
        error_messages={"invalid": N_("Enter a whole number.")},
    )

    @validates_schema
    def _default_is_enabled(self, data, **kwargs):
        languages, default = data.get("languages"), data.get("default_language")
        if languages and default and default not in languages:
            raise ValidationError(
                N_("The default language must be one of the chosen languages."),
                "default_language",
            )

    @post_load
    def _languages_in_order(self, data, **kwargs):
        data["languages"] = [code for code in LANGUAGES if code in data["languages"]]
        return data


INVITE_DAYS_MIN, INVITE_DAYS_MAX = 0, 30
REMINDER_DAY_MIN, REMINDER_DAY_MAX, REMINDERS_MAX = 1, 60, 5
EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX = 7, 90


REMINDER_DAYS_FORMAT = N_("Enter whole numbers of days separated by commas, such as 3, 7.")


def _reminder_days(value: str) -> None:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if not parts or not all(part.isascii() and part.isdigit() for part in parts):
        raise ValidationError(REMINDER_DAYS_FORMAT)
    days = [int(part) for part in parts]
    if len(days) > REMINDERS_MAX:
        raise ValidationError(N_("Plan at most 5 reminders."))
    if any(not REMINDER_DAY_MIN <= day <= REMINDER_DAY_MAX for day in days):
        raise ValidationError(N_("Each reminder comes 1 to 60 days after the first mail."))
    if days != sorted(set(days)):
        raise ValidationError(N_("List the reminder days from first to last, each once."))


class TenantOwnSettingsSchema(TenantSettingsSchema):
    """The settings page of a tenant: its settings and the survey invitation schedule."""

    survey_invite_days_before = fields.Integer(
        required=True,
        validate=validate.Range(
            INVITE_DAYS_MIN, INVITE_DAYS_MAX, error=N_("Choose from 0 to 30 days.")
        ),
        error_messages={
            "required": N_("Choose from 0 to 30 days."),
            "invalid": N_("Enter a whole number."),
        },
    )
    survey_reminder_days = fields.String(
        required=True,
        validate=_reminder_days,
        error_messages={
            "required": N_("Plan at least one reminder, such as 3, 7."),
            "invalid": REMINDER_DAYS_FORMAT,
        },
    )
    # Quotes need more responses than figures; empty: twice the confidentiality threshold.
    quote_threshold = fields.Integer(
        load_default=None,
        error_messages={"invalid": N_("Enter a whole number.")},
    )
    survey_expiry_days = fields.Integer(
        required=True,
        validate=validate.Range(
            EXPIRY_DAYS_MIN, EXPIRY_DAYS_MAX, error=N_("Choose from 7 to 90 days.")
        ),
        error_messages={
            "required": N_("Choose from 7 to 90 days."),
            "invalid": N_("Enter a whole number."),
        },
    )

    # Only the HR admin's form has it (tenant.retention.edit); absent: unchanged.
    audit_retention_days = fields.Integer(
        load_default=None,
        validate=validate.Range(
            AUDIT_RETENTION_MIN, AUDIT_RETENTION_MAX, error=AUDIT_RETENTION_RANGE
        ),
        error_messages={"invalid": N_("Enter a whole number.")},
    )

    @validates_schema
    def _quotes_need_at_least_k(self, data, **kwargs):
        threshold, k = data.get("quote_threshold"), data.get("confidentiality_k")
        if threshold is None:
            return
        if threshold > QUOTE_THRESHOLD_MAX or threshold < (k if k is not None else K_MIN):
            raise ValidationError(QUOTE_THRESHOLD_RANGE, "quote_threshold")

    @validates_schema
    def _expiry_after_the_reminders(self, data, **kwargs):
        reminders, expiry = data.get("survey_reminder_days"), data.get("survey_expiry_days")
        if reminders is None or expiry is None:
            return
        days = [int(part) for part in reminders.split(",") if part.strip()]
        if days and max(days) >= expiry:
            raise ValidationError(
                N_("The link must stay valid after the last reminder: choose more days."),
                "survey_expiry_days",
            )

    @post_load
    def _reminder_days_stored(self, data, **kwargs):
        parts = data["survey_reminder_days"].split(",")
        data["survey_reminder_days"] = ",".join(part.strip() for part in parts if part.strip())
        return data


class NameSchema(FormSchema):
    """A department or a function."""

    name = name_field()


class LocationSchema(FormSchema):
    name = name_field()
    city = optional_text()


class HeadcountSchema(FormSchema):
    effective_from = fields.Date(
        required=True,
        validate=validate.Range(
            EARLIEST_DATE, LATEST_DATE, error=N_("Enter a date between 1900 and 2100.")
        ),
        error_messages={
            "required": N_("Enter the date from which this headcount applies."),
            "invalid": N_("Enter a date as YYYY-MM-DD."),
        },
    )
    headcount = fields.Integer(
        required=True,
        validate=validate.Range(0, HEADCOUNT_MAX, error=N_("Enter a number from 0 to 1,000,000.")),
        error_messages={
            "required": N_("Enter the number of people."),
            "invalid": N_("Enter a whole number."),
        },
    )
