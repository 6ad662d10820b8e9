"""The interview assignment form: who, when (in the tenant's time zone), where or how."""

import re
from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate, validates_schema

from service.surveys.interview_models import PLACE_MAX, VIDEO_LINK_MAX
from service.validation import N_, FormSchema

MOMENT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
_NO_SPACE = re.compile(r"\S+")


def _https(value: str) -> None:
    """A video link the interviewer can click safely: https, a host, no spaces."""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or not _NO_SPACE.fullmatch(value):
        raise ValidationError(N_("Enter a link that starts with https://."))


class AssignmentSchema(FormSchema):
    interviewer_user_id = fields.UUID(
        required=True,
        error_messages={
            "required": N_("Choose an interviewer."),
            "null": N_("Choose an interviewer."),
            "invalid_uuid": N_("Choose an interviewer from the list."),
            "invalid": N_("Choose an interviewer from the list."),
        },
    )
    scheduled_at = fields.NaiveDateTime(
        required=True,
        format=MOMENT_FORMAT,
        error_messages={
            "required": N_("Enter the date and time of the interview."),
            "null": N_("Enter the date and time of the interview."),
            "invalid": N_("Enter a date and time as YYYY-MM-DD HH:MM."),
        },
    )
    place = fields.String(
        load_default=None,
        validate=validate.Length(max=PLACE_MAX, error=N_("Use at most 200 characters.")),
        error_messages={"invalid": N_("Enter text.")},
    )
    video_link = fields.String(
        load_default=None,
        validate=[
            validate.Length(max=VIDEO_LINK_MAX, error=N_("Use at most 500 characters.")),
            _https,
        ],
        error_messages={"invalid": N_("Enter text.")},
    )

    @validates_schema
    def _somewhere(self, data, **kwargs):
        if not data.get("place") and not data.get("video_link"):
            raise ValidationError(N_("Enter a place or a video link."), "place")
