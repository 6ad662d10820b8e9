"""A structure import in the person's language, in a real browser: the demo HR admin of a
Dutch brasserie downloads the sample departments file, checks a Dutch-headed file with one
bad row, reads the preview in Dutch (headings and the error naming "aantal") and cancels.
The preview is screenshotted at 1280 px and 375 px and checked with axe-core."""

import csv
import io
from pathlib import Path

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

DUTCH_FILE = (
    b"Naam;Aantal;Vanaf\nTerras;8;01/04/2026\nAfwas;veel;01/04/2026\nKeuken;16;01/07/2026\n"
)


def test_dutch_import_with_a_sample_a_bad_row_and_a_way_out(page, live_server):
    app, base = live_server.app, live_server.url

    def nl(message: str) -> str:
        return translated(app, "nl", message)

    sign_in(page, HR_ADMIN)
    expect(page).to_have_url(f"{base}/t/het-anker/")
    nav = page.get_by_role("navigation", name=nl("Main"))
    nav.get_by_role("link", name=nl("Departments"), exact=True).click()
    page.get_by_role("link", name=nl("Import departments from a CSV file")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nl("Import departments"))
    expect(page.locator("code")).to_have_text("naam;aantal;vanaf")

    with page.expect_download() as downloading:
        page.get_by_role("link", name=nl("Download a sample file")).click()
    download = downloading.value
    assert download.suggested_filename == "voorbeeld-afdelingen.csv"
    sample = Path(download.path()).read_bytes()
    assert sample.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(sample.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["naam", "aantal", "vanaf"]
    assert [row[0] for row in rows[1:]] == ["Klantendienst", "Logistiek", "Boekhouding"]

    page.get_by_label(nl("CSV file"), exact=True).set_input_files(
        files=[{"name": "afdelingen.csv", "mimeType": "text/csv", "buffer": DUTCH_FILE}]
    )
    page.get_by_role("button", name=nl("Check the file"), exact=True).click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text(nl("Preview"))
    expect(preview.locator("th")).to_have_text(["Regel", "naam", "aantal", "vanaf", "Fouten"])
    bad_row = preview.locator("tr", has=page.locator("td.num", has_text="3"))
    expect(bad_row.locator("li")).to_have_text("aantal: Vul een geheel getal in.")
    expect(preview).not_to_contain_text("headcount")
    expect(preview.get_by_role("button")).to_have_count(0)  # nothing to import

    screenshot(page, "import-preview-nl-1280")
    assert_accessible(page)
    page_at_width(page, 375)
    assert_fits_width(page, 375)
    screenshot(page, "import-preview-nl-375")

    preview.get_by_role("link", name=nl("Cancel: import nothing")).click()
    expect(page).to_have_url(f"{base}/t/het-anker/departments/")
    expect(page.get_by_role("main")).not_to_contain_text("Terras")


@pytest.mark.parametrize(
    ("slug", "lang", "kind", "headings"),
    [
        ("maison-lumiere", "fr", "locations", "nom;localité"),
        ("codeway", "en", "functions", "name"),
    ],
)
def test_the_import_page_speaks_the_tenants_language_on_a_phone(
    open_page, live_server, slug, lang, kind, headings
):
    page = open_page(width=375)
    sign_in(page, f"hr.admin@{slug}.example")
    page.goto(f"/t/{slug}/import/{kind}")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("code")).to_have_text(headings)
    sample = translated(live_server.app, lang, "Download a sample file")
    expect(page.get_by_role("link", name=sample)).to_have_attribute(
        "href", f"/t/{slug}/import/{kind}/sample.csv"
    )
    assert_fits_width(page, 375)
    screenshot(page, f"import-{kind}-{lang}-375")
    assert_accessible(page)
