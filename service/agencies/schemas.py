"""Input schema of a new client tenant, made by its agency."""

from marshmallow import fields

from service.tenants.models import Sector
from service.tenants.schemas import TenantSettingsSchema
from service.tenants.slugs import validate_slug
from service.validation import N_


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
