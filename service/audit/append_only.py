"""The database refuses to change or remove an audit entry; the retention purge alone may
delete, and only inside its own transaction.

PostgreSQL, two locks. The application's role (service/database_roles.py) holds only SELECT
and INSERT on the audit tables and owns neither, so it can neither change an entry nor drop
the trigger. Its one way to delete is ``purge_audit_entries(tenant, cutoff)``, a function
of the tables' owner (SECURITY DEFINER, migration 0024) that removes one tenant's entries
(row-level security keeps it to the transaction's own tenant) or, given NULL, the
platform's, older than the cutoff. Behind it, for the owner itself, a trigger raises on
UPDATE, DELETE and TRUNCATE unless the transaction has set ``exitloop.audit_purge`` to
``on`` — which only that function does, for its own delete.

SQLite has no roles and no such setting: its trigger asks a function this process
registers on each connection (``exitloop_audit_purge()``), true only inside
:func:`sqlite_purge`; any other connection (the sqlite3 shell) lacks it and is refused.

The triggers themselves are made by migrations/versions/0021_audit.py (a migration keeps
its own copy of the DDL: it must not change when this module does).
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa

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


def purge(session, model, tenant_id: uuid.UUID | None, cutoff: dt.datetime) -> int:
    """Delete the entries (of ``model``'s table) older than ``cutoff`` — of ``tenant_id``,
    or the platform's when None — in the session's transaction; how many."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(
            sa.text("SELECT purge_audit_entries(:tenant_id, :cutoff)"),
            {"tenant_id": tenant_id, "cutoff": cutoff},
        ).scalar_one()
    older = model.at < cutoff
    if tenant_id is not None:
        older = sa.and_(older, model.tenant_id == tenant_id)
    with sqlite_purge():
        return session.execute(
            sa.delete(model).where(older).execution_options(synchronize_session=False)
        ).rowcount
