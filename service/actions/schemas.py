"""The action forms: an action, a move, a progress update, closing as done.

Limits and shapes are checked here; what depends on the tenant (owners, departments, the
due date against the company's today) is the service's question."""

from marshmallow import fields, validate

from service.actions.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    OUTCOME_MAX,
    TITLE_MAX,
    ActionPriority,
    ActionStatus,
)
from service.tenants.schemas import EARLIEST_DATE, LATEST_DATE
from service.validation import N_, FormSchema

# The messages name the limits.
assert (TITLE_MAX, DESCRIPTION_MAX, OUTCOME_MAX, NOTE_MAX) == (160, 5000, 5000, 2000)

# The form fields that repeat (a select with several choices, checkboxes).
LIST_FIELDS = ("themes", "department_ids", "job_function_ids")


def _required(message: str) -> dict:
    return {"required": message, "null": message, "invalid": message}


def _ids(message: str) -> fields.List:
    return fields.List(
        fields.UUID(error_messages={"invalid": message, "invalid_uuid": message}),
        load_default=list,
        error_messages={"invalid": message},
    )


def _revision() -> fields.Integer:
    message = N_("Reload the page and try again.")
    return fields.Integer(required=True, strict=False, error_messages=_required(message))


class ActionSchema(FormSchema):
    title = fields.String(
        required=True,
        validate=validate.Length(max=TITLE_MAX, error=N_("Keep the title to 160 characters.")),
        error_messages=_required(N_("Give the action a title.")),
    )
    description = fields.String(
        load_default=None,
        validate=validate.Length(
            max=DESCRIPTION_MAX, error=N_("Keep the description to 5,000 characters.")
        ),
    )
    owner_membership_id = fields.UUID(
        required=True,
        error_messages={
            **_required(N_("Choose an owner among the active members.")),
            "invalid_uuid": N_("Choose an owner among the active members."),
        },
    )
    due_on = fields.Date(
        required=True,
        validate=validate.Range(
            EARLIEST_DATE, LATEST_DATE, error=N_("Enter a date between 1900 and 2100.")
        ),
        error_messages={
            "required": N_("Give a due date."),
            "null": N_("Give a due date."),
            "invalid": N_("Enter a date as YYYY-MM-DD."),
        },
    )
    priority = fields.Enum(
        ActionPriority,
        by_value=True,
        load_default=ActionPriority.NORMAL,
        error_messages={"unknown": N_("Choose a priority from the list.")},
    )
    themes = fields.List(
        fields.String(validate=validate.Length(max=32)),
        load_default=list,
        error_messages={"invalid": N_("Choose themes from the list.")},
    )
    department_ids = _ids(N_("Choose departments from the list."))
    job_function_ids = _ids(N_("Choose functions from the list."))


class EditSchema(ActionSchema):
    revision = _revision()


class MoveSchema(FormSchema):
    status = fields.Enum(
        ActionStatus,
        by_value=True,
        required=True,
        error_messages={
            "unknown": N_("Choose a status from the list."),
            "required": N_("Choose a status from the list."),
        },
    )
    revision = _revision()


class DoneSchema(FormSchema):
    outcome = fields.String(
        required=True,
        validate=validate.Length(
            max=OUTCOME_MAX, error=N_("Keep the outcome to 5,000 characters.")
        ),
        error_messages=_required(N_("Say what came of it before closing it as done.")),
    )
    revision = _revision()


class ProgressSchema(FormSchema):
    note = fields.String(
        required=True,
        validate=validate.Length(max=NOTE_MAX, error=N_("Keep the note to 2,000 characters.")),
        error_messages=_required(N_("Say what happened.")),
    )
    percent = fields.Integer(
        load_default=None,
        strict=False,
        validate=validate.Range(0, 100, error=N_("Give a percentage between 0 and 100.")),
        error_messages={"invalid": N_("Give a percentage between 0 and 100.")},
    )
