"""The feedback counted once per month and group, so that a dashboard reads a few thousand
rows instead of every response.

``FeedbackCell`` holds, per month, department, function and location (and set of the
tenant's own themes), what service/insights/figures.py counts: responses, what the scores
rest on, how many raise each theme; ``RatingCell`` each rating's distribution per month and
department. Both are derived from the insight rows and written nowhere else than here.

Which months to count again, the database says: triggers on ``insight_feedback``
(migrations/versions/0026) mark each month a statement inserts, updates or deletes rows of,
whoever writes. A session that wrote feedback (noted as it flushes or sends DML) counts its
tenants' marked months again before it reads cells and as it commits, and deletes the
marks: a transaction changing the same month meanwhile waits on those marks until this one
commits, then counts the month itself, with this one's rows. Rows written around the ORM
(a bulk COPY) leave their marks for the tenant's next writer, or for `rebuild`.

A view narrowed by tenure or exit type (or ratings narrowed by function or location) is not
counted here: `counting` and `cells_serve` send figures to the rows for it.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from service.extensions import db
from service.insights.models import (
    CELL_COLUMNS,
    DEFAULT_THEME_BITS,
    AnswerInsight,
    Feedback,
    FeedbackCell,
    RatingCell,
    StaleMonth,
    lists,
    raises,
)
from service.tenancy import (
    current_tenant_id,
    current_tenant_id_or_none,
    of_current_tenant,
    tenant_scope,
    watch_writes,
)

PROMOTER, PASSIVE = 9, 7  # eNPS: 9–10 promote, 7–8 pass, 0–6 detract
RATING_SCALE = range(1, 6)
# The filters cells answer: those on their own columns.
SERVED_FILTERS = frozenset(CELL_COLUMNS[1:])
RATINGS_SERVED_FILTERS = frozenset({"department_id"})

# --- Reading: the cells, or the rows where cells cannot answer ---------------------------


@dataclass(frozen=True)
class Counting:
    """How figures counts feedback: over `model` (``FeedbackCell`` or ``Feedback``, both
    with the month and the groups' columns), `counts` being the responses, the eNPS answers,
    promoters, detractors, come-back answers and yeses of each group."""

    model: type
    counts: tuple

    @property
    def responses(self):
        return self.counts[0]

    def raising(self, theme: str):
        """How many of each group raise `theme`."""
        if self.model is Feedback:
            return sa.func.count().filter(raises(theme))
        if theme in DEFAULT_THEME_BITS:
            return _total(getattr(FeedbackCell, f"raised_{theme}"))
        return _total(
            sa.case((lists(FeedbackCell.own_themes, theme), FeedbackCell.responses), else_=0)
        )


def _total(column):
    return sa.func.coalesce(sa.func.sum(column), 0)


# The counts of a group, as FeedbackCell names them.
COUNTS = (
    "responses",
    "enps_answers",
    "promoters",
    "detractors",
    "come_back_answers",
    "come_back_yes",
)
ROWS = Counting(
    Feedback,
    (
        sa.func.count(),
        sa.func.count(Feedback.enps),
        sa.func.count().filter(Feedback.enps >= PROMOTER),
        sa.func.count().filter(Feedback.enps < PASSIVE),
        sa.func.count(Feedback.come_back),
        sa.func.count().filter(Feedback.come_back.is_(True)),
    ),
)
CELLS = Counting(FeedbackCell, tuple(_total(getattr(FeedbackCell, name)) for name in COUNTS))


def cells_serve(narrowing: Iterable[str], served=SERVED_FILTERS) -> bool:
    """Whether the cells (``FeedbackCell``; ``RatingCell`` with RATINGS_SERVED_FILTERS)
    answer a view narrowed by the filter fields `narrowing`; if so, their stale months are
    counted again first."""
    if not set(narrowing) <= served:
        return False
    settle()
    return True


def counting(narrowing: Iterable[str]) -> Counting:
    """The cells where they answer a view narrowed by `narrowing`, else the rows."""
    return CELLS if cells_serve(narrowing) else ROWS


# --- Writing: a month's cells counted again ---------------------------------------------

# The tenants whose feedback this session's transaction wrote: their stale months are
# counted again before the session reads cells, and before it commits.
_WRITTEN = "exitloop_insight_feedback_written"


@event.listens_for(Session, "before_flush")
def _note_flushed_feedback(session: Session, flush_context, instances) -> None:
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Feedback):
            _written(session, row.tenant_id or current_tenant_id_or_none())


watch_writes(Feedback.__tablename__)  # every statement that writes it passes here


@event.listens_for(Session, "do_orm_execute")
def _note_feedback_statement(state: ORMExecuteState) -> None:
    table = getattr(state.statement, "table", None)
    written = state.is_insert or state.is_update or state.is_delete
    if written and getattr(table, "name", None) == Feedback.__tablename__:
        _written(state.session, current_tenant_id_or_none())


def _written(session: Session, tenant_id) -> None:
    # Without a tenant (unscoped platform work) the tenant net refuses the write, or the
    # marks stay for the tenant's next write and `rebuild`.
    if tenant_id is not None:
        session.info.setdefault(_WRITTEN, set()).add(tenant_id)


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    _settle(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_WRITTEN, None)


def settle() -> None:
    """Count again the months whose feedback this transaction changed (readers of cells
    call it first; the commit calls it too)."""
    _settle(db.session())


def _settle(session: Session) -> None:
    session.flush()  # rows still pending fire the triggers that mark their months
    for tenant_id in sorted(session.info.pop(_WRITTEN, ()), key=str):
        with tenant_scope(tenant_id):
            # Deleting the marks holds them until this transaction ends: a transaction
            # changing the same month waits for it, then counts the month again itself.
            months = session.scalars(
                sa.delete(StaleMonth)
                .where(of_current_tenant(StaleMonth))
                .returning(StaleMonth.month)
                .execution_options(synchronize_session=False)
            ).all()
            if months:
                _rewrite(session, sorted(months))


def _rewrite(session: Session, months: list[dt.date]) -> None:
    """The current tenant's cells of `months` counted again from its insight rows."""
    for model in (FeedbackCell, RatingCell):
        session.execute(
            sa.delete(model)
            .where(of_current_tenant(model), model.month.in_(months))
            .execution_options(synchronize_session=False)
        )
    tenant_id = current_tenant_id()
    for model, counted in ((FeedbackCell, _feedback_counts), (RatingCell, _rating_counts)):
        rows = [
            {"tenant_id": tenant_id, "id": uuid.uuid4(), **row._asdict()}
            for row in session.execute(counted(months))
        ]
        if rows:
            session.execute(sa.insert(model), rows)


def own_themes(themes):
    """SQL: ``Feedback.themes`` without the default themes (the tenant's own, "," for
    none). Each key is listed once, so one replacement per key does."""
    for key in DEFAULT_THEME_BITS:
        themes = sa.func.replace(themes, f",{key},", ",")
    return themes


def _feedback_counts(months: list[dt.date]) -> sa.Select:
    own = own_themes(Feedback.themes)
    group = [getattr(Feedback, name) for name in CELL_COLUMNS]
    return (
        sa.select(
            *group,
            own.label("own_themes"),
            *(count.label(name) for count, name in zip(ROWS.counts, COUNTS, strict=True)),
            *(ROWS.raising(key).label(f"raised_{key}") for key in DEFAULT_THEME_BITS),
        )
        .where(of_current_tenant(Feedback), Feedback.month.in_(months))
        .group_by(*group, own)
    )


def _rating_counts(months: list[dt.date]) -> sa.Select:
    group = [AnswerInsight.month, AnswerInsight.department_id, AnswerInsight.question_key]
    return (
        sa.select(
            *group,
            *(
                sa.func.count().filter(AnswerInsight.number == value).label(f"n{value}")
                for value in RATING_SCALE
            ),
        )
        .where(
            of_current_tenant(AnswerInsight),
            AnswerInsight.month.in_(months),
            AnswerInsight.number.between(RATING_SCALE[0], RATING_SCALE[-1]),
        )
        .group_by(*group)
    )


def rebuild() -> int:
    """Count every month of the current tenant's feedback again (after rows were written
    around the ORM: a bulk load); returns how many months were counted. The caller
    commits."""
    months = set()
    for model in (Feedback, FeedbackCell, RatingCell):
        months.update(
            db.session.scalars(sa.select(model.month).where(of_current_tenant(model)).distinct())
        )
    db.session.execute(
        sa.delete(StaleMonth)
        .where(of_current_tenant(StaleMonth))
        .execution_options(synchronize_session=False)
    )
    if months:
        _rewrite(db.session(), sorted(months))
    return len(months)
