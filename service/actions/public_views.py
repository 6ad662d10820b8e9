""" "You said, we did" (/p/<tenant_slug>/you-said-we-did): the page a company shares with its
staff and candidates. Public, read-only, no sign-in; in the reader's language among the
company's (``?lang=`` or the browser's); wearing the company's agency brand.

It shows only what HR published (service/actions/publishing.py). An unknown company, a
suspended one and one that published nothing get the very same page, without a name: the
address tells nobody whether a company uses Exitloop until it chose to show something.
"""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import force_locale
from flask_login import current_user

from service.actions.publishing import public_page
from service.agencies.brand import brand_of, logo_of, stylesheet
from service.config import LANGUAGES
from service.i18n import LANGUAGE_NAMES
from service.platform.logos import logo_response
from service.surveys.themes import theme_label

# Public: no tenant resolver and no sign-in (service/accounts/views.py PUBLIC_ENDPOINTS).
bp = Blueprint("you_said_we_did", __name__, url_prefix="/p/<tenant_slug>")
# Published summaries change rarely and hold nothing confidential: a browser or a proxy may
# keep the page a few minutes.
MAX_AGE = 300


def _language(page) -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    offered = page.languages if page else LANGUAGES
    return request.accept_languages.best_match(offered) or (page.default_language if page else "en")


def _cacheable(response):
    # A signed-in reader's response may carry their session cookie: only their browser keeps it.
    scope = "private" if current_user.is_authenticated else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={MAX_AGE}"
    response.vary.add("Accept-Language")
    return response


@bp.get("/you-said-we-did")
def page(tenant_slug: str):
    found = public_page(tenant_slug)
    language = _language(found)
    brand = brand_of(found.agency_id) if found and found.agency_id else None
    with force_locale(f"{language}_BE"):
        body = render_template(
            "actions/you_said_we_did.html",
            page=found,
            brand=brand,
            tenant_slug=tenant_slug,
            language=language,
            languages=[(code, LANGUAGE_NAMES[code]) for code in found.languages] if found else [],
            theme_label=theme_label,
        )
    return _cacheable(current_app.response_class(body, mimetype="text/html"))


def _brand_or_404(tenant_slug: str):
    found = public_page(tenant_slug)
    if found is None or found.agency_id is None:
        abort(404)
    return found.agency_id


@bp.get("/brand.css")
def brand_stylesheet(tenant_slug: str):
    css = stylesheet(brand_of(_brand_or_404(tenant_slug)))
    return _cacheable(current_app.response_class(css, mimetype="text/css"))


@bp.get("/brand-logo")
def brand_logo(tenant_slug: str):
    found = logo_of(_brand_or_404(tenant_slug))
    if found is None:
        abort(404)
    return logo_response(*found)
