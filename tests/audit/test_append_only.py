"""The audit trail is append-only in the database: an UPDATE or a DELETE by raw SQL fails
on PostgreSQL and on SQLite; only the retention purge deletes, and only what it is given."""

import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from service.audit import trail
from service.audit.append_only import purging
from service.audit.models import AuditEntry, PlatformAuditEntry
from service.extensions import db
from service.tenancy import tenant_scope, unscoped
from tests.conftest import make_test_app, truncate_all
from tests.factories import make_tenant


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    path = tmp_path_factory.mktemp("audit") / "exitloop.sqlite3"
    app = make_test_app(f"sqlite:///{path}", REDIS_URL=None)
    with app.app_context():
        upgrade()
    return app


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


def _count(table: str) -> int:
    with unscoped():
        return db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


@pytest.mark.parametrize("table", ["audit_entries", "platform_audit_entries"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET action = 'settings.view'", "DELETE FROM {table}"],
)
def test_raw_update_and_delete_fail(dialect_app, table, statement):
    tenant = make_tenant("audited")
    _one_of_each(tenant)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement.format(table=table)))
    db.session.rollback()
    assert _count(table) == 1
    with unscoped():
        actions = db.session.scalars(sa.text(f"SELECT action FROM {table}")).all()  # noqa: S608
    assert "settings.view" not in actions


def test_truncate_fails_on_postgresql(app):
    _one_of_each(make_tenant("audited"))
    for table in ("audit_entries", "platform_audit_entries"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(f"TRUNCATE {table}"))
        db.session.rollback()
        assert _count(table) == 1


def test_the_purge_setting_is_the_one_way_to_delete_and_ends_with_its_block(dialect_app):
    tenant = make_tenant("audited")
    _one_of_each(tenant)
    with purging(db.session):
        deleted = db.session.execute(sa.delete(PlatformAuditEntry)).rowcount
    assert deleted == 1
    with tenant_scope(tenant.id), pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.delete(AuditEntry))  # the same transaction, after the block
    db.session.rollback()
    assert _count("platform_audit_entries") == 1  # the rollback undid the purge's delete


def test_the_purge_setting_never_allows_an_update(app):
    _one_of_each(make_tenant("audited"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), purging(db.session):
        db.session.execute(sa.text("UPDATE platform_audit_entries SET actor_name = 'someone'"))
    db.session.rollback()


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
