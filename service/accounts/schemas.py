from marshmallow import ValidationError, fields, validate, validates_schema

from service.accounts.passwords import is_common
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


def _not_common(password: str) -> None:
    if is_common(password):
        raise ValidationError(
            N_("This password is on a list of common and leaked passwords. Choose another.")
        )


def _new_password() -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                error=N_("Choose a password of 12 to 256 characters."),
            ),
            _not_common,
        ],
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


def _code(**kwargs) -> fields.String:
    return fields.String(
        validate=validate.Length(min=1, max=32, error=N_("Enter the code.")),
        error_messages={"required": N_("Enter the code.")},
        **kwargs,
    )


class CodeSchema(FormSchema):
    """A code of the second factor: 6 digits from the app, or a recovery code."""

    code = _code(required=True)


class ConfirmIdentitySchema(FormSchema):
    untrimmed = frozenset({"password"})
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024, error=N_("Enter your password.")),
        error_messages={"required": N_("Enter your password.")},
    )
    code = _code(load_default=None)


class RequirementSchema(FormSchema):
    required = fields.Boolean(load_default=False)


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
