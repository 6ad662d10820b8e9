"""One scheduler: each slot's periodic jobs are enqueued once, however many schedulers run
and whenever they stop; its jobs run on a JSON worker."""

import datetime as dt
import threading

import redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from service.extensions import db
from service.jobs.embedded import runner
from service.jobs.queue import rq_queue
from service.jobs.scheduler import RedisSlots, Scheduler, slot_start
from service.mail.models import MailStatus, PlatformEmail
from service.mail.outbox import queue_email
from tests.jobs.support import JOBS_REDIS_URL

T = dt.datetime(2026, 11, 27, 10, 5, 30, tzinfo=dt.UTC)


# The jobs of T's slots: the outbox sweep (every minute) and the survey scan (every 5).
def _scheduler(app) -> Scheduler:
    """A scheduler of its own, as a second process would have (own Redis client)."""
    return Scheduler(app, RedisSlots(redis.Redis.from_url(JOBS_REDIS_URL)))


def _mail_job_ids() -> list[str]:
    return sorted(rq_queue("mail").job_ids)


def _sweeps(job_ids: list[str]) -> list[str]:
    """The outbox sweep's job ids among a tick's (other periodic jobs have other slots)."""
    return [job_id for job_id in job_ids if job_id.startswith("outbox-sweep-")]


def test_slots_are_cut_from_the_epoch():
    assert slot_start(T, 60) == dt.datetime(2026, 11, 27, 10, 5, tzinfo=dt.UTC)
    assert slot_start(T, 3600) == dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def test_two_schedulers_enqueue_each_slot_once(app, jobs_redis):
    first, second = _scheduler(app), _scheduler(app)
    assert _sweeps(first.tick(T)) == ["outbox-sweep-20261127T100500"]
    assert _sweeps(second.tick(T)) == []
    assert _sweeps(first.tick(T + dt.timedelta(seconds=20))) == []
    assert _mail_job_ids() == ["outbox-sweep-20261127T100500"]


def test_schedulers_racing_on_one_slot_enqueue_it_once(app, jobs_redis):
    schedulers = [_scheduler(app) for _ in range(6)]
    start = threading.Barrier(len(schedulers))
    enqueued = []

    def race(scheduler):
        with app.app_context():
            start.wait()
            enqueued.extend(_sweeps(scheduler.tick(T)))

    threads = [threading.Thread(target=race, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(enqueued) == ["outbox-sweep-20261127T100500"]
    assert rq_queue("mail").count == 1


def test_stopped_across_slot_boundaries_the_missed_slot_runs_once_on_return(app, jobs_redis):
    assert _sweeps(_scheduler(app).tick(T)) == ["outbox-sweep-20261127T100500"]
    # Down from 10:05:40 to 10:08:10: the scheduler comes back (twice, by accident).
    back = T + dt.timedelta(minutes=2, seconds=40)
    assert _sweeps(_scheduler(app).tick(back)) == ["outbox-sweep-20261127T100800"]
    assert _sweeps(_scheduler(app).tick(back + dt.timedelta(seconds=5))) == []
    # A restart with a clock a little behind never goes back to an earlier slot.
    assert _sweeps(_scheduler(app).tick(T + dt.timedelta(minutes=1))) == []
    assert _mail_job_ids() == ["outbox-sweep-20261127T100500", "outbox-sweep-20261127T100800"]


def test_scheduled_sweep_runs_on_a_json_worker_and_delivers(app, jobs_redis, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/14")  # down at commit
    email_id = queue_email(to="swept@example.com", template="test", language="en", context={})
    db.session.commit()
    monkeypatch.setitem(app.config, "REDIS_URL", JOBS_REDIS_URL)

    assert _scheduler(app).tick()
    queues = [rq_queue("mail", jobs_redis)]
    SimpleWorker(queues, connection=jobs_redis, serializer=JSONSerializer).work(burst=True)
    assert len(smtp.inbox.to("swept@example.com")) == 1
    assert db.session.get(PlatformEmail, email_id).status == MailStatus.SENT
    assert rq_queue("mail").failed_job_registry.count == 0


def test_embedded_ticker_sweeps_once_per_slot(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/14")
    queue_email(to="ticked@example.com", template="test", language="en", context={})
    db.session.commit()
    monkeypatch.setitem(app.config, "REDIS_URL", None)

    runner().tick(T)
    assert len(smtp.inbox.to("ticked@example.com")) == 1
    assert _sweeps(Scheduler.for_app(app).tick(T + dt.timedelta(seconds=10))) == []
    assert _sweeps(Scheduler.for_app(app).tick(T + dt.timedelta(seconds=40))) == [
        "outbox-sweep-20261127T100600"
    ]
