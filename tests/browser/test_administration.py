"""Administration in a real browser, by clicks and typing only: the platform admin creates an
agency and invites its first admin; that admin creates a client company and invites its HR
admin; the HR admin accepts from the emailed link, invites a member, switches to French and
signs out; a consultant switches between the two client companies assigned to them.

The one shortcut: the invitation link is read from the kept email row, as a person would
read it from their inbox (no MAIL_SERVER is set, so the outbox keeps mail instead of sending).
Every page is screenshotted under test-artifacts/ and checked with axe-core.
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from service.extensions import db
from service.mail.models import PlatformEmail, TenantEmail
from service.tenancy import unscoped
from tests.browser.conftest import (
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.browser.test_house import sign_in, translated

pytestmark = pytest.mark.browser

PLATFORM_ADMIN = "admin@exitloop.example"
CONSULTANT = "consultant@talentbrug.example"
NEW_PASSWORD = "a long enough pass phrase"  # noqa: S105 — typed into a throwaway database
INVITATION_LINK = re.compile(r"https?://\S+/invitation/\S+")


def invitation_link(app, email_model, to_address: str) -> str:
    """The personal link in the newest email kept for ``to_address``."""
    with app.app_context(), unscoped("a test looks across tenants"):
        body = db.session.scalar(
            sa.select(email_model.body_text)
            .where(email_model.to_address == to_address)
            .order_by(email_model.created_at.desc())
            .limit(1)
        )
    assert body, f"no email kept for {to_address}"
    found = INVITATION_LINK.search(body)
    assert found, f"no invitation link in the email to {to_address}:\n{body}"
    return found.group(0)


def ready_message(email: str) -> re.Pattern:
    """The inviter's notice: no MAIL_SERVER here, so the invitation waits in the outbox."""
    return re.compile("^" + re.escape(f"The invitation to {email} is ready. Mail is not sent"))


def check(page, name: str) -> None:
    """Keep a screenshot of the step and hold the page to the accessibility bar."""
    screenshot(page, f"admin-{name}")
    assert_accessible(page)


def accept_invitation(page, link: str, step: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invitation to")
    check(page, step)
    page.get_by_label("New password (at least 12 characters)", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password, again", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Accept and sign in", exact=True).click()
    expect(page.get_by_text("Your password has been set. Welcome to Exitloop.")).to_be_visible()


def invite(page, email: str, name: str, language: str = "English") -> None:
    """Fill an invitation form (agency admin, HR admin, member) and send it."""
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Language of the invitation", exact=True).select_option(label=language)


def test_from_a_new_agency_to_a_tenant_with_members(open_page, live_server):
    app, base = live_server.app, live_server.url

    # The platform admin creates an agency and invites its first administrator.
    platform = open_page()
    sign_in(platform, PLATFORM_ADMIN)
    expect(platform).to_have_url(f"{base}/platform/")
    check(platform, "01-platform-agencies")
    platform.get_by_role("link", name="New agency", exact=True).click()
    platform.get_by_label("Name", exact=True).fill("Kempen Talent")
    platform.get_by_label(re.compile(r"^Web address")).fill("kempen-talent")
    platform.get_by_label(re.compile(r"^Brand colour")).fill("#7a3e9d")
    check(platform, "02-platform-new-agency")
    platform.get_by_role("button", name="Create agency", exact=True).click()
    expect(platform).to_have_url(f"{base}/platform/")
    expect(platform.get_by_text("Agency “Kempen Talent” created.")).to_be_visible()
    row = platform.get_by_role("row").filter(has_text="Kempen Talent")
    expect(row.get_by_role("cell", name="Active", exact=True)).to_be_visible()
    check(platform, "03-platform-agency-created")
    row.get_by_role("link", name="Invite first administrator", exact=True).click()
    expect(platform.get_by_role("heading", level=1)).to_have_text(
        "Invite an administrator for Kempen Talent"
    )
    invite(platform, "lotte@kempen-talent.example", "Lotte Peeters")
    check(platform, "04-platform-invite-agency-admin")
    platform.get_by_role("button", name="Send invitation", exact=True).click()
    expect(platform.get_by_text(ready_message("lotte@kempen-talent.example"))).to_be_visible()

    # The agency admin accepts, lands in the agency, creates a client company.
    agency = open_page()
    accept_invitation(
        agency,
        invitation_link(app, PlatformEmail, "lotte@kempen-talent.example"),
        "05-agency-admin-accepts",
    )
    expect(agency).to_have_url(f"{base}/agency/kempen-talent/")
    expect(agency.get_by_role("heading", level=1)).to_have_text("Kempen Talent")
    check(agency, "06-agency-portfolio-empty")
    agency.get_by_role("link", name="New client company", exact=True).click()
    agency.get_by_label(re.compile(r"^Web address")).fill("bakkerij-verhoeven")
    agency.get_by_label("Sector", exact=True).select_option(label="Retail")
    agency.get_by_label("Company name", exact=True).fill("Bakkerij Verhoeven")
    languages = agency.get_by_role("group", name="Languages")
    languages.get_by_label("Français", exact=True).check()
    languages.get_by_label("English", exact=True).check()
    check(agency, "07-agency-new-tenant")
    agency.get_by_role("button", name="Create client company", exact=True).click()
    expect(agency).to_have_url(f"{base}/agency/kempen-talent/")
    expect(agency.get_by_text("Client company “Bakkerij Verhoeven” created.")).to_be_visible()
    check(agency, "08-agency-tenant-created")

    # ... and invites the client's HR administrator, in English.
    tenant_row = agency.get_by_role("row").filter(has_text="Bakkerij Verhoeven")
    tenant_row.get_by_role("link", name="Invite HR administrator", exact=True).click()
    invite(agency, "an@bakkerij-verhoeven.example", "An Verhoeven")
    check(agency, "09-agency-invite-hr-admin")
    agency.get_by_role("button", name="Send invitation", exact=True).click()
    expect(agency.get_by_text(ready_message("an@bakkerij-verhoeven.example"))).to_be_visible()

    # The HR admin accepts and lands on the tenant home, which fits a phone.
    hr = open_page()
    accept_invitation(
        hr,
        invitation_link(app, TenantEmail, "an@bakkerij-verhoeven.example"),
        "10-hr-admin-accepts",
    )
    expect(hr).to_have_url(f"{base}/t/bakkerij-verhoeven/")
    expect(hr.get_by_role("heading", level=1)).to_have_text("Bakkerij Verhoeven")
    expect(hr.get_by_text("Your role: HR administrator")).to_be_visible()
    check(hr, "11-hr-tenant-home")
    page_at_width(hr, 375)
    assert_fits_width(hr, 375)
    check(hr, "12-hr-tenant-home-phone")
    hr.set_viewport_size({"width": 1280, "height": 900})

    # The HR admin invites a member; the invitation waits, as typed, until Jef accepts.
    hr.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Members")
    invite(hr, "jef@bakkerij-verhoeven.example", "Jef Janssens", language="Nederlands")
    hr.get_by_label("Role", exact=True).select_option(label="HR")
    check(hr, "13-hr-invite-member")
    hr.get_by_role("button", name="Send invitation", exact=True).click()
    expect(hr.get_by_text(ready_message("jef@bakkerij-verhoeven.example"))).to_be_visible()
    jef = hr.get_by_role("row").filter(has_text="jef@bakkerij-verhoeven.example")
    expect(jef.get_by_role("cell", name="Jef Janssens", exact=True)).to_be_visible()
    expect(jef.get_by_role("cell", name="HR", exact=True)).to_be_visible()
    expect(
        jef.get_by_role("button", name="Resend the invitation to jef@bakkerij-verhoeven.example")
    ).to_be_visible()
    check(hr, "14-hr-members")
    page_at_width(hr, 375)
    assert_fits_width(hr, 375)
    check(hr, "15-hr-members-phone")
    hr.set_viewport_size({"width": 1280, "height": 900})

    # Français: the same page, now in French, and it stays French after a reload.
    hr.locator("footer").get_by_role("button", name="Français", exact=True).click()
    expect(hr).to_have_url(f"{base}/t/bakkerij-verhoeven/members/")
    expect(hr.locator("html")).to_have_attribute("lang", "fr")
    french_members = translated(app, "fr", "Members")
    assert french_members != "Members", "no French translation of “Members”"
    expect(hr.get_by_role("heading", level=1)).to_have_text(french_members)
    hr.reload()
    expect(hr.get_by_role("heading", level=1)).to_have_text(french_members)
    check(hr, "16-hr-members-french")

    # Sign out: back at the login page; the members page now asks to sign in again.
    hr.get_by_role("button", name=translated(app, "fr", "Sign out"), exact=True).click()
    expect(hr).to_have_url(f"{base}/login")
    expect(hr.get_by_text(translated(app, "fr", "You have been signed out."))).to_be_visible()
    check(hr, "17-hr-signed-out")
    hr.goto("/t/bakkerij-verhoeven/members/")
    expect(hr).to_have_url(re.compile(rf"^{re.escape(base)}/login"))


def open_switcher(page, app):
    """Open the header's workspace switcher (labelled in the page's language)."""
    lang = page.locator("html").get_attribute("lang")
    nav = page.get_by_role("navigation", name=translated(app, lang, "Main"))
    nav.get_by_text(translated(app, lang, "Switch workspace"), exact=True).click()
    return nav


def test_consultant_switches_between_assigned_tenants(open_page, live_server):
    app, base = live_server.app, live_server.url
    page = open_page()
    sign_in(page, CONSULTANT)
    # An agency and two client companies: the consultant chooses where to go, or goes to
    # the interviews they hold across those clients.
    expect(page).to_have_url(f"{base}/")
    tiles = page.get_by_role("main").get_by_role("link")
    expect(tiles).to_have_count(4)
    lang = page.locator("html").get_attribute("lang")
    mine = translated(app, lang, "My interviews")
    expect(page.get_by_role("main").get_by_role("link", name=mine)).to_be_visible()
    check(page, "20-consultant-workspaces")
    page.get_by_role("link", name=re.compile(r"^Brasserie Het Anker")).click()
    expect(page).to_have_url(f"{base}/t/het-anker/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brasserie Het Anker")
    check(page, "21-consultant-het-anker")

    switcher = open_switcher(page, app)
    expect(switcher.get_by_role("link", name="Brasserie Het Anker", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    check(page, "22-consultant-switcher-open")
    switcher.get_by_role("link", name="Maison Lumière", exact=True).click()
    expect(page).to_have_url(f"{base}/t/maison-lumiere/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maison Lumière")
    # Maison Lumière speaks French by default, but the consultant keeps reading their own
    # language, Dutch; they interview there and do not manage its members.
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    nav = page.get_by_role("navigation", name=translated(app, "nl", "Main"))
    expect(nav.get_by_role("link", name=translated(app, "nl", "Members"))).to_have_count(0)
    check(page, "23-consultant-maison-lumiere")

    # On a phone the open switcher stays inside the screen.
    page_at_width(page, 375)
    switcher = open_switcher(page, app)
    current = switcher.get_by_role("link", name="Maison Lumière", exact=True)
    expect(current).to_have_attribute("aria-current", "page")
    assert_fits_width(page, 375)
    check(page, "24-consultant-switcher-phone")
    switcher.get_by_role("link", name="Brasserie Het Anker", exact=True).click()
    expect(page).to_have_url(f"{base}/t/het-anker/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brasserie Het Anker")
