"""Leadership reports in the browser, on the demo data: Codeway's HR admin moves its weekly
reports to monthly, changes the recipients (removes a leader after asking, adds an HR
colleague and a board member's address), previews the report, sends it now, and it arrives
at a real SMTP server in each recipient's language; the archive shows it. Het Anker's HR
admin is told, in Dutch, that the latest report bounced; the agency admin sees the statuses.

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
from tests.browser.test_house import sign_in, translated
from tests.jobs.support import SmtpServer, wait_for

pytestmark = pytest.mark.browser

LEADER = "leadership@codeway.example"  # Dries Vandenberghe reads Dutch
REMOVED = "tim.lemmens@codeway.example"  # Tim Lemmens, leadership
COLLEAGUE = "hr@codeway.example"  # Stijn Verhaegen, HR, reads English
BOARD = "board@codeway.example"
EXTRA = "ceo.office@codeway.example"  # the demo's extra address, in English


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


def test_hr_admin_changes_the_schedule_and_recipients_previews_and_sends(
    open_page, live_server, smtp
):
    hr = open_page(locale="en-GB")
    sign_in(hr, "hr.admin@codeway.example")  # Eva Van den Broeck reads English
    hr.goto("/t/codeway/")
    hr.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(hr.get_by_text("Reports go out weekly.")).to_be_visible()
    hr.get_by_role("link", name="Settings and recipients").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Report settings")

    # The schedule: monthly, on the 3rd at 07:00.
    hr.get_by_label("How often").select_option(label="Monthly")
    hr.get_by_label("Day of the month (monthly and quarterly reports)").fill("3")
    hr.get_by_label(re.compile(r"^Hour, in the company's time zone")).select_option("7")
    hr.get_by_role("button", name="Save the settings").click()
    expect(hr.get_by_text("Report settings saved.")).to_be_visible()
    expect(hr.locator("#next-heading + p")).to_contain_text(
        re.compile(r"goes out on \w+ 3 \w+ \d{4}, 07:00 \(Europe/Brussels time\)")
    )

    # A mistake is named at its field, and nothing is saved.
    hr.get_by_label("Day of the month (monthly and quarterly reports)").fill("31")
    hr.get_by_role("button", name="Save the settings").click()
    expect(hr.locator("#day_of_month-error")).to_have_text("Choose a day from 1 to 28.")
    hr.goto("/t/codeway/reports/settings")
    expect(hr.get_by_label("Day of the month (monthly and quarterly reports)")).to_have_value("3")

    # The recipients: one leader removed after asking; he is offered again, leadership first.
    recipients = hr.locator("#recipients table tbody tr")
    expect(recipients).to_have_count(3)
    hr.get_by_role("link", name="Remove Tim Lemmens").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text(
        f"Stop sending the reports to Tim Lemmens ({REMOVED})?"
    )
    hr.get_by_role("button", name="Remove the recipient").click()
    expect(hr.get_by_text(f"Tim Lemmens ({REMOVED}) no longer gets the reports.")).to_be_visible()
    expect(recipients).to_have_count(2)
    members = hr.get_by_label("Member (leadership first)")
    expect(members.locator("option").nth(1)).to_contain_text(f"(Leadership, {REMOVED})")
    colleague = members.locator("option", has_text=COLLEAGUE)
    members.select_option(colleague.get_attribute("value"))
    hr.get_by_role("button", name="Add the member").click()  # htmx: the list comes back
    expect(hr.get_by_text(f"Stijn Verhaegen ({COLLEAGUE}) now gets the reports.")).to_be_visible()
    form = hr.locator("form", has=hr.get_by_role("button", name="Add the address"))
    form.get_by_label("Email address").fill(BOARD)
    form.get_by_label("Language of the report").select_option(label="Français")
    form.get_by_role("button", name="Add the address").click()
    expect(hr.get_by_text(f"{BOARD} now gets the reports.")).to_be_visible()
    expect(recipients).to_have_count(4)
    keep(hr, "settings")

    # Preview, then send now.
    hr.get_by_role("link", name="Preview the report").first.click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Preview of the report")
    expect(hr.get_by_text("It goes to 4 recipients:")).to_be_visible()
    keep(hr, "preview")
    hr.get_by_role("link", name="Send the report now").click()
    expect(hr.get_by_text("goes to 4 recipients now, as an extra copy")).to_be_visible()
    keep(hr, "send-confirm")
    hr.get_by_role("button", name="Send the report now").click()
    expect(hr.get_by_text("The report is on its way to 4 recipients.")).to_be_visible()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Reports")

    languages = {LEADER: "nl", COLLEAGUE: "en", BOARD: "fr", EXTRA: "en"}
    for address, language in languages.items():
        (mail,) = wait_for(lambda a=address: smtp.inbox.to(a), message=f"the report to {address}")
        assert mail["Content-Language"] == language, address
    assert not smtp.inbox.to(REMOVED)

    hr.reload()
    report = hr.locator("article").first
    expect(report).to_contain_text("Sent now by Eva Van den Broeck")
    for address in languages:
        expect(report.locator("tbody tr", has_text=address)).to_contain_text("delivered")
    keep(hr, "archive")


def test_het_ankers_hr_admin_is_told_the_latest_report_bounced(open_page, live_server):
    hr = open_page(locale="en-GB")  # the login form in English; then her own language
    sign_in(hr, "hr.admin@het-anker.example")  # Hanne Claes reads Dutch
    app = live_server.app
    told = translated(app, "nl", "Check the recipients")
    expect(hr.get_by_role("link", name=told)).to_be_visible()  # on the overview
    keep(hr, "home-failure-nl")
    hr.goto("/t/het-anker/reports/")
    expect(hr.get_by_role("link", name=told)).to_be_visible()
    bounced = hr.locator("article").first.locator("tbody tr", has_text="ondernemingsrad@")
    expect(bounced).to_contain_text(translated(app, "nl", "failed") + ": ")
    keep(hr, "archive-failure-nl")


def test_the_agency_admin_sees_which_clients_report(open_page, live_server):
    agency = open_page(locale="en-GB")
    sign_in(agency, "agency.admin@talentbrug.example")
    agency.goto("/agency/talentbrug/")
    agency.get_by_role("link", name="Leadership reports of your clients").click()
    expect(agency.get_by_role("heading", level=1)).to_have_text(
        "Leadership reports of your clients"
    )
    rows = agency.locator("#listing tbody tr")
    expect(rows.filter(has_text="Codeway")).to_contain_text("On, monthly")
    expect(rows.filter(has_text="Brasserie Het Anker")).to_contain_text("1 copy failed")
    expect(rows.filter(has_text="Bistro Margot")).to_contain_text("Never sent")
    keep(agency, "agency")
