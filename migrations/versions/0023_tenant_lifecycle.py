"""tenant lifecycle: whole-tenant exports (their archive until the one download) and the
deletion request of a tenant (its due moment after the grace period)

Revision ID: 0023_tenant_lifecycle
Revises: 0021_audit
Create Date: 2026-12-02 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_tenant_lifecycle'
down_revision = '0022_retention'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tenant_exports',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('requested_by', sa.Uuid(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'running', 'ready', 'downloaded', 'expired', 'failed', name='tenant_export_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('tables_total', sa.Integer(), nullable=False),
    sa.Column('tables_done', sa.Integer(), nullable=False),
    sa.Column('archive', sa.LargeBinary(), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('downloaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_tenant_exports_requested_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_exports_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_tenant_exports'))
    )
    with op.batch_alter_table('tenant_exports', schema=None) as batch_op:
        batch_op.create_index('ix_tenant_exports_created_at', ['tenant_id', 'created_at'], unique=False)

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deletion_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deletion_requested_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('deletion_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deletion_reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tenants_deletion_requested_by_users'), 'users', ['deletion_requested_by'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tenants_deletion_requested_by_users'), type_='foreignkey')
        batch_op.drop_column('deletion_reminded_at')
        batch_op.drop_column('deletion_due_at')
        batch_op.drop_column('deletion_requested_by')
        batch_op.drop_column('deletion_requested_at')

    with op.batch_alter_table('tenant_exports', schema=None) as batch_op:
        batch_op.drop_index('ix_tenant_exports_created_at')

    op.drop_table('tenant_exports')
