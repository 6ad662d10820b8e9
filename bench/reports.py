"""How fast a monthly report scan delivers, with one and with two workers (issue 14, "Proof").

On a PostgreSQL database of its own (created and dropped like the tests do; TEST_DATABASE_URL
names the server) it builds 1,000 companies, each with departments, functions, locations, a
published questionnaire, an HR admin and a leadership member, confidential responses over
the last 14 ended months in the shape the insights read (survey_responses, insight_feedback,
insight_answers, insight_tags, written with COPY by bench/insights.py's generator: a few dozen
per company, ten times that for one company in ten), departures at a response rate of about
60 %, headcounts, eight actions in various states, and reports switched on (monthly, due on
the 1st at 08:00) for two recipients: the leadership member (Dutch or French) and an extra
address (English).

Then, for 1 and then 2 real ``flask --app wsgi worker`` processes (every queue, as deployed)
on a Redis database of its own (BENCH_REDIS_URL, db 11 unless told; flushed), it runs one
scan (``service.reports.tasks.scan_reports``: one ``send_report`` job per due company, each
queueing one outbox email per recipient) and times it until the local SMTP sink (aiosmtpd in
this process) has received every email; it checks that every company has one report, every
recipient exactly one copy, and every delivery's outbox row is sent. Between the runs the
reports and their emails are deleted. It prints reports per second, the speed-up and the
CPU time the workers spent per report (each worker and its work-horse, from /proc: a figure
the machine's load barely moves), then profiles one report (``send_due_report`` under
cProfile, in this process, SMTP delivery excluded) and prints where its time goes.

Goal: all 1,000 delivered in under 60 s with 2 workers on this 2-core machine, and a
near-linear speed-up from 1 to 2 workers. The last line is one JSON object.

    .venv/bin/python bench/reports.py [--tenants N] [--responses N] [--no-profile]

(From a worktree other than the one the virtualenv was installed from: PYTHONPATH=. first.)
"""

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from rq import Worker

# The labelled comments, the generators and the workers' helpers live beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.board import action_rows  # noqa: E402
from bench.insights import SEASON, Corpus, Generator, company  # noqa: E402
from service import create_app  # noqa: E402
from service.accounts.models import User  # noqa: E402
from service.config import ROOT, TestConfig  # noqa: E402
from service.extensions import db  # noqa: E402
from service.insights.figures import add_months, month_start  # noqa: E402
from service.model_types import utcnow  # noqa: E402
from service.reports.models import Cadence, ReportRecipient, ReportSettings  # noqa: E402
from service.reports.sending import send_due_report  # noqa: E402
from service.reports.tasks import scan_reports  # noqa: E402
from service.tenancy import tenant_scope  # noqa: E402
from service.tenants.models import Department, Membership, TenantRole  # noqa: E402
from tests.jobs.support import flask_command, free_port, subprocess_env  # noqa: E402

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
GOAL_SECONDS, GOAL_SPEEDUP = 60, 1.7
MONTHS = 14
ACTIONS = 8
RECIPIENTS = 2
BIG_EVERY = 10  # one company in ten has ten times the responses
DELIVERY_TIMEOUT = 900  # seconds: a run that has not delivered by then is reported as such


# --- Data ---------------------------------------------------------------------------------


class ShortGenerator(Generator):
    """bench/insights.py's rows over the last MONTHS ended months instead of its 24."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        last = add_months(month_start(dt.date.today()), -1)
        self.months = [add_months(last, -back) for back in range(MONTHS)]
        self.month_weights = [SEASON[m.month - 1] for m in self.months]


def leadership(tenant_id, n: int, language: str) -> uuid.UUID:
    user = User(email=f"ceo@company-{n:04d}.example", display_name=f"CEO {n:04d}")
    user.preferred_language = language
    db.session.add(user)
    db.session.flush()
    with tenant_scope(tenant_id):
        membership = Membership(user_id=user.id, role=TenantRole.LEADERSHIP)
        db.session.add(membership)
        db.session.flush()
        return membership.id


def report_rows(tenant_id, n: int, member_id, language: str, switched_on) -> None:
    with tenant_scope(tenant_id):
        db.session.add(
            ReportSettings(
                enabled=True,
                enabled_at=switched_on,
                cadence=Cadence.MONTHLY,
                day_of_month=1,
                hour=8,
            )
        )
        db.session.add(ReportRecipient(membership_id=member_id, language=language))
        db.session.add(ReportRecipient(address=f"board@company-{n:04d}.example", language="en"))
        db.session.flush()


def actions_of(tenant_id, member_ids: list, rng: random.Random) -> tuple:
    """ACTIONS actions (bench/board.py's rows) created over the last four months, some of
    them done in the report's month."""
    with tenant_scope(tenant_id):
        departments = db.session.scalars(sa.select(Department.id)).all()
    actions, themes, links = action_rows(tenant_id, member_ids, departments, ACTIONS, rng)
    now = utcnow()
    for action in actions:
        created = now - dt.timedelta(days=rng.randint(5, 120), hours=rng.randint(0, 23))
        action["created_at"] = action["updated_at"] = created
        if action["done_at"] is not None:
            action["done_at"] = created + (now - created) * rng.random()
    return actions, themes, links


def copy_rows(url: str, table_rows: dict) -> None:
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table, rows in table_rows.items():
            if not rows:
                continue
            names = list(rows[0])
            with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([getattr(row[name], "value", row[name]) for name in names])
        connection.commit()


def seed(url: str, tenants: int, responses: int) -> None:
    rng = random.Random("reports-bench")
    corpus = Corpus()
    switched_on = utcnow() - dt.timedelta(days=365)
    linked = {"actions": [], "action_themes": [], "action_departments": []}
    for n in range(tenants):
        found = company(f"company-{n:04d}", f"Company {n:04d}")
        language = "nl" if n % 2 else "fr"
        member_id = leadership(found.id, n, language)
        report_rows(found.id, n, member_id, language, switched_on)
        with tenant_scope(found.id):
            members = db.session.scalars(  # leadership reads the board, owns nothing
                sa.select(Membership.id).where(Membership.role != TenantRole.LEADERSHIP)
            ).all()
        db.session.commit()
        for table, rows in zip(linked, actions_of(found.id, members, rng), strict=True):
            linked[table].extend(rows)
        generator = ShortGenerator(found.id, random.Random(f"reports-bench:{n}"), corpus)
        generator.generate(responses * (BIG_EVERY if n % BIG_EVERY == 0 else 1))
        generator.write(url)
        if n % 100 == 99:
            print(f"  {n + 1} companies", flush=True)
    copy_rows(url, linked)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def count(url: str, sql: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()[0]


# --- The SMTP sink and the workers ----------------------------------------------------------


class Sink:
    """Accepts every message and counts them per recipient."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: dict[str, int] = {}
        self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received[address] = self.received.get(address, 0) + 1
            self.last_at = time.perf_counter()
        return "250 2.0.0 Message accepted"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())

    def reset(self) -> None:
        with self.lock:
            self.received.clear()


def start_workers(number: int, env: dict, logs: Path) -> list[subprocess.Popen]:
    workers = []
    command = flask_command("worker")
    for n in range(number):
        log = (logs / f"worker-{number}-{n}.log").open("w")
        workers.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        )
    connection = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + 60
    while len(Worker.all(connection=connection)) < number:
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers did not start; see {logs}")
        time.sleep(0.1)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of processes and all their descendants (those running, and those they have
    waited for: the work-horses), from /proc."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), sum(map(int, fields[11:15])))
    total, todo = 0, list(pids)
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0))[1]
        todo.extend(child for child, (parent, _ticks) in stats.items() if parent == pid)
    return total / os.sysconf("SC_CLK_TCK")


def reset(url: str) -> None:
    with psycopg.connect(url) as connection:
        connection.execute("DELETE FROM report_deliveries")
        connection.execute("DELETE FROM reports")
        connection.execute("DELETE FROM tenant_emails")
        connection.commit()
    redis.Redis.from_url(REDIS_URL).flushdb()


def run(app, url, sink: Sink, workers: int, tenants: int, env, logs) -> tuple[float, float]:
    """One scan with ``workers`` worker processes: seconds until every email was received,
    and the CPU seconds the workers spent meanwhile."""
    reset(url)
    sink.reset()
    started = start_workers(workers, env, logs)
    pids = [worker.pid for worker in started]
    try:
        expected = tenants * RECIPIENTS
        cpu_before = cpu_seconds(pids)
        start = time.perf_counter()
        with app.app_context():
            scan_reports(utcnow().isoformat())
        deadline = start + DELIVERY_TIMEOUT
        while sink.total() < expected and time.perf_counter() < deadline:
            time.sleep(0.05)
        seconds = (sink.last_at if sink.total() else time.perf_counter()) - start
        cpu = cpu_seconds(pids) - cpu_before
        time.sleep(0.5)  # any duplicate would arrive now
    finally:
        stop_workers(started)
    reports = count(url, "SELECT count(DISTINCT tenant_id) FROM reports")
    sent = count(
        url,
        "SELECT count(*) FROM report_deliveries d JOIN tenant_emails e"
        " ON e.tenant_id = d.tenant_id AND e.id = d.email_id WHERE e.status = 'sent'",
    )
    copies = set(sink.received.values())
    assert reports == count(url, "SELECT count(*) FROM reports") == tenants, reports
    assert sink.total() == expected, (sink.total(), expected)
    assert copies == {1}, f"copies per recipient: {copies}"
    assert sent == expected, (sent, expected)
    return seconds, cpu


# --- Profile ------------------------------------------------------------------------------


def resend(app, url: str, slug: str, profiler: cProfile.Profile | None = None) -> tuple:
    """Delete a company's report and send it again in this process: (ms, statements, CPU
    ms of this process). Its emails are relayed in-process and kept (no Redis, no
    MAIL_SERVER): no SMTP."""
    with psycopg.connect(url) as connection:
        (tenant_id,) = connection.execute(
            "SELECT id FROM tenants WHERE slug = %s", (slug,)
        ).fetchone()
        for table in ("report_deliveries", "reports", "tenant_emails"):
            connection.execute(f"DELETE FROM {table} WHERE tenant_id = %s", (tenant_id,))  # noqa: S608
        connection.commit()
    statements = [0]

    def counted(*_args) -> None:
        statements[0] += 1

    with app.app_context(), tenant_scope(tenant_id):
        sa.event.listen(db.engine, "before_cursor_execute", counted)
        start, cpu_start = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        assert send_due_report(utcnow())
        if profiler is not None:
            profiler.disable()
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu_start) * 1000
        sa.event.remove(db.engine, "before_cursor_execute", counted)
        db.session.remove()
    return ms, statements[0], cpu_ms


def profile(app, url: str) -> dict:
    """A report as a process that did not warm up sends it (this one has sent none: cold
    caches) and as a warm process does; then one warm report of a big company under
    cProfile."""
    app.config.update(REDIS_URL=None, MAIL_SERVER=None)
    cold_ms, statements, _cpu = resend(app, url, "company-0001")
    warm = sorted(resend(app, url, "company-0001") for _ in range(5))
    big = sorted(resend(app, url, "company-0000") for _ in range(3))
    profiler = cProfile.Profile()
    profiled_ms, big_statements, _cpu = resend(app, url, "company-0000", profiler)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(30)
    top = []
    for (path, line, name), (_cc, calls, _own, cumulative, _callers) in stats.stats.items():
        if "/service/" not in path or "site-packages" in path:
            continue
        function = f"{path.split('/service/')[-1]}:{line}:{name}"
        top.append((round(cumulative * 1000, 1), calls, function))
    top.sort(reverse=True)
    return {
        "cold_ms": cold_ms,
        "warm_ms": warm[len(warm) // 2][0],
        "warm_cpu_ms": sorted(cpu for _ms, _statements, cpu in warm)[len(warm) // 2],
        "statements": statements,
        "big_warm_ms": big[len(big) // 2][0],
        "big_warm_cpu_ms": sorted(cpu for _ms, _statements, cpu in big)[len(big) // 2],
        "big_statements": big_statements,
        "profiled_ms": profiled_ms,
        "text": out.getvalue(),
        "top": top[:20],
    }


# --- Main ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--responses", type=int, default=36, help="per ordinary company")
    parser.add_argument("--no-profile", action="store_true")
    options = parser.parse_args()
    tenants = options.tenants

    admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"exitloop_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    logs = Path(tempfile.mkdtemp(prefix="reports-bench-"))
    try:
        config = TestConfig(sa_url)
        config.REDIS_URL = REDIS_URL
        config.RATELIMIT_STORAGE_URI = "memory://"
        app = create_app(config)
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            seed(url, tenants, options.responses)
            seed_s = time.perf_counter() - start
        totals = {
            table: count(url, f"SELECT count(*) FROM {table}")  # noqa: S608
            for table in ("insight_feedback", "insight_answers", "insight_tags", "departures")
        }
        totals["actions"] = count(url, "SELECT count(*) FROM actions")
        env = subprocess_env(
            sa_url,
            REDIS_URL=REDIS_URL,
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=str(port),
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        )
        print(f"seeded {tenants:,} companies in {seed_s:.0f} s: {totals}", flush=True)
        seconds, cpu = {}, {}
        for workers in (1, 2):
            seconds[workers], cpu[workers] = run(app, url, sink, workers, tenants, env, logs)
            print(
                f"{workers} worker(s): {tenants:,} reports, {tenants * RECIPIENTS:,} emails"
                f" delivered in {seconds[workers]:.1f} s"
                f" ({tenants / seconds[workers]:.1f} reports/s);"
                f" the workers' CPU {cpu[workers] * 1000 / tenants:.0f} ms a report",
                flush=True,
            )
        profiled = profile(app, url) if not options.no_profile else None
    finally:
        controller.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()
        if os.environ.get("BENCH_KEEP"):
            print(f"kept the database {url}")
        else:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    speedup = seconds[1] / seconds[2]
    load_avg = os.getloadavg()[0]
    print(f"load average {load_avg:.2f} (2 cores); worker logs in {logs}")
    print(
        f"2 workers: {seconds[2]:.1f} s for {tenants:,} (goal < {GOAL_SECONDS} s at 1,000:"
        f" {'met' if seconds[2] * 1000 / tenants < GOAL_SECONDS else 'MISSED'});"
        f" speed-up {speedup:.2f}x (goal >= {GOAL_SPEEDUP}:"
        f" {'met' if speedup >= GOAL_SPEEDUP else 'MISSED'})"
    )
    figures = {
        "bench": "reports",
        "database": "postgresql",
        "tenants": tenants,
        "emails": tenants * RECIPIENTS,
        "responses": totals["insight_feedback"],
        "seconds_1_worker": round(seconds[1], 2),
        "seconds_2_workers": round(seconds[2], 2),
        "reports_per_second_1_worker": round(tenants / seconds[1], 2),
        "reports_per_second_2_workers": round(tenants / seconds[2], 2),
        "speedup": round(speedup, 2),
        "worker_cpu_ms_per_report_1_worker": round(cpu[1] * 1000 / tenants),
        "worker_cpu_ms_per_report_2_workers": round(cpu[2] * 1000 / tenants),
        "load_average": round(load_avg, 2),
    }
    if profiled is not None:
        print(
            f"one report job in this process (send_due_report + its 2 emails relayed, no SMTP):"
            f" cold (first in a process that did not warm up)"
            f" {profiled['cold_ms']:.0f} ms, warm {profiled['warm_ms']:.0f} ms"
            f" (CPU {profiled['warm_cpu_ms']:.0f} ms; {profiled['statements']} statements);"
            f" a company with {BIG_EVERY}x the responses, warm:"
            f" {profiled['big_warm_ms']:.0f} ms (CPU {profiled['big_warm_cpu_ms']:.0f} ms;"
            f" {profiled['big_statements']} statements)"
        )
        print(profiled["text"])
        print("where a warm report's time goes (service code, cumulative ms, calls):")
        for cumulative, calls, function in profiled["top"]:
            print(f"  {cumulative:8.1f} ms {calls:5d}x  {function}")
        figures.update(
            report_cold_ms=round(profiled["cold_ms"]),
            report_warm_ms=round(profiled["warm_ms"]),
            report_warm_cpu_ms=round(profiled["warm_cpu_ms"]),
            report_warm_ms_big=round(profiled["big_warm_ms"]),
            statements_per_report=profiled["statements"],
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
