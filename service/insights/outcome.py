"""Did it work? For a done action on a theme: how often leavers raised that theme in its
departments (the whole company when it names none) in the months before the action was
started, and since it was closed, each side through the figures' thresholds.

Takes the action's facts rather than the action, so the actions package can ask without
insights knowing its models.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from service.insights import figures
from service.insights.figures import Filter, add_months, month_start
from service.insights.thresholds import Thresholds

MONTHS_BEFORE = 6
MONTHS_AFTER = 6  # at most: from the month it was closed to the last ended month


@dataclass(frozen=True)
class Side:
    first: dt.date  # the first day of the first month
    last: dt.date  # the first day of the last month
    responses: int
    share: object  # Share or HIDDEN
    enough: bool  # as many responses as the threshold asks
    needed: int  # the threshold (k)


@dataclass(frozen=True)
class Outcome:
    theme: str
    before: Side
    after: Side

    @property
    def told(self) -> bool:
        """Both sides can be shown: the comparison can be made."""
        return bool(self.before.share) and bool(self.after.share)


def outcomes(
    themes: Iterable[str],
    department_ids: Iterable[uuid.UUID],
    created_on: dt.date,
    closed_on: dt.date,
    today: dt.date,
    thresholds: Thresholds,
) -> list[Outcome]:
    """Each theme's share before the action and since it was closed."""
    department_ids = list(department_ids)
    started = month_start(created_on)
    before = Filter(first=add_months(started, -MONTHS_BEFORE), last=add_months(started, -1))
    closed = month_start(closed_on)
    # The month in progress is never shown: closed this month, the side has no month yet.
    until = min(add_months(month_start(today), -1), add_months(closed, MONTHS_AFTER - 1))
    after = Filter(first=closed, last=until)
    return [
        Outcome(
            theme,
            _side(before, thresholds, theme, department_ids, today),
            _side(after, thresholds, theme, department_ids, today),
        )
        for theme in themes
    ]


def _side(filter_: Filter, thresholds: Thresholds, theme: str, department_ids, today) -> Side:
    found = figures.theme_share(filter_, thresholds, theme, department_ids, today)
    return Side(
        filter_.first,
        filter_.last,
        found.responses,
        found.share,
        thresholds.enough(found.responses),
        thresholds.k,
    )
