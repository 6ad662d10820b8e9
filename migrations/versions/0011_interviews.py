"""interviews (one live per departure, answering a frozen template version), and one text
attachment on outbox mail (the interview's calendar invitation)

Revision ID: 0011_interviews
Revises: 0010_survey_responses
Create Date: 2026-12-02 05:58:33.214641

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_interviews'
down_revision = '0010_survey_responses'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interviews',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('departure_id', sa.Uuid(), nullable=False),
    sa.Column('interviewer_user_id', sa.Uuid(), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('video_link', sa.String(length=500), nullable=True),
    sa.Column('status', sa.Enum('planned', 'completed', 'cancelled', name='interview_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('template_version_id', sa.Uuid(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('calendar_sequence', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('place IS NOT NULL OR video_link IS NOT NULL', name=op.f('ck_interviews_where_given')),
    sa.ForeignKeyConstraint(['interviewer_user_id'], ['users.id'], name=op.f('fk_interviews_interviewer_user_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'departure_id'], ['departures.tenant_id', 'departures.id'], name=op.f('fk_interviews_tenant_id_departure_id_departures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'template_version_id'], ['template_versions.tenant_id', 'template_versions.id'], name=op.f('fk_interviews_tenant_id_template_version_id_template_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_interviews_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_interviews'))
    )
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.create_index('ix_interviews_interviewer', ['tenant_id', 'interviewer_user_id'], unique=False)
        batch_op.create_index('uq_interviews_live_departure', ['tenant_id', 'departure_id'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))

    with op.batch_alter_table('platform_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_text', sa.Text(), nullable=True))

    with op.batch_alter_table('tenant_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment_text', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('tenant_emails', schema=None) as batch_op:
        batch_op.drop_column('attachment_text')
        batch_op.drop_column('attachment_type')
        batch_op.drop_column('attachment_name')

    with op.batch_alter_table('platform_emails', schema=None) as batch_op:
        batch_op.drop_column('attachment_text')
        batch_op.drop_column('attachment_type')
        batch_op.drop_column('attachment_name')

    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_index('uq_interviews_live_departure', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index('ix_interviews_interviewer')

    op.drop_table('interviews')
