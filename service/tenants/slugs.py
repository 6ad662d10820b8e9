"""Web-address slugs of agencies (/agency/<slug>/) and tenants (/t/<slug>/)."""

import re

from marshmallow import ValidationError

from service.validation import N_

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 63  # a DNS label: the slug may become a subdomain later
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")

# Words that name the product's own pages or would mislead as a company address.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "administrator",
        "agency",
        "api",
        "app",
        "assets",
        "auth",
        "exitloop",
        "healthz",
        "help",
        "login",
        "logout",
        "mail",
        "new",
        "platform",
        "root",
        "settings",
        "signin",
        "signup",
        "static",
        "status",
        "support",
        "system",
        "www",
    }
)


def validate_slug(value: str) -> None:
    if not SLUG_MIN_LENGTH <= len(value) <= SLUG_MAX_LENGTH:
        raise ValidationError(N_("Use 3 to 63 characters."))
    if not SLUG_PATTERN.fullmatch(value):
        raise ValidationError(
            N_(
                "Use lowercase letters a-z, digits and hyphens only, "
                "starting and ending with a letter or digit."
            )
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(N_("This web address is reserved. Choose another one."))
