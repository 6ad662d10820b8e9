"""Report periods: which period a cadence covers, when its report is due, and which whole
months its figures show.

A period is a calendar week (Monday to Sunday), month or quarter in the tenant's time zone.
Its report is due at the first sending moment after it ends: the chosen weekday (weekly) or
day of the month after (monthly, quarterly), at the chosen hour. The figures always cover
whole ended months, as the dashboard does (the month in progress is never shown): a monthly
or quarterly report shows its own months; a weekly report shows the last month ended by the
end of its week (its action progress is the week's).
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from service.insights.figures import Filter, add_months, month_start
from service.model_types import as_utc
from service.reports.models import Cadence


@dataclass(frozen=True)
class Period:
    cadence: Cadence
    start: dt.date  # first day
    end: dt.date  # last day

    @property
    def key(self) -> str:
        if self.cadence == Cadence.WEEKLY:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.cadence == Cadence.QUARTERLY:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    def previous(self) -> "Period":
        return period_containing(self.cadence, self.start - dt.timedelta(days=1))

    def next(self) -> "Period":
        return period_containing(self.cadence, self.end + dt.timedelta(days=1))

    def figures_filter(self) -> Filter:
        """The whole months whose figures the report shows."""
        if self.cadence == Cadence.WEEKLY:
            last = add_months(month_start(self.end + dt.timedelta(days=1)), -1)
            return Filter(first=last, last=last)
        return Filter(first=self.start, last=month_start(self.end))


def period_containing(cadence: Cadence, day: dt.date) -> Period:
    if cadence == Cadence.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return Period(cadence, start, start + dt.timedelta(days=6))
    if cadence == Cadence.QUARTERLY:
        start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(cadence, start, add_months(start, 3) - dt.timedelta(days=1))
    start = month_start(day)
    return Period(cadence, start, add_months(start, 1) - dt.timedelta(days=1))


def due_moment(
    period: Period, weekday: int, day_of_month: int, hour: int, zone: str
) -> dt.datetime:
    """When the report of ``period`` goes out (aware, in the tenant's zone)."""
    after = period.end + dt.timedelta(days=1)
    if period.cadence == Cadence.WEEKLY:
        day = after + dt.timedelta(days=(weekday - after.weekday()) % 7)
    else:
        day = after.replace(day=day_of_month)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(zone))


def latest_due(settings, zone: str, now: dt.datetime) -> tuple[Period, dt.datetime] | None:
    """The latest period whose report was due by ``now``, and when it was due; None when
    that moment came before the reports were switched on (or they are off)."""
    if not settings.enabled or settings.enabled_at is None:
        return None
    local = now.astimezone(ZoneInfo(zone))
    period = period_containing(settings.cadence, local.date()).previous()
    args = (settings.weekday, settings.day_of_month, settings.hour, zone)
    moment = due_moment(period, *args)
    if moment > now:  # this period's moment is still ahead: the one before is the latest
        period = period.previous()
        moment = due_moment(period, *args)
    return (period, moment) if moment >= as_utc(settings.enabled_at) else None
