"""Real workers: a killed work-horse, the operator's failed-job commands."""

import os
import signal

import sqlalchemy as sa
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from service.extensions import db
from service.jobs.queue import enqueue, rq_queue
from service.mail.models import MailStatus, PlatformEmail
from tests.jobs import sample_tasks
from tests.jobs.support import wait_for


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
