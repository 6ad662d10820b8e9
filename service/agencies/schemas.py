"""Input schemas of the agency's pages: a new client tenant, the agency's brand."""

from marshmallow import fields

from service.colours import brand_colour_field
from service.tenants.models import Sector
from service.tenants.schemas import TenantSettingsSchema, optional_text
from service.tenants.slugs import validate_slug
from service.validation import N_, FormSchema


class TenantCreateSchema(TenantSettingsSchema):
    """The tenant's own settings, plus what only its agency decides: slug and sector."""

    slug = fields.String(
        required=True,
        validate=validate_slug,
        error_messages={"required": N_("Enter a web address."), "invalid": N_("Enter text.")},
    )
    sector = fields.Enum(
        Sector,
        by_value=True,
        required=True,
        error_messages={
            "required": N_("Choose a sector."),
            "unknown": N_("Choose a sector from the list."),
        },
    )


class BrandSchema(FormSchema):
    """The brand its clients see; the logo travels beside the form, as a file."""

    brand_name = optional_text()
    brand_colour = brand_colour_field()
    remove_logo = fields.Boolean(
        load_default=False, error_messages={"invalid": N_("Tick the box or leave it empty.")}
    )
