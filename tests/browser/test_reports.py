"""Leadership reports in the browser: Codeway's HR admin switches the reports on, weekly,
chooses the recipients (a member of leadership, a board member's address; one removed after
asking), previews the report, sends it now, and it arrives at a real SMTP server in each
recipient's language; the archive shows it; the agency admin sees the statuses only.

Every page is kept as a screenshot at 1280 and 375 px (test-artifacts/reports-*.png)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.browser.test_house import sign_in
from tests.jobs.support import SmtpServer, wait_for

pytestmark = pytest.mark.browser

LEADER = "leadership@codeway.example"
BOARD = "board@codeway.example"
GONE = "former.board@codeway.example"


@pytest.fixture
def smtp(live_server, monkeypatch):
    """A real SMTP server as the live app's mail server (the app's own mail relay sends)."""
    with SmtpServer() as server:
        monkeypatch.setitem(live_server.app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(live_server.app.config, "MAIL_PORT", server.port)
        yield server


def keep(page, name: str) -> None:
    """The page at 1280 and at 375 px: it fits the phone and passes axe at both."""
    assert_accessible(page)
    screenshot(page, f"reports-{name}-1280")
    page_at_width(page, 375)
    assert_fits_width(page, 375)
    assert_accessible(page)
    screenshot(page, f"reports-{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def add_address(hr, address: str, language: str) -> None:
    form = hr.locator("form", has=hr.get_by_role("button", name="Add the address"))
    form.get_by_label("Email address").fill(address)
    form.get_by_label("Language of the report").select_option(label=language)
    form.get_by_role("button", name="Add the address").click()
    expect(hr.get_by_text(f"{address} now gets the reports.")).to_be_visible()


def test_hr_admin_sets_up_previews_and_sends_the_report(open_page, live_server, smtp):
    hr = open_page(locale="en-GB")
    sign_in(hr, "hr.admin@codeway.example")  # Eva Van den Broeck reads English
    hr.goto("/t/codeway/")
    hr.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Reports")
    keep(hr, "archive-empty")
    hr.get_by_role("link", name="Settings and recipients").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Report settings")
    expect(hr.get_by_text("Reports are off: nothing is sent on a schedule.")).to_be_visible()

    # The schedule: on, weekly, on Tuesdays at 07:00.
    hr.get_by_label("Send the reports on schedule").check()
    hr.get_by_label("How often").select_option(label="Weekly")
    hr.get_by_label("Day of the week (weekly reports)").select_option(label="Tuesday")
    hr.get_by_label(re.compile(r"^Hour, in the company's time zone")).select_option("7")
    hr.get_by_role("button", name="Save the settings").click()
    expect(hr.get_by_text("Report settings saved.")).to_be_visible()
    next_report = hr.locator("#next-heading + p")
    expect(next_report).to_contain_text("The next report, of ")
    expect(next_report).to_contain_text(", 07:00 (Europe/Brussels time)")

    # A mistake is named at its field, and nothing is saved.
    hr.get_by_label("Day of the month (monthly and quarterly reports)").fill("31")
    hr.get_by_role("button", name="Save the settings").click()
    expect(hr.locator("#day_of_month-error")).to_have_text("Choose a day from 1 to 28.")
    hr.goto("/t/codeway/reports/settings")
    expect(hr.get_by_label("Day of the month (monthly and quarterly reports)")).to_have_value("1")

    # The recipients: leadership first among the members; two addresses, one removed.
    members = hr.get_by_label("Member (leadership first)")
    first = members.locator("option").nth(1)
    expect(first).to_contain_text("(Leadership, ")
    leader = members.locator("option", has_text=LEADER)
    members.select_option(leader.get_attribute("value"))
    hr.get_by_role("button", name="Add the member").click()
    expect(hr.get_by_text("now gets the reports.")).to_be_visible()
    add_address(hr, BOARD, "Français")
    add_address(hr, GONE, "Nederlands")
    recipients = hr.locator("#recipients table")
    expect(recipients.locator("tbody tr")).to_have_count(3)
    keep(hr, "settings")
    hr.get_by_role("link", name=f"Remove {GONE}").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text(f"Stop sending the reports to {GONE}?")
    hr.get_by_role("button", name="Remove the recipient").click()
    expect(hr.get_by_text(f"{GONE} no longer gets the reports.")).to_be_visible()
    expect(recipients.locator("tbody tr")).to_have_count(2)

    # Preview, then send now.
    hr.get_by_role("link", name="Preview the report").first.click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Preview of the report")
    expect(hr.get_by_text("It goes to 2 recipients:")).to_be_visible()
    keep(hr, "preview")
    hr.get_by_role("link", name="Send the report now").click()
    expect(hr.get_by_text("goes to 2 recipients now, as an extra copy")).to_be_visible()
    keep(hr, "send-confirm")
    hr.get_by_role("button", name="Send the report now").click()
    expect(hr.get_by_text("The report is on its way to 2 recipients.")).to_be_visible()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Reports")

    (leader_mail,) = wait_for(lambda: smtp.inbox.to(LEADER), message="the leader's report")
    (board_mail,) = wait_for(lambda: smtp.inbox.to(BOARD), message="the board's report")
    assert leader_mail["Content-Language"] == "nl"  # Dries Vandenberghe reads Dutch
    assert board_mail["Content-Language"] == "fr"  # chosen with the address
    assert not smtp.inbox.to(GONE)

    hr.reload()
    report = hr.locator("article").first
    expect(report).to_contain_text("Sent now by Eva Van den Broeck")
    expect(report.locator("tbody tr", has_text=BOARD)).to_contain_text("delivered")
    expect(report.locator("tbody tr", has_text=LEADER)).to_contain_text("delivered")
    keep(hr, "archive")


def test_the_agency_admin_sees_which_clients_report(open_page, live_server):
    agency = open_page(locale="en-GB")
    sign_in(agency, "agency.admin@talentbrug.example")
    agency.goto("/agency/talentbrug/")
    agency.get_by_role("link", name="Leadership reports of your clients").click()
    expect(agency.get_by_role("heading", level=1)).to_have_text(
        "Leadership reports of your clients"
    )
    expect(agency.locator("#listing tbody tr", has_text="Codeway")).to_be_visible()
    keep(agency, "agency")
