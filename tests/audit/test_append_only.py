"""The audit trail is append-only in the database: an UPDATE or a DELETE by raw SQL fails
on PostgreSQL and on SQLite; only the retention purge deletes, and only what it is given."""

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from service.audit import trail
from service.audit.append_only import purge
from service.audit.models import AuditEntry, PlatformAuditEntry
from service.extensions import db
from service.model_types import utcnow
from service.tenancy import tenant_scope, unscoped
from tests.conftest import OWNER_ROLE, engine_as, migrated_sqlite_app, truncate_all
from tests.factories import make_tenant


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    return migrated_sqlite_app(tmp_path_factory, "audit")


@pytest.fixture(params=["postgresql", "sqlite"])
def dialect_app(request):
    if request.param == "postgresql":
        yield request.getfixturevalue("app")
        return
    app = request.getfixturevalue("sqlite_app")
    truncate_all(app)
    with app.app_context():
        yield app
        db.session.remove()


def _one_of_each(tenant) -> None:
    with tenant_scope(tenant.id):
        trail.record("settings.change", tenant, {"name": ["A", "B"]})
        db.session.commit()
    trail.record("agency.create", changes={"slug": "x"})
    db.session.commit()


HOUR = dt.timedelta(hours=1)


def _count(table: str) -> int:
    with unscoped("a test looks across tenants"):
        return db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


@pytest.mark.parametrize("table", ["audit_entries", "platform_audit_entries"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET action = 'settings.view'", "DELETE FROM {table}"],
)
def test_raw_update_and_delete_fail(dialect_app, table, statement):
    """The application: no grant on PostgreSQL (its role), the trigger on SQLite."""
    tenant = make_tenant("audited")
    _one_of_each(tenant)
    refused = pytest.raises(sa.exc.DatabaseError, match="append-only|permission denied")
    with refused, unscoped("a test looks across tenants"):
        db.session.execute(sa.text(statement.format(table=table)))
    db.session.rollback()
    assert _count(table) == 1
    with unscoped("a test looks across tenants"):
        actions = db.session.scalars(sa.text(f"SELECT action FROM {table}")).all()  # noqa: S608
    assert "settings.view" not in actions


@pytest.mark.parametrize("table", ["audit_entries", "platform_audit_entries"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET action = 'settings.view'",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
    ],
)
def test_the_owner_is_refused_by_the_trigger(app, table, statement):
    """PostgreSQL's second lock: the tables' owner may change what the application may
    not, and the trigger still refuses it (the purge setting lets a DELETE alone through)."""
    _one_of_each(make_tenant("audited"))
    with engine_as(app, OWNER_ROLE).connect() as owner:
        owner.exec_driver_sql("SELECT set_config('exitloop.cross_tenant', 'on', true)")
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            owner.exec_driver_sql(statement.format(table=table))
    with unscoped("a test looks across tenants"):
        assert db.session.scalars(sa.text(f"SELECT action FROM {table}")).all() != []  # noqa: S608


def test_truncate_fails_on_postgresql(app):
    _one_of_each(make_tenant("audited"))
    for table in ("audit_entries", "platform_audit_entries"):
        with pytest.raises(sa.exc.DatabaseError, match="permission denied"):
            db.session.execute(sa.text(f"TRUNCATE {table}"))
        db.session.rollback()
        assert _count(table) == 1


def test_the_purge_deletes_only_what_is_older_than_its_cutoff(dialect_app):
    tenant, other = make_tenant("audited"), make_tenant("other")
    _one_of_each(tenant)
    _one_of_each(other)
    future = utcnow() + dt.timedelta(days=1)
    assert purge(db.session, PlatformAuditEntry, None, utcnow() - HOUR) == 0
    assert purge(db.session, PlatformAuditEntry, None, future) == 2
    with tenant_scope(tenant.id):
        assert purge(db.session, AuditEntry, tenant.id, future) == 1
    db.session.commit()
    assert _count("platform_audit_entries") == 0
    assert _count("audit_entries") == 1  # the other tenant's entry stays


def test_the_purge_reaches_no_other_tenant_and_leaves_no_setting_behind(app):
    tenant, other = make_tenant("audited"), make_tenant("other")
    _one_of_each(other)
    future = utcnow() + dt.timedelta(days=1)
    with tenant_scope(tenant.id):  # row-level security: the transaction's tenant only
        assert purge(db.session, AuditEntry, other.id, future) == 0
        setting = "SELECT current_setting('exitloop.audit_purge', true)"
        assert db.session.execute(sa.text(setting)).scalar() == "off"
    db.session.rollback()
    assert _count("audit_entries") == 1


def test_the_purge_setting_never_allows_an_update(app):
    _one_of_each(make_tenant("audited"))
    with engine_as(app, OWNER_ROLE).connect() as owner:
        owner.exec_driver_sql("SELECT set_config('exitloop.audit_purge', 'on', true)")
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            owner.exec_driver_sql("UPDATE platform_audit_entries SET actor_name = 'someone'")


def test_an_entry_rolls_back_with_the_change_it_records(app):
    tenant = make_tenant("audited")
    with tenant_scope(tenant.id):
        trail.record("settings.change", tenant, {"name": ["A", "B"]})
        db.session.rollback()
    assert _count("audit_entries") == 0


def test_record_refuses_an_undeclared_action_and_a_tenant_entry_without_a_tenant(app):
    with pytest.raises(KeyError):
        trail.record("response.edit")
    with pytest.raises(RuntimeError):
        trail.record("settings.change")


def test_addresses_are_truncated_and_changes_kept_small():
    assert trail.truncated_ip("203.0.113.77") == "203.0.113.0"
    assert trail.truncated_ip("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert trail.truncated_ip("not an address") is None
    small = trail._small({"note": "x" * 500, "ids": [uuid.UUID(int=1)], "n": 3})
    assert len(small["note"]) == trail.VALUE_MAX
    assert small["ids"] == [str(uuid.UUID(int=1))]
    assert small["n"] == 3
