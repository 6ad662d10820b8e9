"""the feedback counted once per month and group: insight_feedback_cells, insight_rating_cells
and the months to count again, insight_stale_months, which triggers on insight_feedback mark

Revision ID: 0026_insight_cells
Revises: 0025_feedback_themes
Create Date: 2026-12-03 14:00:00

The dashboard counted every response of its period on each visit (100,000 responses: a
tenth of a second for the feedback alone). These tables hold the same counts per month,
department, function and location (service/insights/rollup.py rewrites a month's rows
whenever its feedback changes), so that a dashboard sums a few thousand rows. They are
filled here from the insight rows already there. Which months changed, the database says
itself: a trigger on insight_feedback (per statement on PostgreSQL, per row on SQLite) marks
each month it inserts, updates or deletes rows of in insight_stale_months, whoever writes;
rollup counts the marked months again and deletes the marks before the transaction
commits. A mark is not written for a tenant being deleted (its rows go with it). Like every
tenant table since 0024, each new table is held by row-level security on PostgreSQL; the
fill declares itself cross-tenant, as service/tenancy.py ``unscoped`` does.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_insight_cells"
down_revision = "0025_feedback_themes"
branch_labels = None
depends_on = None

# Copies of service/insights/models.py DEFAULT_THEME_BITS' keys and of service/insights/
# rollup.py's eNPS bounds when this was written.
DEFAULT_THEMES = (
    "compensation", "management", "communication", "culture", "growth", "recognition",
    "training", "role_fit", "team", "workload", "flexibility", "conditions", "other",
)  # fmt: skip
PROMOTER, PASSIVE = 9, 7
POLICY = "tenant_isolation"
CONDITION = (
    "tenant_id = NULLIF(current_setting('exitloop.tenant_id', true), '')::uuid"
    " OR current_setting('exitloop.cross_tenant', true) = 'on'"
)
CELL = ["month", "department_id", "job_function_id", "location_id"]
TABLES = ("insight_feedback_cells", "insight_rating_cells", "insight_stale_months")
EVENTS = ("insert", "update", "delete")


# PostgreSQL: once per statement, the months of the rows it changed (transition tables).
def _mark(rows: str) -> str:
    return f"""
        INSERT INTO insight_stale_months (tenant_id, id, month)
        SELECT c.tenant_id, gen_random_uuid(), c.month
        FROM (SELECT DISTINCT tenant_id, month FROM {rows}) AS c
        WHERE EXISTS (SELECT 1 FROM tenants WHERE tenants.id = c.tenant_id)
        ON CONFLICT (tenant_id, month) DO NOTHING;"""  # noqa: S608 (constants of this file)


MARK_FUNCTION = f"""
CREATE FUNCTION insight_months_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN {_mark("changed_new")}
    END IF;
    IF TG_OP <> 'INSERT' THEN {_mark("changed_old")}
    END IF;
    RETURN NULL;
END
$$
"""
TRANSITIONS = {
    "insert": "NEW TABLE AS changed_new",
    "update": "OLD TABLE AS changed_old NEW TABLE AS changed_new",
    "delete": "OLD TABLE AS changed_old",
}


def _sqlite_mark(row: str) -> str:
    # Constants of this file only (the trigger's NEW or OLD row).
    insert = "INSERT OR IGNORE INTO insight_stale_months (tenant_id, id, month)"
    values = f"{row}.tenant_id, lower(hex(randomblob(16))), {row}.month"
    tenant = f"(SELECT 1 FROM tenants WHERE tenants.id = {row}.tenant_id)"  # noqa: S608
    return f"{insert} SELECT {values} WHERE EXISTS {tenant};"


SQLITE_MARKS = {
    "insert": _sqlite_mark("NEW"),
    "update": _sqlite_mark("OLD") + " " + _sqlite_mark("NEW"),
    "delete": _sqlite_mark("OLD"),
}


def _cell_columns():
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("job_function_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
    ]


def _keys(table):
    return [
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]  # fmt: skip


def _own_themes():
    themes = "themes"
    for key in DEFAULT_THEMES:
        themes = f"replace({themes}, ',{key},', ',')"
    return themes


def _fill(dialect: str) -> list[str]:
    new_id = "gen_random_uuid()" if dialect == "postgresql" else "lower(hex(randomblob(16)))"
    cell = ", ".join(CELL)
    raised = [f"count(*) FILTER (WHERE (default_themes & {1 << bit}) <> 0)"
              for bit in range(len(DEFAULT_THEMES))]  # fmt: skip
    feedback = f"""
        INSERT INTO insight_feedback_cells (tenant_id, id, {cell}, own_themes, responses,
            enps_answers, promoters, detractors, come_back_answers, come_back_yes,
            {", ".join(f"raised_{key}" for key in DEFAULT_THEMES)})
        SELECT tenant_id, {new_id}, {cell}, own_themes, count(*), count(enps),
            count(*) FILTER (WHERE enps >= {PROMOTER}), count(*) FILTER (WHERE enps < {PASSIVE}),
            count(come_back), count(*) FILTER (WHERE come_back),
            {", ".join(raised)}
        FROM (SELECT *, {_own_themes()} AS own_themes FROM insight_feedback) AS f
        GROUP BY tenant_id, {cell}, own_themes
    """  # noqa: S608 (constants of this file, no input)
    ratings = f"""
        INSERT INTO insight_rating_cells (tenant_id, id, month, department_id, question_key,
            n1, n2, n3, n4, n5)
        SELECT tenant_id, {new_id}, month, department_id, question_key,
            {", ".join(f"count(*) FILTER (WHERE number = {n})" for n in range(1, 6))}
        FROM insight_answers WHERE number BETWEEN 1 AND 5
        GROUP BY tenant_id, month, department_id, question_key
    """  # noqa: S608
    return [feedback, ratings]


def upgrade():
    op.create_table(
        "insight_feedback_cells",
        *_cell_columns(),
        sa.Column("own_themes", sa.Text(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("enps_answers", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.Column("come_back_answers", sa.Integer(), nullable=False),
        sa.Column("come_back_yes", sa.Integer(), nullable=False),
        *(sa.Column(f"raised_{key}", sa.Integer(), nullable=False) for key in DEFAULT_THEMES),
        *_keys("insight_feedback_cells"),
    )
    op.create_table(
        "insight_rating_cells",
        *_cell_columns()[:4],
        sa.Column("question_key", sa.String(length=40), nullable=False),
        *(sa.Column(f"n{n}", sa.Integer(), nullable=False) for n in range(1, 6)),
        *_keys("insight_rating_cells"),
    )
    op.create_table(
        "insight_stale_months",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *_keys("insight_stale_months"),
        sa.UniqueConstraint(
            "tenant_id", "month", name=op.f("uq_insight_stale_months_tenant_id_month")
        ),
    )
    for table in TABLES[:2]:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f"ix_{table}_month", ["tenant_id", "month"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY {POLICY} ON {table} USING ({CONDITION}) WITH CHECK ({CONDITION})"
            )
        op.execute("SET LOCAL exitloop.cross_tenant = 'on'")
    for statement in _fill(dialect):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute("SET LOCAL exitloop.cross_tenant = 'off'")
        op.execute(MARK_FUNCTION)
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER insight_feedback_{event}_marks AFTER {event.upper()}"
                f" ON insight_feedback REFERENCING {TRANSITIONS[event]}"
                " FOR EACH STATEMENT EXECUTE FUNCTION insight_months_changed()"
            )
    else:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER insight_feedback_{event}_marks AFTER {event.upper()}"
                f" ON insight_feedback FOR EACH ROW BEGIN {SQLITE_MARKS[event]} END"
            )


def downgrade():
    for event in EVENTS:
        op.execute(
            f"DROP TRIGGER IF EXISTS insight_feedback_{event}_marks"
            + (" ON insight_feedback" if op.get_bind().dialect.name == "postgresql" else "")
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS insight_months_changed()")
    for table in reversed(TABLES):
        if table != "insight_stale_months":
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_index(f"ix_{table}_month")
        op.drop_table(table)
