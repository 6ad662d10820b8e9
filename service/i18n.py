"""Language and time zone selection; Belgian formats (nl_BE, fr_BE, en_BE).

One rule for every page and every email: the person's chosen language, else the browser's
among nl/fr/en, else the scope's default, else English (docs/PRODUCT.md, "The person in front
of the screen").
"""

from zoneinfo import ZoneInfo

from babel.dates import format_datetime as format_datetime_in
from flask import Flask, g, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from service.config import LANGUAGES

LANGUAGE_COOKIE = "exitloop_lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}
# Agencies have no default language of their own (yet): the Flemish majority's.
AGENCY_LANGUAGE = "nl"
_OFFER = "offer_language"

# Dates nobody misreads, in the locale's words: "2 Dec 2026", "2 déc. 2026", "2 dec 2026".
DAY = "d MMM y"
MOMENT = "d MMM y, HH:mm"


def select_language() -> str:
    """1. the signed-in person's chosen language (footer switch, first-sign-in prompt,
    profile); 2. a choice made with the footer switch in this browser (the language cookie:
    an anonymous visitor's, or one made before signing in); 3. on the page of an emailed
    link, the language its email was written in (it is what the person just read);
    4. the browser's, if it asks for nl, fr or en; 5. the scope's default; 6. English."""
    if current_user and current_user.is_authenticated and current_user.preferred_language:
        return current_user.preferred_language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if g.get("link_language"):
        return g.link_language
    return request.accept_languages.best_match(LANGUAGES) or scope_language()


def scope_language() -> str:
    """The default of the scope being served: the tenant's, the agency's, else English."""
    tenant = g.get("tenant")
    if tenant is not None:
        return tenant.default_language
    if g.get("agency") is not None:
        return AGENCY_LANGUAGE
    return "en"


def language_for(user, fallback: str) -> str:
    """The language of an email to ``user`` (None: no account): their chosen language,
    else ``fallback`` (what the sender chose, or the language of the page that asked)."""
    if user is not None and user.preferred_language in LANGUAGES:
        return user.preferred_language
    return fallback


def select_locale() -> str:
    return f"{select_language()}_BE"


def select_timezone() -> str | None:
    tenant = g.get("tenant")
    return tenant.time_zone if tenant is not None else None


def day(value) -> str:
    """A date (or a moment's date, in the page's time zone) as "2 Dec 2026"."""
    return format_date(value, DAY) if value is not None else ""


def moment(value) -> str:
    """A moment in the page's time zone as "2 Dec 2026, 14:05"."""
    return format_datetime(value, MOMENT) if value is not None else ""


def moment_in(value, time_zone: str) -> str:
    """A moment in a named time zone (a page listing several tenants' moments)."""
    return format_datetime_in(value, MOMENT, tzinfo=ZoneInfo(time_zone), locale=get_locale())


def offer_language_choice(user) -> None:
    """Right after a sign-in: someone who has not chosen a language is offered the choice
    on the page they land on."""
    if not user.preferred_language:
        session[_OFFER] = True


def language_offer() -> bool:
    """Whether this page offers the language choice: the first page after a sign-in (only
    that one), as long as the person has not chosen."""
    if _OFFER not in session:  # a pop would rewrite the session cookie on every page
        return False
    session.pop(_OFFER)
    return current_user.is_authenticated and not current_user.preferred_language


def init_app(app: Flask) -> None:
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(moment_in)
    app.add_template_global(language_offer)
