"""`flask --app wsgi mail test --to ADDRESS`, run as an operator would."""

import uuid

import sqlalchemy as sa

from service.extensions import db
from service.mail.models import MailStatus, PlatformEmail
from tests.jobs.support import JOBS_REDIS_URL, run_flask, subprocess_env, wait_for


def _status(email_id):
    status = db.session.scalar(sa.select(PlatformEmail.status).where(PlatformEmail.id == email_id))
    db.session.commit()
    return status


def test_embedded_mail_test_delivers_without_redis(app, database_url, smtp):
    env = subprocess_env(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp.port))
    result = run_flask(env, "mail", "test", "--to", "ops@example.com")
    assert result.returncode == 0, result.stderr
    email_id = uuid.UUID(result.stdout.strip())
    (message,) = smtp.inbox.to("ops@example.com")
    assert message["Subject"] == "Exitloop test message"
    assert _status(email_id) == MailStatus.SENT


def test_mail_test_with_redis_is_delivered_by_a_worker(
    app, database_url, smtp, jobs_redis, start_worker
):
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port)}
    env = subprocess_env(database_url, REDIS_URL=JOBS_REDIS_URL, **mail)
    result = run_flask(env, "mail", "test", "--to", "ops@example.com", "--language", "nl")
    assert result.returncode == 0, result.stderr
    email_id = uuid.UUID(result.stdout.strip())
    assert _status(email_id) == MailStatus.PENDING  # queued, waiting for a worker
    assert smtp.inbox.messages == []

    start_worker("mail", **mail)
    wait_for(lambda: smtp.inbox.to("ops@example.com"), message="the test message")
    assert wait_for(lambda: _status(email_id) == MailStatus.SENT)
    assert smtp.inbox.to("ops@example.com")[0]["Content-Language"] == "nl"


def test_mail_test_refuses_a_bad_address(app, database_url):
    result = run_flask(subprocess_env(database_url), "mail", "test", "--to", "not an address")
    assert result.returncode != 0
    assert "not a single email address" in result.stderr
    assert db.session.scalar(sa.select(sa.func.count(PlatformEmail.id))) == 0
