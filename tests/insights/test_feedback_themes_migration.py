"""Migration 0025 lists each piece of feedback's themes from the tags already there, for
every tenant (on PostgreSQL the owner running it is held by row-level security)."""

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests.factories import make_tenant
from tests.insights.conftest import migrated_up_to

BEFORE = "0024"
COARSE = {"source": "survey", "month": dt.date(2026, 10, 1), "exit_type": "voluntary"}
IDS = ("t", "id", "f", "a")  # bound as UUIDs, in each database's way of storing them


def _insert(connection, sql: str, values: dict) -> None:
    statement = sa.text(sql).bindparams(
        *(sa.bindparam(name, type_=sa.Uuid) for name in IDS if name in values)
    )
    connection.execute(statement, values)


@pytest.fixture(params=["postgresql", "sqlite"])
def app_before(request, tmp_path):
    """The app on a fresh database migrated up to the revision before this one's."""
    with migrated_up_to(request.param, BEFORE, tmp_path) as migrated:
        yield migrated


def _feedback(connection, tenant_id, themes_per_answer: list[list[str]]) -> uuid.UUID:
    """One piece of feedback as revision 0024 stored it: an answer per list, a tag per
    theme of it."""
    feedback_id = uuid.uuid4()
    _insert(
        connection,
        (
            "INSERT INTO insight_feedback (tenant_id, id, language, source, month, exit_type,"
            " regretted) VALUES (:t, :id, 'nl', :source, :month, :exit_type, false)"
        ),
        {"t": tenant_id, "id": feedback_id, **COARSE},
    )
    for index, themes in enumerate(themes_per_answer):
        answer_id = uuid.uuid4()
        _insert(
            connection,
            (
                "INSERT INTO insight_answers (tenant_id, id, feedback_id, question_key, source,"
                " month, exit_type, regretted) VALUES (:t, :id, :f, :key, :source, :month,"
                " :exit_type, false)"
            ),
            {"t": tenant_id, "id": answer_id, "f": feedback_id, "key": f"q{index}", **COARSE},
        )
        for theme in themes:
            _insert(
                connection,
                (
                    "INSERT INTO insight_tags (tenant_id, id, answer_id, feedback_id,"
                    " question_key, theme, origin, why, confirmed, source, month, exit_type,"
                    " regretted) VALUES (:t, :id, :a, :f, :key, :theme, 'detected', '', false,"
                    " :source, :month, :exit_type, false)"
                ),
                {
                    "t": tenant_id,
                    "id": uuid.uuid4(),
                    "a": answer_id,
                    "f": feedback_id,
                    "key": f"q{index}",
                    "theme": theme,
                    **COARSE,
                },
            )
    return feedback_id


def test_each_piece_of_feedback_lists_its_tags_themes_once_in_order(app_before):
    app, above = app_before
    first, second = make_tenant("first"), make_tenant("second")
    with above.begin() as connection:
        twice = _feedback(connection, first.id, [["culture", "compensation"], ["culture"]])
        none = _feedback(connection, first.id, [[]])
        other = _feedback(connection, second.id, [["workload", "own_reorganisation"]])
    upgrade()
    with above.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, themes, default_themes FROM insight_feedback")
        ).all()
    listed = {uuid.UUID(str(key)): (themes, bits) for key, themes, bits in rows}
    assert listed == {
        twice: (",compensation,culture,", 0b1001),  # bits 0 and 3
        none: (",", 0),
        other: (",own_reorganisation,workload,", 1 << 9),  # an own theme has no bit
    }
