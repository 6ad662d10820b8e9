"""The current tenant's themes: the default taxonomy and its own, one list for every screen.

Screens name a theme with ``theme_label(key)`` and offer ``theme_choices()``, so a tenant's
own theme ("own_…") reads like a default one. The tenant's themes are read once per request.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import get_locale

from service.extensions import db
from service.insights.models import TenantTheme
from service.surveys import themes as defaults
from service.tenancy import current_tenant_id, of_current_tenant

_CACHE = "insights_own_themes"


@dataclass(frozen=True)
class OwnTheme:
    key: str
    labels: dict[str, str]


def own_themes() -> list[OwnTheme]:
    """The tenant's own themes, oldest first (cached for the request)."""
    cached = g.get(_CACHE) if has_request_context() else None
    if cached is not None and cached[0] == current_tenant_id():
        return cached[1]
    rows = db.session.scalars(
        sa.select(TenantTheme)
        .where(of_current_tenant(TenantTheme))
        .order_by(TenantTheme.created_at, TenantTheme.key)
    )
    found = [OwnTheme(row.key, dict(row.labels)) for row in rows]
    if has_request_context():
        setattr(g, _CACHE, (current_tenant_id(), found))
    return found


def forget() -> None:
    """After a change to the tenant's themes: read them afresh."""
    if has_request_context():
        g.pop(_CACHE, None)


def theme_keys() -> tuple[str, ...]:
    """Every key an answer or an action of this tenant may carry."""
    return defaults.THEME_KEYS + tuple(theme.key for theme in own_themes())


def _language() -> str:
    locale = get_locale() if has_request_context() else None
    return locale.language if locale is not None else "en"


def own_label(labels: dict[str, str], key: str, language: str) -> str:
    """An own theme's name in ``language``, else in another language it has, else its key."""
    return labels.get(language) or next((text for text in labels.values() if text), key)


def theme_label(key: str) -> str:
    """A default or own theme's name in the current language; an unknown key as it is."""
    if key in defaults.THEME_KEYS:
        return defaults.theme_label(key)
    for theme in own_themes():
        if theme.key == key:
            return own_label(theme.labels, key, _language())
    return key


def theme_choices() -> list[tuple[str, str]]:
    """(key, name) of every theme, the default ones first, for a select."""
    language = _language()
    return [(key, defaults.theme_label(key)) for key in defaults.THEME_KEYS] + [
        (theme.key, own_label(theme.labels, theme.key, language)) for theme in own_themes()
    ]
