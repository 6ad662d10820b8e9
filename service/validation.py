"""marshmallow at the edges: messages are marked here and translated when shown.

marshmallow 4 accepts only plain strings as error messages, so schemas carry English
msgids marked with ``N_`` (extracted by pybabel, see babel.cfg) and
:func:`load_or_errors` translates whatever comes back into the user's language.
"""

from typing import Any

from flask_babel import gettext
from marshmallow import EXCLUDE, Schema, ValidationError, pre_load


def N_(message: str) -> str:  # noqa: N802 — gettext's conventional name for "mark only"
    return message


class FormSchema(Schema):
    """The base of every input form: unknown fields are dropped, text is trimmed, and a
    blank field counts as not filled in (so "required" gives its message: a name of three
    spaces is no name). Fields named in ``untrimmed`` (passwords) are kept as typed."""

    untrimmed: frozenset[str] = frozenset()

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _drop_blanks(self, data, **kwargs):
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str) and key not in self.untrimmed:
                value = value.strip()
            if value == "":
                continue
            cleaned[key] = value
        return cleaned


def translate(messages: Any) -> Any:
    if isinstance(messages, str):
        return gettext(messages)
    if isinstance(messages, dict):
        return {key: translate(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate(value) for value in messages]
    return messages


def load_or_errors(schema: Schema, data: dict) -> tuple[dict | None, dict]:
    """(loaded data, {}) or (None, translated field messages)."""
    try:
        return schema.load(data), {}
    except ValidationError as err:
        return None, translate(err.messages)
