"""Good practice and "You said, we did" in the browser: HR starts an action from the
catalogue (the form arrives filled in), and the public page reads on a phone, in the
reader's language, without signing in."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_house import sign_in

pytestmark = pytest.mark.browser


def test_hr_starts_an_action_from_the_good_practice_catalogue(open_page, live_server):
    page = open_page()
    sign_in(page, "hr.admin@codeway.example")  # Eva reads English
    page.goto("/t/codeway/actions/")
    page.get_by_role("link", name="Good practice", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Good practice")
    assert_accessible(page)
    screenshot(page, "practices-1280")

    page.get_by_label("Theme", exact=True).select_option(label="Career growth")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(live_server.url + "/t/codeway/actions/practices?theme=growth")
    practice = page.get_by_role("article").filter(has_text="Describe the career path for each role")
    practice.get_by_role("link", name="Start an action").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("New action")
    expect(page.get_by_label("Title", exact=True)).to_have_value(
        "Describe the career path for each role"
    )
    expect(page.get_by_label("Description", exact=False)).to_have_value(
        "For every role, describe on one page the possible next steps (for example waiter, "
        "head waiter, floor manager), what each one takes and the training that leads there. "
        "Go through that page in every yearly review, so nobody has to leave to move up."
    )
    expect(page.get_by_role("checkbox", name="Career growth")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Workload")).not_to_be_checked()
    page.get_by_label("Owner", exact=True).select_option(label="Priya Raman")
    page.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=45)).isoformat())
    page.get_by_role("button", name="Create the action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Describe the career path for each role"
    )


def test_you_said_we_did_reads_on_a_phone_in_the_readers_language(open_page, live_server):
    page = open_page(locale="fr-BE", width=375)
    page.goto("/p/maison-lumiere/you-said-we-did")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous l'avez dit, nous l'avons fait")
    expect(page.locator(".scope-name")).to_have_text("Maison Lumière")
    expect(page.get_by_text("Talentbrug Interim")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="vendeurs sont augmentés")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
    screenshot(page, "you-said-we-did-fr-375")

    page.get_by_role("link", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jullie zeiden, wij deden")
    expect(page.get_by_role("link", name="Nederlands")).to_have_attribute("aria-current", "true")

    nothing = open_page(locale="en-GB", width=375)
    nothing.goto("/p/no-such-company/you-said-we-did")
    expect(nothing.get_by_text("Nothing has been published here yet.")).to_be_visible()
    assert_accessible(nothing)
