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


@dataclass(frozen=True)
class Done:
    """A done action as "did it work?" needs it."""

    themes: tuple[str, ...]
    department_ids: tuple[uuid.UUID, ...]
    created_on: dt.date
    closed_on: dt.date


def outcomes(
    themes: Iterable[str],
    department_ids: Iterable[uuid.UUID],
    created_on: dt.date,
    closed_on: dt.date,
    today: dt.date,
    thresholds: Thresholds,
) -> list[Outcome]:
    """Each theme's share before the action and since it was closed."""
    done = Done(tuple(themes), tuple(department_ids), created_on, closed_on)
    return outcomes_of([done], today, thresholds)[0]


def outcomes_of(actions: Iterable[Done], today: dt.date, thresholds: Thresholds) -> list:
    """`outcomes` of each action (a list of Outcome per action), every share read at once."""
    sides = []
    for action in actions:
        started = month_start(action.created_on)
        before = Filter(first=add_months(started, -MONTHS_BEFORE), last=add_months(started, -1))
        closed = month_start(action.closed_on)
        # The month in progress is never shown: closed this month, the side has no month yet.
        until = min(add_months(month_start(today), -1), add_months(closed, MONTHS_AFTER - 1))
        after = Filter(first=closed, last=until)
        sides.append([(before, after, theme, action.department_ids) for theme in action.themes])
    asked = [
        (filter_, theme, departments)
        for action in sides
        for before, after, theme, departments in action
        for filter_ in (before, after)
    ]
    shares = iter(figures.theme_shares(asked, thresholds, today))
    return [
        [
            Outcome(
                theme,
                _side(before, next(shares), thresholds),
                _side(after, next(shares), thresholds),
            )
            for before, after, theme, _departments in action
        ]
        for action in sides
    ]


def _side(filter_: Filter, found: figures.ThemeShare, thresholds: Thresholds) -> Side:
    return Side(
        filter_.first,
        filter_.last,
        found.responses,
        found.share,
        thresholds.enough(found.responses),
        thresholds.k,
    )
