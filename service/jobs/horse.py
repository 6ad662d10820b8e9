"""One long-lived work-horse per worker, running job after job in-process.

RQ's own worker forks a work-horse per job: the fork, a new database connection and cold
caches on both sides cost a report's job more than the report itself (bench/reports.py: the
workers' CPU per report 178 ms with a fork per job, 85 ms without). Here the worker forks
one work-horse, an RQ SimpleWorker that runs job after job in its one process and keeps its
database connections warm between them, and watches it.

What a work-horse per job protected, and how this keeps it:
- A job that kills its process (SIGKILL, the OOM killer, a crash in C code): the worker sees
  its work-horse die, fails the job it was running as RQ's worker does (so its RetryPolicy
  retries it; jobs are idempotent: tests/jobs/test_worker.py, tests/reports/
  test_scheduling.py), and forks a new one.
- A job leaving state behind (a dirty session, a tenant context): each task runs in an empty
  context and an application context of its own and removes its session whatever happens
  (service/jobs/task.py), which rolls its connection back into the pool.
- A job that hangs: RQ's job timeout raises in the job (SIGALRM in the work-horse's main
  thread, where SimpleWorker runs it), as it did in a forked one; one that the alarm cannot
  interrupt (stuck in C code) is killed by the worker a minute after its timeout, as RQ's
  worker does, and failed like any killed job.
- Memory a job leaks: a work-horse retires after HORSE_MAX_JOBS jobs and a fresh one is
  forked from the worker's warm memory.
RQ's scheduler (retries that wait out a back-off) runs beside the worker, not the
work-horse, so it outlives a work-horse's death. A work-horse whose worker dies is told so
(Linux: a parent-death signal, a warm shutdown) and stops before its next job; one whose worker
died before it could ask for that signal (prctl(2)'s race) sees, before each job, that its
parent is no longer the pid its worker had at the fork.
"""

import contextlib
import ctypes
import logging
import os
import signal
import sys
import time
import uuid

import redis
from rq import SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer
from rq.utils import now

from service.extensions import db
from service.jobs.queue import rq_queue

log = logging.getLogger(__name__)
HORSE_MAX_JOBS = 1000
POLL_SECONDS = 0.5  # how often the worker looks whether its work-horse is alive
WATCH_SECONDS = 30  # how often it looks at the job it runs (RQ's job monitoring interval)
HANG_GRACE_SECONDS = 60  # after its timeout, as RQ's worker gives a work-horse
PR_SET_PDEATHSIG = 1  # prctl(2)


class WorkHorse(SimpleWorker):
    """Runs its jobs in its own process; stops when the worker that forked it is gone."""

    def __init__(self, *args, supervisor: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.supervisor = supervisor  # its worker's pid, taken before the fork (None: read
        # back from Redis by the worker)

    def unsubscribe(self) -> None:
        """RQ stops the thread that listens for commands sent to this worker with redis-py's
        ``stop()``, which waits for it without bound; a thread caught waiting for its
        subscription sits out its 60-second sleep first, and the work-horse waited with it
        (seen when its worker was killed as it started). The wait is bounded here: the
        work-horse exits next, and the thread is a daemon."""
        if self.pubsub_thread:
            self.pubsub.unsubscribe()
            self.pubsub_thread.stop(timeout=1)

    def check_for_suspension(self, burst: bool) -> None:
        if self.supervisor is not None and os.getppid() != self.supervisor:
            self.log.warning("Work-horse %s: its worker is gone, stopping", self.name)
            self._stop_requested = True
        super().check_for_suspension(burst)


def supervise(redis_url: str, queue_names: list[str], burst: bool, logging_level: str) -> int:
    """Fork work-horses, one at a time, until stopped (or, with ``burst``, until the queues
    are empty); the exit status."""
    connection = redis.Redis.from_url(redis_url)
    scheduler = None
    if not burst:  # in a burst, the work-horse moves the due scheduled jobs itself
        scheduler = RQScheduler(
            queue_names,
            connection=connection,
            serializer=JSONSerializer,
            logging_level=logging_level,
        )
        scheduler.acquire_locks(auto_start=True)
    stopping = []
    horse = 0

    def stop(signum, _frame) -> None:
        stopping.append(signum)
        if horse:
            with contextlib.suppress(ProcessLookupError):
                os.kill(horse, signum)  # warm shutdown after its job; twice, cold

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping:
            name = f"{uuid.uuid4().hex}-horse"
            supervisor = os.getpid()
            horse = os.fork()
            if horse == 0:
                _run_horse(redis_url, queue_names, name, burst, logging_level, supervisor)
            status = _wait(horse, name, connection, scheduler)
            horse = 0
            with contextlib.suppress(ProcessLookupError):
                os.killpg(status[0], signal.SIGKILL)  # whatever the work-horse left running
            if os.WIFSIGNALED(status[1]):
                _fail_running_job(connection, name, status[1])
            elif os.WEXITSTATUS(status[1]) != 0:
                return os.WEXITSTATUS(status[1])  # the work-horse itself failed, as a worker would
            elif burst:
                break
        return 0
    finally:
        if scheduler is not None and scheduler._process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(scheduler._process.pid, signal.SIGTERM)
            scheduler._process.join()


def _wait(
    horse: int, name: str, connection: redis.Redis, scheduler: RQScheduler | None
) -> tuple[int, int]:
    """Until the work-horse exits; meanwhile kill it if its job hangs past its timeout, and
    take over the scheduler's lock if its holder is gone (as RQ's worker does)."""
    watched = time.monotonic()
    while True:
        pid, status = os.waitpid(horse, os.WNOHANG)
        if pid:
            return pid, status
        if time.monotonic() - watched > WATCH_SECONDS:
            watched = time.monotonic()
            with contextlib.suppress(redis.RedisError):  # Redis away: the next look
                if _hangs(connection, name):
                    log.warning("work-horse %s: its job hangs past its timeout: killed", name)
                    os.kill(horse, signal.SIGKILL)
                if scheduler is not None and not (
                    scheduler._process and scheduler._process.is_alive()
                ):
                    scheduler.acquire_locks(auto_start=True)
        time.sleep(POLL_SECONDS)


def _hangs(connection: redis.Redis, name: str) -> bool:
    running = _running_job(_find(connection, name))
    if running is None:
        return False
    job, execution = running
    if job.timeout is None or job.timeout < 0:
        return False
    working = (now() - execution.created_at).total_seconds()
    return working > job.timeout + HANG_GRACE_SECONDS


def _find(connection: redis.Redis, name: str) -> WorkHorse | None:
    return WorkHorse.find_by_key(
        WorkHorse.redis_worker_namespace_prefix + name,
        connection=connection,
        serializer=JSONSerializer,
    )


def _running_job(horse: WorkHorse | None) -> tuple | None:
    """The job a work-horse runs, with its execution; None when it runs none."""
    execution = horse.execution if horse is not None else None
    if execution is None:
        return None
    with contextlib.suppress(NoSuchJobError):
        job = Job.fetch(execution.job_id, connection=horse.connection, serializer=JSONSerializer)
        return job, execution
    return None


def _run_horse(
    redis_url: str, queue_names: list[str], name: str, burst: bool, level: str, supervisor: int
):
    """The work-horse's life; never returns into the worker's code."""
    code = 1
    try:
        os.setpgrp()  # as RQ's work-horses: a group of its own, that the worker can end
        if sys.platform == "linux":  # the worker killed outright: a warm shutdown
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        db.engine.dispose(close=False)  # the worker's connections are not its to share
        connection = redis.Redis.from_url(redis_url)
        horse = WorkHorse(
            [rq_queue(queue, connection) for queue in queue_names],
            connection=connection,
            name=name,
            serializer=JSONSerializer,
            supervisor=supervisor,
        )
        horse.work(burst=burst, max_jobs=HORSE_MAX_JOBS, with_scheduler=burst, logging_level=level)
        code = 0
    except BaseException:
        log.exception("work-horse %s failed", name)
    finally:
        os._exit(code)


def _fail_running_job(connection: redis.Redis, name: str, status: int) -> None:
    """What RQ's worker does when a work-horse dies under a job: fail it (so it is retried
    if its policy says so) and take the work-horse off the worker list."""
    horse = _find(connection, name)
    if horse is None:
        return
    running = _running_job(horse)
    if running is not None and running[0].get_status() == JobStatus.STARTED:
        job, execution = running
        job.ended_at = now()
        message = (
            f"Work-horse terminated unexpectedly; waitpid returned {status}"
            f" (signal {os.WTERMSIG(status)}); "
        )
        log.warning("job %s failed (%s)", job.id, message)
        queue = rq_queue(job.origin, connection)
        horse.handle_job_failure(job, queue=queue, exc_string=message, execution=execution)
    horse.register_death()
