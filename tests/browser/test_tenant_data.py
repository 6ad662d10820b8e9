"""The company's data in a browser, at a phone's width: the HR admin exports everything,
downloads the archive once (a second try says it is gone), then requests the deletion and
cancels it from the banner every page shows. Screenshots: test-artifacts/phone-tenant-data-*.png."""

import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from service.extensions import db
from service.tenants.models import Tenant
from tests.browser.conftest import screenshot
from tests.browser.test_house import translated
from tests.browser.test_phone_width import HR_ADMIN, assert_reads_on_a_phone, phone_page

pytestmark = pytest.mark.browser


def test_the_hr_admin_exports_once_then_requests_and_cancels_the_deletion(open_page, live_server):
    app = live_server.app

    def nl(message: str) -> str:
        return translated(app, "nl", message)

    with app.app_context():
        company = db.session.scalar(sa.select(Tenant.name).where(Tenant.slug == "het-anker"))
    page = phone_page(open_page, HR_ADMIN)
    page.goto("/t/het-anker/settings")
    page.get_by_role("link", name=nl("Export or delete the data")).click()
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/settings/data")
    expect(page.locator("#tenant-exports")).to_contain_text(
        nl("No export yet. Start one to take all your company's data with you.")
    )

    page.get_by_role("button", name=nl("Start an export")).click()
    download_link = page.get_by_role("link", name=nl("Download (once)"))
    expect(download_link).to_be_visible(timeout=20_000)  # the progress partial polls until then
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-tenant-data-export")
    href = download_link.get_attribute("href")
    with page.expect_download() as download:
        download_link.click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"]["slug"] == "het-anker"

    page.reload()
    expect(page.locator("#tenant-exports tbody tr").first).to_contain_text(
        nl("Downloaded on %(moment)s; the archive is deleted").split("%(moment)s")[0].strip()
    )
    gone = page.goto(href)
    assert gone.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text(nl("This archive is gone"))

    page.goto("/t/het-anker/settings/data")
    page.get_by_label(nl("To confirm, type the company's name: %(name)s") % {"name": company}).fill(
        company
    )
    page.get_by_role(
        "button", name=nl("Delete all data after %(days)s days") % {"days": 30}
    ).click()
    banner = page.locator(".deletion-banner")
    expect(banner).to_be_visible()
    page.goto("/t/het-anker/")
    expect(banner).to_contain_text(company)
    assert_reads_on_a_phone(page, key=None)
    screenshot(page, "phone-tenant-data-deletion-banner")

    banner.get_by_role("button", name=nl("Cancel the deletion")).click()
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/")
    expect(page.locator("#flash")).to_contain_text(
        nl("The deletion is cancelled: nothing will be deleted.")
    )
    expect(banner).to_have_count(0)
