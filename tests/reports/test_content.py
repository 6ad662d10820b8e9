"""Which actions a report lists: read at once, each in the lists its dates and status say."""

import datetime as dt

import sqlalchemy as sa

from service.actions.models import Action, ActionStatus
from service.extensions import db
from service.reports import content
from service.reports.models import Cadence
from service.reports.periods import period_containing
from service.tenancy import tenant_scope
from service.tenants.models import Membership
from tests.conftest import statements_sent
from tests.factories import make_action

PERIOD = period_containing(Cadence.MONTHLY, dt.date(2026, 10, 15))  # October 2026
TODAY = dt.date(2026, 11, 2)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _action(world, title: str, status: ActionStatus, created: dt.date, done=None, due=None):
    tenant = world.a.tenant
    with tenant_scope(tenant.id):
        owner = db.session.scalar(
            sa.select(Membership).where(Membership.user_id == world.a.users["member"].id)
        )
    action = make_action(tenant, owner, title)
    with tenant_scope(tenant.id):
        db.session.execute(
            sa.update(Action)
            .where(Action.id == action.id)
            .values(
                status=status,
                due_on=due or dt.date(2026, 12, 1),
                created_at=_at(created),
                done_at=_at(done) if done else None,
                outcome="New roster." if done else None,
            )
        )
        db.session.commit()


def test_each_action_in_the_lists_its_dates_and_status_say(app, world):
    made = (
        ("Overdue", ActionStatus.BLOCKED, dt.date(2026, 6, 1), None, dt.date(2026, 10, 20)),
        ("Due soon", ActionStatus.OPEN, dt.date(2026, 10, 3), None, dt.date(2026, 11, 20)),
        ("Due later", ActionStatus.IN_PROGRESS, dt.date(2026, 5, 1), None, None),
        ("Done in October", ActionStatus.DONE, dt.date(2026, 7, 1), dt.date(2026, 10, 9), None),
        ("Done last", ActionStatus.DONE, dt.date(2026, 10, 2), dt.date(2026, 10, 28), None),
        ("Done in June", ActionStatus.DONE, dt.date(2026, 3, 1), dt.date(2026, 6, 5), None),
        ("Done after", ActionStatus.DONE, dt.date(2026, 10, 20), dt.date(2026, 11, 1), None),
        ("Cancelled", ActionStatus.CANCELLED, dt.date(2026, 10, 10), None, None),
        ("Old cancelled", ActionStatus.CANCELLED, dt.date(2026, 2, 10), None, None),
    )
    for title, status, created, done, due in made:
        _action(world, title, status, created, done, due)
    mine = {title for title, *_rest in made}
    tenant = world.a.tenant
    with tenant_scope(tenant.id):
        with statements_sent() as statements:
            actions = content._ReportActions.read(tenant, PERIOD)
        # The actions, then their themes, departments and functions: none per action.
        assert len(statements) == 4
        lists = content._actions(actions, TODAY)

    def titles(name: str) -> list[str]:  # the world's own action aside
        return [item["title"] for item in lists[name]["items"] if item["title"] in mine]

    assert titles("done") == ["Done last", "Done in October"]
    assert titles("overdue") == ["Overdue"]
    assert titles("on_track") == ["Due soon", "Due later"]
    assert titles("new") == ["Done after", "Cancelled", "Due soon", "Done last"]
    assert [action.title for action in actions.recently_closed if action.title in mine] == [
        "Done last",
        "Done in October",
        "Done in June",
    ]
