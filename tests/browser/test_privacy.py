"""The data page in a browser, at a phone's width: the HR admin of the demo brasserie finds
it from the settings, keeps interviews longer on the retention form, and the page says the
new period at once (it is written from the setting). Screenshots:
test-artifacts/phone-privacy-*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_house import translated
from tests.browser.test_phone_width import HR_ADMIN, assert_reads_on_a_phone, phone_page

pytestmark = pytest.mark.browser


def test_the_hr_admin_keeps_interviews_longer_and_the_data_page_says_so(open_page, live_server):
    app = live_server.app

    def nl(message: str) -> str:
        return translated(app, "nl", message)

    page = phone_page(open_page, HR_ADMIN)
    page.goto("/t/het-anker/settings")
    page.get_by_role("link", name=nl("Open the data page")).click()
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/settings/privacy/")
    after_interview = nl("after the interview")
    expect(page.locator("main")).to_contain_text(f"18 maanden {after_interview}.")
    assert_reads_on_a_phone(page, key=None)
    screenshot(page, "phone-privacy-page")

    page.get_by_role("link", name=nl("Change how long data is kept")).click()
    field = page.get_by_label(nl("Interview answers and notes"))
    expect(field).to_have_value("18")
    field.fill("5")
    page.get_by_role("button", name=nl("Save"), exact=True).click()
    expect(page.locator(".field-error")).to_contain_text(nl("Choose from 6 to 120 months."))
    assert_reads_on_a_phone(page, key=None)
    screenshot(page, "phone-privacy-retention-refused")

    page.get_by_label(nl("Interview answers and notes")).fill("24")
    page.get_by_role("button", name=nl("Save"), exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/settings/privacy/")
    expect(page.locator("#flash")).to_contain_text(
        nl("Retention saved. The daily clean-up follows the new periods.")
    )
    expect(page.locator("main")).to_contain_text(f"24 maanden {after_interview}.")
    assert not live_server.errors
