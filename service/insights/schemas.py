"""Input schemas of the insight pages: a tenant's own theme, HR's correction of a tag."""

from marshmallow import ValidationError, fields, post_load, validate

from service.config import LANGUAGES
from service.insights.models import KEY_MAX, Verdict
from service.insights.text import Analyser
from service.validation import N_, FormSchema

LABEL_MAX = 80
KEYWORDS_MIN, KEYWORDS_MAX = 1, 30
KEYWORD_MAX = 60
KEYWORDS_TEXT_MAX = 3000  # the textarea: 30 keywords of 60 characters and their line ends


def keyword_list(text: str) -> list[str]:
    """One keyword per line, blank lines dropped, each once."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def _keywords(language: str):
    def check(text: str) -> None:
        keywords = keyword_list(text)
        if len(keywords) > KEYWORDS_MAX:
            raise ValidationError(N_("List at most 30 keywords."))
        if any(len(keyword) > KEYWORD_MAX for keyword in keywords):
            raise ValidationError(N_("Keep each keyword to 60 characters."))
        analyser = Analyser(language)
        # "loon-" and "-druk" are the start and end of a compound word: a word all the same.
        if any(not analyser.words(keyword.strip("-")) for keyword in keywords):
            raise ValidationError(N_("Each keyword needs at least one word (letters or digits)."))

    return check


def _label_field() -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.Length(max=LABEL_MAX, error=N_("Use at most 80 characters.")),
        error_messages={"invalid": N_("Enter text.")},
    )


def _keywords_field(language: str) -> fields.String:
    return fields.String(
        load_default=None,
        validate=[
            validate.Length(max=KEYWORDS_TEXT_MAX, error=N_("List at most 30 keywords.")),
            _keywords(language),
        ],
        error_messages={"invalid": N_("Enter text.")},
    )


class OwnThemeSchema(FormSchema):
    """A name and keywords per language; which languages are required is the service's
    rule (the tenant's languages). Loads ``labels`` and ``keywords`` by language."""

    label_nl = _label_field()
    label_fr = _label_field()
    label_en = _label_field()
    keywords_nl = _keywords_field("nl")
    keywords_fr = _keywords_field("fr")
    keywords_en = _keywords_field("en")

    @post_load
    def _by_language(self, data, **kwargs):
        return {
            "labels": {
                language: data[f"label_{language}"]
                for language in LANGUAGES
                if data.get(f"label_{language}")
            },
            "keywords": {
                language: keyword_list(data[f"keywords_{language}"])
                for language in LANGUAGES
                if data.get(f"keywords_{language}")
            },
        }


class CorrectionSchema(FormSchema):
    theme = fields.String(
        required=True,
        validate=validate.Length(max=KEY_MAX, error=N_("Choose a theme from the list.")),
        error_messages={
            "required": N_("Choose a theme from the list."),
            "invalid": N_("Choose a theme from the list."),
        },
    )
    verdict = fields.String(
        required=True,
        validate=validate.OneOf(
            [verdict.value for verdict in Verdict], error=N_("Confirm, remove or add a theme.")
        ),
        error_messages={"required": N_("Confirm, remove or add a theme.")},
    )
