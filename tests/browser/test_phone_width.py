"""Every list page at a phone's width (375 px), for each demo role that can see it: the page
never scrolls sideways, no table hides columns off-screen (rows stack, each cell under its
column's name), the first row's key cell is on screen, and axe finds nothing serious.
Then the ways back: the profile leads to the workspace the person came from, an agency admin
inside a client sees its portfolio, a new client's home says what to set up first.

Screenshots land in test-artifacts/phone-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from service.extensions import db
from service.mail.outbox import queue_email
from tests.browser.conftest import (
    assert_accessible,
    assert_fits_width,
    screenshot,
)
from tests.browser.test_house import sign_in, translated

pytestmark = pytest.mark.browser

PHONE = 375
HR_ADMIN = "hr.admin@het-anker.example"
AGENCY_ADMIN = "agency.admin@talentbrug.example"
CONSULTANT = "consultant@talentbrug.example"
PLATFORM_ADMIN = "admin@exitloop.example"

# A department file with one bad row (a negative headcount): the preview shows its error.
DEPARTMENTS_CSV = (
    b"name;headcount;effective_from\n"
    b"Terras;8;2026-03-01\n"
    b"Afwas;-2;2026-03-01\n"
    b"Banket met een heel lange naam voor grote gezelschappen;4;2026-03-01\n"
)

# Cells of a table that would need a sideways scroll, and cells that lack their label.
WIDE_TABLES = """() => [...document.querySelectorAll('.table-wrap')]
    .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1)
    .map(wrap => wrap.outerHTML.slice(0, 120))"""
UNLABELLED_CELLS = """() => [...document.querySelectorAll('.table-wrap td:not([colspan])')]
    .filter(cell => !cell.dataset.label)
    .map(cell => cell.outerHTML.slice(0, 120))"""


def assert_on_screen(locator, width: int = PHONE) -> None:
    """Visible, with text, and wholly inside the phone's width."""
    expect(locator).to_be_visible()
    assert locator.inner_text().strip(), "the key cell is empty"
    box = locator.bounding_box()
    assert box["x"] >= 0, f"off-screen to the left: {box}"
    assert box["x"] + box["width"] <= width, f"off-screen to the right: {box}"


def assert_reads_on_a_phone(page, key: str | None = "tbody tr:first-child td:first-child"):
    """The page fits, every table stacks with labelled cells, the key cell shows."""
    page.wait_for_load_state()  # a page still loading has no scrolling element yet
    assert_fits_width(page, PHONE)
    assert (
        page.evaluate("(document.scrollingElement || document.documentElement).scrollWidth")
        <= PHONE
    )
    assert page.evaluate(WIDE_TABLES) == [], f"{page.url}: a table scrolls sideways"
    assert page.evaluate(UNLABELLED_CELLS) == [], f"{page.url}: cells without a label"
    if key:
        assert_on_screen(page.locator(key).first)
    assert_accessible(page)


def phone_page(open_page, email: str):
    page = open_page(width=PHONE)
    sign_in(page, email)
    return page


def test_the_hr_admins_lists_read_on_a_phone(open_page, live_server):
    page = phone_page(open_page, HR_ADMIN)
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/")
    assert_reads_on_a_phone(page, key=None)
    screenshot(page, "phone-hr-home")

    page.goto("/t/het-anker/members/")
    assert_reads_on_a_phone(page)
    # The member's name heads its card; the email address sits under its own label.
    first = page.locator("tbody tr").first
    email = first.locator("td").nth(1)
    label = translated(live_server.app, "nl", "Email address")
    expect(email).to_have_attribute("data-label", label)
    assert_on_screen(email)
    screenshot(page, "phone-members")

    page.goto("/t/het-anker/departments/")
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-departments")
    page.locator("tbody tr:first-child td:first-child a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administratie")
    assert_reads_on_a_phone(page)  # the headcount history

    for path in ("functions/", "locations/"):
        page.goto(f"/t/het-anker/{path}")
        assert_reads_on_a_phone(page, key=".plain-list li:first-child")
    page.goto("/t/het-anker/settings")
    assert_reads_on_a_phone(page, key=".facts dd")
    page.goto("/profile")
    assert_reads_on_a_phone(page)  # where the person is signed in


def test_the_import_preview_shows_each_rows_error_on_a_phone(open_page, live_server):
    page = phone_page(open_page, HR_ADMIN)
    page.goto("/t/het-anker/import/departments")
    upload = {"name": "afdelingen.csv", "mimeType": "text/csv", "buffer": DEPARTMENTS_CSV}
    page.set_input_files("#file", files=[upload])
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    bad_row = page.locator("#preview tr.has-error")
    expect(bad_row).to_have_count(1)
    assert_reads_on_a_phone(page, key="#preview tbody tr:first-child td:first-child")
    # The bad row's line number and its error both show without scrolling sideways.
    assert_on_screen(bad_row.locator("td").first)
    error = bad_row.locator("td").last
    expect(error).to_have_attribute("data-label", translated(live_server.app, "nl", "Errors"))
    assert_on_screen(error.locator("li").first)
    error.scroll_into_view_if_needed()
    screenshot(page, "phone-import-preview")


def test_the_agency_admins_lists_read_on_a_phone(open_page, live_server):
    page = phone_page(open_page, AGENCY_ADMIN)
    expect(page).to_have_url(f"{live_server.url}/agency/talentbrug/")
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-portfolio")
    page.goto("/agency/talentbrug/consultants")
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-consultants")


def test_the_consultants_clients_read_on_a_phone(open_page, live_server):
    page = phone_page(open_page, CONSULTANT)
    page.goto("/agency/talentbrug/")
    # Assigned to Het Anker and Maison Lumière, not to Codeway.
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name="Brasserie Het Anker", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Codeway", exact=True)).to_have_count(0)
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-consultant-clients")


def test_the_platform_admins_lists_read_on_a_phone(open_page, live_server):
    with live_server.app.app_context():  # one kept message, so the outbox lists a row
        queue_email(to="someone@talentbrug.example", template="test", language="nl", context={})
        db.session.commit()
    page = phone_page(open_page, PLATFORM_ADMIN)
    expect(page).to_have_url(f"{live_server.url}/platform/")
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-agencies")
    page.goto("/platform/outbox")
    expect(page.locator("tbody tr td[data-label]").first).to_be_visible()
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-outbox")


def test_the_profile_leads_back_to_the_tenant_and_other_workspaces(open_page, live_server):
    app = live_server.app
    page = phone_page(open_page, HR_ADMIN)
    page.goto("/t/het-anker/departments/")
    page.locator("header .who").click()
    expect(page).to_have_url(f"{live_server.url}/profile")
    lang = page.locator("html").get_attribute("lang")  # outside the tenant: the browser's
    back = page.get_by_role("main").get_by_role("link").first
    expect(back).to_have_text(
        "← " + translated(app, lang, "Back to %(workspace)s") % {"workspace": "Brasserie Het Anker"}
    )
    nav = page.get_by_role("navigation", name=translated(app, lang, "Main"))
    switcher = nav.get_by_text(translated(app, lang, "Switch workspace"), exact=True)
    expect(switcher).to_be_visible()
    switcher.click()
    expect(nav.get_by_role("link", name="Brasserie Het Anker", exact=True)).to_be_visible()
    assert_fits_width(page, PHONE)
    screenshot(page, "phone-profile")
    assert_accessible(page)
    back.click()
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/departments/")


def test_a_new_clients_home_says_what_to_set_up(open_page, live_server):
    """The agency admin creates a client and opens it: the portfolio is one click away, and
    the checklist leads to each first step."""
    app = live_server.app
    page = open_page(width=1280)
    sign_in(page, AGENCY_ADMIN)
    page.goto("/agency/talentbrug/tenants/new")
    page.locator("#slug").fill("bakkerij-peeters")
    page.locator("#sector").select_option("horeca")
    page.locator("#name").fill("Bakkerij Peeters")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/agency/talentbrug/")
    page.get_by_role("link", name="Bakkerij Peeters", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/t/bakkerij-peeters/")
    lang = page.locator("html").get_attribute("lang")
    steps = page.locator(".checklist li")
    expect(steps).to_have_count(6)
    expect(steps.locator("a")).to_have_count(5)  # the "coming soon" departure step links nowhere
    screenshot(page, "new-client-home")
    assert_accessible(page)
    page.set_viewport_size({"width": PHONE, "height": 812})
    assert_fits_width(page, PHONE)
    screenshot(page, "phone-new-client-home")

    nav = page.get_by_role("navigation", name=translated(app, lang, "Main"))
    portfolio = translated(app, lang, "Portfolio of %(agency)s") % {"agency": "Talentbrug Interim"}
    steps.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/t/bakkerij-peeters/departments/$"))
    nav.get_by_role("link", name=f"← {portfolio}").click()
    expect(page).to_have_url(f"{live_server.url}/agency/talentbrug/")


def test_question_templates_read_on_a_phone(open_page, live_server):
    page = phone_page(open_page, HR_ADMIN)
    page.goto("/t/het-anker/templates/")
    assert_reads_on_a_phone(page)
    screenshot(page, "phone-templates")
    page.locator("tbody tr:first-child td:first-child a").click()
    assert_fits_width(page, PHONE)
    assert_accessible(page)
    screenshot(page, "phone-template")


def test_the_agency_library_reads_on_a_phone(open_page, live_server):
    page = phone_page(open_page, AGENCY_ADMIN)
    page.goto("/agency/talentbrug/library/")
    assert_reads_on_a_phone(page)
    page.locator("tbody tr:first-child td:first-child a").click()
    assert_fits_width(page, PHONE)
    screenshot(page, "phone-library-template")
