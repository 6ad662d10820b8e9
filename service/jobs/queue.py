"""Enqueueing: after the caller's commit, to Redis or to the in-process runner.

``enqueue_after_commit`` is what services call: the job is remembered on the database session
and handed over only once that session commits (a rollback forgets it), so a job never sees
a change that did not happen. Redis being down at that moment is logged and does not fail
the caller: everything that must not be lost (mail) is a row, which the sweep picks up later.
"""

import contextlib
import json
import logging
from dataclasses import dataclass, field

import redis
from flask import current_app
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.extensions import db

log = logging.getLogger(__name__)
_PENDING = "exitloop_jobs_after_commit"
# Jobs and their failures are kept long enough for an operator to look (`flask jobs failed`).
RESULT_TTL = 24 * 3600
FAILURE_TTL = 30 * 24 * 3600
# Without REDIS_URL a job runs in this process: the embedded runner puts its entry point under
# this key at init_app (service/jobs/embedded.py), so the queue never imports the runner.
IN_PROCESS = "exitloop_jobs_in_process"


@dataclass(frozen=True)
class JobRequest:
    path: str  # dotted path of the @task function, as RQ imports it
    queue_name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    job_id: str | None = None
    retries: int = 3
    delays: tuple[int, ...] = ()
    timeout: int = 180
    coalesce: bool = False


def _request(task, args, kwargs, job_id) -> JobRequest:
    # Fail where the mistake is made: a worker would receive these arguments as JSON.
    json.dumps([list(args), kwargs])
    policy = task.retry_policy
    return JobRequest(
        path=task.path,
        queue_name=task.queue_name,
        args=tuple(args),
        kwargs=dict(kwargs),
        job_id=job_id,
        retries=policy.retries,
        delays=policy.delays,
        timeout=task.timeout,
        coalesce=task.coalesce,
    )


def enqueue_after_commit(task, *args, **kwargs) -> None:
    """Run ``task(*args, **kwargs)`` once the current session commits; never on rollback."""
    request = _request(task, args, kwargs, None)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback with nothing else done still forgets the job
    session.info.setdefault(_PENDING, []).append(request)


def enqueue(task, *args, job_id: str | None = None, **kwargs) -> bool:
    """Hand a job over now (scheduler, fan-out). False when Redis refused or ``job_id`` exists."""
    return dispatch(_request(task, args, kwargs, job_id))


def redis_connection(url: str | None = None) -> redis.Redis:
    """One client per URL and app; short timeouts, so a Redis outage cannot hang a request."""
    url = url or current_app.config["REDIS_URL"]
    clients = current_app.extensions.setdefault("exitloop_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return clients[url]


def rq_queue(name: str, connection: redis.Redis | None = None) -> Queue:
    return Queue(name, connection=connection or redis_connection(), serializer=JSONSerializer)


# A coalescing task's copy waiting in the queue is marked for this long at most: should the
# mark outlive its job (its removal failed), later calls queue jobs again after that.
WAITING_SECONDS = 15 * 60


def waiting_key(path: str, args, kwargs) -> str:
    """The mark of a coalescing task's job that waits in the queue with these arguments."""
    return f"exitloop:jobs:waiting:{path}:{json.dumps([list(args), kwargs], sort_keys=True)}"


def dispatch(request: JobRequest) -> bool:
    if not current_app.config["REDIS_URL"]:
        current_app.extensions[IN_PROCESS](request)
        return True
    connection = redis_connection()
    if request.coalesce:
        return _coalesced(connection, request)
    return _enqueued(connection, request)


def _coalesced(connection: redis.Redis, request: JobRequest) -> bool:
    """A coalescing task is queued unless its job with the same arguments already waits:
    that one reads its data when it starts (it drops its mark first, see
    service/jobs/task.py), so it sees what this call was made for."""
    key = waiting_key(request.path, request.args, request.kwargs)
    try:
        if not connection.set(key, 1, nx=True, ex=WAITING_SECONDS):
            return True
    except redis.RedisError:
        log.warning("queue unreachable: %s not enqueued", request.path)
        return False
    if _enqueued(connection, request):
        return True
    with contextlib.suppress(redis.RedisError):
        connection.delete(key)  # nothing waits: the next call queues it
    return False


def _enqueued(connection: redis.Redis, request: JobRequest) -> bool:
    retry = Retry(max=request.retries, interval=list(request.delays) or 0)
    try:
        # One round trip: RQ's own enqueue makes two (the queue's registration, then the job)
        # unless given a pipeline. A unique job is checked and stored at once by RQ's script.
        with connection.pipeline() as pipeline:
            rq_queue(request.queue_name, connection).enqueue_call(
                request.path,
                args=request.args,
                kwargs=request.kwargs,
                job_id=request.job_id,
                unique=request.job_id is not None,
                retry=retry,
                timeout=request.timeout,
                result_ttl=RESULT_TTL,
                failure_ttl=FAILURE_TTL,
                pipeline=pipeline,
            )
            pipeline.execute()
    except DuplicateJobError:
        log.info("job %s is already enqueued", request.job_id)
        return False
    except redis.RedisError:
        log.warning("queue unreachable: %s not enqueued; a sweep will redo it", request.path)
        return False
    return True


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    for request in session.info.pop(_PENDING, ()):
        try:
            dispatch(request)
        except Exception:
            # The commit has happened: the caller's action succeeded whatever a job does.
            log.exception("job %s could not be started", request.path)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_PENDING, None)
