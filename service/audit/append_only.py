"""The database refuses to change or remove an audit entry; the retention purge alone may
delete, and only inside its own transaction.

PostgreSQL: a trigger raises on UPDATE, DELETE and TRUNCATE of the audit tables unless the
transaction has set ``exitloop.audit_purge`` to ``on`` (``set_config(…, true)``: it ends
with the transaction). SQLite has no such setting: its trigger asks a function this
process registers on each connection (``exitloop_audit_purge()``), true only inside
:func:`purging`; any other connection (the sqlite3 shell) lacks the function and is refused.

Limit until the application role of issue 15 item 1 exists: the application connects as
the tables' owner, which could drop the trigger. With that role the application gets no
UPDATE or DELETE grant on these tables at all, and the purge runs as the owner.

The triggers themselves are made by migrations/versions/0021_audit.py (a migration keeps
its own copy of the DDL: it must not change when this module does).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa

PURGE_SETTING = "exitloop.audit_purge"
SQLITE_FUNCTION = "exitloop_audit_purge"

_purging: ContextVar[bool] = ContextVar("exitloop_audit_purge", default=False)


def purge_allowed() -> int:
    """The SQLite trigger's question: is this the retention purge? (1 or 0)"""
    return int(_purging.get())


def register_sqlite_function(dbapi_connection) -> None:
    dbapi_connection.create_function(SQLITE_FUNCTION, 0, purge_allowed)


@contextmanager
def sqlite_purge() -> Iterator[None]:
    """SQLite's half of :func:`purging`, alone: what this process deletes inside the block
    passes the trigger (the tests' clean-up between tests uses it too)."""
    token = _purging.set(True)
    try:
        yield
    finally:
        _purging.reset(token)


@contextmanager
def purging(session) -> Iterator[None]:
    """The retention purge's deletes (call inside the transaction that deletes)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"SELECT set_config('{PURGE_SETTING}', 'on', true)"))
    with sqlite_purge():
        yield
    if session.get_bind().dialect.name == "postgresql":  # the rest of the transaction: not
        session.execute(sa.text(f"SELECT set_config('{PURGE_SETTING}', 'off', true)"))
