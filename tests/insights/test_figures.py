"""Every figure, exactly, on PostgreSQL and on SQLite; and the key proof of issue 13: a
department with k − 1 responses never shows, through the dashboard, the heat map, quotes or
a subtraction of two filters."""

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from service.departures.models import Departure, DepartureStatus, TenureBand, tenure_band
from service.extensions import db
from service.insights import dashboard, figures
from service.insights.figures import Filter, Share
from service.insights.models import AnswerInsight
from service.insights.thresholds import HIDDEN, Thresholds
from service.surveys.themes import THEME_KEYS
from service.tenancy import tenant_scope
from service.tenants.models import JobFunction, Location
from tests.factories import make_department, make_departure, make_tenant
from tests.insights.insight_world import (
    SMALL_NAME,
    SMALL_SECRET,
    assert_no_small_difference,
    assert_small_department_hidden,
    insight_version,
    read_all,
    respond,
    small_department_world,
    small_world_filters,
    visible_views,
)

pytestmark = pytest.mark.usefixtures("dialect_app")

THREE = Thresholds(k=3, quote_k=6)
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def tenant():
    return make_tenant("figures", confidentiality_k=3)


@pytest.fixture
def version(tenant):
    return insight_version(tenant)


def leave(tenant, number: int, last_day: dt.date, **values):
    return make_departure(tenant, f"Leaver {number}", last_day=last_day, **values)


def in_scope(tenant, compute):
    with tenant_scope(tenant.id):
        return compute()


# --- Volume -----------------------------------------------------------------------------------


def test_volume_counts_departures_by_last_day_and_hides_small_months_with_a_partner(
    tenant, version
):
    for n in range(10):
        leave(tenant, n, dt.date(2026, 10, 1 + n))
    for n in range(10, 14):
        leave(tenant, n, dt.date(2026, 11, 30))
    leave(tenant, 14, dt.date(2026, 11, 3), status=DepartureStatus.CANCELLED)
    leave(tenant, 15, dt.date(2027, 1, 1))  # after the period
    respond(tenant, version, 5, {"pay": "no"}, month=dt.date(2026, 10, 1))
    respond(tenant, version, 1, {"pay": "no"}, month=NOV)
    respond(tenant, version, 4, {"pay": "no"}, month=dt.date(2026, 12, 1))
    read_all(tenant)
    period = Filter(first=dt.date(2026, 10, 1), last=dt.date(2026, 12, 1))
    rows = in_scope(tenant, lambda: figures.volume(period, THREE))
    assert rows == [
        figures.MonthVolume(dt.date(2026, 10, 1), 10, 5, 0.5),
        figures.MonthVolume(NOV, 4, HIDDEN, HIDDEN),
        # December (4) is hidden too: November's one response would follow by difference.
        figures.MonthVolume(dt.date(2026, 12, 1), 0, HIDDEN, HIDDEN),
    ]
    assert in_scope(tenant, lambda: figures.responses(period)) == 10


def test_volume_hides_the_months_the_trends_quarters_would_give_away(tenant, version):
    for month, count in ((1, 1), (4, 4), (7, 3), (8, 3), (10, 5)):
        respond(tenant, version, count, {"pay": "no"}, month=dt.date(2026, month, 1))
    read_all(tenant)
    year = Filter(first=dt.date(2026, 1, 1), last=dt.date(2026, 12, 1))
    with tenant_scope(tenant.id):
        shown = {row.month.month: row.responses for row in figures.volume(year, THREE)}
        trend = figures.trend(year, THREE)
    # The trend hides Q1 (1) and Q2 (4) and shows Q3 (6): were April or August shown
    # beside it, July (and then January, from the total of 16) would follow.
    assert trend.sizes == {"2026-Q1": HIDDEN, "2026-Q2": HIDDEN, "2026-Q3": 6, "2026-Q4": 5}
    assert {month for month, count in shown.items() if count is HIDDEN} == {1, 4, 7}
    assert (shown[8], shown[10]) == (3, 5)


# --- Themes -----------------------------------------------------------------------------------


def test_theme_shares_and_their_share_in_the_period_before(tenant, version):
    respond(tenant, version, 4, {"pay": "yes"}, month=NOV)
    respond(tenant, version, 1, {"pay": "no", "reason": "growth", "manager": 2}, month=NOV)
    respond(tenant, version, 1, {"pay": "no", "reason": "growth", "manager": 3}, month=NOV)
    respond(tenant, version, 1, {"pay": "yes"}, month=dt.date(2026, 8, 1))
    respond(tenant, version, 2, {"pay": "no"}, month=dt.date(2026, 8, 1))
    respond(tenant, version, 3, {"pay": "no"}, month=dt.date(2026, 9, 1))
    respond(tenant, version, 3, {"pay": "yes"}, month=dt.date(2026, 7, 1))  # before both
    read_all(tenant)
    period = Filter(first=dt.date(2026, 10, 1), last=NOV)
    assert in_scope(tenant, lambda: figures.themes(period, THREE)) == [
        figures.ThemeFigure("compensation", Share(4, 6), Share(1, 6)),
        figures.ThemeFigure("growth", Share(2, 6), Share(0, 6)),
        figures.ThemeFigure("management", Share(1, 6), Share(0, 6)),
    ]
    assert Share(4, 6).share == pytest.approx(2 / 3)
    short = Filter(first=dt.date(2026, 9, 1), last=NOV)  # before: June–August
    assert in_scope(tenant, lambda: figures.themes(short, THREE))[0].previous == Share(4, 6)


def test_a_period_never_ends_in_a_thin_month(tenant, version):
    """ "September to November" minus "September" and "November" would be October."""
    for month, count in ((dt.date(2026, 9, 1), 3), (dt.date(2026, 10, 1), 1), (NOV, 3)):
        respond(tenant, version, count, {"pay": "yes"}, month=month)
    respond(tenant, version, 1, {"pay": "yes"}, month=dt.date(2026, 12, 1))  # in progress
    read_all(tenant)

    def allowed(first: dt.date, last: dt.date) -> bool:
        period = Filter(first=first, last=last)
        return in_scope(
            tenant, lambda: figures.view_allowed(period, THREE, today=dt.date(2026, 12, 2))
        )

    september, october = dt.date(2026, 9, 1), dt.date(2026, 10, 1)
    assert allowed(dt.date(2026, 1, 1), NOV)  # nothing before, December never shown
    assert allowed(september, NOV)
    assert not allowed(september, september)  # next to October's one response
    assert not allowed(NOV, NOV)
    assert not allowed(september, october)
    assert not allowed(october, NOV)
    # Themes of the period before obey the same rule: August–October ends in October.
    assert {
        f.previous for f in in_scope(tenant, lambda: figures.themes(Filter(NOV, NOV), THREE))
    } == {HIDDEN}
    shorter = Filter(first=NOV, last=NOV)  # before: October, nothing
    assert {f.previous for f in in_scope(tenant, lambda: figures.themes(shorter, THREE))} == {
        HIDDEN
    }


# --- Trend and heat map -------------------------------------------------------------------------


def test_the_trend_is_a_grid_of_quarters_with_small_ones_hidden(tenant, version):
    respond(tenant, version, 4, {"pay": "yes"}, month=dt.date(2026, 2, 1))
    respond(tenant, version, 1, {"pay": "yes"}, month=dt.date(2026, 5, 1))
    respond(tenant, version, 3, {"pay": "yes"}, month=dt.date(2026, 10, 1))
    respond(tenant, version, 2, {"reason": "growth"}, month=dt.date(2026, 12, 1))
    read_all(tenant)
    year = Filter(first=dt.date(2026, 1, 1), last=dt.date(2026, 12, 1))
    grid = in_scope(tenant, lambda: figures.trend(year, THREE))
    assert grid.columns == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    # Q2 (1 response) is hidden with the smallest shown quarter, Q1 (4); Q3 is empty.
    assert grid.sizes == {"2026-Q1": HIDDEN, "2026-Q2": HIDDEN, "2026-Q3": 0, "2026-Q4": 5}
    assert grid.themes == ["compensation", "growth"]
    assert grid.cells == {
        ("compensation", "2026-Q1"): HIDDEN,
        ("compensation", "2026-Q2"): HIDDEN,
        ("compensation", "2026-Q3"): HIDDEN,
        ("compensation", "2026-Q4"): Share(3, 5),
        ("growth", "2026-Q1"): HIDDEN,
        ("growth", "2026-Q2"): HIDDEN,
        ("growth", "2026-Q3"): HIDDEN,
        ("growth", "2026-Q4"): Share(2, 5),
    }


def test_the_heat_map_hides_small_departments_and_one_more(tenant, version):
    a, b, c = (make_department(tenant, name) for name in ("A", "B", "C"))
    respond(tenant, version, 4, {"pay": "yes"}, department_id=a.id)
    respond(tenant, version, 2, {"reason": "growth"}, department_id=a.id)
    respond(tenant, version, 4, {"pay": "yes"}, department_id=b.id)
    respond(tenant, version, 1, {"pay": "yes"}, department_id=c.id)
    read_all(tenant)
    period = Filter(first=NOV, last=NOV)
    grid = in_scope(tenant, lambda: figures.heatmap(period, THREE, "department_id"))
    assert grid.columns == [a.id, b.id, c.id]
    assert grid.sizes == {a.id: 6, b.id: HIDDEN, c.id: HIDDEN}
    assert grid.cells[("compensation", a.id)] == Share(4, 6)
    assert grid.cells[("growth", a.id)] == Share(2, 6)
    assert {grid.cells[(theme, key)] for theme in grid.themes for key in (b.id, c.id)} == {HIDDEN}
    with pytest.raises(ValueError, match="unknown dimension"):
        in_scope(tenant, lambda: figures.heatmap(period, THREE, "full_name"))


# --- Scores and ratings ---------------------------------------------------------------------------


def test_enps_come_back_and_regretted_departures(tenant, version):
    for value, back in ((10, "yes"), (9, "yes"), (9, "yes"), (8, "no"), (7, None), (6, "no")):
        respond(tenant, version, 1, {"recommend": value, **({"back": back} if back else {})})
    respond(tenant, version, 1, {"recommend": 0})
    respond(tenant, version, 2, {"pay": "no"})  # neither question answered
    leave(tenant, 1, dt.date(2026, 11, 5), regretted=True)
    leave(tenant, 2, dt.date(2026, 11, 6), regretted=True)
    leave(tenant, 3, dt.date(2026, 11, 7))
    leave(tenant, 4, dt.date(2026, 11, 8), regretted=True, status=DepartureStatus.CANCELLED)
    read_all(tenant)
    scores = in_scope(tenant, lambda: figures.scores(Filter(first=NOV, last=NOV), THREE))
    # 3 promoters (9–10) and 2 detractors (0–6) among 7 answers: 100 × (3 − 2) / 7.
    assert scores == figures.Scores(
        enps=14, enps_answers=7, come_back=Share(3, 5), regretted=2, departures=3
    )


def test_scores_on_too_few_answers_are_hidden(tenant, version):
    respond(tenant, version, 2, {"recommend": 10, "back": "yes"})
    respond(tenant, version, 5, {"pay": "yes"})
    read_all(tenant)
    scores = in_scope(tenant, lambda: figures.scores(Filter(first=NOV, last=NOV), THREE))
    assert scores.enps is HIDDEN
    assert scores.come_back is HIDDEN


def test_ratings_average_and_distribution(tenant, version):
    for value in (1, 2, 2, 4, 5):
        respond(tenant, version, 1, {"manager": value})
    respond(tenant, version, 2, {"training": 5})
    read_all(tenant)
    found = in_scope(
        tenant,
        lambda: figures.ratings(
            Filter(first=NOV, last=NOV), THREE, ["manager", "training", "unknown"]
        ),
    )
    assert found == [
        figures.Rating("manager", 5, 2.8, {1: 1, 2: 2, 3: 0, 4: 1, 5: 1}),
        figures.Rating("training", 2, HIDDEN, HIDDEN),
        figures.Rating("unknown", 0, HIDDEN, HIDDEN),
    ]
    assert in_scope(tenant, lambda: figures.ratings(Filter(first=NOV, last=NOV), THREE, [])) == []


# --- Turnover ------------------------------------------------------------------------------------


def test_turnover_is_annualised_on_the_headcount_in_force_at_the_end(tenant):
    a = make_department(
        tenant,
        "A",
        headcounts=(
            (dt.date(2025, 1, 1), 10),
            (dt.date(2026, 7, 1), 20),
            (dt.date(2027, 1, 1), 40),
        ),
    )
    b = make_department(tenant, "B")  # 10 since 2025
    for n, day in enumerate((dt.date(2026, 2, 1), dt.date(2026, 5, 1), dt.date(2026, 8, 1))):
        leave(tenant, n, day, department_id=a.id)
    leave(tenant, 3, dt.date(2026, 12, 31), department_id=a.id)
    leave(tenant, 4, dt.date(2026, 9, 1), department_id=a.id, status=DepartureStatus.CANCELLED)
    leave(tenant, 5, dt.date(2025, 12, 31), department_id=a.id)  # before the period
    leave(tenant, 6, dt.date(2026, 3, 1), department_id=b.id)
    leave(tenant, 7, dt.date(2026, 3, 1))  # no department: the company's only
    year = Filter(first=dt.date(2026, 1, 1), last=dt.date(2026, 12, 1))
    company, departments = in_scope(tenant, lambda: figures.turnover(year))
    assert company == figures.Turnover(None, 6, 30, 0.2)
    assert departments == [
        figures.Turnover(a.id, 4, 20, 0.2),
        figures.Turnover(b.id, 1, 10, 0.1),
    ]
    assert departments[1].times(company) == pytest.approx(0.5)
    half = Filter(first=dt.date(2026, 7, 1), last=dt.date(2026, 12, 1))
    company, departments = in_scope(tenant, lambda: figures.turnover(half))
    assert departments == [figures.Turnover(a.id, 2, 20, 0.2), figures.Turnover(b.id, 0, 10, 0.0)]
    # Before July, A counted 10.
    spring = Filter(first=dt.date(2026, 4, 1), last=dt.date(2026, 6, 1), department_id=a.id)
    company, departments = in_scope(tenant, lambda: figures.turnover(spring))
    assert departments == [figures.Turnover(a.id, 1, 10, 0.4)]
    assert company.departures == 1


TENURES = (
    (None, dt.date(2026, 6, 30)),
    (dt.date(2026, 6, 30), dt.date(2026, 6, 30)),
    (dt.date(2025, 7, 1), dt.date(2026, 6, 30)),  # a day short of a year
    (dt.date(2025, 6, 30), dt.date(2026, 6, 30)),  # a year to the day
    (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),  # a leap-day hire
    (dt.date(2024, 2, 29), dt.date(2026, 3, 1)),
    (dt.date(2021, 7, 1), dt.date(2026, 6, 30)),
    (dt.date(2021, 6, 30), dt.date(2026, 6, 30)),
    (dt.date(2016, 7, 1), dt.date(2026, 6, 30)),
    (dt.date(2016, 6, 30), dt.date(2026, 6, 30)),
    (dt.date(1990, 1, 1), dt.date(2026, 6, 30)),
)


def test_the_tenure_band_of_departures_in_sql_equals_pythons(tenant):
    for n, (hired_on, last_day) in enumerate(TENURES):
        leave(tenant, n, last_day, hired_on=hired_on)
    with tenant_scope(tenant.id):
        rows = db.session.execute(
            sa.select(Departure.hired_on, Departure.last_day, Departure.tenure_band)
        ).all()
        assert len(rows) == len(TENURES)
        for hired_on, last_day, band in rows:
            assert band == tenure_band(hired_on, last_day), (hired_on, last_day)
        period = Filter(first=dt.date(2025, 1, 1), last=dt.date(2026, 12, 1))
        for band in TenureBand:
            narrowed = dataclasses.replace(period, tenure_band=band.value)
            counted = db.session.scalar(
                sa.select(sa.func.count()).select_from(Departure).where(*narrowed.where(Departure))
            )
            expected = sum(tenure_band(h, d) == band for h, d in TENURES)
            assert counted == expected, band


# --- Quotes -------------------------------------------------------------------------------------


def test_quotes_are_text_quarter_and_sentiment_in_a_random_order(tenant, version):
    for n in range(6):
        respond(tenant, version, 1, {"improve": f"Het loon was veel te laag, nummer {n}."})
    read_all(tenant)
    period = Filter(first=NOV, last=NOV)
    found = in_scope(tenant, lambda: figures.quotes(period, THREE, "compensation"))
    assert [field.name for field in dataclasses.fields(figures.Quote)] == [
        "text",
        "quarter",
        "sentiment",
    ]
    assert sorted(quote.text for quote in found) == [
        f"Het loon was veel te laag, nummer {n}." for n in range(6)
    ]
    assert {(quote.quarter, quote.sentiment) for quote in found} == {("2026-Q4", "negative")}
    with tenant_scope(tenant.id):
        by_random_id = list(
            db.session.scalars(
                sa.select(AnswerInsight.text)
                .where(AnswerInsight.question_key == "improve")
                .order_by(AnswerInsight.id)
            )
        )
    assert [quote.text for quote in found] == by_random_id
    assert in_scope(tenant, lambda: figures.quotes(period, THREE, "team")) == []


def test_quotes_under_the_quote_threshold_are_hidden(tenant, version):
    respond(tenant, version, 5, {"improve": "Het loon was veel te laag."})
    read_all(tenant)
    period = Filter(first=NOV, last=NOV)
    assert in_scope(tenant, lambda: figures.quotes(period, THREE, "compensation")) is HIDDEN


# --- The dashboard ----------------------------------------------------------------------------


def test_the_dashboard_of_an_allowed_view_holds_every_panel(tenant, version):
    sales = make_department(tenant, "Sales")
    respond(tenant, version, 4, {"pay": "yes", "manager": 4, "recommend": 10})
    respond(tenant, version, 3, {"reason": "growth", "training": 2}, department_id=sales.id)
    leave(tenant, 1, dt.date(2026, 11, 20), department_id=sales.id)
    read_all(tenant)
    period = Filter(first=dt.date(2026, 10, 1), last=NOV)
    with tenant_scope(tenant.id):
        built = dashboard.build(period, THREE, "department_id", "en")
        assert built.allowed
        assert built.responses == 7
        assert built.rating_texts == {
            "manager": "Did your manager support you?",
            "training": "Were you trained well?",
        }
        assert built.volume == figures.volume(period, THREE)
        assert built.themes == figures.themes(period, THREE)
        assert built.trend == figures.trend(period, THREE)
        assert built.heatmap == figures.heatmap(period, THREE, "department_id")
        assert built.turnover == figures.turnover(period)
        assert built.scores == figures.scores(period, THREE)
        assert built.ratings == figures.ratings(period, THREE, ["manager", "training"])
        assert dashboard.panel("ratings", period, THREE, "department_id", "en") == built.ratings
        with pytest.raises(ValueError, match="unknown panel"):
            dashboard.panel("salaries", period, THREE, "department_id", "en")
        # Sales alone leaves out 4: shown. Sales with a band of no one: nothing.
        assert dashboard.build(dataclasses.replace(period, department_id=sales.id), THREE).allowed
        empty = dataclasses.replace(period, department_id=sales.id, tenure_band="10_plus")
        assert dashboard.build(empty, THREE) == dashboard.Dashboard(empty, False, 0)


# --- The key proof: a department with k − 1 responses never shows ---------------------------


def test_a_department_under_k_never_shows_through_the_dashboard_heat_map_or_quotes():
    world = small_department_world()
    thresholds = Thresholds(k=world.k, quote_k=2 * world.k)
    whole = Filter(first=NOV, last=NOV)
    small_only = dataclasses.replace(whole, department_id=world.small.id)
    with tenant_scope(world.tenant.id):
        built = dashboard.build(small_only, thresholds)
        assert not built.allowed
        assert built.responses == 0
        assert built.themes is built.heatmap is built.scores is None
        assert not figures.view_allowed(small_only, thresholds)
        assert figures.quotes(small_only, thresholds, "compensation") is HIDDEN
        grid = figures.heatmap(whole, thresholds, "department_id")
        assert grid.sizes[world.small.id] is HIDDEN
        hidden = [key for key, size in grid.sizes.items() if size is HIDDEN]
        assert sum(world.sizes[name] for name in _names(world, hidden)) >= world.k
        assert all(grid.cells[(theme, key)] is HIDDEN for theme in grid.themes for key in hidden)
        # The dashboard of the whole shows the heat map the same way.
        built = dashboard.build(whole, thresholds)
        assert built.allowed
        assert built.heatmap.sizes[world.small.id] is HIDDEN


def test_no_two_views_subtract_to_a_group_under_k():
    """Every pair of filters, one inside the other, that both show figures differ by no
    response or by at least k; and whatever the views of single departments show, what
    they leave of the whole is no group under k."""
    world = small_department_world()
    thresholds = Thresholds(k=world.k, quote_k=2 * world.k)
    shown = visible_views(world, thresholds, NOV, NOV)
    assert_no_small_difference(shown, world.k)
    with tenant_scope(world.tenant.id):
        whole = Filter(first=NOV, last=NOV)
        grid = figures.heatmap(whole, thresholds, "department_id")
        count = figures.responses(whole)
    # A department the heat map hides shows through no filter (Kitchen alone, or Kitchen
    # with the band all of its leavers share): else whole − Sales − Kitchen = Small.
    hidden = {key for key, size in grid.sizes.items() if size is HIDDEN}
    assert hidden == {world.small.id, world.kitchen.id}
    assert not [view for view in shown if view.department_id in hidden]
    departments = [v for v in shown if v.department_id and v.tenure_band is None]
    left = count - sum(shown[view] for view in departments)
    assert left == 0 or left >= world.k


def test_quotes_of_a_part_never_subtract_to_a_small_groups_quotes():
    world = small_department_world()
    thresholds = Thresholds(k=world.k, quote_k=2 * world.k)
    with tenant_scope(world.tenant.id):
        whole = Filter(first=NOV, last=NOV)
        quoted = {
            view: figures.quotes(view, thresholds, "compensation")
            for view in small_world_filters(world, NOV, NOV)
        }
    assert [view for view, found in quoted.items() if found] == [whole]
    assert any(SMALL_SECRET in quote.text for quote in quoted[whole])
    assert quoted[dataclasses.replace(whole, department_id=world.small.id)] is HIDDEN
    # Workload, raised by Sales and Kitchen: Sales shows its quotes (what it leaves out
    # reaches the quote threshold), but not Sales with a band (which leaves out 2), nor
    # Kitchen (hidden beside Small), nor a band that leaves out fewer than 10.
    with tenant_scope(world.tenant.id):
        quoted = {
            view: figures.quotes(view, thresholds, "workload")
            for view in small_world_filters(world)
        }
    assert [view for view, found in quoted.items() if found] == [
        whole,
        dataclasses.replace(whole, department_id=world.sales.id),
    ]


def test_what_the_dashboard_and_quotes_render_never_tells_the_small_departments_words():
    world = small_department_world()
    thresholds = Thresholds(k=world.k, quote_k=2 * world.k)

    def render(view: Filter) -> str:
        with tenant_scope(world.tenant.id):
            built = dashboard.build(view, thresholds)
            quoted = [figures.quotes(view, thresholds, theme) for theme in THEME_KEYS]
        return f"{built!r}\n{quoted!r}"

    assert SMALL_SECRET in render(Filter(first=NOV, last=NOV))  # the whole's quotes hold it
    assert_small_department_hidden(world, render)


def _names(world, ids) -> list[str]:
    names = {world.small.id: SMALL_NAME, world.sales.id: "Sales", world.kitchen.id: "Kitchen"}
    return [names[key] for key in ids]


# --- One count, read by every panel ---------------------------------------------------------


def _each_figure(view: Filter, first_asked: Filter | None = None) -> dict:
    """Every figure of `view` and of the period before it, `first_asked` asked first."""
    found = {}
    if first_asked is not None:
        found["first"] = figures.heatmap(first_asked, THREE, "job_function_id")
    for name, period in (("now", view), ("before", view.previous())):
        found[name] = (
            figures.responses(period),
            figures.volume(period, THREE),
            figures.themes(period, THREE),
            figures.trend(period, THREE),
            [figures.heatmap(period, THREE, dimension) for dimension in figures.DIMENSIONS],
            figures.scores(period, THREE),
            figures.turnover(period),
            figures.view_allowed(period, THREE, today=dt.date(2026, 12, 2)),
        )
    return found


def test_figures_read_off_the_shared_counts_equal_each_figure_read_alone(tenant, version):
    """The dashboard page counts the tags, the feedback and the departures once for every
    panel and pattern (figures.shared: both periods, every dimension, GROUPING SETS on
    PostgreSQL); each figure read off those counts is the one its own query gives."""
    sales, it = make_department(tenant, "Sales"), make_department(tenant, "IT")
    with tenant_scope(tenant.id):
        functions = [JobFunction(name="Representative"), JobFunction(name="Lead")]
        gent = Location(name="Gent", city="Gent")
        db.session.add_all([*functions, gent])
        db.session.commit()
        rep, lead, gent_id = functions[0].id, functions[1].id, gent.id
    answers = [
        {"pay": "yes", "manager": 2, "recommend": 10, "reason": "growth"},
        {"pay": "no", "training": 1, "recommend": 3, "reason": "compensation", "back": "yes"},
        {"manager": 5, "recommend": 8, "back": "no"},
    ]
    months = [dt.date(2026, number, 1) for number in (5, 6, 7, 9, 10, 11)]
    for index, month in enumerate(months):
        for number, department in enumerate((sales, it, None)):
            turn = (index + number) % 3
            respond(
                tenant,
                version,
                3 + turn,
                answers[turn],
                month=month,
                department_id=getattr(department, "id", None),
                job_function_id=(rep, lead, None)[(index + 2 * number) % 3],
                location_id=gent_id if number else None,
            )
        leave(tenant, index, month.replace(day=15), department_id=sales.id, regretted=index % 2)
    read_all(tenant)
    period = Filter(first=dt.date(2026, 9, 1), last=NOV)
    views = [
        period,
        dataclasses.replace(period, department_id=sales.id),
        dataclasses.replace(period, job_function_id=rep),
    ]
    with tenant_scope(tenant.id):
        alone = [_each_figure(view, first_asked=view.previous()) for view in views]
        for found in alone:
            assert found["now"][0]  # both periods hold responses
            assert found["before"][0]
            assert any(grid.themes for grid in found["now"][4])
        # One page, or a report of several views: each view read off its own counts.
        with figures.shared():
            assert [_each_figure(view, first_asked=view.previous()) for view in views] == alone
        with figures.shared():
            assert [_each_figure(view) for view in views] == [
                {key: found[key] for key in ("now", "before")} for found in alone
            ]
