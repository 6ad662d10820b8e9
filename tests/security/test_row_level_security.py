"""Row-level security, the backstop behind the ORM net: connected as the application role
with raw SQL (no ORM, no net), every tenant-owned table — walked from the schema — shows
only the tenant the transaction names, none without one, and refuses another's rows.

The data is the demo's (every screen's tables filled for several companies), seeded once
for the module; the tables it leaves empty get one row each in :func:`_fill_empty_tables`
so that no table escapes the walk.
"""

import re
import uuid

import click
import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from service.demo import seed_demo
from service.extensions import db
from service.tenancy import GLOBAL_TABLES, set_tenant, tenant_scope, unscoped
from tests.conftest import (
    APPLICATION_ROLE,
    OWNER_ROLE,
    admin_engine,
    as_role,
    engine_as,
    truncate_all,
)

TENANT_TABLES = sa.text(
    "SELECT table_name FROM information_schema.columns JOIN information_schema.tables"
    " USING (table_schema, table_name) WHERE table_schema = current_schema()"
    " AND column_name = 'tenant_id' AND table_type = 'BASE TABLE' ORDER BY table_name"
)


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="module")
def seeded(migrated_app):
    """The demo's companies, two of which are A and B; (app, tables, a, b)."""
    truncate_all(migrated_app)
    with migrated_app.app_context():
        seed_demo("pw")
        db.session.remove()
    with admin_engine(migrated_app).begin() as admin:
        tables = [name for (name,) in admin.execute(TENANT_TABLES) if name not in GLOBAL_TABLES]
        a, b = admin.execute(sa.text("SELECT id FROM tenants ORDER BY slug LIMIT 2")).scalars()
        _fill_empty_tables(admin, tables, a, b)
    yield migrated_app, tables, a, b
    truncate_all(migrated_app)


COLUMNS = sa.text(
    "SELECT column_name, data_type, udt_name, is_nullable = 'NO' AND column_default IS NULL"
    " FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = :table AND column_name <> 'tenant_id' ORDER BY ordinal_position"
)
# A value of each type for a made-up row (an enum's first value, an array left empty).
MADE_UP = {
    "uuid": "gen_random_uuid()",
    "text": "'x'",
    "character varying": "'x'",
    "integer": "1",
    "bigint": "1",
    "smallint": "1",
    "numeric": "1",
    "double precision": "1",
    "boolean": "false",
    "timestamp with time zone": "now()",
    "timestamp without time zone": "now()",
    "date": "current_date",
    "json": "'{}'",
    "jsonb": "'{}'",
    "bytea": "'\\x00'",
    "ARRAY": "'{}'",
}


CHECKS = sa.text(
    "SELECT a.attname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
    " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
    " WHERE c.contype = 'c' AND c.conrelid = CAST(:table AS regclass)"
)


def _made_up(admin, table: str, column) -> str:
    """A value for a made-up row: a string column checked against a list (a status) takes
    the list's first value."""
    if column.data_type == "USER-DEFINED":
        return f"(enum_range(NULL::{column.udt_name}))[1]"
    for name, check in admin.execute(CHECKS, {"table": table}):
        listed = re.search(r"'([^']*)'", check)
        if name == column.column_name and listed and column.data_type == "character varying":
            return f"'{listed.group(1)}'"
    return MADE_UP[column.data_type]


def _fill_empty_tables(admin, tables: list[str], a: uuid.UUID, b: uuid.UUID) -> None:
    """Where the demo left a tenant without a row, give it one, as the superuser with no
    key check: a copy of another tenant's row, or (a table empty everywhere) a made-up one
    of NULLs and plain values. The walk then holds rows of each side in every table."""
    admin.execute(sa.text("SET LOCAL session_replication_role = replica"))
    for table in tables:
        columns = admin.execute(COLUMNS, {"table": table}).all()
        listed = ", ".join(column.column_name for column in columns)
        made_up = ", ".join(_made_up(admin, table, c) for c in columns if c[3])
        required = ", ".join(c.column_name for c in columns if c[3])
        for tenant in (a, b):
            has = f"SELECT 1 FROM {table} WHERE tenant_id = :tenant LIMIT 1"  # noqa: S608
            if admin.execute(sa.text(has), {"tenant": tenant}).first():
                continue
            copied = admin.execute(
                sa.text(
                    f"INSERT INTO {table} (tenant_id, {listed})"  # noqa: S608
                    f" SELECT :tenant, {listed} FROM {table} LIMIT 1"
                ),
                {"tenant": tenant},
            ).rowcount
            if not copied:
                admin.execute(
                    sa.text(
                        f"INSERT INTO {table} (tenant_id, {required}) VALUES (:tenant, {made_up})"
                    ),  # noqa: S608
                    {"tenant": tenant},
                )


def _counts(connection, table: str, tenant: uuid.UUID) -> tuple[int, int]:
    """(rows of ``tenant``, rows of any other tenant) visible on ``connection``."""
    query = sql.SQL(
        "SELECT count(*) FILTER (WHERE tenant_id = %s), count(*) FILTER (WHERE tenant_id <> %s)"
        " FROM {}"
    ).format(sql.Identifier(table))
    return connection.execute(query, (tenant, tenant)).fetchone()


def _as_application(app, tenant: uuid.UUID | None = None) -> psycopg.Connection:
    """A raw connection of the application role (no ORM), its tenant set if one is given."""
    connection = psycopg.connect(_plain(app.config["SQLALCHEMY_DATABASE_URI"]))
    if tenant is not None:
        connection.execute("SELECT set_config('exitloop.tenant_id', %s, true)", (str(tenant),))
    return connection


def test_the_application_role_owns_nothing_and_cannot_bypass(seeded):
    app, tables, _a, _b = seeded
    assert sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).username == APPLICATION_ROLE
    with _as_application(app) as connection:
        role = connection.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles"
            " WHERE rolname = current_user"
        ).fetchone()
        assert role == (False, False, False)
        owned = connection.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = current_user"
        ).fetchone()[0]
        assert owned == 0
        owners = connection.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        assert owners == [(OWNER_ROLE,)]
        connection.execute("SET row_security = off")  # asks to bypass: refused, not granted
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            connection.execute(f"SELECT count(*) FROM {tables[0]}")  # noqa: S608


def test_with_tenant_a_set_no_table_shows_a_row_of_b(seeded):
    app, tables, a, b = seeded
    with admin_engine(app).connect() as admin:
        a_rows = {
            t: admin.execute(
                sa.text(f"SELECT count(*) FROM {t} WHERE tenant_id = :a"), {"a": a}
            ).scalar_one()  # noqa: S608
            for t in tables
        }
    with _as_application(app, a) as connection:
        seen = {table: _counts(connection, table, a) for table in tables}
    assert {table: others for table, (_, others) in seen.items() if others} == {}
    assert {table: own for table, (own, _) in seen.items()} == a_rows  # all of A's own
    assert all(a_rows.values())  # every table had rows of A to show, and B's to hide


def test_with_no_tenant_set_no_table_shows_any_row(seeded):
    app, tables, a, _b = seeded
    with _as_application(app) as connection:
        seen = {table: sum(_counts(connection, table, a)) for table in tables}
    assert {table: rows for table, rows in seen.items() if rows} == {}


def _attempt(connection, statement, parameters) -> str:
    """What the database said to ``statement`` (rolled back either way): "" if it ran."""
    connection.execute("SAVEPOINT attempt")
    try:
        connection.execute(statement, parameters)
    except psycopg.DatabaseError as refused:
        connection.execute("ROLLBACK TO SAVEPOINT attempt")
        return str(refused).splitlines()[0]
    connection.execute("ROLLBACK TO SAVEPOINT attempt")
    return ""


POLICY_REFUSAL = 'new row violates row-level security policy for table "{}"'
# Tables whose own trigger speaks before the policy when a published row would change (the
# row is refused either way; the INSERT and the invisible-row UPDATE below prove the policy).
TRIGGER_FIRST = {"template_versions"}


def test_tenant_a_cannot_insert_a_row_of_b(seeded):
    app, tables, a, b = seeded
    said = {}
    with admin_engine(app).connect() as admin:
        rows = {
            table: admin.execute(
                sa.text(f"SELECT row_to_json(t)::text FROM {table} t WHERE tenant_id = :b"),  # noqa: S608
                {"b": b},
            ).scalar()
            for table in tables
        }
    with _as_application(app, a) as connection:
        for table in tables:
            statement = sql.SQL(
                "INSERT INTO {0} SELECT * FROM json_populate_record(NULL::{0}, %s::json)"
            ).format(sql.Identifier(table))
            said[table] = _attempt(connection, statement, (rows[table],))
    assert {t: m for t, m in said.items() if m != POLICY_REFUSAL.format(t)} == {}


def test_tenant_a_cannot_update_a_row_of_b_nor_move_one_there(seeded):
    """B's rows are out of reach of an UPDATE (it changes none); A's row moved to B is
    refused. The audit trail refuses every UPDATE to the application outright."""
    app, tables, a, b = seeded
    reached, moved = {}, {}
    with _as_application(app, a) as connection:
        for table in tables:
            identifier = sql.Identifier(table)
            touch = sql.SQL("UPDATE {} SET tenant_id = tenant_id WHERE tenant_id = %s")
            if table not in ("audit_entries",):
                reached[table] = connection.execute(touch.format(identifier), (b,)).rowcount
            move = sql.SQL(
                "UPDATE {0} SET tenant_id = %s WHERE ctid = (SELECT ctid FROM {0} LIMIT 1)"
            ).format(identifier)
            moved[table] = _attempt(connection, move, (b,))
    assert {table: count for table, count in reached.items() if count} == {}
    refusals = {
        table: said
        for table, said in moved.items()
        if said != POLICY_REFUSAL.format(table) and table not in TRIGGER_FIRST
    }
    assert refusals == {"audit_entries": "permission denied for table audit_entries"}
    assert all(moved[table] for table in TRIGGER_FIRST)


def test_the_application_cannot_change_the_audit_trail_nor_its_locks(seeded):
    app, _tables, a, _b = seeded
    for statement in (
        "UPDATE audit_entries SET action = 'settings.view'",
        "DELETE FROM audit_entries",
        "UPDATE platform_audit_entries SET action = 'settings.view'",
        "DELETE FROM platform_audit_entries",
        "TRUNCATE audit_entries",
        "DROP TRIGGER audit_entries_append_only ON audit_entries",
        "ALTER TABLE audit_entries DISABLE TRIGGER ALL",
        "ALTER TABLE departments NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON departments",
    ):
        refused = pytest.raises(psycopg.errors.InsufficientPrivilege)
        with _as_application(app, a) as connection, refused:
            connection.execute(statement)


def _raw_count(table: str, tenant: uuid.UUID) -> int:
    """Rows of ``tenant`` in ``table`` the app's own session sees, by raw SQL (no net)."""
    return db.session.execute(
        sa.text(f"SELECT count(*) FROM {table} WHERE tenant_id = :t"),  # noqa: S608
        {"t": tenant},
    ).scalar_one()


def test_the_app_sets_the_tenant_for_each_transaction_and_each_change(seeded):
    """The application's own session: the tenant follows the context within one
    transaction (nested scopes, a tenant set after the transaction began, unscoped), and
    nothing of it outlives the transaction on the pooled connection."""
    app, _tables, a, b = seeded
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # a transaction begins with no tenant
        assert _raw_count("departments", a) == 0
        set_tenant(a)
        try:
            assert _raw_count("departments", a) > 0
            assert _raw_count("departments", b) == 0
            with tenant_scope(b):
                assert (_raw_count("departments", a), _raw_count("departments", b) > 0) == (0, True)
            assert _raw_count("departments", b) == 0  # back to A, same transaction
            with unscoped("a test looks across tenants"):
                assert _raw_count("departments", b) > 0
            assert _raw_count("departments", b) == 0
            savepoint = db.session.begin_nested()
            with tenant_scope(b):
                assert _raw_count("departments", b) > 0
                savepoint.rollback()  # the savepoint, and the setting made inside it
                assert _raw_count("departments", b) > 0
            assert _raw_count("departments", a) > 0
            db.session.commit()
        finally:
            set_tenant(None)
        assert _raw_count("departments", a) == 0  # a new transaction, no tenant
        db.session.remove()


def test_a_job_thread_and_the_migration_role_follow_the_same_rules(seeded):
    """A context of its own (a job, a server thread) starts with no tenant; the owner role
    is held by row-level security too (FORCE) unless it declares cross-tenant work."""
    import contextvars
    import threading

    app, _tables, a, _b = seeded
    seen = {}

    def job():
        with app.app_context():
            seen["none"] = _raw_count("departments", a)
            with tenant_scope(a):
                seen["a"] = _raw_count("departments", a)
            db.session.remove()

    with tenant_scope(a):  # the caller's tenant does not travel into the thread
        thread = threading.Thread(target=contextvars.Context().run, args=(job,))
        thread.start()
        thread.join()
    assert seen["none"] == 0
    assert seen["a"] > 0
    with engine_as(app, OWNER_ROLE).connect() as owner:
        count = sa.text("SELECT count(*) FROM departments")
        assert owner.execute(count).scalar_one() == 0
        owner.exec_driver_sql("SELECT set_config('exitloop.cross_tenant', 'on', true)")
        assert owner.execute(count).scalar_one() > 0


def test_db_roles_runs_again_and_grants_the_audit_trail_no_change(seeded):
    """`flask db-roles` (the same function the test session used) runs again harmlessly."""
    from service.database_roles import create_roles
    from tests.conftest import ADMIN_URL

    app, *_ = seeded
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    create_roles(ADMIN_URL, as_role(url, OWNER_ROLE), url)
    with _as_application(app) as connection:
        rights = connection.execute(
            "SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type)"
            " FROM information_schema.role_table_grants WHERE grantee = current_user"
            " AND table_name IN ('audit_entries', 'platform_audit_entries', 'departments')"
            " GROUP BY table_name ORDER BY table_name"
        ).fetchall()
    assert rights == [
        ("audit_entries", "INSERT,SELECT"),
        ("departments", "DELETE,INSERT,SELECT,UPDATE"),
        ("platform_audit_entries", "INSERT,SELECT"),
    ]


def test_db_roles_refuses_sqlite_and_one_role_for_both(tmp_path):
    from service.database_roles import create_roles
    from tests.conftest import ADMIN_URL, make_test_app

    embedded = make_test_app(f"sqlite:///{tmp_path}/exitloop.sqlite3", REDIS_URL=None)
    result = embedded.test_cli_runner().invoke(args=["db-roles", "--admin-url", ADMIN_URL])
    assert result.exit_code == 2
    assert "db-roles is for PostgreSQL" in result.output
    one = "postgresql+psycopg://exitloop@127.0.0.1/exitloop"
    with pytest.raises(click.UsageError, match="two different roles"):
        create_roles(ADMIN_URL, one, one)
