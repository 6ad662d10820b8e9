"""Did it work? A done action's theme before it started and since it was closed, each side
within the thresholds, and a plain word when there are too few responses yet."""

import datetime as dt

import sqlalchemy as sa

from service.actions.models import Action, ActionStatus
from service.extensions import db
from service.insights.figures import Filter, Share, theme_share
from service.insights.outcome import Done, outcomes, outcomes_of
from service.insights.thresholds import HIDDEN, Thresholds
from service.tenancy import tenant_scope
from tests.conftest import login, statements_sent
from tests.factories import make_action, make_department, make_tenant
from tests.insights.rows import add_feedback

K5 = Thresholds(k=5, quote_k=10)
CREATED, CLOSED, TODAY = dt.date(2026, 7, 15), dt.date(2026, 9, 10), dt.date(2026, 12, 2)


def _outcome(tenant, department_ids, theme="workload"):
    with tenant_scope(tenant.id):
        (found,) = outcomes([theme], department_ids, CREATED, CLOSED, TODAY, K5)
    return found


def test_before_and_after_shares_with_the_responses_behind_them(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales")
    add_feedback(tenant.id, dt.date(2026, 1, 1), 6, {"workload": 5}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 6, 1), 5, {"workload": 1}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 7, 1), 9, {"workload": 9}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2025, 12, 1), 9, {"workload": 9}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 9, 1), 5, {"workload": 1}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 11, 1), 3, {"workload": 1}, department_id=sales.id)
    # the month in progress (December) is never counted
    add_feedback(tenant.id, dt.date(2026, 12, 1), 9, {"workload": 9}, department_id=sales.id)
    found = _outcome(tenant, [sales.id])
    assert (found.before.first, found.before.last) == (dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    assert (found.after.first, found.after.last) == (dt.date(2026, 9, 1), dt.date(2026, 11, 1))
    assert found.before.share == Share(6, 11)
    assert found.before.responses == 11
    assert found.after.share == Share(2, 8)
    assert found.after.responses == 8
    assert found.told


def test_too_few_responses_since_it_was_closed(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales")
    add_feedback(tenant.id, dt.date(2026, 3, 1), 10, {"workload": 6}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 10, 1), 3, {"workload": 0}, department_id=sales.id)
    found = _outcome(tenant, [sales.id])
    # Three responses after October's edge: "January to June" held against a longer
    # period would give them away, so the side before waits too.
    assert found.before.enough
    assert found.before.share is HIDDEN
    assert found.after.share is HIDDEN
    assert (found.after.enough, found.after.responses, found.after.needed) == (False, 3, 5)
    assert not found.told


def test_a_side_that_would_show_the_rest_of_the_company_by_difference_is_hidden(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales")
    it = make_department(tenant, "IT")
    add_feedback(tenant.id, dt.date(2026, 3, 1), 10, {"workload": 6}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 10, 1), 8, {"workload": 1}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 10, 1), 2, {"workload": 2}, department_id=it.id)
    found = _outcome(tenant, [sales.id])
    assert found.after.enough
    assert found.after.share is HIDDEN
    assert found.before.share == Share(6, 10)


def test_without_departments_the_whole_company(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales")
    it = make_department(tenant, "IT")
    add_feedback(tenant.id, dt.date(2026, 3, 1), 5, {"workload": 4}, department_id=sales.id)
    add_feedback(tenant.id, dt.date(2026, 4, 1), 5, {"workload": 0}, department_id=it.id)
    add_feedback(tenant.id, dt.date(2026, 10, 1), 6, {"workload": 1}, department_id=it.id)
    found = _outcome(tenant, [])
    assert found.before.share == Share(4, 10)
    assert found.after.share == Share(1, 6)


def test_several_departments_taken_together(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales")
    shop = make_department(tenant, "Shop")
    it = make_department(tenant, "IT")
    for department, raised in ((sales, 3), (shop, 2), (it, 1)):
        add_feedback(
            tenant.id, dt.date(2026, 3, 1), 6, {"workload": raised}, department_id=department.id
        )
        add_feedback(
            tenant.id, dt.date(2026, 10, 1), 6, {"workload": 1}, department_id=department.id
        )
    found = _outcome(tenant, [sales.id, shop.id])
    assert found.before.share == Share(5, 12)
    assert found.after.share == Share(2, 12)
    assert found.told


def test_several_actions_read_every_share_at_once_with_the_same_figures(dialect_app):
    tenant = make_tenant("acme")
    sales = make_department(tenant, "Sales")
    shop = make_department(tenant, "Shop")
    it = make_department(tenant, "IT")
    for month, department, count, raised in (
        (dt.date(2026, 2, 1), sales, 7, {"workload": 3, "pay": 2}),
        (dt.date(2026, 3, 1), shop, 6, {"workload": 2}),
        (dt.date(2026, 4, 1), it, 3, {"pay": 1}),  # a thin month: it hides what it edges
        (dt.date(2026, 5, 1), None, 5, {"workload": 1}),
        (dt.date(2026, 9, 1), sales, 9, {"workload": 2, "pay": 4}),
        (dt.date(2026, 10, 1), shop, 2, {"workload": 1}),  # Sales, 4 left out: hidden
        (dt.date(2026, 11, 1), it, 2, {"workload": 2}),
    ):
        coarse = {"department_id": department.id} if department else {}
        add_feedback(tenant.id, month, count, raised, **coarse)
    actions = [
        Done(("workload", "pay"), (sales.id,), CREATED, CLOSED),
        Done(("workload",), (sales.id, shop.id), CREATED, CLOSED),
        Done(("pay", "workload"), (), dt.date(2026, 5, 20), dt.date(2026, 8, 30)),
        Done(("workload",), (it.id,), CREATED, CLOSED),
    ]
    with tenant_scope(tenant.id):
        with statements_sent() as statements:
            found = outcomes_of(actions, TODAY, K5)
        # The feedback by month and department, counted in all and raising each theme.
        assert len(statements) == 1
        shown = hidden = 0
        for action, results in zip(actions, found, strict=True):
            assert [result.theme for result in results] == list(action.themes)
            for result in results:
                for side in (result.before, result.after):
                    alone = theme_share(  # one by one, each count its own query
                        Filter(first=side.first, last=side.last),
                        K5,
                        result.theme,
                        action.department_ids,
                        TODAY,
                    )
                    assert (side.responses, side.share) == (alone.responses, alone.share)
                    shown += side.share is not HIDDEN
                    hidden += side.share is HIDDEN
    assert shown
    assert hidden


def _done_action(world, created: dt.datetime, done: dt.datetime, **values):
    from service.tenants.models import Membership

    with tenant_scope(world.a.tenant.id):
        owner = db.session.scalar(
            sa.select(Membership).where(Membership.user_id == world.a.users["member"].id)
        )
    action = make_action(world.a.tenant, owner, **values)
    with tenant_scope(world.a.tenant.id):
        db.session.execute(
            sa.update(Action)
            .where(Action.id == action.id)
            .values(
                status=ActionStatus.DONE, outcome="New roster.", created_at=created, done_at=done
            )
        )
        db.session.commit()
    return action


def _month(months_ago: int) -> dt.date:
    today = dt.date.today().replace(day=1)
    index = today.year * 12 + today.month - 1 - months_ago
    return dt.date(index // 12, index % 12 + 1, 1)


def test_the_action_page_says_whether_it_worked(app, world):
    department = world.a.objects["department"]
    created = dt.datetime.combine(_month(4), dt.time(12), tzinfo=dt.UTC)
    closed = dt.datetime.combine(_month(1), dt.time(12), tzinfo=dt.UTC)
    add_feedback(world.a.tenant.id, _month(6), 10, {"workload": 6}, department_id=department.id)
    add_feedback(world.a.tenant.id, _month(1), 3, {"workload": 0}, department_id=department.id)
    action = _done_action(world, created, closed, department_ids=[department.id])
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "hr@a.example")
    html = client.get(f"/t/tenant-a/actions/{action.id}").get_data(as_text=True)
    assert "Did it work?" in html
    # How few there are is itself a count under k: not shown.
    assert "Not enough responses since the action was closed to tell yet." in html
    assert "3 of the 5" not in html
    add_feedback(world.a.tenant.id, _month(1), 3, {"workload": 1}, department_id=department.id)
    html = client.get(f"/t/tenant-a/actions/{action.id}").get_data(as_text=True)
    assert "60% of 10 responses" in html
    assert "17% of 6 responses" in html
    member = app.test_client()
    login(member, "member@a.example")
    assert "Did it work?" not in member.get(f"/t/tenant-a/actions/{action.id}").get_data(
        as_text=True
    )
