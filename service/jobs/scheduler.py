"""The one scheduler: a declarative list of periodic jobs, enqueued once per time slot.

Each job's time is cut into slots of ``every`` seconds. At each tick the scheduler claims the
current slot with an atomic compare-and-set of the last slot stored in Redis (in memory for
the embedded default) and enqueues the job with a deterministic id such as
``outbox-sweep-20261127T100500`` (RQ refuses a second job with that id). So two schedulers,
or a restart inside a slot, never enqueue a slot twice; a scheduler that was down across one
or more slot boundaries runs the job once when it comes back (for the current slot, which
stands for the missed ones: periodic jobs catch up on everything that is due).

Run it with ``flask --app wsgi scheduler`` (one process per installation).
"""

import datetime as dt
import logging
import signal
import threading
from dataclasses import dataclass

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.utils import import_string

from service.jobs.queue import enqueue, redis_connection
from service.model_types import utcnow

log = logging.getLogger(__name__)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Periodic:
    name: str  # the job id prefix: letters, digits and dashes
    task: str  # dotted path of the @task
    every_setting: str  # the config key holding the slot length in seconds


SCHEDULE = (
    Periodic("outbox-sweep", "service.mail.tasks.sweep_outbox", "OUTBOX_SWEEP_SECONDS"),
    Periodic("survey-scan", "service.surveys.tasks.scan_invitations", "SURVEY_SCAN_SECONDS"),
    Periodic(
        "action-reminders", "service.actions.tasks.scan_action_reminders", "ACTION_REMINDER_SECONDS"
    ),
    Periodic("report-scan", "service.reports.tasks.scan_reports", "REPORT_SCAN_SECONDS"),
    Periodic(
        "audit-retention", "service.audit.tasks.scan_audit_retention", "AUDIT_RETENTION_SECONDS"
    ),
    Periodic("data-retention", "service.privacy.tasks.scan_retention", "DATA_RETENTION_SECONDS"),
    Periodic(
        "tenant-data", "service.tenant_data.tasks.scan_tenant_data", "TENANT_DATA_SCAN_SECONDS"
    ),
)

# Compare-and-set: store the slot only when it is later than the stored one.
_CLAIM_SLOT = """
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""


def slot_start(now: dt.datetime, every: int) -> dt.datetime:
    seconds = int((now - EPOCH).total_seconds())
    return EPOCH + dt.timedelta(seconds=seconds - seconds % every)


class RedisSlots:
    def __init__(self, connection) -> None:
        self._claim = connection.register_script(_CLAIM_SLOT)

    def claim(self, name: str, slot: dt.datetime) -> bool:
        key = f"exitloop:scheduler:last-slot:{name}"
        return bool(self._claim(keys=[key], args=[int(slot.timestamp())]))


class MemorySlots:
    """The embedded default: one process, so memory is the whole truth."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: dict[str, dt.datetime] = {}

    def claim(self, name: str, slot: dt.datetime) -> bool:
        with self._lock:
            if name in self._last and self._last[name] >= slot:
                return False
            self._last[name] = slot
            return True


class Scheduler:
    def __init__(self, app: Flask, slots) -> None:
        self.app, self.slots = app, slots

    @classmethod
    def for_app(cls, app: Flask) -> "Scheduler":
        if app.config["REDIS_URL"]:
            return cls(app, RedisSlots(redis_connection(app.config["REDIS_URL"])))
        return app.extensions.setdefault("exitloop_scheduler", cls(app, MemorySlots()))

    def tick(self, now: dt.datetime | None = None) -> list[str]:
        """Enqueue every periodic job whose current slot has not been enqueued; their ids."""
        now = now or utcnow()
        enqueued = []
        for periodic in SCHEDULE:
            slot = slot_start(now, int(self.app.config[periodic.every_setting]))
            if not self.slots.claim(periodic.name, slot):
                continue
            job_id = f"{periodic.name}-{slot:%Y%m%dT%H%M%S}"
            if enqueue(import_string(periodic.task), job_id=job_id):
                enqueued.append(job_id)
        return enqueued

    def run(self, stop: threading.Event, poll: float = POLL_SECONDS) -> None:
        log.info("scheduler started: %s", ", ".join(p.name for p in SCHEDULE))
        while not stop.is_set():
            try:
                for job_id in self.tick():
                    log.info("scheduler: enqueued %s", job_id)
            except Exception:
                log.exception("scheduler: tick failed; trying again")
            stop.wait(poll)
        log.info("scheduler stopped")


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Enqueue the periodic jobs (one scheduler process per installation)."""
    app = current_app._get_current_object()
    if not app.config["REDIS_URL"]:
        raise click.UsageError("REDIS_URL is not set: the embedded default schedules in-process.")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Scheduler.for_app(app).run(stop)
