"""``@task``: a job function that runs the same on an RQ worker and in-process.

A task takes primitive arguments only (strings, numbers; ids as strings) because they cross
a JSON round trip. It runs in a fresh context: its own application context (so its own
database session), no tenant set and no request — it must set ``tenant_scope`` itself and
reload everything it touches. It must be idempotent: a retry may run it again.
"""

import contextvars
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Flask, current_app

from service.extensions import db
from service.jobs.queue import redis_connection, waiting_key

log = logging.getLogger(__name__)

QUEUES = ("mail", "default", "reports")


@dataclass(frozen=True)
class RetryPolicy:
    """How often RQ (or the in-process runner) re-runs a task that raised, and after what."""

    retries: int = 3
    delays: tuple[int, ...] = (10, 60, 300)  # seconds before each retry


def task(
    queue: str = "default",
    retry: RetryPolicy = RetryPolicy(),
    timeout: int = 180,
    coalesce: bool = False,
) -> Callable:
    """``coalesce``: calls with the same arguments made while one of their jobs still waits
    in the queue are that job (service/jobs/queue.py): for a task that reads the state of
    the data when it starts, such as a rewrite of a month, which a burst of changes would
    otherwise queue once per change. It runs at least once after every call."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; queues are {QUEUES}")

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, **kwargs):
            app = current_app._get_current_object()
            if coalesce:
                _started(run.path, args, kwargs)
            # An empty context: the caller's tenant, unscoped flag and request stay behind.
            return contextvars.Context().run(_run_in_own_app_context, app, func, args, kwargs)

        run.queue_name = queue
        run.retry_policy = retry
        run.timeout = timeout  # seconds before a worker kills the job (RQ's job timeout)
        run.coalesce = coalesce
        run.path = f"{func.__module__}.{func.__qualname__}"
        return run

    return decorate


def _started(path: str, args, kwargs) -> None:
    """A coalescing job no longer waits: calls from now on queue another, as this one may
    already have read what they change. Dropped before anything is read."""
    if not current_app.config["REDIS_URL"]:
        return  # in-process: every call runs
    key = waiting_key(path, args, kwargs)
    try:
        redis_connection().delete(key)
    except redis.RedisError:
        log.warning("could not drop %s: calls queue no job until it expires", key)


def _run_in_own_app_context(app: Flask, func: Callable, args, kwargs):
    with app.app_context():
        try:
            return func(*args, **kwargs)
        finally:
            db.session.remove()
