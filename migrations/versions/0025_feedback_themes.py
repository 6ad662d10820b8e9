"""a piece of feedback's themes on its own row; narrow counting indexes

Revision ID: 0025_feedback_themes
Revises: 0024
Create Date: 2026-12-03 09:00:00

The dashboard counted themes by scanning every tag (one per theme per answer) and keeping
each piece of feedback once per theme; ``insight_feedback.themes`` now holds the themes a
piece of feedback raises (",culture,pay,", and the default ones as bits of
``default_themes``), so the one grouped query over the feedback counts them as well, and
``ix_insight_tags_counting`` has no reader left. Ratings and departures are counted from
narrow indexes of key columns only, which PostgreSQL deduplicates (an index with INCLUDE
columns cannot be): a sixteenth of the size of the covering index they replace, read in a
fraction of the time.

The new columns are filled from the tags already there. On PostgreSQL the owner is held by
row-level security too (0024): the fill declares itself cross-tenant, as service/tenancy.py
``unscoped`` does.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025_feedback_themes"
down_revision = "0024"
branch_labels = None
depends_on = None

NUMBERS = sa.text("number IS NOT NULL")
DIMENSIONS = ["department_id", "job_function_id", "location_id"]

# A copy of service/insights/models.py DEFAULT_THEME_BITS when this was written.
DEFAULT_THEME_BITS = {
    "compensation": 0,
    "management": 1,
    "communication": 2,
    "culture": 3,
    "growth": 4,
    "recognition": 5,
    "training": 6,
    "role_fit": 7,
    "team": 8,
    "workload": 9,
    "flexibility": 10,
    "conditions": 11,
    "other": 12,
}
BITS = " UNION ALL ".join(
    f"SELECT '{key}' AS theme, {bit} AS bit" for key, bit in DEFAULT_THEME_BITS.items()
)

# ",a,b," of the distinct themes of a piece of feedback's tags ("," without one), and the
# bits of the default ones among them (BITS: constants of this file, no input).
FILL = {
    "postgresql": f"""
        UPDATE insight_feedback AS f SET themes = ',' || t.keys || ',', default_themes = t.bits
        FROM (SELECT tenant_id, feedback_id, string_agg(DISTINCT theme, ',' ORDER BY theme) AS keys,
                     coalesce(bit_or(1::bigint << b.bit), 0) AS bits
              FROM insight_tags LEFT JOIN ({BITS}) AS b USING (theme)
              GROUP BY tenant_id, feedback_id) AS t
        WHERE f.tenant_id = t.tenant_id AND f.id = t.feedback_id
    """,  # noqa: S608
    "sqlite": f"""
        UPDATE insight_feedback SET
            themes = ',' || coalesce((
                SELECT group_concat(theme, ',') || ',' FROM (
                    SELECT DISTINCT theme FROM insight_tags
                    WHERE insight_tags.feedback_id = insight_feedback.id ORDER BY theme)), ''),
            default_themes = coalesce((
                SELECT sum(1 << b.bit) FROM (
                    SELECT DISTINCT theme FROM insight_tags
                    WHERE insight_tags.feedback_id = insight_feedback.id) AS t
                JOIN ({BITS}) AS b ON b.theme = t.theme), 0)
    """,  # noqa: S608
}


def upgrade():
    with op.batch_alter_table("insight_feedback", schema=None) as batch_op:
        batch_op.add_column(sa.Column("themes", sa.Text(), server_default=",", nullable=False))
        batch_op.add_column(
            sa.Column("default_themes", sa.BigInteger(), server_default="0", nullable=False)
        )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL exitloop.cross_tenant = 'on'")
    op.execute(FILL[bind.dialect.name])
    if bind.dialect.name == "postgresql":
        op.execute("SET LOCAL exitloop.cross_tenant = 'off'")

    with op.batch_alter_table("insight_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_insight_tags_counting")
    with op.batch_alter_table("insight_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_insight_answers_numbers")
        batch_op.create_index(
            "ix_insight_answers_numbers",
            ["tenant_id", "question_key", "month", "number"],
            unique=False,
            postgresql_where=NUMBERS,
            sqlite_where=NUMBERS,
        )
        batch_op.create_index(
            "ix_insight_answers_department_numbers",
            ["tenant_id", "department_id", "question_key", "month", "number"],
            unique=False,
            postgresql_where=NUMBERS,
            sqlite_where=NUMBERS,
        )
    with op.batch_alter_table("departures", schema=None) as batch_op:
        batch_op.drop_index("ix_departures_last_day")
        batch_op.create_index(
            "ix_departures_last_day",
            ["tenant_id", "last_day", "department_id", "status", "regretted"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("departures", schema=None) as batch_op:
        batch_op.drop_index("ix_departures_last_day")
        batch_op.create_index("ix_departures_last_day", ["tenant_id", "last_day"], unique=False)
    with op.batch_alter_table("insight_answers", schema=None) as batch_op:
        batch_op.drop_index("ix_insight_answers_department_numbers")
        batch_op.drop_index("ix_insight_answers_numbers")
        batch_op.create_index(
            "ix_insight_answers_numbers",
            ["tenant_id", "question_key", "month", "number"],
            unique=False,
            postgresql_include=DIMENSIONS,
            postgresql_where=NUMBERS,
            sqlite_where=NUMBERS,
        )
    with op.batch_alter_table("insight_tags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_insight_tags_counting",
            ["tenant_id", "month", "theme", "feedback_id"],
            unique=False,
            postgresql_include=DIMENSIONS,
        )
    with op.batch_alter_table("insight_feedback", schema=None) as batch_op:
        batch_op.drop_column("default_themes")
        batch_op.drop_column("themes")
