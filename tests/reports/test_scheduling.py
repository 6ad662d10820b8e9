"""Scheduled reports cannot double-send or forget (issue 14, "Proof"): on PostgreSQL, real
Redis, real workers and a real SMTP server, what the recipients notice is one email per
report and period, whatever happens to the scan, the scheduler, the workers and Redis."""

import datetime as dt
import os
import signal
import threading
from dataclasses import dataclass

import psycopg
import pytest
import sqlalchemy as sa
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from service.extensions import db
from service.jobs import scheduler as scheduler_module
from service.jobs.embedded import runner
from service.jobs.queue import enqueue, rq_queue
from service.jobs.scheduler import SCHEDULE, Scheduler
from service.mail.models import MailStatus, TenantEmail
from service.mail.tasks import sweep_outbox
from service.reports import content as report_content
from service.reports import sending, tasks
from service.reports.models import Cadence, Report, ReportDelivery, ReportRecipient, ReportSettings
from service.reports.tasks import scan_reports, send_report
from service.tenancy import tenant_scope
from service.tenants.models import Agency
from tests.conftest import migrated_sqlite_app, truncate_all
from tests.factories import (
    add_membership,
    make_action,
    make_agency,
    make_departure,
    make_tenant,
    make_user,
)
from tests.jobs.support import SmtpServer
from tests.jobs.support import wait_for as wait_briefly


def wait_for(predicate, message: str = "", timeout: float = 120):
    """Real workers fork a work-horse per job, each starting cold: on a busy 2-core machine
    a report takes seconds."""
    return wait_briefly(predicate, timeout=timeout, message=message)


DEAD_REDIS = "redis://127.0.0.1:1/14"
UTC = dt.UTC
# Wednesday 2 December 2026, 11:00 in Brussels: November's report (due on the 1st at 08:00)
# and week 48's (due Monday 30 November at 07:00) are due.
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
LONG_AGO = dt.datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Company:
    """A tenant with reports set up, and who its reports go to (address → language)."""

    id: str
    slug: str
    languages: dict[str, str]

    @property
    def addresses(self) -> list[str]:
        return sorted(self.languages)


def company(
    slug: str,
    agency: Agency,
    *,
    leader_language: str = "fr",
    extra_language: str = "nl",
    **settings,
) -> Company:
    """A tenant whose reports go to its leadership member and an extra address; an action,
    and a departure in November. ``settings``: ReportSettings fields (monthly on the 1st at
    08:00, switched on in January, unless told)."""
    tenant = make_tenant(slug, agency, name=slug.replace("-", " ").title())
    leader = make_user(f"ceo@{slug}.example", display_name=f"CEO of {slug}")
    membership = add_membership(tenant, leader, "leadership")
    fields = {
        "enabled": True,
        "enabled_at": LONG_AGO,
        "cadence": Cadence.MONTHLY,
        "day_of_month": 1,
        "hour": 8,
        **settings,
    }
    extra = f"board@{slug}.example"
    with tenant_scope(tenant.id):
        db.session.add(ReportSettings(**fields))
        db.session.add(ReportRecipient(membership_id=membership.id, language=leader_language))
        db.session.add(ReportRecipient(address=extra, language=extra_language))
        db.session.commit()
    hr = add_membership(tenant, make_user(f"hr@{slug}.example"), "hr_admin")
    make_action(tenant, hr, "Exit interview for every leaver")
    make_departure(tenant, f"Leaver of {slug}", last_day=dt.date(2026, 11, 13))
    return Company(str(tenant.id), slug, {leader.email: leader_language, extra: extra_language})


@pytest.fixture
def companies(app) -> dict[str, Company]:
    """Two due companies (monthly and weekly, in three languages) and three that are not:
    switched off, not due yet, and switched on after their period's moment."""
    agency = make_agency("reporting-agency")
    return {
        "monthly": company("monthly", agency),
        "weekly": company(
            "weekly",
            agency,
            cadence=Cadence.WEEKLY,
            weekday=0,
            hour=7,
            leader_language="nl",
            extra_language="en",
        ),
        "off": company("switched-off", agency, enabled=False),
        # November's is due on 3 December; October's moment came before switching on.
        "not-yet": company(
            "not-yet", agency, day_of_month=3, enabled_at=dt.datetime(2026, 11, 10, tzinfo=UTC)
        ),
        # Switched on at noon on 1 December, after November's moment (08:00).
        "late": company(
            "switched-on-late", agency, enabled_at=dt.datetime(2026, 12, 1, 11, tzinfo=UTC)
        ),
    }


# --- What the recipients and the archive show ----------------------------------------------


def inbox_of(smtp, one: Company) -> dict[str, list]:
    return {address: smtp.inbox.to(address) for address in one.addresses}


def reports_of(one: Company) -> list[Report]:
    with tenant_scope(one.id):
        reports = db.session.scalars(sa.select(Report)).all()
        db.session.expunge_all()
    return reports


def deliveries_of(one: Company) -> list[tuple]:
    """(address, language, outbox status) of each delivery of the company's reports."""
    with tenant_scope(one.id):
        rows = db.session.execute(
            sa.select(ReportDelivery.address, ReportDelivery.language, TenantEmail.status)
            .outerjoin(
                TenantEmail,
                sa.and_(
                    TenantEmail.tenant_id == ReportDelivery.tenant_id,
                    TenantEmail.id == ReportDelivery.email_id,
                ),
            )
            .order_by(ReportDelivery.address)
        ).all()
        db.session.rollback()
    return [tuple(row) for row in rows]


def all_sent(one: Company) -> bool:
    found = deliveries_of(one)
    return bool(found) and all(status == MailStatus.SENT for *_rest, status in found)


def emails_of(one: Company) -> int:
    with tenant_scope(one.id):
        found = db.session.scalar(sa.select(sa.func.count()).select_from(TenantEmail))
        db.session.rollback()
    return found


def assert_sent_once(smtp, one: Company, period_key: str) -> None:
    """One report of the period; each recipient got exactly one copy, in their language,
    and its outbox row says sent; no other email of the company exists."""
    (report,) = reports_of(one)
    assert report.period_key == period_key
    for address, messages in inbox_of(smtp, one).items():
        assert len(messages) == 1, f"{address} got {len(messages)} copies"
        (message,) = messages
        assert message["Content-Language"] == one.languages[address]
        assert one.slug.replace("-", " ").title() in message["Subject"]
    assert deliveries_of(one) == [
        (address, one.languages[address], MailStatus.SENT) for address in one.addresses
    ]
    assert emails_of(one) == len(one.addresses)


def assert_nothing_sent(smtp, one: Company) -> None:
    assert reports_of(one) == []
    assert inbox_of(smtp, one) == {address: [] for address in one.addresses}
    assert emails_of(one) == 0


def queued(queue: str) -> int:
    return rq_queue(queue).count


def run_jobs(connection, *queues: str) -> None:
    """Run what is queued in this process (so the test's clock and hooks apply)."""
    worker = SimpleWorker(
        [rq_queue(name, connection) for name in queues],
        connection=connection,
        serializer=JSONSerializer,
    )
    worker.work(burst=True)


# --- The scan -----------------------------------------------------------------------------


def test_the_scan_sends_one_report_per_due_tenant_and_period(
    app, companies, jobs_redis, smtp, start_worker
):
    scan_reports(NOW.isoformat())
    assert queued("reports") == 2  # the monthly and the weekly company
    start_worker("reports", "mail", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    wait_for(lambda: len(smtp.inbox.messages) == 4, message="four reports delivered")
    wait_for(lambda: queued("reports") + queued("mail") == 0, message="empty queues")
    wait_for(lambda: all_sent(companies["weekly"]), message="sent rows")
    wait_for(lambda: all_sent(companies["monthly"]), message="sent rows")

    assert_sent_once(smtp, companies["monthly"], "2026-11")
    assert_sent_once(smtp, companies["weekly"], "2026-W48")
    for name in ("off", "not-yet", "late"):
        assert_nothing_sent(smtp, companies[name])
    (monthly,) = reports_of(companies["monthly"])
    assert monthly.content["company"] == "Monthly"
    assert monthly.content["period"] == {
        "key": "2026-11",
        "start": "2026-11-01",
        "end": "2026-11-30",
    }

    # Later scans of the same periods find nothing to do.
    for later in (NOW + dt.timedelta(minutes=5), NOW + dt.timedelta(hours=20)):
        scan_reports(later.isoformat())
        assert queued("reports") == 0
    # 3 December 08:00 in Brussels: the not-yet company's November is due; only that.
    scan_reports(dt.datetime(2026, 12, 3, 7, 1, tzinfo=UTC).isoformat())
    wait_for(lambda: len(smtp.inbox.messages) == 6, message="the not-yet company's report")
    wait_for(lambda: all_sent(companies["not-yet"]), message="sent rows")
    assert_sent_once(smtp, companies["not-yet"], "2026-11")
    for name in ("monthly", "weekly"):
        assert len(reports_of(companies[name])) == 1
    for name in ("off", "late"):
        assert_nothing_sent(smtp, companies[name])
    assert len(smtp.inbox.messages) == 6
    assert rq_queue("reports").failed_job_registry.count == 0


def test_running_the_scan_twice_sends_each_report_once(
    app, companies, jobs_redis, smtp, start_worker
):
    """Two scans (a duplicated scheduler, a scan retried) before any job ran: two jobs per
    company, one report each."""
    scan_reports(NOW.isoformat())
    scan_reports((NOW + dt.timedelta(seconds=30)).isoformat())
    assert queued("reports") == 4
    start_worker("reports", "mail", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    wait_for(lambda: queued("reports") + queued("mail") == 0, message="empty queues")
    wait_for(lambda: len(smtp.inbox.messages) >= 4, message="the reports delivered")
    wait_for(lambda: all_sent(companies["weekly"]), message="sent rows")
    wait_for(lambda: all_sent(companies["monthly"]), message="sent rows")
    assert_sent_once(smtp, companies["monthly"], "2026-11")
    assert_sent_once(smtp, companies["weekly"], "2026-W48")
    assert len(smtp.inbox.messages) == 4


def test_the_same_job_run_again_sends_nothing_more(app, companies, smtp):
    """A retried job (or one run by hand) after its report went out: nothing more."""
    monthly = companies["monthly"]
    send_report(monthly.id, NOW.isoformat())  # no Redis: jobs (the mail) run in-process
    send_report(monthly.id, NOW.isoformat())
    send_report(monthly.id, (NOW + dt.timedelta(days=10)).isoformat())
    assert_sent_once(smtp, monthly, "2026-11")


# --- A worker killed in the middle of a send -----------------------------------------------


def _blocked_delivery_insert(database_url: str) -> bool:
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        return bool(
            connection.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE 'INSERT INTO report_deliveries%%'"
            ).fetchone()
        )


def test_a_worker_killed_in_the_middle_of_a_send_retries_and_delivers_once(
    app, companies, jobs_redis, smtp, start_worker, database_url
):
    monthly = companies["monthly"]
    worker = start_worker("reports", "mail", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    # Hold the send inside its transaction: the report and its first email are written, the
    # deliveries wait for this lock; that is where its work-horse dies.
    lock = psycopg.connect(database_url.replace("+psycopg", ""))
    try:
        lock.execute("LOCK TABLE report_deliveries IN SHARE MODE")
        send_report_id = "send-report-monthly"
        assert enqueue(send_report, monthly.id, NOW.isoformat(), job_id=send_report_id)
        wait_for(
            lambda: _blocked_delivery_insert(database_url),
            message="the send waiting inside its transaction",
        )
        horse = wait_for(worker.work_horse, message="the work-horse")
        os.kill(horse, signal.SIGKILL)
    finally:
        lock.rollback()
        lock.close()

    def finished():
        job = Job.fetch(send_report_id, connection=jobs_redis, serializer=JSONSerializer)
        return job.get_status() == JobStatus.FINISHED

    wait_for(finished, message="the retried job (after its 10 s back-off)")
    wait_for(lambda: queued("mail") == 0 and len(smtp.inbox.messages) >= 2, message="the mail")
    wait_for(lambda: all_sent(monthly), message="sent rows")
    assert "Work-horse terminated unexpectedly" in worker.log()
    assert_sent_once(smtp, monthly, "2026-11")
    assert len(smtp.inbox.messages) == 2


# --- The scheduler stopped over the period's boundary -------------------------------------


def only_the_report_scan(monkeypatch) -> None:
    """The scheduler's list reduced to the report scan (the others would mail action owners
    on today's date); the real list does hold it."""
    (report_scan,) = [p for p in SCHEDULE if p.task == "service.reports.tasks.scan_reports"]
    monkeypatch.setattr(scheduler_module, "SCHEDULE", (report_scan,))


def clock(monkeypatch, start: dt.datetime) -> dict:
    """The scan's clock (it asks for the time when it runs, as a periodic job does)."""
    now = {"now": start}
    monkeypatch.setattr(tasks, "utcnow", lambda: now["now"])
    return now


def test_a_period_missed_while_the_scheduler_was_down_is_sent_once_when_it_comes_back(
    app, jobs_redis, smtp, monkeypatch
):
    one = company(
        "anker", make_agency("reporting"), enabled_at=dt.datetime(2026, 11, 5, tzinfo=UTC)
    )
    only_the_report_scan(monkeypatch)
    now = clock(monkeypatch, dt.datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    first, second = (Scheduler.for_app(app) for _ in range(2))

    assert first.tick(now["now"]) == ["report-scan-20261130T230000"]
    run_jobs(jobs_redis, "default", "reports", "mail")
    assert_nothing_sent(smtp, one)  # November is not over in Brussels; October predates it

    # Down from 23:01 until 1 December 09:47 UTC: November's moment (07:00 UTC) passed.
    now["now"] = dt.datetime(2026, 12, 1, 9, 47, 12, tzinfo=UTC)
    assert first.tick(now["now"]) == ["report-scan-20261201T094500"]
    assert second.tick(now["now"] + dt.timedelta(seconds=10)) == []  # a second one, same slot
    run_jobs(jobs_redis, "default", "reports", "mail")
    assert_sent_once(smtp, one, "2026-11")

    # The next slots' scans find it sent.
    for minutes in (5, 10, 60 * 24):
        now["now"] += dt.timedelta(minutes=minutes)
        assert second.tick(now["now"])
        run_jobs(jobs_redis, "default", "reports", "mail")
    assert_sent_once(smtp, one, "2026-11")


# --- Redis down ---------------------------------------------------------------------------


def test_redis_down_during_the_scan_the_report_is_sent_later_once(
    app, companies, jobs_redis, smtp, monkeypatch
):
    monthly, weekly = companies["monthly"], companies["weekly"]
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "REDIS_URL", DEAD_REDIS)
        scan_reports(NOW.isoformat())  # no job could be handed over: logged, not raised
    assert_nothing_sent(smtp, monthly)
    assert_nothing_sent(smtp, weekly)

    # Back: the next scan finds both still due.
    scan_reports((NOW + dt.timedelta(minutes=5)).isoformat())
    assert queued("reports") == 2
    run_jobs(jobs_redis, "reports", "mail")
    assert_sent_once(smtp, monthly, "2026-11")
    assert_sent_once(smtp, weekly, "2026-W48")
    scan_reports((NOW + dt.timedelta(minutes=10)).isoformat())
    assert queued("reports") == 0
    assert len(smtp.inbox.messages) == 4


def test_redis_down_when_the_report_is_committed_its_copies_go_out_all_the_same(
    app, companies, jobs_redis, smtp, monkeypatch
):
    """The report's job delivers its own copies once committed: no job per copy, so no
    Redis needed for them."""
    monthly = companies["monthly"]
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "REDIS_URL", DEAD_REDIS)
        send_report(monthly.id, NOW.isoformat())
    assert_sent_once(smtp, monthly, "2026-11")
    sweep_outbox()
    run_jobs(jobs_redis, "mail")
    assert_sent_once(smtp, monthly, "2026-11")


def test_copies_left_undelivered_by_a_crash_after_the_commit_go_out_with_the_sweep(
    app, companies, jobs_redis, smtp, monkeypatch
):
    monthly = companies["monthly"]

    def crash(*_args):
        raise SystemExit("the work-horse died after the commit")

    with monkeypatch.context() as patch:
        patch.setattr(sending.relay, "deliver", crash)
        with pytest.raises(SystemExit):
            send_report(monthly.id, NOW.isoformat())
    db.session.rollback()
    assert len(reports_of(monthly)) == 1
    assert {status for _a, _l, status in deliveries_of(monthly)} == {MailStatus.PENDING}
    assert smtp.inbox.messages == []

    sweep_outbox()  # the scheduler's outbox sweep
    run_jobs(jobs_redis, "mail")
    assert_sent_once(smtp, monthly, "2026-11")
    scan_reports((NOW + dt.timedelta(minutes=5)).isoformat())  # the weekly one is due too
    run_jobs(jobs_redis, "reports", "mail")
    assert_sent_once(smtp, monthly, "2026-11")
    assert_sent_once(smtp, companies["weekly"], "2026-W48")


# --- Racing jobs --------------------------------------------------------------------------


def test_two_jobs_racing_for_the_same_period_send_one_report(app, companies, smtp, monkeypatch):
    """Both jobs pass the "already sent?" check before either writes: the report's unique
    key lets one commit and rolls the other back with its emails."""
    monthly = companies["monthly"]
    both_built = threading.Barrier(2, timeout=20)
    build = report_content.build

    def build_then_wait(*args, **kwargs):
        content = build(*args, **kwargs)
        both_built.wait()
        return content

    monkeypatch.setattr(report_content, "build", build_then_wait)
    errors = []

    def job():
        try:
            with app.app_context():
                send_report(monthly.id, NOW.isoformat())
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert_sent_once(smtp, monthly, "2026-11")
    assert len(smtp.inbox.messages) == 2


# --- The embedded default -----------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    return migrated_sqlite_app(tmp_path_factory, "embedded-reports")


@pytest.mark.embedded
def test_embedded_sqlite_sends_a_due_report_once(sqlite_app, monkeypatch):
    truncate_all(sqlite_app)
    only_the_report_scan(monkeypatch)
    with SmtpServer() as server, sqlite_app.app_context():
        monkeypatch.setitem(sqlite_app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(sqlite_app.config, "MAIL_PORT", server.port)
        sqlite_app.extensions.pop("exitloop_embedded_jobs", None)
        sqlite_app.extensions.pop("exitloop_scheduler", None)
        one = company("embedded", make_agency("embedded-agency"))
        now = clock(monkeypatch, NOW)
        for minutes in (0, 1, 5, 10):  # the ticker, every few seconds; the scan every five
            now["now"] = NOW + dt.timedelta(minutes=minutes)
            runner().tick(now["now"])
        assert_sent_once(server, one, "2026-11")
        assert runner().pending_retries() == 0
        db.session.remove()
