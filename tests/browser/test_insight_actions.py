"""From insight to action in the browser: HR starts an action from a hot spot (the form
arrives filled in, with the evidence it will keep), finds it on the board with its evidence,
and a done action on a theme says whether it worked."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from service.actions.models import Action, ActionStatus
from service.extensions import db
from service.insights.models import Feedback, ThemeTag
from service.tenancy import tenant_scope
from service.tenants.models import Department, Tenant
from tests.browser.conftest import (
    assert_accessible,
    assert_fits_width,
    page_at_width,
    screenshot,
)
from tests.browser.test_house import sign_in

pytestmark = pytest.mark.browser


def _hot_spot(app) -> tuple[Department, str]:
    """Codeway's department with the most feedback, and the theme raised most there."""
    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "codeway"))
        with tenant_scope(tenant.id):
            department_id = db.session.scalar(
                sa.select(Feedback.department_id)
                .where(Feedback.tenant_id == tenant.id, Feedback.department_id.is_not(None))
                .group_by(Feedback.department_id)
                .order_by(sa.func.count().desc())
                .limit(1)
            )
            theme = db.session.scalar(
                sa.select(ThemeTag.theme)
                .where(ThemeTag.tenant_id == tenant.id, ThemeTag.department_id == department_id)
                .group_by(ThemeTag.theme)
                .order_by(sa.func.count().desc(), ThemeTag.theme)
                .limit(1)
            )
            department = db.session.get(Department, (tenant.id, department_id))
            db.session.expunge(department)
            return department, theme


def _months_ago(count: int) -> dt.datetime:
    today = dt.date.today().replace(day=1)
    index = today.year * 12 + today.month - 1 - count
    return dt.datetime(index // 12, index % 12 + 1, 15, 12, tzinfo=dt.UTC)


def test_hr_starts_an_action_from_a_hot_spot_and_sees_whether_it_worked(open_page, live_server):
    department, theme = _hot_spot(live_server.app)
    page = open_page()
    sign_in(page, "hr.admin@codeway.example")
    page.goto(
        f"/t/codeway/insights/new-action?theme={theme}&source=hotspot"
        f"&dimension=department&group={department.id}&period=12"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("New action")
    title = page.get_by_label("Title", exact=True)
    expect(title).to_have_value(f"Act on {_label(page, theme).lower()} in {department.name}")
    expect(page.get_by_role("checkbox", name=department.name)).to_be_checked()
    evidence = page.get_by_role("region", name="The evidence it will keep")
    expect(evidence.get_by_text("People it rests on", exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "insight-action-form-1280")

    page.get_by_label("Owner", exact=True).select_option(index=1)
    page.get_by_label("Due date").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    title_text = title.input_value()
    page.get_by_role("button", name="Create the action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title_text)
    why = page.get_by_role("region", name="Why: the evidence")
    expect(why.get_by_text("People it rests on", exact=True)).to_be_visible()
    expect(why.get_by_text(department.name)).to_be_visible()

    page.get_by_role("link", name="Action board", exact=True).click()
    page.get_by_role("link", name=title_text).first.click()
    expect(page.get_by_role("region", name="Why: the evidence")).to_be_visible()

    # Closed six months after it started, half a year ago: before and after both shown.
    action_id = page.url.rstrip("/").rsplit("/", 1)[1]
    with live_server.app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "codeway"))
        with tenant_scope(tenant.id):
            db.session.execute(
                sa.update(Action)
                .where(Action.tenant_id == tenant.id, Action.id == action_id)
                .values(
                    status=ActionStatus.DONE,
                    outcome="A second developer on call.",
                    created_at=_months_ago(6),
                    done_at=_months_ago(6),
                )
            )
            db.session.commit()
    page.reload()
    worked = page.get_by_role("region", name="Did it work?")
    expect(worked).to_be_visible()
    expect(worked.locator("dt").nth(0)).to_contain_text("Before the action")
    expect(worked.locator("dt").nth(1)).to_contain_text("Since it was closed")
    for side in (0, 1):
        expect(worked.locator("dd").nth(side)).to_contain_text(re.compile(r"% of \d+ responses"))
    assert_accessible(page)
    screenshot(page, "insight-action-did-it-work-1280")
    page_at_width(page)
    assert_fits_width(page)
    screenshot(page, "insight-action-did-it-work-375")


def _label(page, theme: str) -> str:
    return page.locator(f'input[name="themes"][value="{theme}"]').locator("..").inner_text().strip()
