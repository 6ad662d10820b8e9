""" "Forgot password" does the same work for a known and an unknown address: the request
only hands a job over; the job issues the link and queues the email."""

import sqlalchemy as sa
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from service.accounts.models import AccountLink
from service.extensions import db
from service.jobs.queue import rq_queue
from service.mail.models import PlatformEmail
from tests.conftest import csrf_token


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def ask_reset(client, email: str):
    token = csrf_token(client, "/forgot-password")
    return client.post("/forgot-password", data={"email": email, "csrf_token": token})


def test_known_and_unknown_addresses_get_the_same_answer_and_work(client, world, jobs_redis):
    known = ask_reset(client, "hr_admin@a.example")
    unknown = ask_reset(client, "nobody@a.example")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    # The requests wrote nothing: the same work either way.
    assert rows(AccountLink) == 0
    assert rows(PlatformEmail) == 0
    assert rq_queue("mail", jobs_redis).count == 2

    queues = [rq_queue("mail", jobs_redis)]
    SimpleWorker(queues, connection=jobs_redis, serializer=JSONSerializer).work(burst=True)

    assert rows(AccountLink) == 1
    emails = db.session.scalars(sa.select(PlatformEmail)).all()
    assert [e.to_address for e in emails] == ["hr_admin@a.example"]
    assert "http://localhost/reset-password/" in emails[0].body_text
