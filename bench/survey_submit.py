"""How many leavers can open their link and submit a survey at once, against a ceiling.

Serves the real app with gunicorn on a PostgreSQL database of its own (created, migrated and
dropped like the tests do; TEST_DATABASE_URL names the server), with live survey
invitations whose tokens the script knows (made through the service functions, then
committed). N client threads each play leavers one after the other: open the link (the
token is swapped for a cookie and the browser redirected to a URL without it), load the
survey, submit a 10-answer survey, land on the thank-you page. Before and after that, the
same server and database serve a minimal Flask app whose one endpoint inserts one row (the
ceiling: what Flask, SQLAlchemy, psycopg, gunicorn and PostgreSQL cost on this machine before
any of our code), driven by the same clients, as many requests each time: measured on both
sides, the ceiling follows a machine whose speed drifts during the run.

Prints requests per second and the p50/p95/p99 latency of every request of both runs,
surveys per second and the submit request's own percentiles, and the ratio to the
ceiling. The goal (issue 11): at least half the ceiling's throughput and p99 under 250 ms
at 50 concurrent clients. The client threads share the machine with the server, as a
person running this on a laptop would: both runs pay the same, and both are served with the
same gunicorn settings (--workers, --threads), so that the ratio stays fair. What each of a
leaver's requests costs in CPU, a figure that holds on a busy machine: bench/leaver_cpu.py.

    .venv/bin/python bench/survey_submit.py [clients [surveys_per_client]]
        [--workers N] [--threads N]
"""

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
# This checkout's code, also when the package is installed (editable) from another one.
sys.path.insert(0, str(ROOT))

from service.surveys.demo_writing import Leaver, answer  # noqa: E402
from service.surveys.document import Questionnaire  # noqa: E402
from service.surveys.presets import load_presets  # noqa: E402

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
GOAL_RATIO = 0.5
GOAL_P99_MS = 250
HOST = "127.0.0.1"
# The app's Redis (rate limits, jobs): a database of its own, emptied afterwards if it was
# empty before.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


# --- the ceiling: one Flask endpoint inserting one row --------------------------------


def ceiling_app():
    """A minimal Flask app on the same stack (gunicorn loads it as
    ``bench.survey_submit:ceiling_app()``): POST /insert stores the posted text in one row."""
    import sqlalchemy as sa
    from flask import Flask, request
    from flask_sqlalchemy import SQLAlchemy

    app = Flask(__name__)
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    db = SQLAlchemy(app)
    rows = sa.Table(
        "bench_ceiling",
        db.metadata,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )

    @app.get("/ready")
    def ready():
        return "ok"

    @app.post("/insert")
    def insert():
        db.session.execute(rows.insert().values(id=uuid.uuid4(), body=request.form["body"]))
        db.session.commit()
        return "", 204

    return app


# --- the server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def serve(
    app_spec: str, env: dict, workers: int, threads: int, ready_path: str
) -> tuple[subprocess.Popen, int]:
    """gunicorn serving `app_spec` on a free port, once `ready_path` answers 200 (the port
    opens before the workers have loaded the app)."""
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        app_spec,
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            connection.request("GET", ready_path, headers={"Host": f"{HOST}:{port}"})
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer {ready_path} within 120 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


# --- the clients --------------------------------------------------------------------------


@dataclass
class Browser:
    """One client's HTTP/1.1 connection and cookie jar (http.client reconnects by itself
    when a response closes the connection)."""

    port: int
    cookies: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)  # (step, seconds)

    def __post_init__(self):
        # Generous: a loaded machine is measured, not failed.
        self.connection = http.client.HTTPConnection(HOST, self.port, timeout=120)

    def request(self, step: str, method: str, path: str, form: dict | None = None):
        headers = {"Host": f"{HOST}:{self.port}"}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        self.timings.append((step, time.perf_counter() - start))
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content.decode("utf-8", "replace")


def drive(port: int, clients: int, jobs: list, play) -> tuple[float, list]:
    """Run `play(browser, job)` for every job, spread over `clients` threads that start
    together; returns the wall time and every (step, seconds) measured."""
    queues = [jobs[i::clients] for i in range(clients)]
    browsers = [Browser(port) for _ in range(clients)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)

    def worker(browser: Browser, mine: list) -> None:
        barrier.wait()
        try:
            for job in mine:
                play(browser, job)
        except BaseException as error:  # reported after the run: a bench must not hide one
            errors.append(error)

    threads = [
        threading.Thread(target=worker, args=(browser, mine))
        for browser, mine in zip(browsers, queues, strict=True)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed; first: {errors[0]!r}")
    return elapsed, [timing for browser in browsers for timing in browser.timings]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(elapsed: float, timings: list, steps: tuple[str, ...] | None = None) -> dict:
    seconds = [s for step, s in timings if steps is None or step in steps]
    return {
        "requests": len(seconds),
        "rps": len(seconds) / elapsed if steps is None else None,
        "p50_ms": percentile(seconds, 0.50) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
        "p99_ms": percentile(seconds, 0.99) * 1000,
        "mean_ms": statistics.fmean(seconds) * 1000,
    }


def insert_one(browser: Browser, body: str) -> None:
    status, _location, _content = browser.request("insert", "POST", "/insert", {"body": body})
    if status != 204:
        raise RuntimeError(f"ceiling insert answered {status}")


# --- the leaver -----------------------------------------------------------------------------


def bench_questionnaire() -> Questionnaire:
    """The core questionnaire less its last open question: 10 questions of every kind."""
    core = load_presets()["core"].questionnaire
    return Questionnaire(core.languages, tuple(q for q in core.questions if q.key != "keep_you"))


def sample_answers(rng: random.Random) -> dict:
    """A leaver's 10 answers, written like the demo's (service/surveys/demo_writing.py)."""
    leaver = Leaver("nl", ("workload", "management"), ("team",), rng.random())
    return {q.key: answer(rng, "horeca", q, leaver) for q in bench_questionnaire().questions}


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LEAVER_STEPS = ("open", "page", "submit", "thanks")


def seed_leavers(database_url: str, count: int) -> list[str]:
    """The demo data, a 10-question survey published at the brasserie, and `count` of its
    leavers, their invitations scheduled as an import schedules them and sent at once as HR's
    "send now" sends them (mail included): their links' tokens, all committed."""
    import datetime as dt

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from service import create_app
    from service.config import TestConfig
    from service.demo import seed_demo
    from service.departures.models import Channel, Departure, ExitType
    from service.departures.services import identity_key
    from service.extensions import db
    from service.model_types import new_id, utcnow
    from service.surveys import invitation_actions, invitations
    from service.surveys.document import for_languages, to_json
    from service.surveys.invitation_links import link_token
    from service.surveys.invitation_models import SurveyInvitation
    from service.surveys.models import QuestionTemplate, TemplateVersion
    from service.tenancy import tenant_scope
    from service.tenants.models import Tenant

    app = create_app(TestConfig(database_url.replace("postgresql://", "postgresql+psycopg://")))
    with app.app_context():
        upgrade()
        seed_demo("bench")
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
        with tenant_scope(tenant.id):
            template = QuestionTemplate(name="Bench", languages=["nl"], origin="preset:core@1")
            db.session.add(template)
            db.session.flush()
            db.session.add(
                TemplateVersion(
                    template_id=template.id,
                    number=1,
                    document=to_json(for_languages(bench_questionnaire(), ["nl"])),
                    published_at=utcnow(),
                )
            )
            rows = []
            for n in range(count):
                email = f"leaver{n}@bench.example"
                rows.append(
                    {
                        "id": new_id(),
                        "tenant_id": tenant.id,
                        "full_name": f"Leaver {n}",
                        "personal_email": email,
                        "identity_key": identity_key(None, email, f"Leaver {n}"),
                        "language": "nl",
                        "last_day": dt.date.today() + dt.timedelta(days=10),
                        "exit_type": ExitType.VOLUNTARY,
                        "channel": Channel.SURVEY,
                        "template_id": template.id,
                    }
                )
            db.session.execute(sa.insert(Departure), rows)
            invitations.schedule_imported(rows, tenant)
            db.session.commit()
            departures = {d.id: d for d in db.session.scalars(sa.select(Departure))}
            tokens = []
            for invitation in db.session.scalars(
                sa.select(SurveyInvitation).where(
                    SurveyInvitation.departure_id.in_([row["id"] for row in rows])
                )
            ).all():
                invitation_actions.send_now(invitation, departures[invitation.departure_id], tenant)
                tokens.append(link_token(invitation))
        # The statistics a live database has (autovacuum gathers them within a minute of such
        # a load): without them PostgreSQL may read all of a tenant's rows for one of them.
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return tokens


def leave(browser: Browser, job: tuple[str, dict]) -> None:
    """One leaver: open the link, load the survey, submit it, see the thank-you page."""
    token, answers = job
    browser.cookies.clear()
    status, location, _ = browser.request("open", "GET", f"/s/{token}")
    if status != 303 or not location or token in location:
        raise RuntimeError(f"opening the link answered {status} -> {location}")
    path = urllib.parse.urlsplit(location).path
    status, _, page = browser.request("page", "GET", path)
    csrf = CSRF_FIELD.search(page)
    if status != 200 or not csrf:
        raise RuntimeError(f"the survey page answered {status}")
    form = {"csrf_token": csrf.group(1), "language": "nl"}
    form |= {f"answer_{key}": value for key, value in answers.items()}
    status, location, _ = browser.request("submit", "POST", "/s/submit", form)
    if status != 303 or not location:
        raise RuntimeError(f"the submit answered {status}")
    status, _, _ = browser.request("thanks", "GET", location.removeprefix(f"http://{HOST}"))
    if status != 200:
        raise RuntimeError(f"the thank-you page answered {status}")


def app_env(database_url: str) -> dict:
    """The real app's settings for the run: production-like (PostgreSQL, Redis for the
    limiter and the jobs), plain http, and limits no bench client can reach."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-secret-key",
        "SECURE_COOKIES": "false",
        "DEMO": "false",
        "SURVEY_LIMIT_PER_IP": "1000000 per minute",
        "LINK_LIMIT_PER_IP": "1000000 per minute",
        "LOG_LEVEL": "WARNING",
    }


# --- the runs -------------------------------------------------------------------------------


def leaver_run(database_url: str, args, surveys: int) -> dict:
    """`surveys` leavers through the real app (a warm-up of one per client first)."""
    rng = random.Random(1)
    # Seeded in a process of its own: the clients' process stays as light as a load
    # generator, the same for every run (the app loaded here would make its garbage
    # collections, which stop every client thread, slower in the runs after it).
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as seeder:
        tokens = seeder.submit(seed_leavers, database_url, surveys + args.clients).result()
    jobs = [(token, sample_answers(rng)) for token in tokens]
    server, port = serve("wsgi:app", app_env(database_url), args.workers, args.threads, "/healthz")
    try:
        drive(port, args.clients, jobs[: args.clients], leave)
        elapsed, timings = drive(port, args.clients, jobs[args.clients :], leave)
    finally:
        stop(server)
    return {
        "all": figures(elapsed, timings),
        "submit": figures(elapsed, timings, ("submit",)),
        "surveys_per_s": surveys / elapsed,
    }


def ceiling_run(database_url: str, args, count: int, body: str) -> tuple[float, list]:
    """`count` single-row inserts through the ceiling app, after a short warm-up: the wall
    time and every (step, seconds) measured."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_ceiling (id uuid PRIMARY KEY, body text NOT NULL)"
        )
    env = {"DATABASE_URL": database_url}
    server, port = serve(
        "bench.survey_submit:ceiling_app()", env, args.workers, args.threads, "/ready"
    )
    try:
        drive(port, args.clients, [body] * args.clients * 2, insert_one)
        return drive(port, args.clients, [body] * count, insert_one)
    finally:
        stop(server)


def report(args, leaver: dict | None, ceiling: dict) -> None:
    print(
        f"gunicorn {args.workers} worker(s) x {args.threads} thread(s), {args.clients} clients,"
        f" PostgreSQL; goal >= {GOAL_RATIO} of the ceiling, p99 < {GOAL_P99_MS} ms"
    )

    def line(label: str, numbers: dict) -> None:
        rate = f"{numbers['rps']:7.1f} req/s" if numbers["rps"] is not None else " " * 13
        print(
            f"  {label:<22} {numbers['requests']:6} requests {rate}   p50 {numbers['p50_ms']:6.1f}"
            f"  p95 {numbers['p95_ms']:6.1f}  p99 {numbers['p99_ms']:6.1f} ms"
        )

    line("ceiling (insert a row)", ceiling)
    print("  the ceiling's runs: " + ", ".join(f"{rps:.1f}" for rps in ceiling["runs_rps"])
          + " req/s (before and after the leavers')")  # fmt: skip
    result = {"bench": "survey_submit", "clients": args.clients, "workers": args.workers,
              "threads": args.threads, "ceiling_rps": round(ceiling["rps"], 1),
              "ceiling_runs_rps": [round(rps, 1) for rps in ceiling["runs_rps"]],
              "ceiling_p99_ms": round(ceiling["p99_ms"], 1)}  # fmt: skip
    if leaver is not None:
        line("leaver, every request", leaver["all"])
        line("leaver, the submit", leaver["submit"])
        ratio = leaver["all"]["rps"] / ceiling["rps"]
        print(
            f"  {leaver['surveys_per_s']:.1f} surveys/s; ratio to the ceiling {ratio:.2f}"
            f" (goal {GOAL_RATIO}); p99 {leaver['all']['p99_ms']:.0f} ms (goal {GOAL_P99_MS})"
        )
        result |= {
            "throughput_rps": round(leaver["all"]["rps"], 1),
            "surveys_per_s": round(leaver["surveys_per_s"], 1),
            "ratio": round(ratio, 2),
            "p50_ms": round(leaver["all"]["p50_ms"], 1),
            "p95_ms": round(leaver["all"]["p95_ms"], 1),
            "p99_ms": round(leaver["all"]["p99_ms"], 1),
            "submit_p99_ms": round(leaver["submit"]["p99_ms"], 1),
            "goal_met": ratio >= GOAL_RATIO and leaver["all"]["p99_ms"] < GOAL_P99_MS,
        }
    print(json.dumps(result))


@contextlib.contextmanager
def bench_database():
    """A PostgreSQL database of its own (its URL), dropped afterwards; Redis emptied again
    afterwards if it was empty before (the jobs and limits a run leaves)."""
    store = redis.Redis.from_url(REDIS_URL)
    redis_was_empty = store.dbsize() == 0
    admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"exitloop_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        if redis_was_empty:
            store.flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("clients", nargs="?", type=int, default=50)
    parser.add_argument("surveys_per_client", nargs="?", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--ceiling-only", action="store_true", help="Measure the ceiling app alone."
    )
    args = parser.parse_args()
    surveys = args.clients * args.surveys_per_client
    body = json.dumps(sample_answers(random.Random(0)))

    # The machine's speed may drift during a run (a shared one does): the ceiling is measured
    # before and after the leavers, and their ratio taken to both runs together.
    count = surveys * len(LEAVER_STEPS)
    with bench_database() as database_url:
        runs = [ceiling_run(database_url, args, count, body)]
        leaver = None if args.ceiling_only else leaver_run(database_url, args, surveys)
        runs.append(ceiling_run(database_url, args, count, body))
    ceiling = figures(sum(elapsed for elapsed, _ in runs), [t for _, ts in runs for t in ts])
    ceiling["runs_rps"] = [len(timings) / elapsed for elapsed, timings in runs]
    report(args, leaver, ceiling)


if __name__ == "__main__":
    main()
