"""The agency's brand on its clients' pages: /t/<slug>/brand.css and /t/<slug>/brand-logo,
reachable by every member of the tenant, and ``client_brand()`` for templates/base.html."""

from flask import abort, current_app

from service.agencies.brand import client_brand, logo_of, stylesheet
from service.permissions import require
from service.platform.logos import logo_response
from service.scopes import current_tenant, tenant_blueprint

bp = tenant_blueprint("brand", __name__)
# The stylesheet's URL carries the colour (?v=…): a new colour is a new URL, so a browser
# may keep one for a day without ever showing a stale colour.
STYLESHEET_MAX_AGE = 86400


@bp.app_context_processor
def _brand_in_templates():
    return {"client_brand": client_brand}


@bp.get("/brand.css")
@require("tenant.home")
def brand_stylesheet():
    response = current_app.response_class(stylesheet(client_brand()), mimetype="text/css")
    response.headers["Cache-Control"] = f"private, max-age={STYLESHEET_MAX_AGE}"
    return response


@bp.get("/brand-logo")
@require("tenant.home")
def brand_logo():
    found = logo_of(current_tenant.agency_id) if current_tenant.agency_id else None
    if found is None:
        abort(404)
    return logo_response(*found)
