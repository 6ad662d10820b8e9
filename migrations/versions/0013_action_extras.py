"""action extras: the reminder digests (one per owner and day) and the tenant's reminder
setting

Revision ID: 0013_action_extras
Revises: 0012_actions
Create Date: 2026-12-02 05:59:10.345187

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_action_extras'
down_revision = '0012_actions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action_digests',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('membership_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('listed', sa.JSON(), nullable=False),
    sa.Column('overdue_count', sa.Integer(), nullable=False),
    sa.Column('email_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'membership_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_action_digests_tenant_id_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_action_digests_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_action_digests')),
    sa.UniqueConstraint('tenant_id', 'membership_id', 'period', name=op.f('uq_action_digests_tenant_id_membership_id_period'))
    )
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_reminder_days', sa.Integer(), server_default='3', nullable=False))
        batch_op.create_check_constraint(
            'action_reminder_days_range', 'action_reminder_days BETWEEN 1 AND 30'
        )


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_tenants_action_reminder_days_range'), type_='check')
        batch_op.drop_column('action_reminder_days')

    op.drop_table('action_digests')
