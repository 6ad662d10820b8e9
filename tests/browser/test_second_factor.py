"""The second factor in a real browser: the HR admin of Codeway sets it up from the profile
(the QR code drawn on the page, the key read from it; the test's "authenticator app" is
pyotp with that key), signs in again with a code, then with a recovery code, and requires
it of everyone in Codeway; a member is then led to the set-up before anything else.

Every page is screenshotted under test-artifacts/ and checked with axe-core; the set-up
page also at 375 px.
"""

import datetime as dt
import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.browser.test_house import sign_in

pytestmark = pytest.mark.browser

HR_ADMIN = "hr.admin@codeway.example"  # Eva Van den Broeck reads English
MEMBER = "member@codeway.example"  # Ruben Aerts reads English


def check(page, name: str) -> None:
    screenshot(page, f"second-factor-{name}")
    assert_accessible(page)


def next_code(authenticator: pyotp.TOTP) -> str:
    """The code of the next 30-second step: the current one may have been used already,
    and a code is accepted only once (a phone slightly ahead shows this one)."""
    now = dt.datetime.now(dt.UTC)
    return authenticator.generate_otp(authenticator.timecode(now) + 1)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login$"))


def enrol(page, name: str) -> tuple[pyotp.TOTP, list[str]]:
    """From the set-up page: start, read the key, type a code, read the recovery codes."""
    page.get_by_role("button", name="Set up a second factor", exact=True).click()
    expect(
        page.get_by_role("heading", name="Scan this code with your authenticator app")
    ).to_be_visible()
    qr = page.locator(".qr-code svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100
    check(page, f"{name}-scan")
    page_at_width(page, 375)
    assert_fits_width(page, 375)
    page.set_viewport_size({"width": 1280, "height": 900})
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    authenticator = pyotp.TOTP(secret)

    field = page.get_by_label("The 6-digit code your app shows now", exact=True)
    field.fill("000000" if authenticator.now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on the second factor", exact=True).click()
    expect(page.get_by_text("This code is not right.", exact=False)).to_be_visible()

    page.get_by_label("The 6-digit code your app shows now", exact=True).fill(authenticator.now())
    page.get_by_role("button", name="Turn on the second factor", exact=True).click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    check(page, f"{name}-recovery-codes")
    return authenticator, codes


def enter_code(page, code: str) -> None:
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_enrolment_sign_in_recovery_code_and_the_tenant_requirement(page, live_server):
    # Enrolment from the profile.
    sign_in(page, HR_ADMIN)
    expect(page).to_have_url(re.compile(r"/t/codeway/"))
    page.goto("/profile")
    page.get_by_role("link", name="Set up a second factor", exact=True).click()
    check(page, "start")
    authenticator, codes = enrol(page, "hr-admin")
    page.get_by_role("link", name="I have saved them", exact=True).click()
    expect(page).to_have_url(re.compile(r"/t/codeway/"))

    # Sign-in: the password alone leads to the code step, and no further.
    sign_out(page)
    sign_in(page, HR_ADMIN)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    check(page, "code-step")
    page.goto("/t/codeway/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.goto("/login/code")
    enter_code(page, "000000" if next_code(authenticator) != "000000" else "111111")
    expect(page.get_by_text("This code is not right, or was used already.")).to_be_visible()
    enter_code(page, next_code(authenticator))
    expect(page).to_have_url(re.compile(r"/t/codeway/"))

    # A recovery code instead of the app, once.
    sign_out(page)
    sign_in(page, HR_ADMIN)
    enter_code(page, codes[0])
    expect(page).to_have_url(re.compile(r"/t/codeway/"))
    sign_out(page)
    sign_in(page, HR_ADMIN)
    enter_code(page, codes[0])
    expect(page.get_by_text("This code is not right, or was used already.")).to_be_visible()
    enter_code(page, codes[1])
    expect(page).to_have_url(re.compile(r"/t/codeway/"))

    # The HR admin requires it of everyone in Codeway.
    page.goto("/t/codeway/settings")
    page.get_by_label("Require a second factor of everyone in Codeway", exact=True).check()
    page.locator("#second-factor-heading ~ form").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Everyone in Codeway now needs a second factor.")).to_be_visible()
    check(page, "settings")
    sign_out(page)

    # A member is led to the set-up right after signing in, and nowhere else until done.
    sign_in(page, MEMBER)
    expect(page).to_have_url(re.compile(r"/profile/second-factor$"))
    expect(page.get_by_text("Codeway requires a second factor.", exact=False)).to_be_visible()
    page.goto("/t/codeway/actions/")
    expect(page).to_have_url(re.compile(r"/profile/second-factor$"))
    enrol(page, "member")
    page.goto("/t/codeway/")
    expect(page).to_have_url(re.compile(r"/t/codeway/$"))
    assert not live_server.errors
