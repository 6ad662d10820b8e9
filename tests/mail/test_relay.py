"""The relay against a real SMTP server: back-off, giving up, two relays, tenants."""

import logging
import threading
import time

import sqlalchemy as sa
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from service.extensions import db
from service.jobs.queue import rq_queue
from service.mail import relay
from service.mail.models import MailStatus, PlatformEmail, TenantEmail
from service.mail.outbox import queue_email
from service.mail.tasks import deliver_email, relay_outbox, sweep_outbox
from service.model_types import utcnow
from service.tenancy import tenant_scope
from tests.conftest import csrf_token, login
from tests.jobs.support import JOBS_REDIS_URL

DEAD_REDIS = "redis://127.0.0.1:1/14"


def _queue_pending(app, monkeypatch, count: int) -> list:
    """Rows left pending, as when Redis was down at commit time."""
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "REDIS_URL", DEAD_REDIS)
        ids = [
            queue_email(to=f"r{i}@example.com", template="test", language="en", context={})
            for i in range(count)
        ]
        db.session.commit()
    return ids


def _status(email_id) -> MailStatus:
    status = db.session.scalar(sa.select(PlatformEmail.status).where(PlatformEmail.id == email_id))
    db.session.commit()
    return status


def _run_worker(connection) -> None:
    queues = [rq_queue(name, connection) for name in ("mail", "default")]
    SimpleWorker(queues, connection=connection, serializer=JSONSerializer).work(burst=True)


def test_refused_then_accepted_is_delivered_once_after_the_back_off(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_RETRY_DELAYS", (1,))
    smtp.inbox.refusals = ["451 4.3.0 Try again later"]
    email_id = queue_email(to="patient@example.com", template="test", language="en", context={})
    db.session.commit()
    email = db.session.get(PlatformEmail, email_id)
    assert (email.status, email.attempts) == (MailStatus.PENDING, 1)
    assert "451" in email.last_error
    assert email.next_attempt_at > utcnow()
    db.session.commit()

    sweep_outbox()  # inside the back-off: nothing is due
    assert smtp.inbox.to("patient@example.com") == []
    time.sleep(1.05)
    sweep_outbox()
    assert len(smtp.inbox.to("patient@example.com")) == 1
    assert _status(email_id) == MailStatus.SENT
    sweep_outbox()
    assert len(smtp.inbox.to("patient@example.com")) == 1


def test_refused_for_good_is_marked_failed_and_shown_to_the_operator(
    app, world, client, smtp, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_RETRY_DELAYS", (0,))
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    smtp.inbox.refuse_always = "451 4.3.0 Mailbox busy"
    email_id = queue_email(to="never@example.com", template="test", language="en", context={})
    db.session.commit()
    for _ in range(5):
        sweep_outbox()
    email = db.session.get(PlatformEmail, email_id)
    assert (email.status, email.attempts) == (MailStatus.FAILED, 3)
    assert smtp.inbox.conversations == 3
    db.session.commit()

    login(client, "platform@exitloop.example")
    listing = client.get("/platform/outbox/?status=failed").get_data(as_text=True)
    assert "never@example.com" in listing
    page = client.get(f"/platform/outbox/platform/{email_id}").get_data(as_text=True)
    assert "Failed" in page
    assert "Mailbox busy" in page


def test_a_permanent_refusal_fails_at_once(app, smtp):
    smtp.inbox.refuse_always = "550 5.1.1 No such user"
    email_id = queue_email(to="gone@example.com", template="test", language="en", context={})
    db.session.commit()
    email = db.session.get(PlatformEmail, email_id)
    assert (email.status, email.attempts) == (MailStatus.FAILED, 1)
    assert "550" in email.last_error


def test_two_relays_at_once_deliver_each_row_exactly_once(app, smtp, monkeypatch):
    ids = _queue_pending(app, monkeypatch, 30)
    smtp.inbox.delay = 0.01
    monkeypatch.setattr(relay, "BATCH", 1)  # claim row by row: the relays interleave
    start = threading.Barrier(2)
    errors = []

    def run_relay():
        with app.app_context():
            start.wait()
            try:
                relay_outbox(None)
            except Exception as exc:  # a failing relay must fail the test
                errors.append(exc)

    threads = [threading.Thread(target=run_relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    received = [m["To"] for m in smtp.inbox.messages]
    assert sorted(received) == sorted(f"r{i}@example.com" for i in range(30))
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == 30
    assert all(_status(email_id) == MailStatus.SENT for email_id in ids)


def test_the_same_row_delivered_twice_at_once_is_sent_once(app, smtp, monkeypatch):
    (email_id,) = _queue_pending(app, monkeypatch, 1)
    smtp.inbox.delay = 0.2
    start = threading.Barrier(4)

    def deliver():
        with app.app_context():
            start.wait()
            deliver_email(str(email_id), None)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(smtp.inbox.messages) == 1


def test_a_row_left_sending_is_resent_after_the_claim_timeout_and_logged(
    app, smtp, monkeypatch, caplog
):
    (email_id,) = _queue_pending(app, monkeypatch, 1)
    claimed = relay.claim(PlatformEmail, email_id=email_id)  # a relay that then crashed
    assert claimed == [email_id]
    sweep_outbox()
    assert smtp.inbox.messages == [], "reclaimed inside the claim timeout"

    monkeypatch.setitem(app.config, "MAIL_CLAIM_TIMEOUT", 0)
    with caplog.at_level(logging.WARNING, logger="service.mail.relay"):
        sweep_outbox()
    assert "a duplicate is possible" in caplog.text
    assert len(smtp.inbox.messages) == 1
    assert _status(email_id) == MailStatus.SENT


def test_a_job_for_tenant_a_cannot_touch_tenant_b_mail(app, world, smtp, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setitem(app.config, "REDIS_URL", DEAD_REDIS)
        with tenant_scope(world.b.tenant.id):
            b_id = queue_email(
                to="b-leaver@example.com",
                template="test",
                language="en",
                context={},
                tenant_id=world.b.tenant.id,
            )
            db.session.commit()

    deliver_email(str(b_id), str(world.a.tenant.id))  # A's job, handed B's id
    relay_outbox(str(world.a.tenant.id))
    assert smtp.inbox.messages == []
    with tenant_scope(world.b.tenant.id):
        email = db.session.scalar(sa.select(TenantEmail).where(TenantEmail.id == b_id))
        assert (email.status, email.attempts) == (MailStatus.PENDING, 0)
        db.session.commit()

    deliver_email(str(b_id), str(world.b.tenant.id))
    assert len(smtp.inbox.to("b-leaver@example.com")) == 1


def test_redis_down_the_request_succeeds_and_the_sweep_delivers_later(
    app, world, client, smtp, jobs_redis, monkeypatch
):
    # An operator's "send again" on a failed mail is the user action here.
    smtp.inbox.refuse_always = "550 5.7.1 Rejected"
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    email_id = queue_email(to="later@example.com", template="test", language="en", context={})
    db.session.commit()
    assert _status(email_id) == MailStatus.FAILED
    smtp.inbox.refuse_always = None

    monkeypatch.setitem(app.config, "REDIS_URL", DEAD_REDIS)
    login(client, "platform@exitloop.example")
    path = f"/platform/outbox/platform/{email_id}"
    response = client.post(f"{path}/retry", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert "will be sent again" in client.get(path).get_data(as_text=True)
    assert _status(email_id) == MailStatus.PENDING

    monkeypatch.setitem(app.config, "REDIS_URL", JOBS_REDIS_URL)  # Redis is back
    sweep_outbox()  # what the scheduler enqueues each minute; it fans out relay jobs
    assert smtp.inbox.to("later@example.com") == []
    _run_worker(jobs_redis)
    assert len(smtp.inbox.to("later@example.com")) == 1
    assert _status(email_id) == MailStatus.SENT
