"""An agency's brand as its clients see it: name, colour and logo in the header of their
pages (templates/base.html) and in the band of their emails (service/mail/outbox.py).

The colour reaches the page through a small generated stylesheet (``brand.css``): the
content security policy allows no inline style, and a fixed set of colour classes would
show a brand colour that is not the agency's.
"""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g

from service.colours import darker, is_hex_colour, readable
from service.extensions import db
from service.tenants.models import Agency


@dataclass(frozen=True)
class ClientBrand:
    name: str
    colour: str | None  # lower case, readable under white text
    logo_mime_type: str | None  # None: no logo

    @property
    def has_logo(self) -> bool:
        return self.logo_mime_type is not None


def brand_of(agency_id: uuid.UUID) -> ClientBrand | None:
    """The agency's brand, without loading its logo."""
    row = db.session.execute(
        sa.select(Agency.name, Agency.brand_name, Agency.brand_colour, Agency.logo_mime_type).where(
            Agency.id == agency_id
        )
    ).one_or_none()
    if row is None:
        return None
    colour = readable(row.brand_colour) if is_hex_colour(row.brand_colour) else None
    return ClientBrand(row.brand_name or row.name, colour, row.logo_mime_type)


def client_brand() -> ClientBrand | None:
    """The brand of the current tenant's agency (None outside a tenant, or for a tenant
    without agency), looked up once per request."""
    tenant = g.get("tenant")
    if tenant is None or tenant.agency_id is None:
        return None
    if "client_brand" not in g:
        g.client_brand = brand_of(tenant.agency_id)
    return g.client_brand


def stylesheet(brand: ClientBrand | None) -> str:
    """The header's colours as custom properties (templates read them in app.css)."""
    if brand is None or brand.colour is None:
        return "/* No brand colour: Exitloop's own colours apply. */\n"
    return (
        "/* The agency's colour in the header of its clients' pages. */\n"
        f":root {{ --header-bg: {brand.colour}; --header-nav-bg: {darker(brand.colour)}; }}\n"
    )


def logo_of(agency_id: uuid.UUID) -> tuple[bytes, str] | None:
    row = db.session.execute(
        sa.select(Agency.logo, Agency.logo_mime_type).where(Agency.id == agency_id)
    ).one_or_none()
    if row is None or row.logo is None or row.logo_mime_type is None:
        return None
    return row.logo, row.logo_mime_type
