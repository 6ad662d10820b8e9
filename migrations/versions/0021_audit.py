"""audit trail: the tenants' and the platform's, append-only; the audit retention setting

Revision ID: 0021_audit
Revises: 0020_second_factor
Create Date: 2026-12-02 13:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_audit'
down_revision = '0020_second_factor'
branch_labels = None
depends_on = None

TABLES = ('audit_entries', 'platform_audit_entries')

# The database refuses to change or remove an entry (service/audit/append_only.py). The
# DDL is copied here, not imported: a migration must not change when the code does.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('exitloop.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _entry_columns():
    return [
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Uuid(), nullable=True),
        sa.Column('actor_name', sa.String(length=120), nullable=False),
        sa.Column('actor_role', sa.String(length=32), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('object_type', sa.String(length=64), nullable=True),
        sa.Column('object_id', sa.Uuid(), nullable=True),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=True),
    ]


def upgrade():
    op.create_table('audit_entries',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    *_entry_columns(),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_audit_entries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_at', ['tenant_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entries_actor', ['tenant_id', 'actor_id', 'at'], unique=False)

    op.create_table('platform_audit_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    *_entry_columns(),
    sa.Column('agency_id', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_audit_entries'))
    )
    with op.batch_alter_table('platform_audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_platform_audit_entries_at', ['at'], unique=False)

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_retention_days', sa.Integer(), server_default='730', nullable=False))
        batch_op.create_check_constraint('audit_retention_days_range', 'audit_retention_days BETWEEN 365 AND 3650')

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}'
                ' FOR EACH ROW EXECUTE FUNCTION audit_append_only()'
            )
            op.execute(
                f'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}'
                ' FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()'
            )
    else:
        # SQLite: the purge is told by a function the application registers on each of its
        # connections (exitloop_audit_purge()); another connection lacks it and is refused.
        for table in TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}'
                " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )
            op.execute(
                f'CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}'
                ' WHEN NOT exitloop_audit_purge()'
                " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_append_only ON {table}')
            op.execute(f'DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}')
        op.execute('DROP FUNCTION IF EXISTS audit_append_only()')
    else:
        for table in TABLES:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_no_update')
            op.execute(f'DROP TRIGGER IF EXISTS {table}_no_delete')
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tenants_audit_retention_days_range'), type_='check')
        batch_op.drop_column('audit_retention_days')

    with op.batch_alter_table('platform_audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_platform_audit_entries_at')

    op.drop_table('platform_audit_entries')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_actor')
        batch_op.drop_index('ix_audit_entries_at')

    op.drop_table('audit_entries')
