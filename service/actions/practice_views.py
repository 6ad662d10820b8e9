"""Good practice (/t/<slug>/actions/practices): the catalogue of quick-win actions per
theme, in the reader's language, each one a link to the new-action form filled in with it."""

from flask import request

from service.actions.practices import practices_for
from service.permissions import require
from service.rendering import render
from service.scopes import current_tenant, tenant_blueprint
from service.surveys.themes import THEME_KEYS, theme_description, theme_label

bp = tenant_blueprint("practices", __name__, "/actions")


@bp.get("/practices")
@require("tenant.actions.manage")
def index():
    theme = request.args.get("theme")
    if theme not in THEME_KEYS:
        theme = None  # an unknown theme in the address shows the whole catalogue
    practices = practices_for(current_tenant.sector.value, theme)
    groups = {}
    for practice in practices:
        groups.setdefault(theme or practice.theme, []).append(practice)
    return render(
        "actions/practices.html",
        block="catalogue",
        theme=theme,
        groups=groups,
        themes=[(key, theme_label(key)) for key in THEME_KEYS],
        theme_label=theme_label,
        theme_description=theme_description,
    )
