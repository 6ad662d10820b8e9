"""retention: how long each kind of a tenant's data is kept; anonymised departures

Revision ID: 0022_retention
Revises: 0021_audit
Create Date: 2026-12-02 17:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022_retention"
down_revision = "0021_audit"
branch_labels = None
depends_on = None

# (column, default, lowest, highest): a copy of service/privacy/retention.py LIMITS as it
# was when this migration was written.
SETTINGS = (
    ("departure_retention_months", 24, 6, 120),
    ("interview_retention_months", 24, 6, 120),
    ("confidential_retention_months", 36, 12, 120),
    ("outbox_retention_days", 90, 30, 730),
)


def upgrade():
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for column, default, lowest, highest in SETTINGS:
            batch_op.add_column(
                sa.Column(column, sa.Integer(), server_default=str(default), nullable=False)
            )
            batch_op.create_check_constraint(
                f"{column}_range", f"{column} BETWEEN {lowest} AND {highest}"
            )

    with op.batch_alter_table("departures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("departures", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for column, _default, _lowest, _highest in reversed(SETTINGS):
            batch_op.drop_constraint(op.f(f"ck_tenants_{column}_range"), type_="check")
            batch_op.drop_column(column)
