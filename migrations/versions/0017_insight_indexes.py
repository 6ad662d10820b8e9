"""insight indexes: theme counts and ratings answered from covering indexes

Revision ID: 0017_insight_indexes
Revises: 0015_insight_exports
Create Date: 2026-12-02 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_insight_indexes'
down_revision = '0015_insight_exports'
branch_labels = None
depends_on = None

DIMENSIONS = ['department_id', 'job_function_id', 'location_id']


def upgrade():
    with op.batch_alter_table('insight_tags', schema=None) as batch_op:
        batch_op.create_index(
            'ix_insight_tags_counting',
            ['tenant_id', 'month', 'theme', 'feedback_id'],
            unique=False,
            postgresql_include=DIMENSIONS,
        )
    with op.batch_alter_table('insight_answers', schema=None) as batch_op:
        batch_op.create_index(
            'ix_insight_answers_numbers',
            ['tenant_id', 'question_key', 'month', 'number'],
            unique=False,
            postgresql_include=DIMENSIONS,
            postgresql_where=sa.text('number IS NOT NULL'),
            sqlite_where=sa.text('number IS NOT NULL'),
        )


def downgrade():
    with op.batch_alter_table('insight_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_insight_answers_numbers')
    with op.batch_alter_table('insight_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_insight_tags_counting')
