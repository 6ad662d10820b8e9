"""Departures from a spreadsheet, in a real browser: the demo HR admin of a Dutch brasserie
uploads a CSV saved by Excel in Windows-1252 with Dutch headings, maps the one column the
import could not guess, sees a preview with two bad rows, uploads the corrected file,
imports it and sees the progress bar full and the summary. Screenshots at 1280 and 375 px,
checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.browser.test_house import HR_ADMIN, sign_in, translated

pytestmark = pytest.mark.browser

HEADER = "Naam;E-mail;Afdeling;Functie;Datum in dienst;Vertrokken op;Type uitdiensttreding\n"
GOOD = (
    "Lotte Vermeulen;lotte@het-anker.example;Zaal;Kelner;01/03/2021;31/12/2025;vrijwillig\n"
    "Jens Peeters;jens@het-anker.example;Keuken;Kok;15/09/2018;31/01/2026;ontslag\n"
)
BAD = (
    "Zoë Declercq;zoe@;Bar;Barman;01/05/2022;28/02/2026;einde contract\n"
    "Rémi Dubois;remi@het-anker.example;Zaal;Kelner;01/06/2026;31/03/2026;pensioen\n"
)
FIXED = (
    "Zoë Declercq;zoe@het-anker.example;Bar;Barman;01/05/2022;28/02/2026;einde contract\n"
    "Rémi Dubois;remi@het-anker.example;Zaal;Kelner;01/06/2016;31/03/2026;pensioen\n"
)


def upload(page, nl, content: str) -> None:
    page.get_by_label(nl("CSV or XLSX file"), exact=True).set_input_files(
        files=[
            {"name": "uit-dienst.csv", "mimeType": "text/csv", "buffer": content.encode("cp1252")}
        ]
    )
    page.get_by_role("button", name=nl("Check the file"), exact=True).click()


def test_hr_imports_leavers_from_a_dutch_windows_spreadsheet(page, live_server):
    app, base = live_server.app, live_server.url

    def nl(message: str) -> str:
        return translated(app, "nl", message)

    sign_in(page, HR_ADMIN)
    page.goto(f"{base}/t/het-anker/departures/import")
    expect(page.get_by_role("heading", level=1)).to_have_text(nl("Import departures"))
    upload(page, nl, HEADER + GOOD + BAD)

    # "Vertrokken op" is no heading the import knows: the person says what it is.
    expect(page.get_by_role("alert").first).to_contain_text(nl("Last working day"))
    column = page.get_by_label("Kolom 6: “Vertrokken op”")
    expect(column).to_have_value("")
    column.select_option("last_day")
    page.get_by_role("button", name=nl("Check again with these columns")).click()

    table = page.locator("table")
    expect(table).to_contain_text("Zoë Declercq")  # Windows-1252 read as such
    expect(page.locator("tr.has-error")).to_have_count(2)
    expect(page.locator("tr.has-error").first).to_contain_text("“zoe@” is geen e-mailadres.")
    expect(page.locator("tr.has-error").last).to_contain_text(
        nl("The last working day is before the hire date.")
    )
    expect(page.get_by_role("button", name="4 vertrekken importeren")).to_have_count(0)
    screenshot(page, "departure-import-preview-nl-1280")
    assert_accessible(page)
    page_at_width(page, 375)
    assert_fits_width(page, 375)
    screenshot(page, "departure-import-preview-nl-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name=nl("Upload another file")).click()
    upload(page, nl, HEADER + GOOD + FIXED)
    # The corrected column is remembered: the fixed file needs no mapping.
    expect(page.get_by_label("Kolom 6: “Vertrokken op”")).to_have_value("last_day")
    expect(page.locator("tr.has-error")).to_have_count(0)
    page.get_by_role("button", name="4 vertrekken importeren").click()

    progress = page.locator("#import-progress")
    expect(progress.locator("progress")).to_have_attribute("value", "1")
    expect(progress).to_contain_text("4 vertrekken aangemaakt.")
    expect(progress).not_to_have_attribute("hx-get", "")
    screenshot(page, "departure-import-done-nl-1280")
    assert_accessible(page)
    page_at_width(page, 375)
    assert_fits_width(page, 375)
    screenshot(page, "departure-import-done-nl-375")

    page.get_by_role("link", name=nl("Back to the imports")).click()
    expect(page.locator("table")).to_contain_text("uit-dienst.csv")
    screenshot(page, "departure-import-list-nl-375")
