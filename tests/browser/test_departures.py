"""Departures in the browser: the demo HR admin of Het Anker records a leaver by hand,
makes one mistake first (the form says so in place, without a reload), fixes it, and finds
the departure in the filtered list; the screens at 1280 and 375 px."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.browser.test_phone_width import assert_reads_on_a_phone, phone_page

pytestmark = pytest.mark.browser


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_hr_admin_records_a_departure_by_hand_and_finds_it(open_page, live_server):
    page = open_page(locale="en-GB")
    _sign_in(page, "hr.admin@het-anker.example")  # Hanne Claes reads Dutch
    page.locator(".site-header nav").get_by_role("link", name="Vertrekken", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vertrekken")
    expect(page.locator("tbody tr")).to_have_count(25)  # a year of demo leavers: one page
    assert_accessible(page)
    screenshot(page, "departures-list-1280")

    page.get_by_role("link", name="Vertrek registreren").click()
    last_day = dt.date.today() + dt.timedelta(days=20)
    page.get_by_label("Volledige naam").fill("Wannes Van Hecke")
    page.get_by_label("E-mailadres op het werk").fill("wannes.vanhecke@het-anker")  # no dot
    page.get_by_label("Persoonlijk e-mailadres").fill("wannes.vh@telenet.be")
    page.get_by_label("Afdeling", exact=False).first.select_option(label="Keuken")
    page.get_by_label("Functie", exact=False).first.select_option(label="Kok")
    page.get_by_label("Vestiging", exact=False).first.select_option(label="Gent Korenmarkt")
    page.get_by_label("Datum van indiensttreding").fill("2024-04-15")
    page.get_by_label("Laatste werkdag").fill(last_day.isoformat())
    page.get_by_label("Soort vertrek").select_option(label="Vrijwillig")
    page.get_by_label("Notitie").fill("Wil geen gebroken diensten meer.")

    # The mistake: the answer replaces the form in place (htmx), not the page.
    page.evaluate("window.__marker = 'still the same page'")
    page.get_by_role("button", name="Vertrek registreren").click()
    error = page.locator("#work_email-error")
    expect(error).to_have_text("Vul een geldig e-mailadres in.")
    assert page.evaluate("window.__marker") == "still the same page"
    expect(page.get_by_label("Volledige naam")).to_have_value("Wannes Van Hecke")
    expect(page.get_by_label("Notitie")).to_have_value("Wil geen gebroken diensten meer.")
    assert_accessible(page)
    screenshot(page, "departures-form-error-1280")

    page.get_by_label("E-mailadres op het werk").fill("wannes.vanhecke@het-anker.example")
    page.get_by_role("button", name="Vertrek registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wannes Van Hecke")
    expect(page.get_by_text("Vertrek van Wannes Van Hecke geregistreerd.")).to_be_visible()
    expect(page.get_by_text("2 tot 5 jaar")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "departures-detail-1280")

    # Found again in the list, filtered on the kitchen and voluntary exits, by name.
    page.get_by_role("link", name="← Vertrekken").click()
    filters = page.get_by_role("search", name="Vertrekken filteren")
    filters.get_by_label("Afdeling").select_option(label="Keuken")
    filters.get_by_label("Soort vertrek").select_option(label="Vrijwillig")
    filters.get_by_label("Zoeken op naam of e-mail").fill("van hecke")
    filters.get_by_role("button", name="Vertrekken tonen").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody").get_by_role("link", name="Wannes Van Hecke")).to_be_visible()
    assert "exit_type=voluntary" in page.url
    assert "q=van+hecke" in page.url
    assert "status=" not in page.url  # only the filters in use
    screenshot(page, "departures-filtered-1280")

    page_at_width(page)
    page.reload()
    expect(page.locator("tbody").get_by_role("link", name="Wannes Van Hecke")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
    screenshot(page, "departures-filtered-375")
    page.goto("/t/het-anker/departures/")
    assert_fits_width(page)
    screenshot(page, "departures-list-375")
    page.goto("/t/het-anker/departures/new")
    assert_fits_width(page)
    screenshot(page, "departures-form-375")


def test_departures_read_on_a_phone_in_each_language(open_page, live_server):
    """Each demo HR admin reads the list, a departure and the form in their language: the
    list stacks with labelled cells, nothing scrolls sideways, axe finds nothing serious."""
    for email, heading, slug in (
        ("hr.admin@het-anker.example", "Vertrekken", "het-anker"),
        ("hr.admin@maison-lumiere.example", "Départs", "maison-lumiere"),
        ("hr.admin@codeway.example", "Departures", "codeway"),
    ):
        page = phone_page(open_page, email)
        page.goto(f"/t/{slug}/departures/")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_reads_on_a_phone(page)
        screenshot(page, f"phone-departures-{slug}")
        page.locator("tbody tr:first-child td:first-child a").click()
        assert_reads_on_a_phone(page, key=".facts dd")
        screenshot(page, f"phone-departure-{slug}")
        page.goto(f"/t/{slug}/departures/new")
        assert_reads_on_a_phone(page, key=None)
        page.context.close()
