"""Pooled connections are pinged only after they sat idle, and one lost meanwhile is
replaced without the request noticing (PostgreSQL: a backend terminated under the pool)."""

import sqlalchemy as sa

from service import pool
from service.extensions import db
from tests.conftest import admin_engine

BACKEND = sa.text("SELECT pg_backend_pid()")


def _pings(monkeypatch) -> list:
    pings = []
    original = db.engine.dialect.do_ping
    monkeypatch.setattr(
        db.engine.dialect, "do_ping", lambda connection: pings.append(1) or original(connection)
    )
    return pings


def _backend() -> int:
    with db.engine.connect() as connection:
        return connection.execute(BACKEND).scalar()


def test_a_connection_used_a_moment_ago_is_not_pinged(app, monkeypatch):
    pings = _pings(monkeypatch)
    first = _backend()
    assert [_backend() for _ in range(3)] == [first] * 3
    assert pings == []


def test_a_connection_lost_while_idle_is_replaced_unnoticed(app, monkeypatch):
    first = _backend()
    with admin_engine(app).connect() as admin:
        assert admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar()
    monkeypatch.setattr(pool, "IDLE_BEFORE_PING", 0.0)
    pings = _pings(monkeypatch)
    replaced = _backend()  # no error: the ping found it dead, the pool connected anew
    assert replaced != first
    assert pings
