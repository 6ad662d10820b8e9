"""The retention form's input: one whole number per limit, within its bounds."""

from marshmallow import fields, validate

from service.privacy.limits import LIMITS
from service.validation import N_, FormSchema


def _field(limit) -> fields.Integer:
    return fields.Integer(
        required=True,
        validate=validate.Range(limit.lowest, limit.highest, error=limit.out_of_range),
        error_messages={"required": limit.out_of_range, "invalid": N_("Enter a whole number.")},
    )


RetentionSchema = FormSchema.from_dict(
    {limit.column: _field(limit) for limit in LIMITS}, name="RetentionSchema"
)
