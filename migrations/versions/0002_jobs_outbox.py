"""jobs outbox: tenant_emails (tenant-owned) and platform_emails (global)

Revision ID: 0002_jobs_outbox
Revises: 0001_tenancy
Create Date: 2026-11-27 06:45:19.653177

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_jobs_outbox'
down_revision = '0001_tenancy'
branch_labels = None
depends_on = None


def _email_columns():
    return [
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('sender_name', sa.String(length=120), nullable=True),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=True),
        sa.Column('body_html', sa.Text(), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'failed', 'kept', name='mail_status', native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('secret', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade():
    op.create_table('platform_emails',
    sa.Column('id', sa.Uuid(), nullable=False),
    *_email_columns(),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_platform_emails_attempts_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_emails'))
    )
    with op.batch_alter_table('platform_emails', schema=None) as batch_op:
        batch_op.create_index('ix_platform_emails_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('tenant_emails',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    *_email_columns(),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_tenant_emails_attempts_not_negative')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_emails_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_tenant_emails'))
    )
    with op.batch_alter_table('tenant_emails', schema=None) as batch_op:
        batch_op.create_index('ix_tenant_emails_due', ['tenant_id', 'status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('tenant_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_tenant_emails_due')
    op.drop_table('tenant_emails')
    with op.batch_alter_table('platform_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_platform_emails_due')
    op.drop_table('platform_emails')
