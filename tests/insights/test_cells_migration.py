"""Migration 0026 counts the feedback already there into cells, tenant by tenant, and from
then on the database marks every month whose feedback changes, whoever writes it."""

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from service.extensions import db
from service.insights import rollup
from service.insights.models import FeedbackCell, RatingCell, StaleMonth, theme_columns
from service.tenancy import tenant_scope
from tests.factories import make_tenant
from tests.insights.conftest import migrated_up_to
from tests.insights.test_feedback_themes_migration import COARSE, _insert

BEFORE = "0025_feedback_themes"


@pytest.fixture(params=["postgresql", "sqlite"])
def app_before(request, tmp_path):
    """The app on a fresh database migrated up to the revision before this one's."""
    with migrated_up_to(request.param, BEFORE, tmp_path) as migrated:
        yield migrated


def _feedback(connection, tenant_id, themes: list[str]) -> uuid.UUID:
    """One piece of feedback as 0025 stored it, its themes listed on it."""
    feedback_id = uuid.uuid4()
    _insert(
        connection,
        (
            "INSERT INTO insight_feedback (tenant_id, id, language, source, month, exit_type,"
            " regretted, themes, default_themes) VALUES (:t, :id, 'nl', :source, :month,"
            " :exit_type, false, :themes, :default_themes)"
        ),
        {"t": tenant_id, "id": feedback_id, **COARSE, **theme_columns(themes)},
    )
    return feedback_id


def _rated(connection, tenant_id, feedback_id, number: int) -> None:
    _insert(
        connection,
        (
            "INSERT INTO insight_answers (tenant_id, id, feedback_id, question_key, number,"
            " source, month, exit_type, regretted) VALUES (:t, :id, :f, 'manager', :number,"
            " :source, :month, :exit_type, false)"
        ),
        {"t": tenant_id, "id": uuid.uuid4(), "f": feedback_id, "number": number, **COARSE},
    )


def _stored(model) -> set:
    columns = [getattr(model, column.key) for column in model.__table__.columns]
    columns = [column for column in columns if column.key != "id"]
    return {tuple(row) for row in db.session.execute(sa.select(*columns))}


def test_the_feedback_already_there_is_counted_and_later_changes_are_marked(app_before):
    _app, above = app_before
    first, second = make_tenant("first"), make_tenant("second")
    with above.begin() as connection:
        for themes in (["culture", "compensation"], ["culture", "own_parking"], []):
            feedback_id = _feedback(connection, first.id, themes)
            _rated(connection, first.id, feedback_id, 4)
        _feedback(connection, second.id, ["workload"])
    upgrade()
    for tenant, responses in ((first, 3), (second, 1)):
        with tenant_scope(tenant.id):
            migrated = {model: _stored(model) for model in (FeedbackCell, RatingCell)}
            assert sum(cell.responses for cell in db.session.scalars(sa.select(FeedbackCell)))
            assert rollup.rebuild() == 1
            db.session.flush()
            assert {model: _stored(model) for model in migrated} == migrated
            assert (
                sum(cell.responses for cell in db.session.scalars(sa.select(FeedbackCell)))
                == responses
            )
            db.session.rollback()
    with tenant_scope(first.id):
        cells = db.session.scalars(sa.select(FeedbackCell)).all()
        assert {cell.own_themes for cell in cells} == {",", ",own_parking,"}
        assert sum(cell.raised_culture for cell in cells) == 2
        assert [(r.n4, r.n1) for r in db.session.scalars(sa.select(RatingCell))] == [(3, 0)]

    # Written around the application: the database marks the month all the same.
    with above.begin() as connection:
        _feedback(connection, second.id, ["team"])
    with tenant_scope(second.id):
        marked = db.session.scalars(sa.select(StaleMonth.month)).all()
        assert [dt.date.fromisoformat(str(month)) for month in marked] == [COARSE["month"]]
