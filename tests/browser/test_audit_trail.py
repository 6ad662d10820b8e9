"""The audit trail in a browser, at a phone's width: the HR admin finds it from the settings,
narrows it to sign-ins (the filter lands in the URL) and sees their own; the platform admin
reads the platform's. Screenshots: test-artifacts/phone-audit-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_house import translated
from tests.browser.test_phone_width import (
    HR_ADMIN,
    PLATFORM_ADMIN,
    assert_reads_on_a_phone,
    phone_page,
)

pytestmark = pytest.mark.browser


def test_the_hr_admin_narrows_the_trail_to_sign_ins_on_a_phone(open_page, live_server):
    page = phone_page(open_page, HR_ADMIN)
    page.goto("/t/het-anker/settings")
    page.get_by_role("link", name=translated(live_server.app, "nl", "Open the audit trail")).click()
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/settings/audit/")
    assert_reads_on_a_phone(page)
    signed_in = translated(live_server.app, "nl", "Sign-in")
    page.locator("#action").select_option("auth.sign_in")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/t/het-anker/settings/audit/\?.*action=auth\.sign_in"))
    first = page.locator("#entries tbody tr").first
    expect(first).to_contain_text(signed_in)
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-audit-trail")


def test_the_platform_admin_reads_the_platform_trail_on_a_phone(open_page, live_server):
    page = phone_page(open_page, PLATFORM_ADMIN)
    page.goto("/platform/audit/")
    expect(page.locator("#entries tbody tr").first).to_contain_text("Sign-in")
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-audit-platform")
