"""leadership reports

Revision ID: 0019_reports
Revises: 0018_mail_attachment_data
Create Date: 2026-12-02 13:23:16.842424

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_reports'
down_revision = '0018_mail_attachment_data'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_settings',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('enabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cadence', sa.Enum('weekly', 'monthly', 'quarterly', name='report_cadence', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('day_of_month', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('attach_pdf', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('day_of_month BETWEEN 1 AND 28', name=op.f('ck_report_settings_day_in_every_month')),
    sa.CheckConstraint('hour BETWEEN 0 AND 23', name=op.f('ck_report_settings_hour_in_day')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_report_settings_weekday_in_week')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_report_settings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_report_settings')),
    sa.UniqueConstraint('tenant_id', name='uq_report_settings_tenant')
    )
    op.create_table('reports',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('period_key', sa.String(length=16), nullable=True),
    sa.Column('cadence', sa.Enum('weekly', 'monthly', 'quarterly', name='report_cadence', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('sent_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sent_by'], ['users.id'], name=op.f('fk_reports_sent_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_reports_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_reports')),
    sa.UniqueConstraint('tenant_id', 'period_key', name='uq_reports_period')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_created_at', ['tenant_id', 'created_at'], unique=False)

    op.create_table('report_deliveries',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('email_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'report_id'], ['reports.tenant_id', 'reports.id'], name=op.f('fk_report_deliveries_tenant_id_report_id_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_report_deliveries_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_report_deliveries')),
    sa.UniqueConstraint('tenant_id', 'report_id', 'address', name='uq_report_deliveries')
    )
    op.create_table('report_recipients',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('membership_id', sa.Uuid(), nullable=True),
    sa.Column('address', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(membership_id IS NULL) <> (address IS NULL)', name=op.f('ck_report_recipients_member_or_address')),
    sa.ForeignKeyConstraint(['tenant_id', 'membership_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_report_recipients_tenant_id_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_report_recipients_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_report_recipients')),
    sa.UniqueConstraint('tenant_id', 'address', name='uq_report_recipients_address'),
    sa.UniqueConstraint('tenant_id', 'membership_id', name='uq_report_recipients_member')
    )


def downgrade():
    op.drop_table('report_recipients')
    op.drop_table('report_deliveries')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_created_at')

    op.drop_table('reports')
    op.drop_table('report_settings')
