"""``flask --app wsgi worker [QUEUE…]`` and the operator's ``flask --app wsgi jobs …``.

The worker runs inside the application context, warms up, and runs its jobs in one
long-lived work-horse that it forks and watches (service/jobs/horse.py: why not one per
job, and what that keeps); RQ's scheduler runs alongside, for the retries that wait out a
back-off.

A work-horse inherits the worker's memory, so the worker warms up once before it forks any:
mappers configured, every template compiled, the catalogues loaded, and the domains' warm-ups
(WARM_UPS, dotted paths, read-only) run, so their SQL is compiled. A cold process spends
most of its first report compiling (bench/reports.py: 247 ms cold, 93 ms warm).
"""

import logging

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, get_translations
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer
from werkzeug.utils import import_string

from service.config import LANGUAGES
from service.extensions import db
from service.jobs.horse import supervise
from service.jobs.queue import rq_queue
from service.jobs.task import QUEUES

log = logging.getLogger(__name__)
WARM_UPS = ("service.reports.tasks.warm_up",)


def warm_up(app: Flask) -> None:
    """What every work-horse would otherwise redo cold: done once, in the parent."""
    sa.orm.configure_mappers()
    env = app.jinja_env
    for name in env.list_templates(filter_func=lambda name: name.endswith((".html", ".txt"))):
        env.get_template(name)
    with app.test_request_context():
        for language in LANGUAGES:
            with force_locale(f"{language}_BE"):
                get_translations()
    for path in WARM_UPS:
        try:
            import_string(path)()
        except Exception:  # a warm-up only saves time: the worker runs without it
            log.exception("worker warm-up %s failed", path)
        finally:
            db.session.rollback()
    db.session.remove()
    db.engine.dispose()  # the worker's connections are not its work-horses' to share


def _require_redis() -> None:
    if not current_app.config["REDIS_URL"]:
        raise click.UsageError("REDIS_URL is not set: the embedded default runs jobs in-process.")


@click.command("worker")
@click.argument("queues", nargs=-1, type=click.Choice(QUEUES))
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Run jobs from QUEUES (default: all, in priority order mail, default, reports)."""
    _require_redis()
    warm_up(current_app._get_current_object())
    code = supervise(
        current_app.config["REDIS_URL"],
        list(queues or QUEUES),
        burst=burst,
        logging_level=current_app.config["LOG_LEVEL"],
    )
    if code:
        raise SystemExit(code)


def failed_jobs(queue_name: str) -> list[tuple[Job, str]]:
    """The failed jobs of a queue, each with the last line of its error."""
    registry = FailedJobRegistry(queue=rq_queue(queue_name))
    jobs = Job.fetch_many(
        registry.get_job_ids(), connection=registry.connection, serializer=JSONSerializer
    )
    failed = []
    for job in filter(None, jobs):
        result = job.latest_result()
        lines = ((result.exc_string if result else None) or "").strip().splitlines()
        failed.append((job, lines[-1] if lines else ""))
    return failed


@click.group("jobs")
def jobs_group() -> None:
    """Look at and re-run failed jobs."""


@jobs_group.command("failed")
@with_appcontext
def failed_command() -> None:
    """List failed jobs with the last line of their error."""
    _require_redis()
    count = 0
    for name in QUEUES:
        for job, error in failed_jobs(name):
            count += 1
            click.echo(f"{name}\t{job.id}\t{job.func_name}\t{job.ended_at}\t{error}")
    click.echo(f"{count} failed job(s)")


@jobs_group.command("requeue")
@click.argument("job_ids", nargs=-1)
@click.option("--all", "requeue_all", is_flag=True, help="Requeue every failed job.")
@with_appcontext
def requeue_command(job_ids: tuple[str, ...], requeue_all: bool) -> None:
    """Put failed jobs back on their queue."""
    _require_redis()
    if not job_ids and not requeue_all:
        raise click.UsageError("name the jobs to requeue, or pass --all")
    requeued = 0
    for name in QUEUES:
        registry = FailedJobRegistry(queue=rq_queue(name))
        for job_id in registry.get_job_ids():
            if requeue_all or job_id in job_ids:
                registry.requeue(job_id)
                requeued += 1
    click.echo(f"{requeued} job(s) requeued")
