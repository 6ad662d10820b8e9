"""The database itself enforces tenancy: read from the migrated PostgreSQL schema."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.extensions import db
from service.tenancy import CROSS_TENANT_INDEXES, GLOBAL_TABLES
from tests.conftest import OWNER_ROLE, admin_engine, engine_as
from tests.factories import make_department, make_tenant

CONSTRAINTS = sa.text(
    """
    SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype,
           ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                 ORDER BY k.i)::text[] AS columns,
           c.confrelid::regclass::text AS referred_table,
           ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                 ORDER BY k.i)::text[] AS referred_columns
    FROM pg_constraint c JOIN pg_namespace ns ON ns.oid = c.connamespace
    WHERE ns.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')
    """
)

# An index's key columns in order, an expression as its text ("lower(name::text)"): an
# expression is not tenant_id, so it neither satisfies nor leads an index.
INDEXES = sa.text(
    """
    SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique, x.indisprimary,
           ARRAY(SELECT pg_get_indexdef(x.indexrelid, k.n, true)
                 FROM generate_series(1, x.indnkeyatts) k(n) ORDER BY k.n)::text[] AS columns
    FROM pg_index x
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_namespace ns ON ns.oid = t.relnamespace
    WHERE ns.nspname = current_schema()
    """
)

# Row-level security of each table (migrations/versions/0024): on, forced on the owner too,
# and its policies as PostgreSQL prints them back.
SECURITY = sa.text(
    """
    SELECT c.relname AS table_name, c.relrowsecurity, c.relforcerowsecurity,
           ARRAY(SELECT p.cmd || ' ' || p.permissive || ' ' || p.roles::text || ' USING '
                        || coalesce(p.qual, '') || ' CHECK ' || coalesce(p.with_check, '')
                 FROM pg_policies p
                 WHERE p.schemaname = ns.nspname AND p.tablename = c.relname)::text[] AS policies
    FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
    WHERE ns.nspname = current_schema() AND c.relkind = 'r'
    """
)
CONDITION = (
    "((tenant_id = (NULLIF(current_setting('exitloop.tenant_id'::text, true), ''::text))::uuid)"
    " OR (current_setting('exitloop.cross_tenant'::text, true) = 'on'::text))"
)
POLICY = f"ALL PERMISSIVE {{public}} USING {CONDITION} CHECK {CONDITION}"

TABLES = sa.text(
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
)


def tenancy_violations(connection) -> list[str]:
    """Every way a tenant-owned table breaks the rules, read from the live schema."""
    tables = {row.table_name for row in connection.execute(TABLES)}
    owned = tables - GLOBAL_TABLES
    problems = []
    constraints = list(connection.execute(CONSTRAINTS))
    primary_keys = {c.table_name: c.columns for c in constraints if c.contype == "p"}
    for table in sorted(owned):
        if "tenant_id" not in primary_keys.get(table, []):
            problems.append(f"{table}: primary key {primary_keys.get(table)} lacks tenant_id")
    for c in constraints:
        if c.table_name not in owned:
            continue
        if c.contype == "u" and "tenant_id" not in c.columns:
            problems.append(f"{c.table_name}: unique {c.conname} {c.columns} lacks tenant_id")
        if c.contype == "f" and c.referred_table in owned:
            pairs = dict(zip(c.columns, c.referred_columns, strict=True))
            if pairs.get("tenant_id") != "tenant_id":
                problems.append(
                    f"{c.table_name}: foreign key {c.conname} {c.columns} -> "
                    f"{c.referred_table}{c.referred_columns} does not pair tenant_id"
                )
    for row in connection.execute(SECURITY):
        if row.table_name not in owned:
            continue
        if not (row.relrowsecurity and row.relforcerowsecurity):
            problems.append(f"{row.table_name}: row-level security is not enabled and forced")
        if row.policies != [POLICY]:
            problems.append(f"{row.table_name}: policies {row.policies} are not the tenant's one")
    for index in connection.execute(INDEXES):
        if index.table_name not in owned or index.indisprimary:
            continue
        if index.indisunique and "tenant_id" not in index.columns:
            problems.append(f"{index.table_name}: unique index {index.index_name} lacks tenant_id")
        leads = index.columns[:1] == ["tenant_id"]
        if not index.indisunique and not leads and index.index_name not in CROSS_TENANT_INDEXES:
            problems.append(
                f"{index.table_name}: index {index.index_name} does not lead with tenant_id"
            )
    return problems


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"run `flask db migrate`: {differences}"


def test_every_tenant_owned_table_carries_tenant_id_in_keys(app):
    with db.engine.connect() as connection:
        assert tenancy_violations(connection) == []


def test_the_schema_check_catches_a_table_without_tenant_id(app):
    with engine_as(app, OWNER_ROLE).connect() as connection, connection.begin() as transaction:
        connection.execute(sa.text("CREATE TABLE leaky_notes (id uuid PRIMARY KEY, body text)"))
        connection.execute(
            sa.text(
                "CREATE TABLE leaky_links (tenant_id uuid, id uuid, department_id uuid, "
                "label text, PRIMARY KEY (tenant_id, id), UNIQUE (department_id), "
                "FOREIGN KEY (tenant_id, department_id) REFERENCES departments (id, tenant_id))"
            )
        )
        for index in (
            "UNIQUE INDEX leaky_label ON leaky_links (lower(label))",
            "UNIQUE INDEX leaky_cast ON leaky_links ((tenant_id::text), lower(label))",
            "INDEX leaky_search ON leaky_links (lower(label), tenant_id)",
            "UNIQUE INDEX tidy_label ON leaky_links (tenant_id, lower(label))",
        ):
            connection.execute(sa.text(f"CREATE {index}"))
        connection.execute(sa.text("CREATE TABLE leaky_open (tenant_id uuid, id uuid)"))
        connection.execute(sa.text("ALTER TABLE leaky_open ADD PRIMARY KEY (tenant_id, id)"))
        connection.execute(sa.text("ALTER TABLE leaky_open ENABLE ROW LEVEL SECURITY"))
        connection.execute(sa.text("CREATE POLICY everyone ON leaky_open USING (true)"))
        problems = tenancy_violations(connection)
        transaction.rollback()
    assert "leaky_links: row-level security is not enabled and forced" in problems
    assert any(p.startswith("leaky_links: policies []") for p in problems)
    assert "leaky_open: row-level security is not enabled and forced" in problems
    assert any(
        p.startswith("leaky_open: policies ['ALL PERMISSIVE {public} USING true") for p in problems
    )
    assert any(p.startswith("leaky_notes: primary key") for p in problems)
    assert any(p.startswith("leaky_links: unique leaky_links_department_id_key") for p in problems)
    assert any(p.startswith("leaky_links: foreign key") for p in problems)
    assert any(p.startswith("leaky_links: unique index leaky_label ") for p in problems)
    assert any(p.startswith("leaky_links: unique index leaky_cast ") for p in problems)
    assert any(p.startswith("leaky_links: index leaky_search ") for p in problems)
    assert not any("tidy_label" in p for p in problems)


def test_names_are_unique_per_tenant_regardless_of_case(app):
    with db.engine.connect() as connection:
        unique = {
            (index.table_name, tuple(index.columns))
            for index in connection.execute(INDEXES)
            if index.indisunique
        }
    for table in ("departments", "job_functions", "locations"):
        assert (table, ("tenant_id", "lower(name::text)")) in unique, table


def test_database_refuses_a_cross_tenant_reference(app):
    tenant_a, tenant_b = make_tenant("raw-a"), make_tenant("raw-b")
    department_a = make_department(tenant_a, "Kitchen")
    insert = sa.text(
        "INSERT INTO department_headcounts"
        " (tenant_id, id, department_id, effective_from, headcount)"
        " VALUES (:tenant, :id, :department, '2026-01-01', 3)"
    )
    # As the superuser: row-level security would refuse tenant B's row before its key does.
    with admin_engine(app).connect() as connection:
        with pytest.raises(sa.exc.IntegrityError):
            connection.execute(
                insert,
                {"tenant": tenant_b.id, "id": tenant_b.id, "department": department_a.id},
            )
        connection.rollback()
        # The same row under its own tenant is accepted: the refusal is about the tenant.
        connection.execute(
            insert, {"tenant": tenant_a.id, "id": tenant_b.id, "department": department_a.id}
        )
        connection.rollback()


def test_migrations_form_one_line(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"merge or re-chain the migration heads: {heads}"
