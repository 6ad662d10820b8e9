"""Reminder digests through the scheduler's scan, the outbox and the suite's real SMTP
server: one email per owner and day, never one per action, never a second copy."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from service.accounts.models import User
from service.actions import reminders
from service.actions.digest_models import ActionDigest
from service.actions.models import Action, ActionStatus
from service.actions.services import move_action
from service.actions.tasks import scan_action_reminders, send_action_digests
from service.extensions import db
from service.jobs.scheduler import SCHEDULE
from service.tenancy import tenant_scope, unscoped
from service.tenants.models import Membership, Tenant
from tests.factories import make_action
from tests.jobs.conftest import _fresh_embedded_state, smtp  # noqa: F401 — fixtures
from tests.tenants.helpers import post_form, sign_in, text
from tests.tenants.test_settings import VALID

BRUSSELS = ZoneInfo("Europe/Brussels")
TODAY = dt.datetime.now(BRUSSELS).date()
MORNING = dt.datetime.combine(TODAY, dt.time(8, 0), BRUSSELS)


def at(days: int = 0, hour: int = 8) -> str:
    return (MORNING + dt.timedelta(days=days, hours=hour - 8)).isoformat()


def membership_of(side, role: str) -> Membership:
    with tenant_scope(side.tenant.id):
        membership = db.session.scalar(
            sa.select(Membership).where(Membership.user_id == side.users[role].id)
        )
        db.session.expunge(membership)
        return membership


def action(side, role: str, title: str, due_in: int, **values) -> Action:
    """An action of ``role``'s due in ``due_in`` days (negative: overdue, as if it had been
    created long ago)."""
    made = make_action(side.tenant, membership_of(side, role), title, **values)
    with tenant_scope(side.tenant.id):
        stored = db.session.get(Action, (side.tenant.id, made.id))
        stored.due_on = TODAY + dt.timedelta(days=due_in)
        db.session.commit()
    return made


def inbox(smtp, address: str) -> list:  # noqa: F811
    return smtp.inbox.to(address)


def digests() -> int:
    with unscoped("a test looks across tenants"):
        return db.session.scalar(sa.select(sa.func.count()).select_from(ActionDigest))


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture
def board(world):
    a = world.a
    return {
        "soon": action(a, "member", "Onthaalbrochure bijwerken", 2),
        "later": action(a, "member", "Pluimenbord ophangen", 3),
        "late": action(a, "member", "Uurrooster keuken herbekijken", -4),
        "hr": action(a, "hr", "Lonen vergelijken met PC 302", 1),
        # world.a's own action ("Review the shift roster", the member's) is due in 30 days.
    }


def test_the_scan_is_in_the_schedule():
    assert any(p.task == "service.actions.tasks.scan_action_reminders" for p in SCHEDULE)


def test_one_digest_per_owner_lists_due_soon_and_overdue_actions(app, world, smtp, board):  # noqa: F811
    scan_action_reminders(at())
    (member_mail,) = inbox(smtp, "member@a.example")
    (hr_mail,) = inbox(smtp, "hr@a.example")
    text_body = body(member_mail)
    # Dutch, the tenant's default: the member chose no language.
    assert (
        member_mail["Subject"]
        == f"Uw acties bij {world.a.tenant.name}: te laat en binnenkort te doen"
    )
    for title in (
        "Onthaalbrochure bijwerken",
        "Pluimenbord ophangen",
        "Uurrooster keuken herbekijken",
    ):
        assert title in text_body
    assert "Review the shift roster" not in text_body  # due in a month
    assert "Lonen vergelijken" not in text_body  # someone else's
    assert f"http://127.0.0.1:5000/t/tenant-a/actions/{board['soon'].id}" in text_body
    assert "http://127.0.0.1:5000/t/tenant-a/actions/mine" in text_body
    assert text_body.index("Uurrooster") < text_body.index("Onthaalbrochure")  # overdue first
    assert "Lonen vergelijken met PC 302" in body(hr_mail)
    assert "te laat" not in hr_mail["Subject"]
    # Branded: the agency's name sends it.
    assert "Agency-A" in member_mail["From"]
    # A second scan, later the same day, sends nothing more.
    scan_action_reminders(at(hour=11))
    scan_action_reminders(at(hour=11))
    assert len(inbox(smtp, "member@a.example")) == 1
    assert len(inbox(smtp, "hr@a.example")) == 1
    assert digests() == 2


def test_an_owner_reads_the_digest_in_their_own_language(app, world, smtp, board):  # noqa: F811
    user = db.session.get(User, world.a.users["member"].id)
    user.preferred_language = "fr"
    db.session.commit()
    scan_action_reminders(at())
    (mail,) = inbox(smtp, "member@a.example")
    assert (
        mail["Subject"]
        == f"Vos actions chez {world.a.tenant.name} : en retard et bientôt à échéance"
    )
    assert "À échéance dans 3 jours\u00a0:" in body(mail)


def test_due_dates_are_announced_once_and_overdue_ones_weekly(app, world, smtp, board):  # noqa: F811
    scan_action_reminders(at())
    assert len(inbox(smtp, "member@a.example")) == 1
    scan_action_reminders(at(days=1))  # nothing new, overdue already said this week
    assert len(inbox(smtp, "member@a.example")) == 1
    action(world.a, "member", "Teamafspraken maken", 3)  # comes within the window
    scan_action_reminders(at(days=2))
    assert len(inbox(smtp, "member@a.example")) == 2
    assert "Teamafspraken maken" in body(inbox(smtp, "member@a.example")[-1])
    for day in range(3, 9):  # no news, and the overdue ones were in the digest of day 2
        scan_action_reminders(at(days=day))
    assert len(inbox(smtp, "member@a.example")) == 2
    scan_action_reminders(at(days=9))  # a week after the last one that listed them
    weekly = inbox(smtp, "member@a.example")
    assert len(weekly) == 3
    assert "Uurrooster keuken herbekijken" in body(weekly[-1])


def test_no_digest_at_night_for_closed_actions_or_for_a_former_member(app, world, smtp, board):  # noqa: F811
    scan_action_reminders(at(hour=5))  # 05:00 in Brussels: not yet
    assert smtp.inbox.messages == []
    with tenant_scope(world.a.tenant.id):
        hr_action = db.session.get(Action, (world.a.tenant.id, board["hr"].id))
        move_action(hr_action, hr_action.revision, ActionStatus.CANCELLED, actor=None)
        member = db.session.get(
            Membership, (world.a.tenant.id, membership_of(world.a, "member").id)
        )
        member.deactivated_at = MORNING
        db.session.commit()
    scan_action_reminders(at())
    assert smtp.inbox.messages == []
    assert digests() == 0


def test_two_racing_jobs_send_one_digest_per_owner(app, world, smtp, board, monkeypatch):  # noqa: F811
    """Both jobs plan before either writes: the unique key lets one digest through and
    rolls the other back, its email with it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs two real connections")
    both_planned = threading.Barrier(2, timeout=10)
    plan = reminders.plan_digests

    def plan_then_wait(tenant, today):
        planned = plan(tenant, today)
        both_planned.wait()
        return planned

    monkeypatch.setattr(reminders, "plan_digests", plan_then_wait)
    failures = []
    tenant_id = str(world.a.tenant.id)  # read here: the test's session is not the threads'

    def job():
        with app.app_context():
            try:
                send_action_digests(tenant_id, at())
            except Exception as error:  # pragma: no cover — reported below
                failures.append(error)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert len(inbox(smtp, "member@a.example")) == 1
    assert len(inbox(smtp, "hr@a.example")) == 1
    assert digests() == 2


def test_the_reminder_days_are_a_tenant_setting_with_limits(client, world):
    sign_in(client, "hr_admin@a.example")
    page = text(client.get("/t/tenant-a/settings"))
    assert 'name="action_reminder_days"' in page
    assert 'value="3"' in page
    form = VALID
    for wrong, message in (
        ("0", "Choose from 1 to 30 days."),
        ("31", "Choose from 1 to 30 days."),
        ("soon", "Enter a whole number."),
    ):
        response = post_form(
            client, "/t/tenant-a/settings", {**form, "action_reminder_days": wrong}
        )
        assert response.status_code == 422
        assert message in text(response)
    assert db.session.get(Tenant, world.a.tenant.id).action_reminder_days == 3
    assert (
        post_form(client, "/t/tenant-a/settings", {**form, "action_reminder_days": "7"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Tenant, world.a.tenant.id).action_reminder_days == 7
