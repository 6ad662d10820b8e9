from marshmallow import EXCLUDE, Schema, fields, validate

from service.config import LANGUAGES
from service.validation import N_


class LoginSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    email = fields.Email(
        required=True,
        validate=validate.Length(max=254, error=N_("Enter a valid email address.")),
        error_messages={
            "required": N_("Enter your email address."),
            "invalid": N_("Enter a valid email address."),
            "null": N_("Enter your email address."),
        },
    )
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024, error=N_("Enter your password.")),
        error_messages={"required": N_("Enter your password."), "null": N_("Enter your password.")},
    )


class LanguageSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    language = fields.String(
        required=True,
        validate=validate.OneOf(LANGUAGES, error=N_("Choose Dutch, French or English.")),
    )
    next = fields.String(load_default="/", validate=validate.Length(max=2000))
