"""The leaver's survey on a phone: a Het Anker leaver opens the emailed link, answers in
Dutch, closes the page midway, opens the link again (nothing lost), sends the answers and
sees the thank-you page; the link then shows the one friendly page. HR then reads the
answers de-identified, on a phone too."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from service.extensions import db
from service.tenants.models import Tenant
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_house import sign_in
from tests.surveys.leaver_world import (
    COMPLETE,
    a_month_on,
    make_leaver,
    open_survey,
    responses_of,
)

pytestmark = pytest.mark.browser

PHONE = 375
TEXT = "Minder gebroken diensten, meer overleg."
SAVED = f"{TEXT} Betere planning.!"


def het_anker_leaver(live_server, name: str):
    with live_server.app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
        db.session.expunge(tenant)
        return make_leaver(tenant, name)


def test_a_leaver_answers_on_a_phone_across_two_visits(open_page, live_server):
    leaver = het_anker_leaver(live_server, "Lotte Wouters")
    page = open_page(locale="nl-BE", width=PHONE, height=812)
    page.goto(leaver.link)
    assert page.url.endswith("/s/")
    assert leaver.token not in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Je vertrek: enkele vragen")
    expect(page.get_by_role("heading", name="Wie ziet je antwoorden")).to_be_visible()
    assert_fits_width(page, PHONE)
    assert_accessible(page)
    screenshot(page, "leaver-survey-375")

    with page.expect_response("**/s/draft"):
        page.get_by_label("Mijn leidinggevende").check()  # a choice is saved at once
    expect(page.locator("#save-status")).to_have_text("Je antwoorden zijn bewaard.")
    improve = page.get_by_label("Wat kunnen we beter doen?")
    with page.expect_response("**/s/draft") as saved:  # text: once typing pauses
        improve.fill(TEXT)
    assert saved.value.status == 200
    # The connection drops while typing: the page says so, and keeps the text.
    page.context.set_offline(True)
    improve.fill(f"{TEXT} Betere planning.")
    expect(page.locator("#save-status")).to_contain_text("Geen verbinding")
    page.context.set_offline(False)
    with page.expect_response("**/s/draft"):
        improve.press("End")
        improve.press_sequentially("!")
    expect(page.locator("#save-status")).to_have_text("Je antwoorden zijn bewaard.")
    page.context.close()  # the tab is closed midway

    page = open_page(locale="nl-BE", width=PHONE, height=812)
    page.goto(leaver.link)
    expect(page.get_by_label("Mijn leidinggevende")).to_be_checked()
    expect(page.get_by_label("Wat kunnen we beter doen?")).to_have_value(SAVED)
    # Sending without a required answer: told at the question, nothing lost.
    page.get_by_role("button", name="Mijn antwoorden verzenden").click()
    expect(page.locator("#error-pay")).to_have_text("Beantwoord deze vraag.")
    expect(page.get_by_label("Wat kunnen we beter doen?")).to_have_value(SAVED)
    page.locator("#survey-pay").get_by_label("Nee").check()
    page.get_by_role("button", name="Mijn antwoorden verzenden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt")
    assert_fits_width(page, PHONE)
    screenshot(page, "leaver-thanks-375")
    with live_server.app.app_context():
        # The demo tenant has responses of its own: this leaver's answered their version.
        (response,) = [
            r for r in responses_of(leaver.tenant) if r.template_version_id == leaver.version.id
        ]
        assert response.answers["improve"] == SAVED

    page.goto(leaver.link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Deze link naar de vragenlijst werkt niet"
    )
    assert_accessible(page)


def test_hr_reads_the_answers_de_identified_on_a_phone(open_page, live_server):
    leaver = het_anker_leaver(live_server, "Jens Maes")
    client = live_server.app.test_client()
    with live_server.app.app_context():
        csrf = open_survey(client, leaver)
    data = {**COMPLETE, "answer_improve": "Meer collega's op zaterdag.", "csrf_token": csrf}
    assert client.post("/s/submit", data=data).status_code == 303
    with live_server.app.app_context():
        a_month_on()  # responses are listed once their month has ended
    page = open_page(locale="en-GB", width=PHONE, height=812)
    sign_in(page, "hr.admin@het-anker.example")  # Hanne Claes reads Dutch
    page.locator(".site-header nav").get_by_role("link", name="Antwoorden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Antwoorden op de online vragenlijst")
    answer = page.locator(".survey-response", has_text="Meer collega's op zaterdag.")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("2026-Q3")
    expect(page.get_by_text("Jens Maes")).to_have_count(0)
    assert_fits_width(page, PHONE)
    assert_accessible(page)
    screenshot(page, "responses-375")
