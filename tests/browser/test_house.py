"""The house in a real browser: the login page in three languages, a demo login, the tenant
home; phone width, accessibility, no request leaving the host, and pages (htmx included)
that live within their Content-Security-Policy."""

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)

pytestmark = pytest.mark.browser

HR_ADMIN = "hr.admin@het-anker.example"
PLATFORM_ADMIN = "admin@exitloop.example"
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def translated(app, lang: str, message: str) -> str:
    """What the catalog says ``message`` is in ``lang``."""
    with app.test_request_context(), force_locale(lang):
        return gettext(message)


def assert_login_page_in(page, app, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    heading = translated(app, lang, "Sign in to Exitloop")
    if lang != "en":
        assert heading != "Sign in to Exitloop", f"no {lang} translation of the login heading"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the English login form the way a person would: by its labels."""
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.mark.parametrize(("locale", "lang"), [("nl-BE", "nl"), ("fr-BE", "fr"), ("en-GB", "en")])
def test_login_page_speaks_the_browsers_language(open_page, live_server, locale, lang):
    page = open_page(locale=locale)
    page.goto("/login")
    screenshot(page, f"house-login-{lang}")
    assert_login_page_in(page, live_server.app, lang)
    assert_accessible(page)


def test_footer_switches_the_language(page, live_server):
    page.goto("/login")
    for lang in ("nl", "fr", "en"):
        page.locator("footer").get_by_role("button", name=LANGUAGE_NAMES[lang], exact=True).click()
        expect(page).to_have_url(f"{live_server.url}/login")
        assert_login_page_in(page, live_server.app, lang)
        current = page.locator("footer").get_by_role(
            "button", name=LANGUAGE_NAMES[lang], exact=True
        )
        expect(current).to_have_attribute("aria-current", "true")
        screenshot(page, f"house-language-switch-{lang}")


def test_demo_login_reaches_the_tenant_home(open_page, live_server):
    # A German browser asks for none of Exitloop's languages: the login page is English.
    # Once signed in, Hanne Claes, the brasserie's HR administrator, reads her own: Dutch.
    page = open_page(locale="de-DE")
    sign_in(page, HR_ADMIN)
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brasserie Het Anker")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    nav = page.get_by_role("navigation", name=translated(live_server.app, "nl", "Main"))
    for label in ("Overview", "Departments", "Functions", "Locations", "Settings"):
        dutch = translated(live_server.app, "nl", label)
        expect(nav.get_by_role("link", name=dutch, exact=True)).to_be_visible()
    expect(page.get_by_text("Hanne Claes")).to_be_visible()
    screenshot(page, "house-tenant-home")
    assert_accessible(page)


def test_wrong_password_is_shown_at_the_field(page, live_server):
    sign_in(page, HR_ADMIN, password="not-the-password")
    expect(page).to_have_url(f"{live_server.url}/login")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#{password.get_attribute('aria-describedby')}")
    expect(message).to_have_text("The email address or password is incorrect.")
    expect(page.get_by_label("Email address", exact=True)).to_have_value(HR_ADMIN)
    expect(password).to_have_value("")
    screenshot(page, "house-login-wrong-password")
    assert_accessible(page)


def test_empty_login_ties_an_error_to_each_field(page, live_server):
    page.goto("/login")
    page.get_by_role("button", name="Sign in", exact=True).click()
    for label in ("Email address", "Password"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field.get_attribute('aria-describedby')}")).to_be_visible()
    expect(page.locator("#password-error")).to_have_text("Enter your password.")
    screenshot(page, "house-login-empty")


def test_login_and_tenant_home_fit_a_phone(open_page, live_server):
    page = open_page(width=375)
    page.goto("/login")
    assert_fits_width(page, 375)
    screenshot(page, "house-phone-login")
    sign_in(page, HR_ADMIN)
    expect(page).to_have_url(f"{live_server.url}/t/het-anker/")
    assert_fits_width(page, 375)
    screenshot(page, "house-phone-tenant-home")
    page_at_width(page, 320)
    assert_fits_width(page, 320)


def test_requests_that_would_leave_the_host_are_blocked(page, live_server):
    page.goto("/login")
    # The page's own policy refuses a script's request to another host...
    with page.expect_console_message(lambda message: "cdn.example.com" in message.text):
        outcome = page.evaluate(
            "() => fetch('https://cdn.example.com/x.js').then(() => 'loaded', () => 'blocked')"
        )
    assert outcome == "blocked"
    assert page.guard.external == []
    assert page.guard.csp_violations
    page.guard.csp_violations.clear()  # seen and checked: the fixture would fail the test
    # ...and the guard stops what no page policy covers, such as a navigation.
    with pytest.raises(PlaywrightError):
        page.goto("https://cdn.example.com/x.js")
    assert page.guard.external == ["https://cdn.example.com/x.js"]
    page.guard.external.clear()


def test_htmx_form_errors_swap_in_place_and_success_updates_the_list(page, live_server):
    """htmx swaps a 422 (the form with its field error) and a 200 without a page load,
    sending the CSRF token it is given."""
    sign_in(page, HR_ADMIN)
    page.goto("/t/het-anker/departments/")
    page.evaluate("window.__samePage = true")
    listing = page.locator("#listing")
    listing.get_by_role("button").first.click()
    error = listing.locator("#name-error")
    expect(error).to_be_visible()
    expect(listing.locator("#name")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("window.__samePage === true"), "the form error reloaded the page"
    screenshot(page, "house-htmx-422")
    listing.locator("#name").fill("Terras")
    listing.get_by_role("button").first.click()
    expect(listing.get_by_role("link", name="Terras", exact=True)).to_be_visible()
    expect(listing.locator("#name-error")).to_have_count(0)
    assert page.evaluate("window.__samePage === true"), "adding reloaded the page"
    assert_accessible(page)


# Every violation of the page's policy, as the page itself sees it.
CSP_SPY = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.__cspViolations ||= []).push(`${event.violatedDirective} ${event.blockedURI}`);
});"""


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def test_a_page_and_an_htmx_swap_keep_to_the_content_security_policy(page, live_server):
    """No inline script or style anywhere, htmx's indicator style included: a page load and
    an htmx swap break no rule of the strict policy, and the swap still happens."""
    page.context.add_init_script(CSP_SPY)
    sign_in(page, HR_ADMIN)
    response = page.goto("/t/het-anker/departments/")
    assert "style-src 'self'" in response.headers["content-security-policy"]
    page.evaluate("window.__samePage = true")
    listing = page.locator("#listing")
    listing.locator("#name").fill("Wijnkelder")
    listing.get_by_role("button").first.click()
    expect(listing.get_by_role("link", name="Wijnkelder", exact=True)).to_be_visible()
    assert page.evaluate("window.__samePage === true"), "htmx did not swap: the page reloaded"
    assert page.locator("style").count() == 0, "htmx injected its indicator <style>"
    assert csp_violations(page) == []
    assert page.guard.csp_violations == []

    # The same watch sees a violation when there is one.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    assert csp_violations(page) == ["style-src-attr inline"]
    page.guard.csp_violations.clear()  # seen and checked


def test_the_outbox_shows_an_emails_styles_and_the_agency_colour(page, live_server):
    """The platform's pages keep to the policy too: the brand colour is an SVG fill, and
    an email's inline styles apply in a frame that has a policy of its own."""
    from service.extensions import db
    from service.mail.outbox import queue_email

    with live_server.app.app_context():
        email_id = queue_email(to="ops@example.com", template="test", language="en", context={})
        db.session.commit()
    page.context.add_init_script(CSP_SPY)
    sign_in(page, PLATFORM_ADMIN)
    dot = page.get_by_role("row").filter(has_text="Talentbrug").locator("svg.brand-dot circle")
    expect(dot).to_have_attribute("fill", "#0f766e")
    assert dot.evaluate("circle => getComputedStyle(circle).fill") == "rgb(15, 118, 110)"
    assert dot.bounding_box()["width"] > 4, "the colour dot is too small to see"

    page.goto(f"/platform/outbox/platform/{email_id}")
    body = page.frame_locator("iframe.mail-html").locator("body")
    expect(body).to_contain_text("This is a test message from Exitloop.")
    background = body.evaluate("body => getComputedStyle(body).backgroundColor")
    assert background == "rgb(245, 245, 244)", "the email's inline styles did not apply"
    screenshot(page, "house-outbox-email")
    assert csp_violations(page) == []
    assert page.guard.csp_violations == []
