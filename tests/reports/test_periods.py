"""Report periods, pure: their keys, when each cadence's report is due (in the tenant's time
zone, across daylight saving changes), the latest due period at a moment, and the rule that a
period whose moment came before the reports were switched on is never sent."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.insights.figures import Filter
from service.reports.models import Cadence
from service.reports.periods import Period, due_moment, latest_due, period_containing

BRUSSELS = "Europe/Brussels"
UTC = dt.UTC
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=UTC)
MONDAY, WEDNESDAY, SUNDAY = 0, 2, 6


@pytest.fixture(autouse=True)
def _fresh_embedded_state():
    """Pure tests: no app, no database (the reports conftest's autouse fixture needs both)."""
    return


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def report_settings(cadence=Cadence.MONTHLY, **values) -> SimpleNamespace:
    """What latest_due reads of ReportSettings: switched on long ago unless told."""
    fields = {
        "enabled": True,
        "enabled_at": LONG_AGO,
        "cadence": cadence,
        "weekday": MONDAY,
        "day_of_month": 1,
        "hour": 8,
        **values,
    }
    return SimpleNamespace(**fields)


def moment_of(period: Period, s: SimpleNamespace, zone: str = BRUSSELS) -> dt.datetime:
    return due_moment(period, s.weekday, s.day_of_month, s.hour, zone)


# --- Keys and neighbours ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "day", "key", "start", "end"),
    [
        (Cadence.MONTHLY, dt.date(2026, 11, 17), "2026-11", dt.date(2026, 11, 1), (2026, 11, 30)),
        (Cadence.MONTHLY, dt.date(2028, 2, 29), "2028-02", dt.date(2028, 2, 1), (2028, 2, 29)),
        (Cadence.QUARTERLY, dt.date(2026, 11, 17), "2026-Q4", dt.date(2026, 10, 1), (2026, 12, 31)),
        (Cadence.QUARTERLY, dt.date(2027, 1, 1), "2027-Q1", dt.date(2027, 1, 1), (2027, 3, 31)),
        (Cadence.QUARTERLY, dt.date(2027, 6, 30), "2027-Q2", dt.date(2027, 4, 1), (2027, 6, 30)),
        # ISO weeks across a year boundary: the week holding 1 January 2026 (a Thursday)
        # starts on Monday 29 December 2025 and is week 1 of 2026 …
        (Cadence.WEEKLY, dt.date(2025, 12, 29), "2026-W01", dt.date(2025, 12, 29), (2026, 1, 4)),
        (Cadence.WEEKLY, dt.date(2026, 1, 1), "2026-W01", dt.date(2025, 12, 29), (2026, 1, 4)),
        # … 2026 has 53 weeks, and 1 January 2027 (a Friday) is in the last of them …
        (Cadence.WEEKLY, dt.date(2026, 12, 31), "2026-W53", dt.date(2026, 12, 28), (2027, 1, 3)),
        (Cadence.WEEKLY, dt.date(2027, 1, 3), "2026-W53", dt.date(2026, 12, 28), (2027, 1, 3)),
        # … and week 1 of 2027 starts on Monday 4 January.
        (Cadence.WEEKLY, dt.date(2027, 1, 4), "2027-W01", dt.date(2027, 1, 4), (2027, 1, 10)),
        (Cadence.WEEKLY, dt.date(2026, 11, 29), "2026-W48", dt.date(2026, 11, 23), (2026, 11, 29)),
    ],
)
def test_period_containing_a_day_and_its_key(cadence, day, key, start, end):
    period = period_containing(cadence, day)
    assert (period.key, period.start, period.end) == (key, start, dt.date(*end))
    assert period.start.weekday() == MONDAY or cadence != Cadence.WEEKLY


def test_neighbours_cross_the_year_boundary():
    assert period_containing(Cadence.MONTHLY, dt.date(2027, 1, 9)).previous().key == "2026-12"
    assert period_containing(Cadence.MONTHLY, dt.date(2026, 12, 9)).next().key == "2027-01"
    assert period_containing(Cadence.QUARTERLY, dt.date(2027, 2, 1)).previous().key == "2026-Q4"
    assert period_containing(Cadence.QUARTERLY, dt.date(2026, 12, 1)).next().key == "2027-Q1"
    week53 = period_containing(Cadence.WEEKLY, dt.date(2026, 12, 30))
    assert (week53.previous().key, week53.key, week53.next().key) == (
        "2026-W52",
        "2026-W53",
        "2027-W01",
    )
    assert period_containing(Cadence.WEEKLY, dt.date(2026, 1, 5)).previous().key == "2026-W01"
    assert period_containing(Cadence.WEEKLY, dt.date(2025, 12, 28)).key == "2025-W52"


def months(first: tuple, last: tuple) -> Filter:
    return Filter(first=dt.date(*first, 1), last=dt.date(*last, 1))


def test_figures_cover_whole_ended_months():
    november = period_containing(Cadence.MONTHLY, dt.date(2026, 11, 5))
    assert november.figures_filter() == months((2026, 11), (2026, 11))
    q4 = period_containing(Cadence.QUARTERLY, dt.date(2026, 11, 5))
    assert q4.figures_filter() == months((2026, 10), (2026, 12))
    # A week: the last month ended by the end of the week (its report is due after it).
    inside = period_containing(Cadence.WEEKLY, dt.date(2026, 11, 18))  # 16–22 November
    assert inside.figures_filter() == months((2026, 10), (2026, 10))
    last_of_month = period_containing(Cadence.WEEKLY, dt.date(2026, 11, 29))  # 23–29 Nov
    assert last_of_month.figures_filter() == months((2026, 10), (2026, 10))
    across = period_containing(Cadence.WEEKLY, dt.date(2026, 12, 2))  # 30 Nov – 6 Dec
    assert across.figures_filter() == months((2026, 11), (2026, 11))
    ends_on_last_day = period_containing(Cadence.WEEKLY, dt.date(2027, 1, 31))  # 25–31 Jan
    assert ends_on_last_day.figures_filter() == months((2027, 1), (2027, 1))


# --- Due moments --------------------------------------------------------------------------


def test_monthly_and_quarterly_reports_are_due_on_the_chosen_day_after_the_period():
    november = period_containing(Cadence.MONTHLY, dt.date(2026, 11, 1))
    assert due_moment(november, MONDAY, 1, 8, BRUSSELS) == utc(2026, 12, 1, 7)
    assert due_moment(november, SUNDAY, 28, 23, BRUSSELS) == utc(2026, 12, 28, 22)
    december = period_containing(Cadence.MONTHLY, dt.date(2026, 12, 1))
    assert due_moment(december, MONDAY, 3, 0, BRUSSELS) == utc(2027, 1, 2, 23)  # midnight CET
    q4 = period_containing(Cadence.QUARTERLY, dt.date(2026, 12, 1))
    assert due_moment(q4, MONDAY, 15, 9, BRUSSELS) == utc(2027, 1, 15, 8)


def test_weekly_reports_are_due_on_the_chosen_weekday_after_the_week():
    week = period_containing(Cadence.WEEKLY, dt.date(2026, 11, 25))  # Mon 23 – Sun 29 Nov
    assert due_moment(week, MONDAY, 1, 8, BRUSSELS) == utc(2026, 11, 30, 7)  # the day after
    assert due_moment(week, WEDNESDAY, 1, 8, BRUSSELS) == utc(2026, 12, 2, 7)
    assert due_moment(week, SUNDAY, 1, 8, BRUSSELS) == utc(2026, 12, 6, 7)  # a week later
    # The day of the month plays no part in a weekly report.
    assert due_moment(week, WEDNESDAY, 28, 8, BRUSSELS) == due_moment(
        week, WEDNESDAY, 1, 8, BRUSSELS
    )


def test_due_moments_keep_the_local_hour_across_daylight_saving_changes():
    # Brussels: CET (UTC+1) until Sunday 29 March 2026, CEST (UTC+2) until 25 October.
    february = period_containing(Cadence.MONTHLY, dt.date(2026, 2, 1))
    march = period_containing(Cadence.MONTHLY, dt.date(2026, 3, 1))
    september = period_containing(Cadence.MONTHLY, dt.date(2026, 9, 1))
    october = period_containing(Cadence.MONTHLY, dt.date(2026, 10, 1))
    assert due_moment(february, MONDAY, 1, 8, BRUSSELS) == utc(2026, 3, 1, 7)
    assert due_moment(march, MONDAY, 1, 8, BRUSSELS) == utc(2026, 4, 1, 6)
    assert due_moment(september, MONDAY, 1, 8, BRUSSELS) == utc(2026, 10, 1, 6)
    assert due_moment(october, MONDAY, 1, 8, BRUSSELS) == utc(2026, 11, 1, 7)
    # The week that ends on the night the clocks go forward: due Monday 08:00 summer time.
    week = period_containing(Cadence.WEEKLY, dt.date(2026, 3, 29))
    before = week.previous()
    assert due_moment(before, MONDAY, 1, 8, BRUSSELS) == utc(2026, 3, 23, 7)
    assert due_moment(week, MONDAY, 1, 8, BRUSSELS) == utc(2026, 3, 30, 6)
    # Due on the very Sunday of the change, at 08:00: already summer time.
    assert due_moment(before, SUNDAY, 1, 8, BRUSSELS) == utc(2026, 3, 29, 6)
    # 02:00 does not exist that Sunday: the moment is still one definite instant (03:00 CEST;
    # compared in UTC: Python never calls a time in a gap equal to one of another zone).
    assert due_moment(before, SUNDAY, 1, 2, BRUSSELS).astimezone(UTC) == utc(2026, 3, 29, 1)
    for moment in (due_moment(before, SUNDAY, 1, h, BRUSSELS) for h in range(24)):
        assert moment.astimezone(ZoneInfo(BRUSSELS)).date() == dt.date(2026, 3, 29)


def test_the_tenants_time_zone_decides_the_day_and_hour():
    november = period_containing(Cadence.MONTHLY, dt.date(2026, 11, 1))
    assert due_moment(november, MONDAY, 1, 8, "Asia/Tokyo") == utc(2026, 11, 30, 23)
    assert due_moment(november, MONDAY, 1, 8, "America/New_York") == utc(2026, 12, 1, 13)
    # 30 November 23:30 UTC: already 1 December 08:30 in Tokyo, still midnight in Brussels.
    now = utc(2026, 11, 30, 23, 30)
    assert latest_due(report_settings(), "Asia/Tokyo", now)[0].key == "2026-11"
    assert latest_due(report_settings(), BRUSSELS, now)[0].key == "2026-10"


# --- The latest due period ----------------------------------------------------------------


def test_latest_due_before_at_and_after_the_moment():
    monthly = report_settings(day_of_month=3, hour=9)  # 3rd of the month, 09:00 (08:00 UTC)
    assert latest_due(monthly, BRUSSELS, utc(2026, 12, 3, 7, 59, 59))[0].key == "2026-10"
    assert latest_due(monthly, BRUSSELS, utc(2026, 12, 3, 8)) == (
        period_containing(Cadence.MONTHLY, dt.date(2026, 11, 1)),
        utc(2026, 12, 3, 8),
    )
    assert latest_due(monthly, BRUSSELS, utc(2026, 12, 31, 23))[0].key == "2026-11"
    assert latest_due(monthly, BRUSSELS, utc(2027, 1, 3, 8))[0].key == "2026-12"

    weekly = report_settings(Cadence.WEEKLY, weekday=WEDNESDAY, hour=7)
    # Tuesday 1 December: week 48's report (due Wednesday 2nd) is still ahead: week 47's.
    assert latest_due(weekly, BRUSSELS, utc(2026, 12, 1, 12))[0].key == "2026-W47"
    assert latest_due(weekly, BRUSSELS, utc(2026, 12, 2, 6))[0].key == "2026-W48"
    assert latest_due(weekly, BRUSSELS, utc(2026, 12, 6, 22))[0].key == "2026-W48"

    quarterly = report_settings(Cadence.QUARTERLY, day_of_month=1, hour=8)
    assert latest_due(quarterly, BRUSSELS, utc(2027, 1, 1, 6))[0].key == "2026-Q3"
    assert latest_due(quarterly, BRUSSELS, utc(2027, 1, 1, 7))[0].key == "2026-Q4"
    assert latest_due(quarterly, BRUSSELS, utc(2027, 3, 31, 12))[0].key == "2026-Q4"


def test_latest_due_across_the_clock_change():
    # Monday 30 March 2026, 08:00 in Brussels is 06:00 UTC (summer time since Sunday).
    weekly = report_settings(Cadence.WEEKLY, weekday=MONDAY, hour=8)
    assert latest_due(weekly, BRUSSELS, utc(2026, 3, 30, 5, 59))[0].key == "2026-W12"
    assert latest_due(weekly, BRUSSELS, utc(2026, 3, 30, 6))[0].key == "2026-W13"
    # And back: Monday 26 October 08:00 is 07:00 UTC again.
    assert latest_due(weekly, BRUSSELS, utc(2026, 10, 26, 6, 59))[0].key == "2026-W42"
    assert latest_due(weekly, BRUSSELS, utc(2026, 10, 26, 7))[0].key == "2026-W43"


def test_a_period_whose_moment_came_before_switching_on_is_never_sent():
    # Switched on on 15 November: October's report (due 1 November) never goes out …
    switched_on = report_settings(enabled_at=utc(2026, 11, 15, 10))
    for now in (utc(2026, 11, 15, 10), utc(2026, 11, 20), utc(2026, 12, 1, 6, 59)):
        assert latest_due(switched_on, BRUSSELS, now) is None
    # … November's (due 1 December 08:00) is the first.
    assert latest_due(switched_on, BRUSSELS, utc(2026, 12, 1, 7))[0].key == "2026-11"
    # Switched on at the very moment: that period is sent; a second later: it is not.
    at_the_moment = report_settings(enabled_at=utc(2026, 12, 1, 7))
    assert latest_due(at_the_moment, BRUSSELS, utc(2026, 12, 1, 7))[0].key == "2026-11"
    just_after = report_settings(enabled_at=utc(2026, 12, 1, 7, 0, 1))
    assert latest_due(just_after, BRUSSELS, utc(2026, 12, 20)) is None
    # Off, or never switched on: nothing.
    assert latest_due(report_settings(enabled=False), BRUSSELS, utc(2026, 12, 20)) is None
    assert latest_due(report_settings(enabled_at=None), BRUSSELS, utc(2026, 12, 20)) is None


def test_enabled_at_as_sqlite_returns_it_naive_is_read_as_utc():
    naive = report_settings(enabled_at=dt.datetime(2026, 12, 1, 7, 0, 1))
    assert latest_due(naive, BRUSSELS, utc(2026, 12, 20)) is None
    naive_before = report_settings(enabled_at=dt.datetime(2026, 12, 1, 6, 59))
    assert latest_due(naive_before, BRUSSELS, utc(2026, 12, 20))[0].key == "2026-11"


# --- Properties ---------------------------------------------------------------------------

ZONES = (
    BRUSSELS,
    "UTC",
    "Asia/Tokyo",
    "America/New_York",
    "Australia/Lord_Howe",  # a half-hour daylight saving shift
    "Pacific/Chatham",  # UTC+12:45 / +13:45
    "Pacific/Kiritimati",  # UTC+14: a day ahead of UTC for most of it
    "America/Santiago",  # clocks change at midnight
)

nows = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(UTC)
)
any_settings = st.builds(
    report_settings,
    cadence=st.sampled_from(list(Cadence)),
    weekday=st.integers(0, 6),
    day_of_month=st.integers(1, 28),
    hour=st.integers(0, 23),
)


@settings(max_examples=400)
@given(s=any_settings, zone=st.sampled_from(ZONES), now=nows)
def test_latest_due_is_the_last_period_ended_and_due_by_now(s, zone, now):
    period, moment = latest_due(s, zone, now)
    assert moment == moment_of(period, s, zone)
    assert moment <= now
    assert moment.astimezone(ZoneInfo(zone)).date() > period.end  # due after it ended
    assert period.end < now.astimezone(ZoneInfo(zone)).date()  # it ended before now
    assert moment_of(period.next(), s, zone) > now  # the next one is not due yet
    assert period_containing(s.cadence, period.start) == period
    assert period.next().previous() == period
    assert period.next().start == period.end + dt.timedelta(days=1)


@settings(max_examples=300)
@given(s=any_settings, zone=st.sampled_from(ZONES), now=nows)
def test_each_period_becomes_the_latest_due_at_its_moment_and_stays_until_the_next(s, zone, now):
    """A scan at any moment sees every period in turn: none is skipped, none comes back."""
    period, moment = latest_due(s, zone, now)
    following = period.next()
    next_moment = moment_of(following, s, zone)
    tick = dt.timedelta(microseconds=1)
    assert latest_due(s, zone, moment)[0] == period
    assert latest_due(s, zone, next_moment - tick)[0] == period
    assert latest_due(s, zone, next_moment)[0] == following
    assert next_moment > moment


@settings(max_examples=300)
@given(
    s=any_settings,
    zone=st.sampled_from(ZONES),
    now=nows,
    switched_on=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=120)),
)
def test_switching_on_sends_only_periods_due_after_it(s, zone, now, switched_on):
    enabled_at = now - switched_on
    period, moment = latest_due(s, zone, now)
    found = latest_due(report_settings(**{**vars(s), "enabled_at": enabled_at}), zone, now)
    if moment >= enabled_at:
        assert found == (period, moment)
    else:
        assert found is None
