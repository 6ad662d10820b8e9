"""The cells (service/insights/rollup.py): the dashboard reads the same figures off them as
off the rows, whoever writes the feedback the cells follow before the transaction commits,
and two transactions changing one month are both counted."""

import contextlib
import datetime as dt
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from service.extensions import db
from service.insights import analysis, corrections, dashboard, figures, own_themes, rollup
from service.insights.figures import Filter, add_months, month_start
from service.insights.models import (
    AnswerInsight,
    Feedback,
    FeedbackCell,
    RatingCell,
    StaleMonth,
    Verdict,
)
from service.insights.thresholds import Thresholds
from service.privacy import identified
from service.tenancy import tenant_scope
from service.tenants.models import JobFunction, Location
from tests.factories import make_department, make_tenant
from tests.insights.insight_world import insight_version, read_all, respond
from tests.insights.rows import add_feedback

THREE = Thresholds(k=3, quote_k=6)
TODAY = dt.date.today()
LAST = add_months(month_start(TODAY), -1)  # the last ended month
MONTHS = [add_months(LAST, -offset) for offset in range(4)]
PAID = {"pay": "yes", "manager": "2", "training": "4", "recommend": "9", "back": "no"}
PRAISED = {
    "manager": "5",
    "recommend": "3",
    "back": "yes",
    "improve": "Een top team, maar de parking was altijd vol.",
}


@pytest.fixture
def world(dialect_app):
    """Feedback over four months, three departments, two functions and two locations (with
    tenures and exit types), read by analysis as the jobs do."""
    tenant = make_tenant("cells", confidentiality_k=3)
    version = insight_version(tenant)
    kitchen, bar, hall = (make_department(tenant, name) for name in ("Kitchen", "Bar", "Hall"))
    with tenant_scope(tenant.id):
        cook, waiter = JobFunction(name="Cook"), JobFunction(name="Waiter")
        ghent, bruges = Location(name="Ghent"), Location(name="Bruges")
        db.session.add_all([cook, waiter, ghent, bruges])
        db.session.commit()
        places = [(cook.id, ghent.id), (waiter.id, bruges.id), (cook.id, bruges.id)]
        ids = {"kitchen": kitchen.id, "bar": bar.id, "function": cook.id, "place": ghent.id}
    for index, month in enumerate(MONTHS):
        for number, department in enumerate((kitchen, bar, hall)):
            function_id, location_id = places[(index + number) % 3]
            coarse = {
                "month": month,
                "department_id": department.id,
                "job_function_id": function_id,
                "location_id": location_id,
                "tenure_band": ("under_1", "1_2", "2_5")[number],
            }
            respond(tenant, version, 3 + number + index, PAID, **coarse)
            respond(tenant, version, 4 - number, PRAISED, exit_type="involuntary", **coarse)
    read_all(tenant)
    return tenant, ids


def views(ids) -> list[Filter]:
    whole = Filter.last_months(3, TODAY)
    return [
        whole,
        Filter.last_months(12, TODAY),
        Filter(first=MONTHS[0], last=MONTHS[0]),
        Filter.last_months(3, TODAY, department_id=ids["kitchen"]),
        Filter.last_months(3, TODAY, job_function_id=ids["function"]),
        Filter.last_months(3, TODAY, location_id=ids["place"]),
        Filter.last_months(3, TODAY, department_id=ids["bar"], job_function_id=ids["function"]),
        Filter.last_months(3, TODAY, tenure_band="under_1"),  # the rows answer: no cell has it
    ]


def boards(tenant, ids) -> list:
    with tenant_scope(tenant.id):
        db.session.expire_all()
        found = []
        for view in views(ids):
            for dimension in figures.DIMENSIONS:
                found.append(dashboard.build(view, THREE, dimension, "en"))
            found.append(figures.quotes(view, THREE, "compensation"))
        return found


def assert_cells_count_rows(tenant, ids, monkeypatch) -> None:
    """Every dashboard view, every breakdown, is the same read off the cells and off the
    rows."""
    from_cells = boards(tenant, ids)
    with monkeypatch.context() as patch:
        patch.setattr(rollup, "cells_serve", lambda narrowing, served=None: False)
        from_rows = boards(tenant, ids)
    assert from_cells == from_rows
    with tenant_scope(tenant.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StaleMonth)) == 0


def test_the_dashboard_reads_the_same_figures_off_cells_as_off_rows(world, monkeypatch):
    tenant, ids = world
    whole = boards(tenant, ids)[0]
    assert whole.allowed
    assert whole.responses > 0
    assert whole.themes
    assert whole.ratings
    assert_cells_count_rows(tenant, ids, monkeypatch)
    with tenant_scope(tenant.id):
        cells = db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackCell))
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Feedback))
    assert 0 < cells < rows


def test_a_view_narrowed_by_tenure_or_exit_type_reads_the_rows():
    assert rollup.counting(("tenure_band",)) is rollup.ROWS
    assert rollup.counting(("department_id", "exit_type")) is rollup.ROWS
    assert not rollup.cells_serve(("job_function_id",), rollup.RATINGS_SERVED_FILTERS)


def test_every_writer_of_feedback_leaves_cells_that_count_it(dialect_app, world, monkeypatch):
    tenant, ids = world
    # HR corrects an answer: the themes of one piece of feedback change.
    with tenant_scope(tenant.id):
        answer = db.session.scalars(
            sa.select(AnswerInsight).where(AnswerInsight.question_key == "improve").limit(1)
        ).one()
        corrections.correct(answer, "compensation", Verdict.ADD, None)
    assert_cells_count_rows(tenant, ids, monkeypatch)

    # An own theme is added (and its feedback read again), then deleted.
    with dialect_app.test_request_context(), tenant_scope(tenant.id):
        theme = own_themes.create_theme(
            {
                "labels": {"nl": "Parking", "fr": "Parking", "en": "Parking"},
                "keywords": {"nl": ["parking"], "fr": ["parking"], "en": ["parking"]},
            }
        )
        analysis.read_everything()
        db.session.commit()
        assert db.session.scalar(
            sa.select(sa.func.count())
            .select_from(FeedbackCell)
            .where(FeedbackCell.own_themes == f",{theme.key},")
        )
    assert_cells_count_rows(tenant, ids, monkeypatch)
    with dialect_app.test_request_context(), tenant_scope(tenant.id):
        own_themes.delete_theme(theme)
    assert_cells_count_rows(tenant, ids, monkeypatch)

    # Identified feedback is erased; rows are added and updated around the services.
    with tenant_scope(tenant.id):
        erased = db.session.scalars(
            sa.select(Feedback.id).where(Feedback.department_id == ids["kitchen"]).limit(4)
        ).all()
        identified.remove_feedback(list(erased))
        db.session.commit()
    assert_cells_count_rows(tenant, ids, monkeypatch)
    add_feedback(tenant.id, MONTHS[1], 5, {"workload": 3}, department_id=ids["bar"])
    with tenant_scope(tenant.id):
        db.session.execute(
            sa.update(Feedback)
            .where(Feedback.department_id == ids["bar"], Feedback.month == MONTHS[2])
            .values(enps=10, come_back=True)
        )
        db.session.commit()
    assert_cells_count_rows(tenant, ids, monkeypatch)


def test_the_cells_follow_the_transaction_before_it_commits_and_forget_a_rollback(
    world, monkeypatch
):
    tenant, ids = world
    whole = Filter.last_months(3, TODAY)
    with tenant_scope(tenant.id):
        before = figures.responses(whole)
        db.session.execute(sa.delete(Feedback).where(Feedback.department_id == ids["kitchen"]))
        during = figures.responses(whole)  # read within the transaction: its own change
        db.session.rollback()
        after = figures.responses(whole)
    assert during < before == after
    assert_cells_count_rows(tenant, ids, monkeypatch)


def test_a_month_of_another_tenant_is_neither_marked_nor_counted_here(world, monkeypatch):
    tenant, ids = world
    other = make_tenant("other-cells", confidentiality_k=3)
    add_feedback(other.id, MONTHS[0], 6, {"pay": 2})
    with tenant_scope(tenant.id):
        mine = db.session.scalar(sa.select(sa.func.sum(FeedbackCell.responses)))
        every_month = figures.responses(Filter.last_months(12, TODAY))
    with tenant_scope(other.id):
        theirs = db.session.scalar(sa.select(sa.func.sum(FeedbackCell.responses)))
    assert theirs == 6
    assert mine == every_month
    assert_cells_count_rows(tenant, ids, monkeypatch)


def test_rebuild_counts_every_month_again(world, monkeypatch):
    tenant, ids = world
    with tenant_scope(tenant.id):
        for model in (FeedbackCell, RatingCell):
            db.session.execute(sa.delete(model))
        assert rollup.rebuild() == len(MONTHS)
        db.session.commit()
    assert_cells_count_rows(tenant, ids, monkeypatch)


def test_two_transactions_changing_one_month_are_both_counted(app, monkeypatch):
    """PostgreSQL: the second writer waits for the first one's marks, then counts the month
    with the first one's rows (READ COMMITTED would otherwise count without them)."""
    tenant = make_tenant("cells-race", confidentiality_k=3)
    department = make_department(tenant, "Kitchen")
    add_feedback(tenant.id, MONTHS[0], 3, department_id=department.id)
    first_wrote, second_writes = threading.Event(), threading.Event()
    errors, waited = [], []

    def first_writer() -> None:
        with writing():
            add_rows(4, department.id)
            db.session.flush()  # the month is marked, the mark held until this commits
            first_wrote.set()
            second_writes.wait(5)
            time.sleep(0.3)  # the second writer now waits on the mark

    def second_writer() -> None:
        first_wrote.wait(5)
        with writing():
            second_writes.set()
            add_rows(5, department.id)
            start = time.perf_counter()
            db.session.flush()  # marking the month waits for the first writer's commit
            waited.append(time.perf_counter() - start)

    @contextlib.contextmanager
    def writing():
        try:
            with app.app_context(), tenant_scope(tenant.id):
                yield
                db.session.commit()
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported by the main thread)
            errors.append(error)

    first = threading.Thread(target=first_writer)
    second = threading.Thread(target=second_writer)
    first.start()
    second.start()
    first.join(10)
    second.join(10)
    assert errors == []
    assert waited[0] >= 0.2
    with tenant_scope(tenant.id):
        db.session.expire_all()
        counted = db.session.scalar(sa.select(sa.func.sum(FeedbackCell.responses)))
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Feedback))
    assert counted == rows == 12


def add_rows(count: int, department_id) -> None:
    db.session.add_all(
        Feedback(
            id=uuid.uuid4(),
            language="nl",
            source="survey",
            month=MONTHS[0],
            department_id=department_id,
            exit_type="voluntary",
            regretted=False,
        )
        for _ in range(count)
    )
