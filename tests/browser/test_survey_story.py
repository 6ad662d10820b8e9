"""Issue 11's story end to end, as the people in it live it: Het Anker's HR admin records
a leaver with the online survey and sends the invitation; it arrives at a real SMTP server;
the leaver opens the emailed link on a phone, answers in Dutch, closes the page midway,
comes back through the same link, finishes and is thanked; the link then only shows the
friendly page; HR sees the departure answered and the response without name or address."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, assert_accessible, assert_fits_width, screenshot
from tests.browser.test_house import sign_in
from tests.jobs.support import SmtpServer, wait_for
from tests.surveys.leaver_world import a_month_on, last_month_of

pytestmark = pytest.mark.browser

PHONE = 375
NAME = "Femke Van Damme"
ADDRESS = "femke.vandamme@telenet.be"
WHY = "De gebroken diensten werden me te zwaar, en het rooster kwam altijd te laat."
SAVED = "Je antwoorden zijn bewaard."


@pytest.fixture
def smtp(live_server, monkeypatch):
    """A real SMTP server as the live app's mail server (the app's own mail relay sends)."""
    with SmtpServer() as server:
        monkeypatch.setitem(live_server.app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(live_server.app.config, "MAIL_PORT", server.port)
        yield server


def record_departure(hr) -> None:
    """HR records a leaver whose last day is past: the first mail is due at once."""
    hr.goto("/t/het-anker/departures/new")
    hr.get_by_label("Volledige naam").fill(NAME)
    hr.get_by_label("Persoonlijk e-mailadres").fill(ADDRESS)
    hr.get_by_label("Taal").select_option(label="Nederlands")
    last_day = dt.date.today() - dt.timedelta(days=3)
    hr.get_by_label("Laatste werkdag").fill(last_day.isoformat())
    hr.get_by_label("Soort vertrek").select_option(label="Vrijwillig")
    hr.get_by_label("Kanaal").select_option(label="Online enquête")
    hr.get_by_role("button", name="Vertrek registreren").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text(NAME)


def survey_path(message) -> str:
    """The leaver's link, from the plain-text part of the invitation mail."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/s/\S+)", body).group(1)


def test_hr_invites_the_leaver_answers_on_a_phone_and_hr_reads_it_de_identified(
    open_page, live_server, smtp
):
    hr = open_page(locale="en-GB")
    sign_in(hr, "hr.admin@het-anker.example")  # Hanne Claes reads Dutch
    record_departure(hr)
    survey = hr.locator("#survey")
    expect(survey.locator(".chip")).to_have_text("Gepland")
    survey.get_by_role("button", name="Nu versturen").click()
    expect(
        hr.get_by_text(f"De uitnodiging voor de enquête is onderweg naar {ADDRESS}.")
    ).to_be_visible()
    expect(hr.locator("#survey .chip")).to_have_text("Verzonden")
    screenshot(hr, "story-departure-sent-1280")

    (mail,) = wait_for(lambda: smtp.inbox.to(ADDRESS), message="the invitation")
    assert mail["Content-Language"] == "nl"
    path = survey_path(mail)

    # The leaver, on a phone, in a browser that never saw HR's session.
    leaver = open_page(locale="nl-BE", width=PHONE, height=812)
    leaver.goto(path)
    assert leaver.url.endswith("/s/")  # the token left the address bar for a cookie
    assert path.removeprefix("/s/") not in leaver.url
    expect(leaver.get_by_role("heading", level=1)).to_have_text("Je vertrek: enkele vragen")
    expect(leaver.get_by_role("heading", name="Wie ziet je antwoorden")).to_be_visible()
    assert_fits_width(leaver, PHONE)
    assert_accessible(leaver)
    screenshot(leaver, "story-leaver-375")
    # A full phone page is too tall to read: keep what the first screen shows as well.
    leaver.screenshot(path=str(ARTIFACTS / "story-leaver-375-first-screen.png"), caret="initial")
    with leaver.expect_response("**/s/draft"):
        leaver.get_by_label("Werkdruk, werkuren of diensten").check()
    expect(leaver.locator("#save-status")).to_have_text(SAVED)
    with leaver.expect_response("**/s/draft") as draft:
        leaver.locator("#survey-why_leaving textarea").fill(WHY)
    assert draft.value.status == 200
    expect(leaver.locator("#save-status")).to_have_text(SAVED)
    leaver.close()  # the tab is closed midway

    again = leaver.context.new_page()
    again.goto(path)
    expect(again.get_by_label("Werkdruk, werkuren of diensten")).to_be_checked()
    expect(again.locator("#survey-why_leaving textarea")).to_have_value(WHY)
    again.locator("#survey-split_shifts").get_by_label("Elke week").check()
    again.locator("#survey-recommend").get_by_label("7", exact=True).check()
    again.locator("#survey-come_back").get_by_label("Misschien").check()
    send = again.get_by_role("button", name="Mijn antwoorden verzenden")
    send.scroll_into_view_if_needed()
    again.screenshot(path=str(ARTIFACTS / "story-leaver-375-last-screen.png"), caret="initial")
    send.click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Bedankt")
    assert_fits_width(again, PHONE)
    assert_accessible(again)
    screenshot(again, "story-thanks-375")

    again.goto(path)
    expect(again.get_by_role("heading", level=1)).to_have_text(
        "Deze link naar de vragenlijst werkt niet"
    )
    screenshot(again, "story-link-used-375")

    # HR: the departure is answered; the response reads without who gave it.
    hr.reload()
    status = hr.locator(".facts").first.locator("dt:text-is('Status') + dd")
    expect(status).to_have_text("Beantwoord")
    expect(hr.locator("#survey .chip")).to_have_text("Afgerond")
    hr.goto("/t/het-anker/responses/")
    expect(hr.get_by_role("heading", level=1)).to_have_text("Antwoorden op de online vragenlijst")
    # The month in progress is not listed (HR would know who just answered): a month on.
    expect(hr.locator(".survey-response", has_text=WHY)).to_have_count(0)
    today = dt.datetime.now(ZoneInfo("Europe/Brussels")).date()  # Het Anker's month
    with live_server.app.app_context():
        a_month_on()
    hr.reload()
    response = hr.locator(".survey-response", has_text=WHY)
    expect(response).to_be_visible()
    month = last_month_of(today.replace(day=1))
    expect(response).to_contain_text(format_date(month, "MMMM y", locale="nl"))
    expect(response).not_to_contain_text(format_date(today, "d MMM y", locale="nl"))
    expect(response).to_contain_text("Werkdruk, werkuren of diensten")
    for identifying in (NAME, "Femke", ADDRESS):
        expect(hr.get_by_text(identifying)).to_have_count(0)
    assert_accessible(hr)
    response.screenshot(path=str(ARTIFACTS / "story-response-1280.png"), caret="initial")
