"""The embedded default (no REDIS_URL): jobs run in-process, right after the commit.

Arguments go through the same JSON round trip as on a worker, so a job that works here works
there. A job that raises is logged and retried by the ticker after its back-off; after its
last attempt it is logged as failed for good. The ticker (a daemon thread started by
``serve``; tests call :meth:`EmbeddedRunner.tick`) also plays the scheduler's part.
``init_app`` hands the runner to the queue, which does not import this module.
"""

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass

from flask import Flask, current_app
from werkzeug.utils import import_string

from service.jobs.queue import IN_PROCESS, JobRequest
from service.jobs.scheduler import Scheduler
from service.model_types import utcnow

log = logging.getLogger(__name__)
TICK_SECONDS = 5


@dataclass
class _Retry:
    request: JobRequest
    failures: int
    due: dt.datetime


class EmbeddedRunner:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._retries: list[_Retry] = []
        self.failed: list[JobRequest] = []  # gave up: kept for inspection in this process

    def run(self, request: JobRequest, failures: int = 0) -> bool:
        args, kwargs = json.loads(json.dumps([list(request.args), request.kwargs]))
        try:
            import_string(request.path)(*args, **kwargs)
        except Exception:
            failures += 1
            if failures > request.retries:
                log.exception("job %s failed for good after %d attempts", request.path, failures)
                with self._lock:
                    self.failed.append(request)
            else:
                delays = request.delays or (0,)
                delay = delays[min(failures - 1, len(delays) - 1)]
                log.exception("job %s failed; retrying in %ss", request.path, delay)
                with self._lock:
                    self._retries.append(
                        _Retry(request, failures, utcnow() + dt.timedelta(seconds=delay))
                    )
            return False
        return True

    def pending_retries(self) -> int:
        with self._lock:
            return len(self._retries)

    def tick(self, now: dt.datetime | None = None) -> None:
        """Retry the jobs that are due, then enqueue the periodic jobs of this slot."""
        now = now or utcnow()
        with self._lock:
            due = [r for r in self._retries if r.due <= now]
            self._retries = [r for r in self._retries if r.due > now]
        for retry in due:
            self.run(retry.request, retry.failures)
        Scheduler.for_app(current_app).tick(now)


def init_app(app: Flask) -> None:
    """Jobs dispatched while REDIS_URL is unset run here (see queue.dispatch)."""
    app.extensions[IN_PROCESS] = _run_in_process


def _run_in_process(request: JobRequest) -> None:
    runner().run(request)


def runner(app: Flask | None = None) -> EmbeddedRunner:
    app = app or current_app
    return app.extensions.setdefault("exitloop_embedded_jobs", EmbeddedRunner())


def start_ticker(app: Flask, every: float = TICK_SECONDS) -> threading.Event:
    """Tick in a daemon thread until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            with app.app_context():
                try:
                    runner(app).tick()
                except Exception:
                    log.exception("embedded ticker: tick failed")

    threading.Thread(target=loop, name="exitloop-ticker", daemon=True).start()
    return stop
