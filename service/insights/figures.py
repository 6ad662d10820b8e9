"""The figures insights show, computed once for every screen that shows them.

The dashboard, its exports, the leadership reports and the agency benchmark all ask here,
with a ``Filter``, and get values in which every figure that rests on too few responses is
already ``HIDDEN`` (service/insights/thresholds.py decides). Each figure is one grouped
query on one of the insight tables (service/insights/models.py), which repeat the coarse
attributes for exactly that; departures and headcounts come from their own tables.

Call within a tenant scope (the request's, a job's). Within ``shared()`` (the dashboard
page with its patterns, a report), figures that rest on the same grouped counts share one
query: the feedback is read once for the volume, the scores, every breakdown's sizes and
every theme count, of the period and the one before (by month and by each dimension), the
departures once for the volume, regretted losses and turnover. "Did it work?" for several
actions (`theme_shares`) reads every share, and the checks behind it, off one count of the
feedback by month and department.
"""

import datetime as dt
import itertools
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from operator import add

import sqlalchemy as sa

from service.departures.models import Departure, DepartureStatus
from service.extensions import db
from service.insights import rollup, taxonomy
from service.insights.models import AnswerInsight, RatingCell, ThemeTag
from service.insights.thresholds import HIDDEN, Thresholds
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.models import DepartmentHeadcount

DIMENSIONS = ("department_id", "job_function_id", "location_id")
FILTER_FIELDS = (*DIMENSIONS, "tenure_band", "exit_type")
QUOTES_SHOWN = 12


_SHARED: ContextVar[dict | None] = ContextVar("insight_figures_shared", default=None)


@contextmanager
def shared() -> Iterator[None]:
    """Figures asked for within the block send each grouped query once (several panels of
    one filter rest on the same counts). Only where nothing writes meanwhile. Nested
    blocks share the outer block's queries."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _once(key: tuple, compute: Callable):
    memo = _SHARED.get()
    if memo is None:
        return compute()
    key = (current_tenant_id(), *key)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


@dataclass(frozen=True)
class Filter:
    """A period of whole months (first and last included) and optional coarse attributes."""

    first: dt.date
    last: dt.date
    department_id: uuid.UUID | None = None
    job_function_id: uuid.UUID | None = None
    location_id: uuid.UUID | None = None
    tenure_band: str | None = None
    exit_type: str | None = None

    @classmethod
    def last_months(cls, count: int, today: dt.date, **narrowing) -> "Filter":
        """The last `count` ended months (the month in progress is never shown)."""
        last = add_months(month_start(today), -1)
        return cls(first=add_months(last, 1 - count), last=last, **narrowing)

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.first, self.last)

    @property
    def narrowing(self) -> tuple[str, ...]:
        """The filter fields it narrows by."""
        return tuple(name for name in FILTER_FIELDS if getattr(self, name) is not None)

    @property
    def narrowed(self) -> bool:
        return bool(self.narrowing)

    def whole(self) -> "Filter":
        """The same period without the narrowing: the view a filter is a part of."""
        return Filter(first=self.first, last=self.last)

    def previous(self) -> "Filter":
        """The period of the same length just before, with the same narrowing."""
        length = len(self.months)
        return replace(self, first=add_months(self.first, -length), last=add_months(self.first, -1))

    def where(self, model) -> list:
        """The conditions on an insight table (or departures) this filter stands for."""
        if model is Departure:
            conditions = [
                Departure.last_day >= self.first,
                Departure.last_day < add_months(self.last, 1),
                Departure.status != DepartureStatus.CANCELLED,
            ]
        else:
            conditions = [model.month >= self.first, model.month <= self.last]
        conditions.insert(0, of_current_tenant(model))
        for name in FILTER_FIELDS:
            value = getattr(self, name)
            if value is not None:
                conditions.append(getattr(model, name) == value)
        return conditions


@dataclass(frozen=True)
class Share:
    """How many of `base` responses raise something, as a share; or HIDDEN."""

    count: int
    base: int

    @property
    def share(self) -> float:
        return self.count / self.base if self.base else 0.0


def responses(filter_: Filter) -> int:
    """Responses in the filter's view; within ``shared()`` read off `_history`."""
    if _SHARED.get() is None:
        counted = rollup.counting(filter_.narrowing)
        return db.session.scalar(sa.select(counted.responses).where(*filter_.where(counted.model)))
    return sum(
        count
        for month, count in _history(filter_).items()
        if filter_.first <= month <= filter_.last
    )


def _history(filter_: Filter) -> dict[dt.date, int]:
    """Month → responses with the filter's narrowing, over every month there is: one query
    for every period's count and the edges of every period (`_edges_hold`)."""
    return _month_counts(replace(filter_, first=dt.date(1900, 1, 1), last=dt.date(9999, 12, 1)))


def view_allowed(
    filter_: Filter, thresholds: Thresholds, quotes: bool = False, today: dt.date | None = None
) -> bool:
    """Whether the filtered view may show anything at all (see thresholds.view_allowed).

    A view can be subtracted from every wider view the same person opens: the same filter
    with any of its narrowings dropped, not only the whole ("Sales" minus "Sales, 2–5
    years" is Sales' other bands). So it must differ from each of those by no response or
    by k or more. And it must not pick a group that a breakdown of any of those wider views
    hides (a department the heat map hides, alone or with a band), else the views of all
    the other groups subtract from their total to the hidden one. With `quotes`, the
    differences must reach the quote threshold. One grouped query holds every count needed.
    """
    allowed = thresholds.quote_view_allowed if quotes else thresholds.view_allowed
    narrowing = filter_.narrowing
    wanted = tuple(getattr(filter_, name) for name in narrowing)

    def count_cells():
        if not narrowing:
            return [((), responses(filter_))]
        grid = _department_grid(filter_)
        if grid is None:
            counted = rollup.counting(narrowing)
            columns = [getattr(counted.model, name) for name in narrowing]
            return [
                (tuple(row[:-1]), row[-1])
                for row in db.session.execute(
                    sa.select(*columns, counted.responses)
                    .where(*filter_.whole().where(counted.model))
                    .group_by(*columns)
                )
            ]
        found = Counter()
        for (_month, department), count in _read_off(grid, filter_.whole()).items():
            found[(department,)] += count
        return list(found.items())

    cells = _once(("cells", filter_.whole(), tuple(narrowing)), count_cells)
    part = sum(count for values, count in cells if values == wanted)
    if not allowed(part, part):
        return False
    positions = range(len(narrowing))
    for size in range(len(narrowing)):
        for kept in itertools.combinations(positions, size):
            wider = [(v, n) for v, n in cells if all(v[i] == wanted[i] for i in kept)]
            if not allowed(part, sum(count for _values, count in wider)):
                return False
            for dropped in set(positions) - set(kept):
                breakdown = Counter()
                for values, count in wider:
                    breakdown[values[dropped]] += count
                if wanted[dropped] in thresholds.hidden_groups(breakdown):
                    return False
    return _edges_hold(filter_, thresholds, today or dt.date.today())


def _edges_hold(filter_: Filter, thresholds: Thresholds, today: dt.date) -> bool:
    """A period can be subtracted from a longer one: "October to December" minus "October"
    and "December" is November. So a period's edge may not cut through thin months: on
    each side of an edge, the nearest month with responses (of the filtered group) must
    hold k or more, unless that side holds none at all (before the first response, after
    the last ended month). Any two allowed periods then differ by whole runs of months that
    begin and end with k or more responses. The month in progress counts as nothing: no
    view shows it (service/insights/filters.py)."""
    closed = add_months(month_start(today), -1)
    counts = {month: count for month, count in _history(filter_).items() if month <= closed}

    def holds(before: dt.date, after: dt.date) -> bool:
        left = [month for month in counts if month <= before]
        right = [month for month in counts if month >= after]
        if not left or not right:
            return True
        return thresholds.enough(counts[max(left)]) and thresholds.enough(counts[min(right)])

    return holds(add_months(filter_.first, -1), filter_.first) and holds(
        filter_.last, add_months(filter_.last, 1)
    )


# --- Volume: departures and responses per month -----------------------------------------


@dataclass(frozen=True)
class MonthVolume:
    month: dt.date
    departures: int
    responses: object  # int or HIDDEN
    rate: object  # float or HIDDEN


def volume(filter_: Filter, thresholds: Thresholds) -> list[MonthVolume]:
    departed = {m: count for m, (count, _regretted) in _departures_by_month(filter_).items()}
    answered = _sizes_by_month(filter_)
    hidden = _hidden_months({m: answered.get(m, 0) for m in filter_.months}, thresholds)
    rows = []
    for m in filter_.months:
        count, left = answered.get(m, 0), departed.get(m, 0)
        if m in hidden:
            rows.append(MonthVolume(m, left, HIDDEN, HIDDEN))
        else:
            rows.append(MonthVolume(m, left, count, count / left if left else HIDDEN))
    return rows


def _hidden_months(sizes: dict, thresholds: Thresholds) -> set:
    """The months volume hides: those of its own breakdown, and as many more as keep the
    trend's quarters from giving them away (a hidden quarter hides its months; in a shown
    quarter, what is hidden adds up to k or more)."""
    hidden = thresholds.hidden_groups(sizes)
    quarters = defaultdict(dict)
    for month, size in sizes.items():
        quarters[_quarter(month)][month] = size
    hidden_quarters = thresholds.hidden_groups(
        {quarter: sum(months.values()) for quarter, months in quarters.items()}
    )
    for quarter, months in quarters.items():
        if quarter in hidden_quarters:
            hidden |= {month for month, size in months.items() if size}
        else:
            hidden |= thresholds.hidden_groups(months, hidden & set(months))
    return hidden


def _departures_by_month(filter_: Filter) -> dict[dt.date, tuple[int, int]]:
    """Month → (departures, regretted ones) in the filter's period."""
    found: dict = defaultdict(lambda: (0, 0))
    for (month, department_id), (count, regretted) in _departures(filter_).items():
        if filter_.department_id in (None, department_id):
            total, regrets = found[month]
            found[month] = (total + count, regrets + regretted)
    return dict(found)


def _departures(filter_: Filter) -> dict[tuple, tuple[int, int]]:
    """(month, department) → (departures, regretted ones) in the filter's period, over every
    department: volume and scores (of the filter's department) and turnover (of every
    department) read one query."""
    whole = replace(filter_, department_id=None)

    def compute():
        # Counted per day first, in the order of ix_departures_last_day (streamed from the
        # index alone, nothing hashed), then summed per month: three times faster at
        # 160,000 departures than grouping on the month at once.
        regretted = sa.func.sum(sa.case((Departure.regretted.is_(True), 1), else_=0))
        days = (
            sa.select(
                Departure.last_day,
                Departure.department_id,
                sa.func.count().label("departures"),
                regretted.label("regretted"),
            )
            .where(*whole.where(Departure))
            .group_by(Departure.last_day, Departure.department_id)
            .subquery()
        )
        month = _month_of(days.c.last_day)
        rows = db.session.execute(
            sa.select(
                month,
                days.c.department_id,
                sa.func.sum(days.c.departures),
                sa.func.sum(days.c.regretted),
            ).group_by(month, days.c.department_id)
        ).all()
        return {
            (_as_date(key), department_id): (int(count), int(regret or 0))
            for key, department_id, count, regret in rows
        }

    return _once(("departures", whole), compute)


def _sizes_by_month(filter_: Filter) -> dict[dt.date, int]:
    """Month → responses in the filter's period."""
    return {
        month: size for month, (size, *_scores) in _feedback_counts(filter_, None).items() if size
    }


def _month_counts(filter_: Filter) -> dict[dt.date, int]:
    """Month → responses in the filter's period, from the index alone."""

    def compute():
        grid = _department_grid(filter_)
        if grid is None:
            counted = rollup.counting(filter_.narrowing)
            return {
                _as_date(month): count
                for month, count in db.session.execute(
                    sa.select(counted.model.month, counted.responses)
                    .where(*filter_.where(counted.model))
                    .group_by(counted.model.month)
                )
                if count
            }
        found = Counter()
        for (month, _department), count in _read_off(grid, filter_).items():
            found[month] += count
        return dict(found)

    return _once(("months", filter_), compute)


# What `_feedback_cells` counts per cell: responses, then what the scores rest on (the
# theme counts follow).
SCORED = len(rollup.ROWS.counts)


def _feedback_counts(filter_: Filter, dimension: str | None) -> dict:
    """Month (dimension None) or the dimension's value → the FEEDBACK_COUNTS of the
    filter's period."""
    return {key: counts[:SCORED] for key, counts in _summed(filter_, dimension).items()}


def _summed(filter_: Filter, dimension: str | None) -> dict:
    """Month (dimension None) or the dimension's value → every count of `_feedback_cells`
    in the filter's period, summed over the months (the rows' keys hashed once each)."""

    def compute():
        found: dict = {}
        for (month, group), counts in (
            _feedback_cells(filter_).by[dimension or DIMENSIONS[0]].items()
        ):
            if filter_.first <= month <= filter_.last:
                key = month if dimension is None else group
                earlier = found.get(key)
                found[key] = counts if earlier is None else tuple(map(add, earlier, counts))
        return found

    return _once(("summed", filter_, dimension), compute)


@dataclass(frozen=True)
class Cells:
    """Dimension → {(month, its value): FEEDBACK_COUNTS, then how many raise each of
    `themes`}."""

    themes: tuple[str, ...]
    by: dict


def _feedback_cells(filter_: Filter) -> Cells:
    """The feedback counted by month and each dimension over at least the filter's
    period: one query for the volume, the scores, every breakdown's sizes and every theme
    count (see `_covering`)."""
    return _covering("feedback_cells", filter_, _count_feedback_cells)


def _count_feedback_cells(filter_: Filter) -> Cells:
    """Grouped on the month and every dimension at once (one pass over the feedback, which
    PostgreSQL shares among parallel workers), then summed up to each dimension: on
    PostgreSQL by GROUPING SETS over those cells (grouping(…) sets a bit for each dimension
    a row is not grouped on), elsewhere here. A theme is counted with one substring test
    per row of ``Feedback.themes``: no tag is read."""
    themes = taxonomy.theme_keys()
    counted = rollup.counting(filter_.narrowing)
    counts = [*counted.counts, *(counted.raising(theme) for theme in themes)]
    model = counted.model
    dimensions = [getattr(model, name) for name in DIMENSIONS]
    cells = (
        sa.select(model.month, *dimensions, *(c.label(f"c{i}") for i, c in enumerate(counts)))
        .where(*filter_.where(model))
        .group_by(model.month, *dimensions)
    )
    by: dict = {name: {} for name in DIMENSIONS}
    width = 1 + len(DIMENSIONS)  # the month and the dimensions, then the counts
    if db.engine.dialect.name == "postgresql":
        cells = cells.subquery()
        columns = [cells.c[name] for name in DIMENSIONS]
        counted = range(len(counts))
        last = len(DIMENSIONS) - 1
        named = {
            sum(1 << (last - other) for other in range(len(DIMENSIONS)) if other != position): (
                position,
                name,
            )
            for position, name in enumerate(DIMENSIONS)
        }
        rows = db.session.execute(
            sa.select(
                cells.c.month,
                *columns,
                sa.func.grouping(*columns),
                *(sa.cast(sa.func.sum(cells.c[f"c{i}"]), sa.BigInteger) for i in counted),
            ).group_by(sa.func.grouping_sets(*(sa.tuple_(cells.c.month, c) for c in columns)))
        )
        for row in rows:
            position, name = named[row[width]]
            by[name][(row[0], row[1 + position])] = row[width + 1 :]
        return Cells(themes, by)
    for row in db.session.execute(cells):
        month, values = _as_date(row[0]), tuple(v or 0 for v in row[width:])
        for position, name in enumerate(DIMENSIONS):
            key = (month, row[1 + position])
            found = by[name].get(key)
            by[name][key] = (
                values if found is None else tuple(map(sum, zip(found, values, strict=True)))
            )
    return Cells(themes, by)


def _covering(kind: str, filter_: Filter, count: Callable) -> dict:
    """`count(filter_)`, or within ``shared()`` that of a filter whose period covers the
    filter's, with the same narrowing: computed once over the filter's period and the one
    before (the themes panel and the patterns compare with it), and read off by every
    later filter it covers."""
    memo = _SHARED.get()
    if memo is None:
        return count(filter_)
    tenant_id = current_tenant_id()
    for key, cells in memo.items():
        if key[:2] == (tenant_id, kind) and _covers(key[2], filter_):
            return cells
    span = _with_previous(filter_)
    return memo.setdefault((tenant_id, kind, span), count(span))


def _month_of(column):
    if db.engine.dialect.name == "postgresql":
        return sa.func.date_trunc("month", column).cast(sa.Date)
    return sa.func.strftime("%Y-%m-01", column)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# --- Themes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeFigure:
    theme: str
    share: object  # Share or HIDDEN
    previous: object  # Share or HIDDEN (the period before)


def _theme_counts(filter_: Filter, dimension: str | None = None) -> dict:
    """(month or the dimension's value, theme) → how many pieces of feedback in the
    filter's period raise the theme (read off `_feedback_cells`)."""

    def compute():
        themes = _feedback_cells(filter_).themes
        return {
            (key, theme): count
            for key, counts in _summed(filter_, dimension).items()
            for theme, count in zip(themes, counts[SCORED:], strict=True)
            if count
        }

    return _once(("themes", filter_, dimension), compute)


def _covers(wider: Filter, filter_: Filter) -> bool:
    """Whether `wider` has the narrowing of `filter_` and a period around its period."""
    return (
        replace(wider, first=filter_.first, last=filter_.last) == filter_
        and wider.first <= filter_.first
        and filter_.last <= wider.last
    )


def _with_previous(filter_: Filter) -> Filter:
    """The filter's period and the one before it, for one query over both."""
    return replace(filter_, first=filter_.previous().first)


def _by_theme(counts: dict) -> Counter:
    totals = Counter()
    for (_key, theme), count in sorted(counts.items(), key=lambda item: item[0][1]):
        totals[theme] += count
    return totals


def _sizes(filter_: Filter, dimension: str) -> dict:
    """The dimension's value → responses in the filter's period."""
    grid = _department_grid(filter_) if dimension == "department_id" else None
    if grid is not None:
        found = Counter()
        for (_month, department), count in _read_off(grid, filter_).items():
            found[department] += count
        return dict(found)
    return {
        group: size
        for group, (size, *_scores) in _feedback_counts(filter_, dimension).items()
        if size
    }


def themes(filter_: Filter, thresholds: Thresholds) -> list[ThemeFigure]:
    """Every theme raised in the period, most raised first, with its share in the period
    before."""
    figures = []
    before_filter = filter_.previous()
    with shared():  # one scan of the tags for both periods
        current = _by_theme(_theme_counts(filter_))
        before = _by_theme(_theme_counts(before_filter))
    base = responses(filter_)
    # The period before is a view of its own: shown only where that view would be.
    before_base = responses(before_filter) if view_allowed(before_filter, thresholds) else 0
    for theme, count in sorted(current.items(), key=lambda item: (-item[1], item[0])):
        figures.append(
            ThemeFigure(
                theme,
                thresholds.shown(Share(count, base), base),
                thresholds.shown(Share(before.get(theme, 0), before_base), before_base),
            )
        )
    return figures


@dataclass(frozen=True)
class ThemeShare:
    responses: int  # the responses the share rests on (shown as a count only with the share)
    share: object  # Share or HIDDEN
    allowed: bool  # False: the group, or what it leaves out of the whole, is too small


def theme_share(
    filter_: Filter,
    thresholds: Thresholds,
    theme: str,
    department_ids: Iterable = (),
    today: dt.date | None = None,
) -> ThemeShare:
    """The share of responses raising `theme` in the filter's view, or over several
    departments taken together. One department is the filter narrowed to it; several are
    held, besides, against the filter's view they are part of, and none of them may be a
    department that view's breakdown hides (the others would subtract to it)."""
    department_ids = list(department_ids)
    if len(department_ids) == 1:
        filter_, department_ids = replace(filter_, department_id=department_ids[0]), []
    base, count = _theme_count(filter_, theme, department_ids)
    allowed = view_allowed(filter_, thresholds, today=today)
    if allowed and department_ids:
        hidden = thresholds.hidden_groups(_sizes(filter_, "department_id"))
        allowed = thresholds.view_allowed(base, responses(filter_)) and not (
            hidden & set(department_ids)
        )
    return ThemeShare(base, Share(count, base) if allowed else HIDDEN, allowed)


def _theme_count(filter_: Filter, theme: str, department_ids: list) -> tuple[int, int]:
    """Responses in the filter's view (and `department_ids`), and how many raise `theme`:
    read off `theme_shares`' counts where they serve, else one query."""
    grid = _department_grid(filter_)
    memo = _SHARED.get()
    themes = memo.get((current_tenant_id(), "theme_grid")) if grid is not None else None
    if themes is not None and theme in themes[0]:
        raising = {key: n for key, n in themes[1].items() if key[2] == theme}
        return (
            sum(_read_off(grid, filter_, department_ids).values()),
            sum(_read_off(raising, filter_, department_ids).values()),
        )
    counted = rollup.counting(filter_.narrowing)
    conditions = list(filter_.where(counted.model))
    if department_ids:
        conditions.append(counted.model.department_id.in_(department_ids))
    base, count = db.session.execute(
        sa.select(counted.responses, counted.raising(theme)).where(*conditions)
    ).one()
    return base, count


def theme_shares(
    asked: Iterable[tuple[Filter, str, Iterable]], thresholds: Thresholds, today: dt.date
) -> list[ThemeShare]:
    """`theme_share` of each (filter of a period, theme, departments) asked (did it work?
    for several actions), from one grouped query: the feedback by month and department,
    counted in all and raising each theme asked. Within ``shared()``, the checks against
    wider views and edges read the same counts."""
    asked = [(filter_, theme, list(departments)) for filter_, theme, departments in asked]
    if not asked:
        return []
    with shared():
        memo, tenant_id = _SHARED.get(), current_tenant_id()
        if (tenant_id, "department_grid") not in memo:
            themes = tuple(sorted({theme for _filter, theme, _departments in asked}))
            grid, raising = _count_grids(themes)
            memo[(tenant_id, "department_grid")] = grid
            memo[(tenant_id, "theme_grid")] = (themes, raising)
        return [
            theme_share(filter_, thresholds, theme, departments, today)
            for filter_, theme, departments in asked
        ]


def _count_grids(themes: tuple[str, ...]) -> tuple[dict, dict]:
    """(month, department) → responses, and (month, department, theme) → those raising
    the theme, over every month of the tenant's feedback."""
    counted = rollup.counting(())
    model = counted.model
    rows = db.session.execute(
        sa.select(
            model.month,
            model.department_id,
            counted.responses,
            *(counted.raising(theme) for theme in themes),
        )
        .where(of_current_tenant(model))
        .group_by(model.month, model.department_id)
    )
    grid, raising = {}, {}
    for month, department, count, *raised in rows:
        grid[(_as_date(month), department)] = count
        for theme, n in zip(themes, raised, strict=True):
            raising[(_as_date(month), department, theme)] = n
    return grid, raising


def _department_grid(filter_: Filter) -> dict | None:
    """The responses by month and department, where `theme_shares` counted them and they
    serve the filter (narrowed to a department at most); else None."""
    memo = _SHARED.get()
    if memo is None or any(
        getattr(filter_, name) is not None for name in FILTER_FIELDS if name != "department_id"
    ):
        return None
    return memo.get((current_tenant_id(), "department_grid"))


def _read_off(grid: dict, filter_: Filter, department_ids=()) -> dict:
    """(month, department) → count of a grid's cells in the filter's period and its
    department (or among `department_ids`), those with any."""
    return {
        (month, department): count
        for (month, department, *_theme), count in grid.items()
        if filter_.first <= month <= filter_.last
        and filter_.department_id in (None, department)
        and (not department_ids or department in department_ids)
        and count
    }


@dataclass(frozen=True)
class Grid:
    """Themes × groups (months, departments, …): shares per cell, hidden columns empty."""

    columns: list  # group keys, in order
    sizes: dict  # group key → responses (or HIDDEN)
    cells: dict = field(default_factory=dict)  # (theme, group key) → Share or HIDDEN
    themes: list = field(default_factory=list)


def _grid(thresholds: Thresholds, sizes: dict, counts: dict, columns: Iterable) -> Grid:
    columns = list(columns)
    hidden = thresholds.hidden_groups({key: sizes.get(key, 0) for key in columns})
    grid = Grid(
        columns=columns,
        sizes={key: HIDDEN if key in hidden else sizes.get(key, 0) for key in columns},
        themes=[theme for theme, _count in _by_theme(counts).most_common()],
    )
    for theme in grid.themes:
        for key in columns:
            size = sizes.get(key, 0)
            grid.cells[(theme, key)] = (
                HIDDEN if key in hidden or not size else Share(counts.get((key, theme), 0), size)
            )
    return grid


def trend(filter_: Filter, thresholds: Thresholds) -> Grid:
    """Each theme's share per quarter of the period."""
    quarters = list(dict.fromkeys(_quarter(m) for m in filter_.months))
    sizes, counts = Counter(), Counter()
    for month, count in _sizes_by_month(filter_).items():
        sizes[_quarter(month)] += count
    for (month, theme), count in _theme_counts(filter_).items():
        counts[(_quarter(month), theme)] += count
    return _grid(thresholds, dict(sizes), dict(counts), quarters)


def _quarter(month: dt.date) -> str:
    return f"{month.year}-Q{(month.month - 1) // 3 + 1}"


def heatmap(filter_: Filter, thresholds: Thresholds, dimension: str) -> Grid:
    """Each theme's share per department (or function, or location), largest groups first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    sizes = _sizes(filter_, dimension)
    columns = sorted(sizes, key=lambda key: (-sizes[key], str(key)))
    return _grid(thresholds, sizes, _theme_counts(filter_, dimension), columns)


# --- Scores: eNPS, coming back, regretted losses, ratings ---------------------------------


@dataclass(frozen=True)
class Scores:
    enps: object  # int (−100…100) or HIDDEN
    enps_answers: int
    come_back: object  # Share or HIDDEN
    regretted: int  # regretted departures in the period (identified: HR recorded them)
    departures: int


def scores(filter_: Filter, thresholds: Thresholds) -> Scores:
    _size, answered, promoting, detracting, back_answers, back_yes = (
        sum(column)
        for column in zip((0,) * 6, *_feedback_counts(filter_, None).values(), strict=True)
    )
    enps = round(100 * ((promoting or 0) - (detracting or 0)) / answered) if answered else 0
    departed = _departures_by_month(filter_).values()
    return Scores(
        enps=thresholds.shown(enps, answered),
        enps_answers=answered,
        come_back=thresholds.shown(Share(back_yes or 0, back_answers), back_answers),
        regretted=sum(regretted for _count, regretted in departed),
        departures=sum(count for count, _regretted in departed),
    )


@dataclass(frozen=True)
class Rating:
    question_key: str
    answers: int
    average: object  # float or HIDDEN
    distribution: object  # {1: n, …, 5: n} or HIDDEN


def ratings(filter_: Filter, thresholds: Thresholds, keys: Iterable[str]) -> list[Rating]:
    """Average and distribution (1–5) of each rating question in `keys`."""
    keys = list(keys)
    if not keys:
        return []
    counts = defaultdict(dict)
    for key, number, count in _numbers(filter_, keys):
        counts[key][number] = count
    result = []
    for key in keys:
        found = counts.get(key, {})
        total = sum(found.values())
        distribution = {value: found.get(value, 0) for value in range(1, 6)}
        average = sum(v * n for v, n in found.items()) / total if total else 0.0
        result.append(
            Rating(
                key,
                total,
                thresholds.shown(round(average, 1), total),
                thresholds.shown(distribution, total),
            )
        )
    return result


def _numbers(filter_: Filter, keys: list[str]) -> list[tuple[str, int, int]]:
    """(question, number, answers) of the questions `keys` in the filter's view. On
    PostgreSQL each question is counted on its own (LATERAL), hashing only its numbers:
    a third faster than grouping every question's numbers at once."""
    if rollup.cells_serve(filter_.narrowing, rollup.RATINGS_SERVED_FILTERS):
        by_value = [getattr(RatingCell, f"n{value}") for value in rollup.RATING_SCALE]
        rows = db.session.execute(
            sa.select(RatingCell.question_key, *(sa.func.sum(n) for n in by_value))
            .where(*filter_.where(RatingCell), RatingCell.question_key.in_(keys))
            .group_by(RatingCell.question_key)
        )
        return [
            (key, value, count)
            for key, *counts in rows
            for value, count in zip(rollup.RATING_SCALE, counts, strict=True)
            if count
        ]
    numbered = [*filter_.where(AnswerInsight), AnswerInsight.number.is_not(None)]
    if db.engine.dialect.name != "postgresql":
        return db.session.execute(
            sa.select(AnswerInsight.question_key, AnswerInsight.number, sa.func.count())
            .where(*numbered, AnswerInsight.question_key.in_(keys))
            .group_by(AnswerInsight.question_key, AnswerInsight.number)
        ).all()
    wanted = sa.values(sa.column("key", sa.String), name="wanted").data([(k,) for k in keys])
    counted = (
        sa.select(AnswerInsight.number, sa.func.count().label("answers"))
        .where(*numbered, AnswerInsight.question_key == wanted.c.key)
        .group_by(AnswerInsight.number)
        .lateral("counted")
    )
    return db.session.execute(
        sa.select(wanted.c.key, counted.c.number, counted.c.answers).select_from(
            wanted.join(counted, sa.true())
        )
    ).all()


# --- Turnover -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Turnover:
    department_id: uuid.UUID | None  # None: the whole company
    departures: int
    headcount: int
    rate: float | None  # annualised departures ÷ headcount; None without a headcount

    def times(self, company: "Turnover") -> float | None:
        if self.rate is None or not company.rate:
            return None
        return self.rate / company.rate


def turnover(filter_: Filter) -> tuple[Turnover, list[Turnover]]:
    """The company's turnover and each department's, annualised over the period. Departures
    are identified facts HR recorded, not feedback: no threshold applies."""
    return _once(("turnover", filter_), lambda: _turnover(filter_))


def _turnover(filter_: Filter) -> tuple[Turnover, list[Turnover]]:
    departed = Counter()
    for (_month, department_id), (count, _regretted) in _departures(filter_).items():
        departed[department_id] += count
    headcounts = _headcounts(filter_.last)
    years = len(filter_.months) / 12
    departments = []
    for department_id, headcount in sorted(headcounts.items(), key=lambda item: str(item[0])):
        count = departed.get(department_id, 0)
        departments.append(
            Turnover(department_id, count, headcount, _rate(count, headcount, years))
        )
    total_departures = sum(departed.values())
    total_headcount = sum(headcounts.values())
    company = Turnover(
        None, total_departures, total_headcount, _rate(total_departures, total_headcount, years)
    )
    if filter_.department_id is not None:
        departments = [row for row in departments if row.department_id == filter_.department_id]
    return company, sorted(departments, key=lambda row: -(row.rate or 0))


def _rate(departures: int, headcount: int, years: float) -> float | None:
    return departures / headcount / years if headcount and years else None


def _headcounts(on: dt.date) -> dict[uuid.UUID, int]:
    """Each department's headcount in force at the end of the month `on`."""
    end = add_months(on, 1)
    latest = (
        sa.select(
            DepartmentHeadcount.department_id,
            sa.func.max(DepartmentHeadcount.effective_from).label("since"),
        )
        .where(of_current_tenant(DepartmentHeadcount), DepartmentHeadcount.effective_from < end)
        .group_by(DepartmentHeadcount.department_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(DepartmentHeadcount.department_id, DepartmentHeadcount.headcount)
        .join(
            latest,
            sa.and_(
                DepartmentHeadcount.department_id == latest.c.department_id,
                DepartmentHeadcount.effective_from == latest.c.since,
            ),
        )
        .where(of_current_tenant(DepartmentHeadcount))
    ).all()
    return dict(rows)


# --- Quotes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    text: str
    quarter: str  # never finer than the quarter
    sentiment: str | None


def quotes(filter_: Filter, thresholds: Thresholds, theme: str) -> object:
    """De-identified free-text answers that raise `theme` (list of Quote), or HIDDEN when the
    filtered group is under the quote threshold. Nothing but the text and its quarter."""
    if not thresholds.quotes_allowed(responses(filter_)):
        return HIDDEN
    if filter_.narrowed and not view_allowed(filter_, thresholds, quotes=True):
        return HIDDEN  # the quotes it leaves out would be those of a small group
    rows = db.session.execute(
        sa.select(AnswerInsight.text, AnswerInsight.month, AnswerInsight.sentiment)
        .join(
            ThemeTag,
            sa.and_(
                ThemeTag.tenant_id == AnswerInsight.tenant_id,
                ThemeTag.answer_id == AnswerInsight.id,
            ),
        )
        .where(
            *filter_.where(AnswerInsight), ThemeTag.theme == theme, AnswerInsight.text.is_not(None)
        )
        .order_by(AnswerInsight.id)  # random ids: an order that says nothing
        .limit(QUOTES_SHOWN)
    ).all()
    return [Quote(text, _quarter(month), sentiment) for text, month, sentiment in rows]
