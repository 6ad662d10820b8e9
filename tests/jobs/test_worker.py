"""Real workers: a killed work-horse, the operator's failed-job commands."""

import contextlib
import os
import select
import signal
import time
from pathlib import Path

import sqlalchemy as sa
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from service.extensions import db
from service.jobs.horse import WorkHorse, _run_horse
from service.jobs.queue import enqueue, rq_queue
from service.mail.models import MailStatus, PlatformEmail
from tests.jobs import sample_tasks
from tests.jobs.support import JOBS_REDIS_URL, wait_for


def test_killed_work_horse_the_job_is_retried_and_its_effect_happens_once(
    app, jobs_redis, smtp, start_worker, tmp_path
):
    pid_dir = tmp_path / "horses"
    pid_dir.mkdir()
    worker = start_worker("mail", "default", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    assert enqueue(sample_tasks.greet_once, "greet@example.com", str(pid_dir), job_id="greet-1")

    (first_horse,) = wait_for(lambda: os.listdir(pid_dir), message="the first work-horse")
    os.kill(int(first_horse), signal.SIGKILL)

    def finished():
        job = Job.fetch("greet-1", connection=jobs_redis, serializer=JSONSerializer)
        return job.get_status() == JobStatus.FINISHED

    wait_for(finished, timeout=30, message="the retried job to finish")
    assert len(os.listdir(pid_dir)) == 2, "the job was not run again in a new work-horse"
    wait_for(lambda: smtp.inbox.to("greet@example.com"), message="the greeting")
    wait_for(lambda: rq_queue("mail").count == 0, message="an empty mail queue")
    assert len(smtp.inbox.to("greet@example.com")) == 1
    rows = db.session.scalars(
        sa.select(PlatformEmail).where(PlatformEmail.to_address == "greet@example.com")
    ).all()
    assert [row.status for row in rows] == [MailStatus.SENT]
    assert "Work-horse terminated unexpectedly" in worker.log()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_one_work_horse_runs_job_after_job_and_stops_with_its_worker(
    app, jobs_redis, start_worker, tmp_path
):
    pid_dir = tmp_path / "horses"
    pid_dir.mkdir()
    worker = start_worker("default")
    horse = wait_for(worker.work_horse, message="the work-horse")
    for n in range(3):
        assert enqueue(sample_tasks.mark_pid, str(pid_dir), str(n), job_id=f"mark-{n}")
    wait_for(lambda: len(os.listdir(pid_dir)) == 3, message="three jobs run")
    assert {name.split("-")[0] for name in os.listdir(pid_dir)} == {str(horse)}
    worker.stop()
    assert worker.process.returncode == 0  # a warm shutdown, not killed
    assert _gone(horse)


def test_a_work_horse_whose_worker_is_killed_stops(app, jobs_redis, start_worker):
    worker = start_worker("default")
    horse = wait_for(worker.work_horse, message="the work-horse")
    worker.process.kill()
    worker.process.wait()
    wait_for(lambda: _gone(horse), timeout=10, message="the work-horse to stop")


def test_a_work_horse_whose_worker_died_before_it_asked_for_the_signal_does_not_start(
    app, jobs_redis
):
    """prctl(2)'s race: a worker killed between its fork and its work-horse's request for the
    parent-death signal sends none, so the work-horse compares its parent with the pid its
    worker had at the fork (read after the fork, it would be init's and never differ). Left
    running, it would wait on Redis for minutes (its dequeue timeout), orphaned, and take the
    next test's jobs."""
    reader, writer = os.pipe()
    intermediate = os.fork()
    if intermediate == 0:  # the worker: forks its work-horse and dies at once
        worker = os.getpid()
        if os.fork() == 0:
            os.close(reader)
            os.write(writer, f"{os.getpid()}\n".encode())
            while os.getppid() == worker:
                time.sleep(0.01)
            _run_horse(JOBS_REDIS_URL, ["default"], "orphan-horse", False, "WARNING", worker)
        os._exit(0)
    os.close(writer)
    os.waitpid(intermediate, 0)
    with os.fdopen(reader) as pipe:
        horse = int(pipe.readline())
        try:
            ready, _, _ = select.select([pipe], [], [], 10)
            assert ready, "the work-horse runs on without its worker"
            assert pipe.read() == ""  # its end of the pipe closed: it exited
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(horse, signal.SIGKILL)


def test_a_work_horse_stops_listening_for_commands_without_sitting_out_a_sleep(
    app, jobs_redis, monkeypatch
):
    """The thread that listens for commands, caught between its unsubscription and its stop
    (a loaded machine: here a pause), waits for a subscription for 60 seconds; the
    work-horse does not wait for it (its worker killed as it started, it took a minute)."""
    horse = WorkHorse([rq_queue("default", jobs_redis)], connection=jobs_redis)
    horse.subscribe()
    wait_for(lambda: horse.pubsub.subscribed, message="the subscription")
    unsubscribe = horse.pubsub.unsubscribe

    def slowly(*args):
        unsubscribe(*args)
        wait_for(lambda: not horse.pubsub.subscribed, message="the unsubscription")
        time.sleep(0.2)  # the thread goes back to waiting for a subscription

    monkeypatch.setattr(horse.pubsub, "unsubscribe", slowly)
    started = time.monotonic()
    horse.unsubscribe()
    assert time.monotonic() - started < 5


def test_failed_jobs_are_listed_and_requeued_by_the_operator(app, jobs_redis):
    assert enqueue(sample_tasks.always_fails, "the report", job_id="report-1")
    worker = SimpleWorker(
        [rq_queue("default", jobs_redis)], connection=jobs_redis, serializer=JSONSerializer
    )
    worker.work(burst=True)
    assert rq_queue("default").failed_job_registry.count == 1

    cli = app.test_cli_runner()
    listing = cli.invoke(args=["jobs", "failed"])
    assert listing.exit_code == 0, listing.output
    assert "report-1" in listing.output
    assert "tests.jobs.sample_tasks.always_fails" in listing.output
    assert "RuntimeError: the report is broken" in listing.output
    assert "1 failed job(s)" in listing.output

    refused = cli.invoke(args=["jobs", "requeue"])
    assert refused.exit_code != 0
    requeued = cli.invoke(args=["jobs", "requeue", "report-1"])
    assert "1 job(s) requeued" in requeued.output
    assert rq_queue("default").job_ids == ["report-1"]
    assert rq_queue("default").failed_job_registry.count == 0


def test_worker_and_jobs_commands_need_redis(app):
    cli = app.test_cli_runner()
    for command in (["worker"], ["jobs", "failed"], ["scheduler"]):
        result = cli.invoke(args=command)
        assert result.exit_code != 0
        assert "REDIS_URL is not set" in result.output
