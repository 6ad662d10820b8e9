"""insight exports: who took which figures out, when, for which filter

Revision ID: 0015_insight_exports
Revises: 0014_insights
Create Date: 2026-12-02 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_insight_exports'
down_revision = '0014_insights'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('insight_exports',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('by_user_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_format', sa.Enum('csv', 'xlsx', name='export_format', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('filter_args', sa.JSON(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name=op.f('fk_insight_exports_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_insight_exports_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_insight_exports'))
    )
    with op.batch_alter_table('insight_exports', schema=None) as batch_op:
        batch_op.create_index('ix_insight_exports_created_at', ['tenant_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('insight_exports', schema=None) as batch_op:
        batch_op.drop_index('ix_insight_exports_created_at')

    op.drop_table('insight_exports')
