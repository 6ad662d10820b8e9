"""second factor: TOTP, recovery codes, re-authentication, the requirements

Revision ID: 0020_second_factor
Revises: 0019_reports
Create Date: 2026-12-02 13:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_second_factor'
down_revision = '0019_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('user_sessions') as batch_op:
        batch_op.add_column(sa.Column('authenticated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('second_factor_due_by', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('tenants') as batch_op:
        batch_op.add_column(sa.Column('require_second_factor', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('recovery_codes',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_codes_code_hash'))
    )
    with op.batch_alter_table('recovery_codes') as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)
    op.create_table('platform_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('require_second_factor_for_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_platform_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_settings'))
    )


def downgrade():
    op.drop_table('platform_settings')
    with op.batch_alter_table('recovery_codes') as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')
    with op.batch_alter_table('tenants') as batch_op:
        batch_op.drop_column('require_second_factor')
    with op.batch_alter_table('user_sessions') as batch_op:
        batch_op.drop_column('second_factor_due_by')
        batch_op.drop_column('authenticated_at')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
