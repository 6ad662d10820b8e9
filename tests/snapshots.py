"""Data that many tests start from, built for real once per test database and then copied
back for each test: the demo data (a seed costs ~9 s) and the two-tenant world of
tests/factories.py (~0.3 s, and some 600 tests start from it).

A snapshot is every table's rows, copied into a schema of its own (``snapshot_<name>``)
that nothing of the app reads; restoring empties the tables and copies the rows back, as
replica (no trigger or key check fires: the rows were consistent when copied), as the
superuser (above row-level security and the audit tables' grants). Tests of
the seed itself still call ``service.demo.seed_demo``. On SQLite (no schemas) every call
builds the data anew.
"""

import copy
import dataclasses
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from service.accounts.passwords import hash_password
from service.demo import seed_demo
from service.extensions import db
from service.tenancy import GLOBAL_TABLES, tenant_scope, unscoped
from tests.conftest import admin_engine
from tests.factories import World, make_world

# (database URL, snapshot name) → what rebuilding the test's view of the data needs.
_taken: dict[tuple[str, str], object] = {}


def demo_data(password: str) -> dict:
    """The demo data in the current app's (empty) database, its logins using ``password``;
    returns what ``seed_demo`` returns."""
    seeded_with, result = _restored("demo", lambda: (password, seed_demo(password)))
    if password != seeded_with:
        with admin_engine(current_app).begin() as connection:
            connection.execute(
                sa.text("UPDATE users SET password_hash = :hash WHERE password_hash IS NOT NULL"),
                {"hash": hash_password(password)},
            )
    result = copy.deepcopy(result)
    for user in result["users"]:
        user["password"] = password
    return result


def world() -> World:
    """tests/factories.py's ``make_world()``: the same rows, and fresh objects loaded from
    them (attached, or detached where the factory detached them) for each test."""
    recipe = _restored("world", lambda: _recipe(make_world()))
    return _rebuild(recipe)


def _restored(name: str, build: Callable[[], object]):
    """``build()``'s result, building and snapshotting on the database's first call,
    restoring the rows on later ones."""
    if db.engine.dialect.name != "postgresql":
        return build()
    key = (db.engine.url.render_as_string(hide_password=False), name)
    schema = f"snapshot_{name}"
    tables = [table.name for table in db.metadata.sorted_tables]
    if key not in _taken:
        _taken[key] = build()
        with admin_engine(current_app).begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
            for table in tables:
                connection.execute(sa.text(f"CREATE TABLE {schema}.{table} AS TABLE {table}"))
        return _taken[key]
    db.session.expire_all()
    statements = [
        "SET LOCAL session_replication_role = replica",
        *(f"DELETE FROM {table}" for table in reversed(tables)),
        *(f"INSERT INTO {table} SELECT * FROM {schema}.{table}" for table in tables),
    ]
    # As the superuser: above row-level security and the audit tables' grants.
    with admin_engine(current_app).begin() as connection:  # one round trip
        connection.exec_driver_sql(";\n".join(statements))
    return _taken[key]


@dataclasses.dataclass(frozen=True)
class _Row:
    """Where an ORM object of the world came from: enough to load a fresh one."""

    model: type
    identity: tuple
    tenant_id: object | None
    detached: bool


def _recipe(value):
    """``value`` with every ORM object replaced by the _Row that loads it again."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _recipe(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    if isinstance(value, dict):
        return {key: _recipe(item) for key, item in value.items()}
    state = sa.inspect(value, raiseerr=False)
    if state is None:
        return value
    owned = state.mapper.local_table.name not in GLOBAL_TABLES
    return _Row(type(value), state.identity, state.identity[0] if owned else None, state.detached)


def _rebuild(recipe):
    """The world of ``recipe``, its objects loaded with one query per model."""
    rows: dict[type, list[_Row]] = {}
    _walk(recipe, lambda row: rows.setdefault(row.model, []).append(row))
    loaded = []  # held: the session's identity map keeps only weak references
    # Both tenants' rows at once; _fresh then takes each by its key.
    with unscoped("a test restores the two-tenant world"):
        for model, found in rows.items():
            keys = sa.tuple_(*sa.inspect(model).primary_key)
            loaded += db.session.scalars(
                sa.select(model).where(keys.in_([row.identity for row in found]))
            ).all()
    world = _walk(recipe, _fresh)
    db.session.commit()  # as the factories leave them: attached objects expired, read anew
    return world


def _fresh(row: _Row):
    if row.tenant_id is None:
        found = db.session.get(row.model, row.identity)
    else:
        with tenant_scope(row.tenant_id):
            found = db.session.get(row.model, row.identity)
    if row.detached:
        db.session.expunge(found)
    return found


def _walk(value, visit):
    """``value`` with ``visit(row)`` in place of each _Row."""
    if isinstance(value, _Row):
        return visit(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{f.name: _walk(getattr(value, f.name), visit) for f in dataclasses.fields(value)},
        )
    if isinstance(value, dict):
        return {key: _walk(item, visit) for key, item in value.items()}
    return value
