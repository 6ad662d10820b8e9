"""The agency's brand in a real browser: the demo agency admin (a Dutch browser) gives
Talentbrug a new colour, and the HR administrators of its clients see their header in it,
with the agency's name and logo — in Dutch, French and English, on a laptop and a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.browser.test_house import sign_in, translated
from tests.browser.test_language import sign_in as sign_in_agency_admin

pytestmark = pytest.mark.browser

NEW_COLOUR = "#8a1c4a"
NEW_COLOUR_RGB = "rgb(138, 28, 74)"


def expect_header_in_the_new_colour(page) -> None:
    expect(page.locator(".site-header")).to_have_css("background-color", NEW_COLOUR_RGB)


def expect_the_agency_logo(page) -> None:
    logo = page.locator(".site-header .agency-logo")
    expect(logo).to_be_visible()
    expect(logo).to_have_js_property("complete", True)
    assert logo.evaluate("img => img.naturalWidth") > 0, "the agency logo did not load"


def test_the_agency_sets_its_colour_and_its_clients_see_their_header_in_it(open_page, live_server):
    app, base = live_server.app, live_server.url

    def nl(message: str) -> str:
        return translated(app, "nl", message)

    # Katrien Desmet, Talentbrug's administrator, opens the brand screen from the portfolio.
    agency = open_page(locale="nl-BE")
    sign_in_agency_admin(agency, app, "nl")
    expect(agency).to_have_url(f"{base}/agency/talentbrug/")
    agency.get_by_role("link", name=nl("Your brand: name, colour and logo")).click()
    expect(agency).to_have_url(f"{base}/agency/talentbrug/brand")
    expect(agency.get_by_role("heading", level=1)).to_have_text(nl("Brand"))
    expect(agency.get_by_alt_text(nl("Current logo"))).to_be_visible()
    screenshot(agency, "brand-01-agency-brand-nl")
    assert_accessible(agency)

    # A pale yellow would leave the white header text unreadable: refused at the field.
    colour = agency.get_by_label(nl("Brand colour (optional, like #0f766e)"), exact=True)
    colour.fill("#f5b841")
    agency.get_by_role("button", name=nl("Save brand"), exact=True).click()
    expect(colour).to_have_attribute("aria-invalid", "true")
    too_light = (
        "This colour is too light for the white text on it (contrast below 4.5:1). "
        "Choose a darker colour."
    )
    expect(agency.locator("#brand_colour-error")).to_have_text(nl(too_light))
    screenshot(agency, "brand-02-too-light-nl")
    assert_accessible(agency)

    colour.fill(NEW_COLOUR)
    agency.get_by_role("button", name=nl("Save brand"), exact=True).click()
    expect(
        agency.get_by_text(nl("Brand saved: your client companies' pages and emails now show it."))
    )
    expect(agency.locator(".brand-preview rect").first).to_have_attribute("fill", NEW_COLOUR)
    screenshot(agency, "brand-03-saved-nl")
    page_at_width(agency, 375)
    assert_fits_width(agency, 375)
    screenshot(agency, "brand-04-saved-phone-nl")

    # Hanne Claes, HR administrator of Brasserie Het Anker, sees the brewery's name with
    # Talentbrug's name, logo and new colour in her header.
    hr = open_page()
    sign_in(hr, "hr.admin@het-anker.example")
    expect(hr).to_have_url(f"{base}/t/het-anker/")
    header = hr.locator(".site-header .bar")
    expect(header.locator(".scope-name")).to_have_text("Brasserie Het Anker")
    expect(header.locator(".agency-brand")).to_have_text("· met Talentbrug Interim")
    expect_header_in_the_new_colour(hr)
    expect_the_agency_logo(hr)
    screenshot(hr, "brand-05-client-header-nl")
    assert_accessible(hr)
    page_at_width(hr, 375)
    assert_fits_width(hr, 375)
    screenshot(hr, "brand-06-client-header-phone-nl")

    # Her members page tells a believable story: colleagues with names, invitations waiting.
    hr.set_viewport_size({"width": 1280, "height": 900})
    hr.get_by_role("navigation", name=nl("Main")).get_by_role("link", name=nl("Members")).click()
    for name in ("Pieter Janssens", "Ilse Wouters", "Marc Goossens", "Lisa Jacobs"):
        expect(hr.get_by_role("cell", name=name, exact=True).first).to_be_visible()
    screenshot(hr, "brand-06b-client-members-nl")

    # The same brand at the French and the English client.
    for email, slug, company, words in (
        ("hr.admin@maison-lumiere.example", "maison-lumiere", "Maison Lumière", "avec"),
        ("hr.admin@codeway.example", "codeway", "Codeway", "with"),
    ):
        client = open_page()
        sign_in(client, email)
        expect(client).to_have_url(f"{base}/t/{slug}/")
        expect(client.locator(".site-header .scope-name")).to_have_text(company)
        brand = client.locator(".site-header .agency-brand")
        expect(brand).to_have_text(f"· {words} Talentbrug Interim")
        expect_header_in_the_new_colour(client)
        screenshot(client, f"brand-07-client-header-{slug}")
        assert_accessible(client)
