"""Destructive actions ask first, in a real browser: the demo HR admin opens a department,
clicks Delete, reads what would be lost, cancels (the department is still there), then
confirms (it is gone). The other confirmations are visited on a phone, in the language
their reader gets, and held to the width and accessibility bar.

Expected counts are read from the database, not copied from the demo data.
"""

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, format_date, gettext, ngettext
from playwright.sync_api import expect

from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Department, DepartmentHeadcount, Tenant
from tests.browser.conftest import assert_accessible, assert_fits_width, page_at_width, screenshot
from tests.browser.test_house import sign_in

pytestmark = pytest.mark.browser

HR_ADMIN = "hr.admin@het-anker.example"
AGENCY_ADMIN = "agency.admin@talentbrug.example"
PLATFORM_ADMIN = "admin@exitloop.example"


def say(app, lang: str, text: str, plural: str | None = None, num: int = 0, **values) -> str:
    """What a reader of ``lang`` sees for this message."""
    with app.test_request_context(), force_locale(lang):
        if plural is None:
            return gettext(text, **values)
        return ngettext(text, plural, num, **values)


def unused_department(app) -> tuple[str, int, dt.date, int]:
    """A department of Het Anker with a headcount history and no departure (every demo
    department has departures, which refuse a deletion): its name, the number of entries,
    the first date, the headcount today."""
    history = [(dt.date.today() - dt.timedelta(days=400), 6), (dt.date.today(), 8)]
    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
        with tenant_scope(tenant.id):
            department = Department(name="Terras")
            db.session.add(department)
            db.session.flush()
            for day, headcount in history:
                db.session.add(
                    DepartmentHeadcount(
                        department_id=department.id, effective_from=day, headcount=headcount
                    )
                )
            db.session.commit()
    return "Terras", len(history), history[0][0], history[-1][1]


def check(page, name: str, width: int | None = None) -> None:
    if width:
        assert_fits_width(page, width)
    screenshot(page, f"confirm-{name}")
    assert_accessible(page)


def test_deleting_a_department_asks_and_cancel_keeps_it(open_page, live_server):
    app, base = live_server.app, live_server.url
    name, entries, since, people = unused_department(app)
    page = open_page()
    sign_in(page, HR_ADMIN)
    expect(page).to_have_url(f"{base}/t/het-anker/")
    nav = page.get_by_role("navigation", name=say(app, "nl", "Main"))
    nav.get_by_role("link", name=say(app, "nl", "Departments"), exact=True).click()
    page.get_by_role("link", name=name, exact=True).click()
    department_url = page.url
    check(page, "department-page")

    page.get_by_role("link", name=say(app, "nl", "Delete this department")).click()
    question = say(app, "nl", "Delete the department “%(name)s”?", name=name)
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    with app.test_request_context(), force_locale("nl"):
        first = format_date(since, "long")
    history = say(
        app,
        "nl",
        "Its headcount history (%(num)s entry since %(date)s) will be deleted.",
        "Its headcount history (%(num)s entries since %(date)s) will be deleted.",
        entries,
        date=first,
    )
    expect(page.get_by_text(history)).to_be_visible()
    today = say(
        app,
        "nl",
        "%(num)s person is recorded there today.",
        "%(num)s people are recorded there today.",
        people,
    )
    expect(page.get_by_text(today)).to_be_visible()
    check(page, "department-nl")
    page_at_width(page, 375)
    check(page, "department-nl-phone", 375)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Cancel: back on the department, which is still there.
    page.get_by_role("link", name=say(app, "nl", "Cancel"), exact=True).click()
    expect(page).to_have_url(department_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.goto("/t/het-anker/departments/")
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()

    # Confirm: gone.
    page.goto(department_url)
    page.get_by_role("link", name=say(app, "nl", "Delete this department")).click()
    page.get_by_role("button", name=say(app, "nl", "Delete the department"), exact=True).click()
    expect(page).to_have_url(f"{base}/t/het-anker/departments/")
    deleted = say(app, "nl", "Department “%(name)s” deleted.", name=name)
    expect(page.get_by_text(deleted)).to_be_visible()
    expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    check(page, "department-deleted")


def test_deactivating_a_member_on_a_phone(open_page, live_server):
    app = live_server.app
    page = open_page(width=375)
    sign_in(page, HR_ADMIN)
    page.goto("/t/het-anker/members/")
    check(page, "members-phone", 375)
    row = page.get_by_role("row").filter(has_text="member@het-anker.example")
    name = row.get_by_role("cell").first.inner_text()
    row.get_by_role("link").click()
    question = say(app, "nl", "Deactivate %(name)s?", name=name)
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    undo = say(app, "nl", "You can reactivate them later on the members page.")
    expect(page.get_by_text(undo)).to_be_visible()
    check(page, "member-nl-phone", 375)
    page.get_by_role("button", name=say(app, "nl", "Deactivate"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/t/het-anker/members/$"))
    row = page.get_by_role("row").filter(has_text="member@het-anker.example")
    expect(row.get_by_role("button", name=say(app, "nl", "Reactivate"))).to_be_visible()


def test_the_agency_confirmations_on_a_phone(open_page, live_server):
    page = open_page(locale="en-GB", width=375)
    sign_in(page, AGENCY_ADMIN)
    page.goto("/agency/talentbrug/")
    check(page, "portfolio-phone", 375)
    row = page.get_by_role("row").filter(has_text="Codeway")
    row.get_by_role("link", name="Suspend Codeway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suspend “Codeway”?")
    members = re.compile(r"^Its \d+ members lose access until you reactivate it")
    expect(page.get_by_text(members)).to_be_visible()
    check(page, "suspend-client-en-phone", 375)
    page.get_by_role("link", name="Cancel", exact=True).click()

    page.goto("/agency/talentbrug/consultants")
    check(page, "consultants-phone", 375)
    page.get_by_role("link", name=re.compile(r"from Maison Lumière$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("from Maison Lumière?")
    check(page, "unassign-en-phone", 375)
    page.get_by_role("button", name="Remove the assignment", exact=True).click()
    done = re.compile("no longer has access to Maison Lumière. To undo")
    expect(page.get_by_text(done)).to_be_visible()

    page.get_by_role("link", name=re.compile("from the agency$")).click()
    ending = "Their assignment to 1 client company ends at once: Brasserie Het Anker."
    expect(page.get_by_text(ending)).to_be_visible()
    check(page, "remove-consultant-en-phone", 375)


def test_the_platform_and_profile_confirmations_in_french(open_page, live_server):
    app = live_server.app
    page = open_page(width=375)
    sign_in(page, PLATFORM_ADMIN)
    page.goto("/platform/")
    page.locator("footer").get_by_role("button", name="Français", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    row = page.get_by_role("row").filter(has_text="Talentbrug")
    row.get_by_role("link", name=re.compile(say(app, "fr", "Suspend"))).click()
    question = say(app, "fr", "Suspend “%(name)s”?", name="Talentbrug Interim")
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    check(page, "suspend-agency-fr-phone", 375)

    page.goto("/profile")
    page.get_by_role("link", name=say(app, "fr", "Sign out everywhere"), exact=True).click()
    question = say(app, "fr", "Sign out on every device?")
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    check(page, "sign-out-everywhere-fr-phone", 375)
    page.get_by_role("link", name=say(app, "fr", "Cancel"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/profile$"))
