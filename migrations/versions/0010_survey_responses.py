"""survey responses: confidential answers, kept without any link to the leaver

Revision ID: 0010_survey_responses
Revises: 0009_survey_invitations
Create Date: 2026-12-02 06:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_survey_responses'
down_revision = '0009_survey_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_responses',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('department_id', sa.Uuid(), nullable=True),
    sa.Column('job_function_id', sa.Uuid(), nullable=True),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('tenure_band', sa.Enum('under_1', '1_2', '2_5', '5_10', '10_plus', name='tenure_band', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('exit_quarter', sa.String(length=7), nullable=False),
    sa.Column('exit_type', sa.Enum('voluntary', 'involuntary', 'end_of_contract', 'retirement', name='exit_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('regretted', sa.Boolean(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('template_version_id', sa.Uuid(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'department_id'], ['departments.tenant_id', 'departments.id'], name=op.f('fk_survey_responses_tenant_id_department_id_departments'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'job_function_id'], ['job_functions.tenant_id', 'job_functions.id'], name=op.f('fk_survey_responses_tenant_id_job_function_id_job_functions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'location_id'], ['locations.tenant_id', 'locations.id'], name=op.f('fk_survey_responses_tenant_id_location_id_locations'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'template_version_id'], ['template_versions.tenant_id', 'template_versions.id'], name=op.f('fk_survey_responses_tenant_id_template_version_id_template_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_survey_responses_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_survey_responses'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index('ix_survey_responses_month', ['tenant_id', 'month'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_month')

    op.drop_table('survey_responses')
