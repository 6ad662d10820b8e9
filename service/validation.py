"""marshmallow at the edges: messages are marked here and translated when shown.

marshmallow 4 accepts only plain strings as error messages, so schemas carry English
msgids marked with ``N_`` (extracted by pybabel, see babel.cfg) and
:func:`load_or_errors` translates whatever comes back into the user's language.
"""

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, ValidationError


def N_(message: str) -> str:  # noqa: N802 — gettext's conventional name for "mark only"
    return message


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
