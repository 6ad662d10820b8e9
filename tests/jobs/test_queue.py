"""Enqueue after commit, to Redis or in-process; the embedded runner's retries."""

import datetime as dt
import logging
import uuid

import pytest
import redis
import sqlalchemy as sa
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from service.extensions import db
from service.jobs.embedded import runner, start_ticker
from service.jobs.queue import enqueue, enqueue_after_commit, rq_queue
from service.model_types import utcnow
from service.tenancy import tenant_scope
from service.tenants.models import Department
from tests.jobs import sample_tasks
from tests.jobs.support import wait_for


@pytest.fixture(autouse=True)
def _clean_samples():
    sample_tasks.seen.clear()
    sample_tasks.failures_left["count"] = 0
    yield
    sample_tasks.seen.clear()


def test_redis_job_is_enqueued_only_after_commit(app, jobs_redis):
    queue = rq_queue("default")
    enqueue_after_commit(sample_tasks.record_context, "committed")
    assert queue.count == 0, "enqueued before the commit"
    db.session.commit()
    assert queue.count == 1
    job = queue.jobs[0]
    assert job.func_name == "tests.jobs.sample_tasks.record_context"
    assert job.args == ["committed"]  # JSON: what a worker will receive


def test_rollback_forgets_the_job(app, jobs_redis):
    enqueue_after_commit(sample_tasks.record_context, "rolled back")
    db.session.rollback()
    db.session.commit()
    assert rq_queue("default").count == 0


def test_a_worker_runs_the_job_with_the_json_serializer(app, jobs_redis):
    enqueue_after_commit(sample_tasks.record_context, "on a worker")
    db.session.commit()
    worker = SimpleWorker(
        [rq_queue("default")], connection=rq_queue("default").connection, serializer=JSONSerializer
    )
    assert worker.work(burst=True)
    assert [s["label"] for s in sample_tasks.seen] == ["on a worker"]


def test_a_job_with_an_id_is_enqueued_once(app, jobs_redis):
    queue = rq_queue("default")
    assert enqueue(sample_tasks.record_context, "first", job_id="sample-1")
    assert not enqueue(sample_tasks.record_context, "again", job_id="sample-1")
    assert [job.args for job in queue.jobs] == [["first"]]
    assert "default" in [known.name for known in type(queue).all(connection=queue.connection)]


def _worker() -> SimpleWorker:
    queue = rq_queue("default")
    return SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)


def test_calls_of_a_coalescing_task_while_its_job_waits_are_that_job(app, jobs_redis):
    queue = rq_queue("default")
    for label in ("May", "May", "June", "May"):
        enqueue_after_commit(sample_tasks.record_coalesced, label)
        db.session.commit()
    assert sorted(job.args[0] for job in queue.jobs) == ["June", "May"]
    assert _worker().work(burst=True)
    assert sorted(s["label"] for s in sample_tasks.seen) == ["June", "May"]
    # The job that ran no longer waits: the next call queues another.
    assert enqueue(sample_tasks.record_coalesced, "May")
    assert [job.args for job in queue.jobs] == [["May"]]


def test_a_call_made_once_its_job_has_started_queues_another(app, jobs_redis, monkeypatch):
    """The job may already have read what the later call changed: it runs again after."""
    queue = rq_queue("default")
    assert enqueue(sample_tasks.record_coalesced, "May")
    calls_while_running = []
    monkeypatch.setattr(
        sample_tasks,
        "while_coalesced_runs",
        [lambda: calls_while_running.append(enqueue(sample_tasks.record_coalesced, "May"))],
    )
    assert _worker().work(burst=True, max_jobs=1)
    assert calls_while_running == [True]
    assert [job.args for job in queue.jobs] == [["May"]]


def test_a_coalescing_task_that_could_not_be_queued_is_queued_by_the_next_call(
    app, jobs_redis, monkeypatch, caplog
):
    queue = rq_queue("default")
    refused = Queue.enqueue_call

    def unreachable(*args, **kwargs):
        raise redis.ConnectionError("refused")

    monkeypatch.setattr(Queue, "enqueue_call", unreachable)
    with caplog.at_level(logging.WARNING, logger="service.jobs.queue"):
        assert not enqueue(sample_tasks.record_coalesced, "May")
    assert "queue unreachable" in caplog.text
    monkeypatch.setattr(Queue, "enqueue_call", refused)
    assert enqueue(sample_tasks.record_coalesced, "May")
    assert [job.args for job in queue.jobs] == [["May"]]


def test_in_process_every_call_of_a_coalescing_task_runs(app):
    for _ in range(2):
        enqueue_after_commit(sample_tasks.record_coalesced, "May")
        db.session.commit()
    assert [s["label"] for s in sample_tasks.seen] == ["May", "May"]


def test_arguments_that_are_not_json_are_refused_at_once(app):
    with pytest.raises(TypeError):
        enqueue_after_commit(sample_tasks.record_context, uuid.uuid4())


def test_redis_down_at_commit_is_logged_and_the_commit_stands(app, world, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/14")
    with tenant_scope(world.a.tenant.id):
        db.session.add(Department(name="Logistics"))
        enqueue_after_commit(sample_tasks.record_context, "lost")
        with caplog.at_level(logging.WARNING, logger="service.jobs.queue"):
            db.session.commit()
        assert db.session.scalar(sa.select(Department).where(Department.name == "Logistics"))
    assert "queue unreachable" in caplog.text


def test_embedded_job_runs_right_after_commit_in_its_own_session_and_context(app, world):
    tenant_id = world.a.tenant.id
    with tenant_scope(tenant_id):
        department = Department(name="Kitchen")
        db.session.add(department)
        enqueue_after_commit(sample_tasks.record_context, "embedded")
        assert sample_tasks.seen == [], "ran before the commit"
        db.session.commit()
        assert len(sample_tasks.seen) == 1
        seen = sample_tasks.seen[0]
        # The job saw no tenant (it must set its own) and had a session of its own...
        assert seen["tenant"] is None
        assert seen["session"] != id(db.session())
        # ...and the caller's context and session are intact.
        assert department.name == "Kitchen"
        assert db.session.scalar(sa.select(Department.id).where(Department.name == "Kitchen"))


def test_embedded_failure_is_logged_and_retried_on_a_later_tick(app, caplog):
    sample_tasks.failures_left["count"] = 1
    enqueue_after_commit(sample_tasks.flaky, "once")
    with caplog.at_level(logging.ERROR, logger="service.jobs.embedded"):
        db.session.commit()
    assert "flaky once failed" in caplog.text, "the failure was swallowed"
    assert runner().pending_retries() == 1
    runner().tick(utcnow())  # before its back-off: not yet
    assert sample_tasks.seen == []
    runner().tick(utcnow() + dt.timedelta(seconds=6))
    assert sample_tasks.seen == [{"label": "once"}]
    assert runner().pending_retries() == 0


def test_embedded_job_failing_every_attempt_is_logged_as_failed_for_good(app, caplog):
    sample_tasks.failures_left["count"] = 10
    enqueue_after_commit(sample_tasks.flaky, "never")
    db.session.commit()
    later = utcnow()
    for _ in range(3):
        later += dt.timedelta(seconds=11)
        runner().tick(later)
    assert runner().pending_retries() == 0
    assert [r.args for r in runner().failed][-1] == ("never",)
    assert "failed for good after 3 attempts" in caplog.text


def test_the_ticker_thread_retries_without_anyone_asking(app):
    sample_tasks.failures_left["count"] = 1
    with app.app_context():  # a request's context, gone before the retry happens
        enqueue_after_commit(sample_tasks.flaky, "ticked")
        db.session.commit()
    runner()._retries[0].due = utcnow()  # skip the back-off's wait
    stop = start_ticker(app, every=0.02)
    try:
        wait_for(lambda: sample_tasks.seen, timeout=20, message="the ticker's retry")
    finally:
        stop.set()
    assert sample_tasks.seen == [{"label": "ticked"}]
