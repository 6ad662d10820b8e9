"""The insights dashboard in the browser, at Codeway (English): leadership opens Insights
from the navigation, narrows it to one department (the panels refresh in place and the
address can be shared), opens a theme and reads its de-identified quotes beside the
figures; the same dashboard on a phone."""

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

LEADERSHIP = "tim.lemmens@codeway.example"  # leadership, in English


def test_leadership_reads_why_people_leave_a_department(page, live_server):
    sign_in(page, LEADERSHIP)
    page.locator(".site-header nav").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    expect(page.locator("#panel-themes .theme-row").first).to_be_visible()
    assert page.locator("#panel-volume svg[role=img]").count() == 1
    assert_accessible(page)
    screenshot(page, "insights-dashboard-1280")

    # One department: the panels refresh in place, the address names the filter.
    page.get_by_label("Department", exact=True).select_option(label="Engineering")
    page.wait_for_url("**/insights/?*department=*")
    expect(page.locator(".selection")).to_contain_text("Engineering")
    expect(page.locator("#panel-heatmap thead")).to_contain_text("Engineering")
    shared = page.url

    # A theme's quotes, beside the figures.
    theme = page.locator("#panel-themes .theme-name").first
    name = theme.inner_text()
    theme.click()
    panel = page.locator("#quotes-panel")
    expect(panel.get_by_role("heading", level=2)).to_have_text(f"What people said about {name}")
    expect(panel.locator("blockquote").first).to_be_visible()
    assert "Engineering" in panel.inner_text()
    assert_accessible(page)
    screenshot(page, "insights-quotes-1280")
    panel.get_by_role("link", name="Close").click()
    expect(panel).to_be_empty()

    # A period of months of one's own makes the period "From … to …".
    page.get_by_label("From (month)").fill("2026-07")
    expect(page.get_by_label("Period")).to_have_value("custom")
    expect(page.locator(".selection strong")).to_contain_text("Jul 2026")
    page.get_by_label("Period").select_option(label="Last 3 months")
    expect(page.get_by_label("From (month)")).to_have_value("")

    # The shared address opens the same filtered view.
    page.goto(shared)
    expect(page.locator(".selection")).to_contain_text("Engineering")


def test_the_dashboard_on_a_phone(page, live_server):
    sign_in(page, LEADERSHIP)
    page.goto("/t/codeway/insights/")
    page_at_width(page)
    expect(page.locator("#panel-ratings")).to_be_visible()
    assert_fits_width(page)
    screenshot(page, "insights-dashboard-375")
