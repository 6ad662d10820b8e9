from marshmallow import ValidationError, fields, validate, validates_schema

from service.config import LANGUAGES
from service.emails import EmailAddress
from service.roles import TenantRole
from service.validation import N_, FormSchema

NAME_MAX = 120
PASSWORD_MIN = 12
PASSWORD_MAX = 256
TENANT_ROLE_CODES = tuple(TenantRole)


def _email(**messages) -> EmailAddress:
    return EmailAddress(
        required=True,
        error_messages={
            "required": N_("Enter an email address."),
            "invalid": N_("Enter a valid email address."),
            "null": N_("Enter an email address."),
            **messages,
        },
    )


def _language() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(LANGUAGES, error=N_("Choose Dutch, French or English.")),
        error_messages={"required": N_("Choose Dutch, French or English.")},
    )


def _display_name() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(
            min=1, max=NAME_MAX, error=N_("Enter a name of at most 120 characters.")
        ),
        error_messages={"required": N_("Enter a name of at most 120 characters.")},
    )


def _new_password() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(
            min=PASSWORD_MIN,
            max=PASSWORD_MAX,
            error=N_("Choose a password of 12 to 256 characters."),
        ),
        error_messages={"required": N_("Choose a password of 12 to 256 characters.")},
    )


class LoginSchema(FormSchema):
    untrimmed = frozenset({"password"})
    email = _email(required=N_("Enter your email address."), null=N_("Enter your email address."))
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024, error=N_("Enter your password.")),
        error_messages={"required": N_("Enter your password."), "null": N_("Enter your password.")},
    )
    remember = fields.Boolean(load_default=False)


class LanguageSchema(FormSchema):
    language = _language()
    next = fields.String(load_default="/", validate=validate.Length(max=2000))


class ForgotPasswordSchema(FormSchema):
    email = _email(required=N_("Enter your email address."))


class NewPasswordSchema(FormSchema):
    untrimmed = frozenset({"password", "confirm"})
    password = _new_password()
    confirm = fields.String(load_default="")

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError(N_("The two passwords are not the same."), "confirm")


class AcceptInvitationSchema(NewPasswordSchema):
    display_name = _display_name()


class PasswordChangeSchema(NewPasswordSchema):
    untrimmed = frozenset({"password", "confirm", "current_password"})
    current_password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024, error=N_("Enter your current password.")),
        error_messages={"required": N_("Enter your current password.")},
    )


class ProfileSchema(FormSchema):
    display_name = _display_name()
    language = _language()


class InviteSchema(FormSchema):
    email = _email()
    display_name = _display_name()
    language = _language()


class TenantInviteSchema(InviteSchema):
    role = fields.String(
        required=True,
        validate=validate.OneOf(TENANT_ROLE_CODES, error=N_("Choose one of the roles.")),
        error_messages={"required": N_("Choose one of the roles.")},
    )


class RoleSchema(FormSchema):
    role = fields.String(
        required=True,
        validate=validate.OneOf(TENANT_ROLE_CODES, error=N_("Choose one of the roles.")),
        error_messages={"required": N_("Choose one of the roles.")},
    )


class AssignmentSchema(FormSchema):
    user_id = fields.UUID(
        required=True,
        error_messages={
            "invalid_uuid": N_("Choose a consultant."),
            "required": N_("Choose a consultant."),
        },
    )
    tenant_id = fields.UUID(
        required=True,
        error_messages={
            "invalid_uuid": N_("Choose a client company."),
            "required": N_("Choose a client company."),
        },
    )
