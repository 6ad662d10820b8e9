"""case-insensitive names: unique (tenant_id, lower(name)) for departments, functions, locations

Revision ID: 0004_case_insensitive_names
Revises: 0003_people
Create Date: 2026-12-02 03:30:04.586034

An existing pair such as "Sales"/"sales" in one tenant makes the upgrade fail on its index:
rename one, then upgrade again. The case-sensitive unique constraints stay: dropping one
rebuilds the table on SQLite, and with foreign keys on that cascades (headcounts are lost).
Mind the same when a later migration alters these tables in batch mode on SQLite: the copy
cannot reflect these expression indexes, so it must create them again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_case_insensitive_names'
down_revision = '0003_people'
branch_labels = None
depends_on = None

TABLES = ('departments', 'job_functions', 'locations')


def upgrade():
    for table in TABLES:
        op.create_index(f'uq_{table}_tenant_id_lower_name', table, ['tenant_id', sa.literal_column('lower(name)')], unique=True)


def downgrade():
    for table in TABLES:
        op.drop_index(f'uq_{table}_tenant_id_lower_name', table_name=table)
