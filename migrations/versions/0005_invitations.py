"""invitations owned by the tenant or agency that sends them; access only on acceptance

Revision ID: 0005_invitations
Revises: 0004_case_insensitive_names
Create Date: 2026-12-02 04:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_invitations'
down_revision = '0004_case_insensitive_names'
branch_labels = None
depends_on = None


def _invitation_columns():
    return [
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('display_name', sa.String(length=120), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('invited_by', sa.Uuid(), nullable=True),
    ]


def upgrade():
    op.create_table('tenant_invitations',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    *_invitation_columns(),
    sa.Column('role', sa.Enum('hr_admin', 'hr', 'interviewer', 'leadership', 'member', name='tenant_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['invited_by'], ['users.id'], name=op.f('fk_tenant_invitations_invited_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_tenant_invitations_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_tenant_invitations')),
    sa.UniqueConstraint('tenant_id', 'token_hash', name=op.f('uq_tenant_invitations_tenant_id_token_hash'))
    )
    with op.batch_alter_table('tenant_invitations', schema=None) as batch_op:
        batch_op.create_index('ix_tenant_invitations_email', ['tenant_id', 'email'], unique=False)
        batch_op.create_index('ix_tenant_invitations_token', ['token_hash'], unique=False)

    op.create_table('agency_invitations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    *_invitation_columns(),
    sa.Column('role', sa.Enum('agency_admin', 'consultant', name='agency_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_invitations_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by'], ['users.id'], name=op.f('fk_agency_invitations_invited_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_agency_invitations_token_hash'))
    )
    with op.batch_alter_table('agency_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_invitations_agency_id'), ['agency_id'], unique=False)

    # Invitation links now live with the tenant or agency that sent them; the old ones
    # (user-level rows) stop working, and the purpose column keeps only password resets.
    op.execute("DELETE FROM account_links WHERE purpose = 'invitation'")
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_links_link_purpose'), type_='check')
        batch_op.create_check_constraint('link_purpose', "purpose IN ('password_reset')")


def downgrade():
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_account_links_link_purpose'), type_='check')
        batch_op.create_check_constraint('link_purpose', "purpose IN ('invitation', 'password_reset')")
    with op.batch_alter_table('agency_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_invitations_agency_id'))
    op.drop_table('agency_invitations')
    with op.batch_alter_table('tenant_invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_tenant_invitations_token')
        batch_op.drop_index('ix_tenant_invitations_email')
    op.drop_table('tenant_invitations')
