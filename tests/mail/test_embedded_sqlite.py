"""The embedded default on SQLite, no Redis: mail goes out right after the commit, and two
relays still send a row once (SQLite has no row locks: the guarded claim does it)."""

import threading

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.mail import relay
from service.mail.models import MailStatus, PlatformEmail, TenantEmail
from service.mail.outbox import queue_email
from service.mail.tasks import relay_outbox
from service.tenancy import tenant_scope
from tests.conftest import migrated_sqlite_app, truncate_all
from tests.factories import make_agency, make_tenant
from tests.jobs.support import SmtpServer

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    return migrated_sqlite_app(tmp_path_factory, "embedded-mail")


@pytest.fixture
def embedded(sqlite_app, monkeypatch):
    truncate_all(sqlite_app)
    with SmtpServer() as server, sqlite_app.app_context():
        monkeypatch.setitem(sqlite_app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(sqlite_app.config, "MAIL_PORT", server.port)
        yield server
        db.session.remove()


def test_tenant_mail_is_delivered_right_after_the_commit(embedded):
    tenant = make_tenant("brasserie", make_agency("talent"))
    with tenant_scope(tenant.id):
        email_id = queue_email(
            to="leaver@example.com",
            template="test",
            language="nl",
            context={},
            tenant_id=tenant.id,
            secret=True,
        )
        db.session.commit()
        email = db.session.scalar(sa.select(TenantEmail).where(TenantEmail.id == email_id))
        assert (email.status, email.body_text) == (MailStatus.SENT, None)
    (message,) = embedded.inbox.to("leaver@example.com")
    assert message["From"].addresses[0].display_name == "Talent"


def test_two_relays_on_sqlite_send_each_row_once(embedded, sqlite_app, monkeypatch):
    monkeypatch.setitem(sqlite_app.config, "REDIS_URL", "redis://127.0.0.1:1/14")  # down
    for i in range(10):
        queue_email(to=f"r{i}@example.com", template="test", language="en", context={})
    db.session.commit()
    monkeypatch.setitem(sqlite_app.config, "REDIS_URL", None)
    monkeypatch.setattr(relay, "BATCH", 1)
    embedded.inbox.delay = 0.01
    start = threading.Barrier(2)

    def run_relay():
        with sqlite_app.app_context():
            start.wait()
            relay_outbox(None)

    threads = [threading.Thread(target=run_relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(m["To"] for m in embedded.inbox.messages) == sorted(
        f"r{i}@example.com" for i in range(10)
    )
    statuses = set(db.session.scalars(sa.select(PlatformEmail.status)))
    assert statuses == {MailStatus.SENT}
