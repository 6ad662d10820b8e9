"""mail attachment data: binary attachments (a PDF report) and the agency logo in tenant mail

Revision ID: 0018_mail_attachment_data
Revises: 0017_insight_indexes
Create Date: 2026-12-02 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_mail_attachment_data'
down_revision = '0017_insight_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('platform_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_data', sa.LargeBinary(), nullable=True))

    with op.batch_alter_table('tenant_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_data', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('brand_logo', sa.Boolean(), server_default=sa.text('false'), nullable=False))


def downgrade():
    with op.batch_alter_table('tenant_emails', schema=None) as batch_op:
        batch_op.drop_column('brand_logo')
        batch_op.drop_column('attachment_data')

    with op.batch_alter_table('platform_emails', schema=None) as batch_op:
        batch_op.drop_column('attachment_data')
