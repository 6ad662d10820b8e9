"""Language and time zone selection; Belgian formats (nl_BE, fr_BE, en_BE)."""

from flask import g, request
from flask_login import current_user

from service.config import LANGUAGES

LANGUAGE_COOKIE = "exitloop_lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def select_language() -> str:
    """The user's choice, else the language of the emailed link being opened, else the
    tenant's default, else the browser's."""
    if current_user and current_user.is_authenticated and current_user.preferred_language:
        return current_user.preferred_language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if g.get("link_language"):  # an emailed link opens in the language its email was in
        return g.link_language
    tenant = g.get("tenant")
    if tenant is not None:
        return tenant.default_language
    return request.accept_languages.best_match(LANGUAGES) or "en"


def select_locale() -> str:
    return f"{select_language()}_BE"


def select_timezone() -> str | None:
    tenant = g.get("tenant")
    return tenant.time_zone if tenant is not None else None
