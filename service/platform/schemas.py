"""Input schema of a new agency."""

from marshmallow import fields

from service.colours import brand_colour_field
from service.tenants.schemas import name_field, optional_text
from service.tenants.slugs import validate_slug
from service.validation import N_, FormSchema


class AgencySchema(FormSchema):
    name = name_field(N_("Enter the name of the agency."))
    slug = fields.String(
        required=True,
        validate=validate_slug,
        error_messages={"required": N_("Enter a web address."), "invalid": N_("Enter text.")},
    )
    brand_name = optional_text()
    brand_colour = brand_colour_field()
