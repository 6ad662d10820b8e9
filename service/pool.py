"""Pooled database connections checked before use only when they sat idle.

``pool_pre_ping`` checks every connection on every checkout: a round trip to the database
per request (three of a leaver's eighteen, bench/leaver_cpu.py), paid to survive a database
restart or a connection a firewall dropped while it waited. Those happen to connections
that waited: a connection back in the pool for less than ``IDLE_BEFORE_PING`` seconds is
used as is, an older one is pinged first, and if the ping fails the pool discards it and
hands out another (SQLAlchemy's "pessimistic" disconnect handling, with a checkout event).
A connection that breaks within those seconds fails its request; SQLAlchemy then recycles
the pool's other connections, as it does for any disconnect.
"""

import time

import sqlalchemy as sa
from sqlalchemy import exc

IDLE_BEFORE_PING = 10.0  # seconds
_IDLE_SINCE = "exitloop_idle_since"


def ping_idle_connections(engine: sa.Engine) -> None:
    """Install the checks on `engine`'s pool."""

    @sa.event.listens_for(engine, "checkin")
    def _idle(dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING:
            return  # new (just connected), or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("an idle connection was lost") from error
