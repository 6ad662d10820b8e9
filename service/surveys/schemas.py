"""Input schemas of the template screens (tenant templates and the agency library)."""

from marshmallow import ValidationError, fields, validate

from service.config import LANGUAGES
from service.surveys.document import CONCERN_MESSAGE, CONCERNS, QuestionRole, QuestionType
from service.surveys.editing import PER_LANGUAGE
from service.surveys.models import NAME_MAX
from service.surveys.themes import THEME_KEYS
from service.validation import N_, FormSchema

# Generous: the document's own limits (service/surveys/document.py) give the precise
# message per field; this only keeps absurd input out of the parser.
FIELD_MAX = 20_000


def _name() -> fields.String:
    return fields.String(
        required=True,
        validate=validate.Length(max=NAME_MAX, error=N_("Use at most 120 characters.")),
        error_messages={"required": N_("Enter a name.")},
    )


def _revision() -> fields.Integer:
    message = N_("This form is out of date. Reload the page and try again.")
    return fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(min=1, max=2**31 - 1, error=message),
        error_messages={"required": message, "invalid": message},
    )


class NewTemplateSchema(FormSchema):
    name = _name()
    languages = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGES)),
        required=True,
        validate=validate.Length(min=1, error=N_("Choose at least one language.")),
        error_messages={"required": N_("Choose at least one language.")},
    )
    start = fields.String(
        required=True,
        validate=validate.Length(max=80),
        error_messages={"required": N_("Choose where the template starts from.")},
    )


def check_languages(chosen: list[str], allowed: list[str]) -> None:
    if any(language not in allowed for language in chosen):
        raise ValidationError(N_("Choose among the company's languages."), "languages")


class RenameSchema(FormSchema):
    name = _name()


class RevisionSchema(FormSchema):
    revision = _revision()


class AddQuestionSchema(FormSchema):
    revision = _revision()
    kind = fields.String(
        required=True,
        validate=validate.OneOf([kind.value for kind in QuestionType]),
        error_messages={"required": N_("Choose a kind of question.")},
    )


class MoveSchema(FormSchema):
    revision = _revision()
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]))


def question_schema(languages) -> FormSchema:
    """The editor form of one question, with a field per text and language."""
    texts = {
        f"{name}_{language}": fields.String(
            load_default="", validate=validate.Length(max=FIELD_MAX)
        )
        for name in PER_LANGUAGE
        for language in languages
    }
    schema = FormSchema.from_dict(
        {
            "revision": _revision(),
            "required": fields.Boolean(load_default=False),
            "theme": fields.String(
                load_default=None,
                validate=validate.OneOf(THEME_KEYS, error=N_("Choose a theme from the list.")),
            ),
            "role": fields.String(
                load_default=None,
                validate=validate.OneOf(
                    [role.value for role in QuestionRole], error=N_("Choose a role from the list.")
                ),
            ),
            "concern": fields.String(
                load_default=None, validate=validate.OneOf(CONCERNS, error=CONCERN_MESSAGE)
            ),
            **texts,
        },
        name="QuestionSchema",
    )
    return schema()
