"""Themes in the browser: the HR admin adds a theme of the company's own, then corrects an
answer's themes on the responses page without a reload (htmx), on a laptop and a phone.

Screenshots land in test-artifacts/themes-*.png.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, assert_accessible, assert_fits_width, screenshot
from tests.browser.test_house import sign_in, translated

pytestmark = pytest.mark.browser

HR_ADMIN = "hr.admin@het-anker.example"  # reads in Dutch
THEMES = "/t/het-anker/settings/themes/"
RESPONSES = "/t/het-anker/responses/"


def answer_shot(page, target: str, name: str) -> None:
    """The corrected answer's response on screen (a page of responses is too long to shoot
    whole within the browser's time limit)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(f"#{target}").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), caret="initial")


def test_hr_admin_adds_a_theme_and_corrects_an_answer(open_page, live_server):
    app = live_server.app
    page = open_page()
    sign_in(page, HR_ADMIN)
    page.goto(THEMES)
    expect(page.get_by_role("heading", level=1)).to_have_text(translated(app, "nl", "Themes"))
    expect(page.get_by_text("Verloning en voordelen").first).to_be_visible()
    assert_accessible(page)
    page.locator("#label_nl").fill("Verbouwing")
    page.locator("#keywords_nl").fill("verbouwing\nwerf")
    # Without Redis the re-read of every answer runs in the request (seconds on the demo).
    page.get_by_role("button", name=translated(app, "nl", "Add the theme")).click(
        no_wait_after=True
    )
    expect(page.get_by_role("link", name="Verbouwing")).to_be_visible(timeout=120_000)
    screenshot(page, "themes-settings")

    page.goto(RESPONSES)
    answer = page.locator(".answer-themes").filter(has=page.locator(".theme-tags .chip-theme"))
    answer = answer.first
    before = answer.locator(".theme-tags .chip-theme").count()
    expect(
        answer.get_by_text(translated(app, "nl", "Why: %(words)s").split("%")[0]).first
    ).to_be_visible()
    target = answer.get_attribute("id")
    answer.locator(".theme-tags li").first.locator("button.link-button").last.click()
    expect(page.locator(f"#{target} .theme-tags .chip-theme")).to_have_count(before - 1)
    assert_accessible(page)
    answer_shot(page, target, "themes-responses")

    page.set_viewport_size({"width": 375, "height": 812})
    assert_fits_width(page)
    answer_shot(page, target, "themes-responses-phone")
    page.goto(THEMES)
    assert_fits_width(page)
    screenshot(page, "themes-settings-phone")
