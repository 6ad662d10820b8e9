"""row-level security on every tenant-owned table; the audit purge as the owner's function

Revision ID: 0024
Revises: 0021_audit
Create Date: 2026-12-02 17:30:00

Every table of the public schema with a ``tenant_id`` column, except the global ones, is
found at run time (so tables added by earlier migrations are covered without a list here):
ENABLE and FORCE ROW LEVEL SECURITY (the owner is held too) and one policy that lets a row
through when its tenant is the transaction's ``exitloop.tenant_id`` or the transaction is
declared cross-tenant (``exitloop.cross_tenant`` = 'on', service/tenancy.py unscoped()).

The application role (created by `flask db-roles`) gets no UPDATE or DELETE on the audit
tables: whichever role other than the owner holds them loses them here, and may EXECUTE
purge_audit_entries(), a SECURITY DEFINER function of the owner that deletes one tenant's
(or, with NULL, the platform's) entries older than a cutoff. SQLite: nothing to do.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023_tenant_lifecycle'
branch_labels = None
depends_on = None

# A copy of service/tenancy.py GLOBAL_TABLES when this was written (a migration keeps its
# own copy: it must not change when the code does).
GLOBAL_TABLES = (
    'alembic_version', 'users', 'agencies', 'agency_memberships', 'tenants', 'user_sessions',
    'account_links', 'recovery_codes', 'platform_settings', 'platform_emails',
    'agency_invitations', 'agency_templates', 'platform_audit_entries',
)
AUDIT_TABLES = ('audit_entries', 'platform_audit_entries')
POLICY = 'tenant_isolation'
CONDITION = (
    "tenant_id = NULLIF(current_setting('exitloop.tenant_id', true), '')::uuid"
    " OR current_setting('exitloop.cross_tenant', true) = 'on'"
)

PURGE_FUNCTION = """
CREATE OR REPLACE FUNCTION purge_audit_entries(tenant uuid, cutoff timestamptz)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    removed bigint;
BEGIN
    PERFORM set_config('exitloop.audit_purge', 'on', true);
    IF tenant IS NULL THEN
        DELETE FROM platform_audit_entries WHERE at < cutoff;
    ELSE
        -- Row-level security holds here too: only the transaction's own tenant is reached.
        DELETE FROM audit_entries WHERE tenant_id = tenant AND at < cutoff;
    END IF;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('exitloop.audit_purge', 'off', true);
    RETURN removed;
END
$$
"""

# The roles other than the owner holding a privilege on the audit tables: the application.
APPLICATION_ROLES = """
SELECT DISTINCT grantee FROM information_schema.role_table_grants
WHERE table_schema = 'public' AND table_name IN ('audit_entries', 'platform_audit_entries')
  AND grantee NOT IN (current_user, 'PUBLIC')
"""


def _tenant_tables(bind):
    rows = bind.exec_driver_sql(
        "SELECT c.table_name FROM information_schema.columns c"
        " JOIN information_schema.tables t USING (table_schema, table_name)"
        " WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id'"
        " AND t.table_type = 'BASE TABLE' ORDER BY c.table_name"
    )
    return [name for (name,) in rows if name not in GLOBAL_TABLES]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    for table in _tenant_tables(bind):
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
        op.execute(f'DROP POLICY IF EXISTS {POLICY} ON {table}')
        op.execute(
            f'CREATE POLICY {POLICY} ON {table} USING ({CONDITION}) WITH CHECK ({CONDITION})'
        )
    op.execute(PURGE_FUNCTION)
    op.execute('REVOKE ALL ON FUNCTION purge_audit_entries(uuid, timestamptz) FROM PUBLIC')
    for (role,) in bind.exec_driver_sql(APPLICATION_ROLES).all():
        op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON {", ".join(AUDIT_TABLES)} FROM "{role}"')
        op.execute(f'GRANT EXECUTE ON FUNCTION purge_audit_entries(uuid, timestamptz) TO "{role}"')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute('DROP FUNCTION IF EXISTS purge_audit_entries(uuid, timestamptz)')
    for table in _tenant_tables(bind):
        op.execute(f'DROP POLICY IF EXISTS {POLICY} ON {table}')
        op.execute(f'ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
