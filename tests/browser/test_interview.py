"""An interview in the browser: the agency's consultant (Tom, reads Dutch) opens the
interview HR assigned him at Het Anker from “My interviews”, types notes (autosaved: they
survive a reload, and a lost connection is shown without losing the text), answers the
questions and marks it completed; the screens at 1280 and 375 px."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from service.accounts.models import User
from service.departures.models import Departure
from service.extensions import db
from service.surveys.models import TemplateVersion
from service.tenancy import tenant_scope
from service.tenants.models import Tenant
from tests.browser.conftest import (
    DEMO_PASSWORD,
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.factories import make_interview

pytestmark = pytest.mark.browser
CONSULTANT = "consultant@talentbrug.example"


def _assign_an_interview(app) -> str:
    """An interview at Het Anker for the consultant, on a demo departure; its leaver."""
    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
        consultant = db.session.scalar(sa.select(User).where(User.email == CONSULTANT))
        with tenant_scope(tenant.id):
            departure, version_id = db.session.execute(
                sa.select(Departure, TemplateVersion.id)
                .join(
                    TemplateVersion,
                    sa.and_(
                        TemplateVersion.tenant_id == Departure.tenant_id,
                        TemplateVersion.template_id == Departure.template_id,
                    ),
                )
                .where(Departure.tenant_id == tenant.id, TemplateVersion.published_at.is_not(None))
                .order_by(Departure.full_name)
                .limit(1)
            ).one()
            db.session.expunge(departure)
            db.session.commit()
        make_interview(tenant, departure, consultant, template_version_id=version_id)
        return departure.full_name


def _sign_in(page) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres", exact=True).fill(CONSULTANT)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Aanmelden", exact=True).click()


def _answer_required_questions(page) -> None:
    for question in page.locator("fieldset.survey-question").all():
        if "(verplicht)" not in question.locator("legend").inner_text():
            continue
        text = question.locator("textarea")
        if text.count():
            text.fill("De gebroken diensten in het weekend.")
        else:
            question.locator("input").first.check()


def test_a_consultant_records_an_interview_with_autosave_and_completes_it(open_page, live_server):
    leaver = _assign_an_interview(live_server.app)
    page = open_page(locale="nl-BE")
    _sign_in(page)
    page.locator(".site-header nav").get_by_role("link", name="Mijn gesprekken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn gesprekken")
    row = page.locator("tbody tr", has_text=leaver)
    expect(row).to_contain_text("Brasserie Het Anker")
    assert_accessible(page)
    screenshot(page, "my-interviews-1280")
    row.get_by_role("link").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Gesprek met {leaver}")
    expect(page.locator(".identified")).to_contain_text("niet anoniem")
    # Typing before htmx has bound the form (its script is deferred) would send nothing yet.
    page.wait_for_load_state("load")
    notes = page.locator("#notes")
    notes.fill("Vertrekt door de weekendplanning.")
    state = page.locator("#autosave-state")
    expect(state).to_contain_text("Bewaard om", timeout=15_000)  # 800 ms debounce, under load
    page.reload()
    expect(page.locator("#notes")).to_have_value("Vertrekt door de weekendplanning.")

    # The connection drops: the page says so, the text stays, and it is saved once back.
    page.context.set_offline(True)
    page.locator("#notes").fill("Vertrekt door de weekendplanning. Wil terugkomen.")
    expect(state).to_contain_text("de verbinding is weg")
    expect(page.locator("#notes")).to_have_value(
        "Vertrekt door de weekendplanning. Wil terugkomen."
    )
    page.context.set_offline(False)  # the browser's "online" event sends it again
    expect(state).not_to_contain_text("de verbinding is weg")
    expect(state).to_contain_text("Bewaard om")  # saved, not only sent, before the reload
    page.reload()
    expect(page.locator("#notes")).to_have_value(
        "Vertrekt door de weekendplanning. Wil terugkomen."
    )

    _answer_required_questions(page)
    expect(state).to_contain_text("Bewaard om")
    assert_accessible(page)
    screenshot(page, "interview-1280")
    assert_fits_width(page_at_width(page))
    screenshot(page, "interview-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Als afgerond markeren").click()
    expect(page.locator("#flash")).to_contain_text("Het gesprek is afgerond en bewaard.")
    expect(page.locator(".interview-notes")).to_have_text(
        "Vertrekt door de weekendplanning. Wil terugkomen."
    )
    page.locator(".site-header nav").get_by_role("link", name="Mijn gesprekken").click()
    expect(page.locator("section, main").last).to_contain_text(leaver)
