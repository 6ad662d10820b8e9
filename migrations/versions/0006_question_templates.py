"""question templates: a tenant's versioned templates and an agency's library

Revision ID: 0006_question_templates
Revises: 0005_invitations
Create Date: 2026-12-02 03:47:09.629026

A published template version is frozen: besides the application's checks, a trigger refuses
any UPDATE of a row whose published_at is set (answers will refer to these rows).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_question_templates'
down_revision = '0005_invitations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_templates',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_templates_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_templates'))
    )
    with op.batch_alter_table('agency_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_templates_agency_id'), ['agency_id'], unique=False)

    op.create_table('question_templates',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('is_default', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_question_templates_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_question_templates'))
    )
    with op.batch_alter_table('question_templates', schema=None) as batch_op:
        batch_op.create_index('uq_question_templates_default', ['tenant_id'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.create_table('template_versions',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'template_id'], ['question_templates.tenant_id', 'question_templates.id'], name=op.f('fk_template_versions_tenant_id_template_id_question_templates'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_template_versions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_template_versions')),
    sa.UniqueConstraint('tenant_id', 'template_id', 'number', name=op.f('uq_template_versions_tenant_id_template_id_number'))
    )
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.create_index('uq_template_versions_one_draft', ['tenant_id', 'template_id'], unique=True, sqlite_where=sa.text('published_at IS NULL'), postgresql_where=sa.text('published_at IS NULL'))

    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION refuse_frozen_template_version() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'template version % is published and frozen', OLD.id
                    USING ERRCODE = 'integrity_constraint_violation';
            END $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER template_versions_frozen BEFORE UPDATE ON template_versions
            FOR EACH ROW WHEN (OLD.published_at IS NOT NULL)
            EXECUTE FUNCTION refuse_frozen_template_version()
        """)
    else:
        op.execute("""
            CREATE TRIGGER template_versions_frozen BEFORE UPDATE ON template_versions
            FOR EACH ROW WHEN OLD.published_at IS NOT NULL
            BEGIN SELECT RAISE(ABORT, 'template version is published and frozen'); END
        """)


def downgrade():
    op.execute('DROP TRIGGER IF EXISTS template_versions_frozen' + (' ON template_versions' if op.get_bind().dialect.name == 'postgresql' else ''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS refuse_frozen_template_version()')
    with op.batch_alter_table('template_versions', schema=None) as batch_op:
        batch_op.drop_index('uq_template_versions_one_draft', sqlite_where=sa.text('published_at IS NULL'), postgresql_where=sa.text('published_at IS NULL'))

    op.drop_table('template_versions')
    with op.batch_alter_table('question_templates', schema=None) as batch_op:
        batch_op.drop_index('uq_question_templates_default', sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.drop_table('question_templates')
    with op.batch_alter_table('agency_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_templates_agency_id'))

    op.drop_table('agency_templates')
