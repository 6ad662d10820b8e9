"""One language for a person in a real browser: the demo agency admin, who has not chosen a
language, with a French browser reads French on a Dutch client's page, the portfolio and the
profile; the first page after signing in offers the choice; after choosing Nederlands every
page is Dutch, after a reload and a new sign-in too."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    assert_accessible,
    assert_fits_width,
    screenshot,
)
from tests.browser.test_house import translated

pytestmark = pytest.mark.browser

AGENCY_ADMIN = "agency.admin@talentbrug.example"
PORTFOLIO = "/agency/talentbrug/"
CLIENT = "/t/het-anker/"  # Brasserie Het Anker speaks Dutch by default
PROFILE = "/profile"


def sign_in(page, app, lang: str) -> None:
    """Fill the login form by its labels, in the language the page is shown in."""
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    page.get_by_label(translated(app, lang, "Email address"), exact=True).fill(AGENCY_ADMIN)
    page.get_by_label(translated(app, lang, "Password"), exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=translated(app, lang, "Sign in"), exact=True).click()


def sign_out(page, app, lang: str) -> None:
    page.get_by_role("button", name=translated(app, lang, "Sign out"), exact=True).click()


def prompt(page):
    return page.locator("section.language-prompt")


def assert_in(page, app, lang: str) -> None:
    """The page is in ``lang``: its html lang and the words a person reads."""
    expect(page.locator("html")).to_have_attribute("lang", lang)
    footer = translated(app, lang, "Exitloop keeps exit feedback confidential.")
    expect(page.locator("footer")).to_contain_text(footer)
    nav = page.get_by_role("navigation", name=translated(app, lang, "Main"))
    expect(
        nav.get_by_role("link", name=translated(app, lang, "Profile"), exact=True)
    ).to_be_visible()


def test_one_language_from_client_to_portfolio_to_profile(open_page, live_server):
    app, base = live_server.app, live_server.url
    assert translated(app, "fr", "Keep English") != "Keep English", "no French translation"
    page = open_page(locale="fr-BE", width=375)

    # First sign-in, nothing chosen: the browser's French, and the offer to choose.
    sign_in(page, app, "fr")
    expect(page).to_have_url(f"{base}{PORTFOLIO}")
    assert_in(page, app, "fr")
    offer = prompt(page)
    expect(offer).to_contain_text(translated(app, "fr", "Exitloop is shown in English."))
    for name in (translated(app, "fr", "Keep English"), "Nederlands", "English"):
        expect(offer.get_by_role("button", name=name, exact=True)).to_be_visible()
    assert_fits_width(page, 375)
    screenshot(page, "language-prompt-phone")
    assert_accessible(page)

    # The same French on a Dutch client's page and on the profile; offered only once.
    for path in (CLIENT, PROFILE):
        page.goto(path)
        assert_in(page, app, "fr")
        expect(prompt(page)).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(CLIENT)
    screenshot(page, "language-client-in-french")

    # Not chosen yet: the next sign-in offers it again; Nederlands, and Dutch everywhere.
    sign_out(page, app, "fr")
    sign_in(page, app, "fr")
    expect(page).to_have_url(f"{base}{PORTFOLIO}")
    screenshot(page, "language-prompt-desktop")
    prompt(page).get_by_role("button", name="Nederlands", exact=True).click()
    expect(page).to_have_url(f"{base}{PORTFOLIO}")
    assert_in(page, app, "nl")
    expect(prompt(page)).to_have_count(0)
    for path in (CLIENT, PORTFOLIO, PROFILE):
        page.goto(path)
        assert_in(page, app, "nl")
        page.reload()
        assert_in(page, app, "nl")
    profile_language = page.get_by_label(translated(app, "nl", "Language"), exact=True)
    expect(profile_language).to_have_value("nl")
    screenshot(page, "language-profile-in-dutch")

    # Chosen once, for good: a new sign-in in another browser, still French, is Dutch.
    elsewhere = open_page(locale="fr-BE")
    sign_in(elsewhere, app, "fr")
    expect(elsewhere).to_have_url(re.compile(re.escape(f"{base}{PORTFOLIO}")))
    assert_in(elsewhere, app, "nl")
    expect(prompt(elsewhere)).to_have_count(0)


def test_the_lockout_keeps_the_form_in_the_visitors_language(open_page, live_server):
    """Too many failed sign-ins: a short headline, how long to wait, and the form again with
    the address typed (an address of its own: no demo account is locked for later tests)."""
    app = live_server.app
    page = open_page(locale="fr-BE", width=375)
    email = "quelquun@example.com"
    attempts = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    page.goto("/login")
    for _ in range(attempts + 1):
        page.get_by_label(translated(app, "fr", "Email address"), exact=True).fill(email)
        page.get_by_label(translated(app, "fr", "Password"), exact=True).fill("pas le bon")
        page.get_by_role("button", name=translated(app, "fr", "Sign in"), exact=True).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(translated(app, "fr", "Too many attempts"))
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Réessayez dans \d+ minutes?"))
    expect(page.get_by_label(translated(app, "fr", "Email address"), exact=True)).to_have_value(
        email
    )
    assert_fits_width(page, 375)
    screenshot(page, "language-lockout-phone")
    assert_accessible(page)
