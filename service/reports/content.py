"""What a report says, as plain JSON-ready data: built once when it is sent, kept with the
report, and worded in each reader's language only when it is rendered (email, page, PDF).

Every figure about answers comes from the insights dashboard for the report's whole months
(service/insights/dashboard.py, so the thresholds apply exactly as on the dashboard: a
hidden value is None here); the period before is built the same way. Action progress is
about the report's own period (a week, a month or a quarter) and names owners: actions are
not confidential answers.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from service.actions.board import owner_names_of
from service.actions.models import PENDING_STATUSES, Action, ActionStatus
from service.actions.services import load_links
from service.extensions import db
from service.insights import dashboard, figures, outcome, patterns
from service.insights.figures import Filter, Share
from service.insights.thresholds import HIDDEN, Thresholds
from service.model_types import as_utc
from service.reports.periods import Period
from service.tenancy import of_current_tenant
from service.tenants.models import Tenant

VERSION = 1
# The dashboard's panels a report reads (key figures, top themes with their trend).
REPORTED_PANELS = ("scores", "themes")
TOP_THEMES = 5
HOT_SPOTS = 5
ACTIONS_LISTED = 10  # per list; the count says how many there are in all
# "Did it work?" for actions closed within this many days before the period's end.
RECENTLY_CLOSED_DAYS = 183


def build(tenant: Tenant, period: Period, today: dt.date) -> dict:
    """The content of ``tenant``'s report for ``period`` (the current tenant), as of ``today``
    (the tenant's date when it is sent)."""
    thresholds = Thresholds.of(tenant)
    months = period.figures_filter()
    actions = _ReportActions.read(tenant, period)
    with figures.shared():  # the figures asked for twice (views, sizes) are read once
        now = dashboard.build(months, thresholds, panels=REPORTED_PANELS)
        before = dashboard.build(months.previous(), thresholds, panels=("scores",))
        hot_spots = patterns.patterns(months, thresholds)[:HOT_SPOTS] if now.allowed else []
        did_it_work = _did_it_work(tenant, actions.recently_closed, today, thresholds)
    return {
        "version": VERSION,
        "company": tenant.name,
        "cadence": str(period.cadence),
        "period": {"key": period.key, "start": _day(period.start), "end": _day(period.end)},
        "months": _months(months),
        "previous_months": _months(months.previous()),
        "k": thresholds.k,
        "shown": now.allowed,
        "key_figures": _key_figures(now, before),
        "themes": _themes(now),
        "hot_spots": [_pattern(pattern) for pattern in hot_spots],
        "actions": _actions(actions, today),
        "did_it_work": did_it_work,
    }


def _day(day: dt.date) -> str:
    return day.isoformat()


def _months(filter_: Filter) -> dict:
    return {"first": _day(filter_.first), "last": _day(filter_.last)}


def _value(value):
    """A figure as JSON: a Share becomes its share, HIDDEN becomes None."""
    if value is HIDDEN:
        return None
    if isinstance(value, Share):
        return value.share
    return value


def _key_figures(now: dashboard.Dashboard, before: dashboard.Dashboard) -> dict:
    def pair(read) -> dict:
        return {"now": read(now), "before": read(before)}

    def of_scores(name: str):
        return lambda board: _value(getattr(board.scores, name)) if board.allowed else None

    return {
        "departures": pair(of_scores("departures")),
        "responses": pair(lambda board: board.responses if board.allowed else None),
        "response_rate": pair(lambda board: board.response_rate if board.allowed else None),
        "enps": pair(of_scores("enps")),
        "come_back": pair(of_scores("come_back")),
        "regretted": pair(of_scores("regretted")),
    }


def _themes(now: dashboard.Dashboard) -> list[dict]:
    if not now.allowed:
        return []
    shown = [figure for figure in now.themes if figure.share is not HIDDEN]
    return [
        {
            "theme": figure.theme,
            "share": _value(figure.share),
            "previous": _value(figure.previous),
            "trend": dashboard.trend_of(figure),
        }
        for figure in shown[:TOP_THEMES]
    ]


def _pattern(pattern: patterns.Pattern) -> dict:
    return {
        "kind": pattern.kind,
        "theme": pattern.theme,
        "dimension": pattern.dimension,
        "group_id": str(pattern.group_id),
        "group_name": pattern.group_name,
        "figures": pattern.figures,
    }


def as_pattern(data: dict) -> patterns.Pattern:
    """A kept hot spot as the pattern that words it (in the language of the moment)."""
    return patterns.Pattern(
        data["kind"],
        data["theme"],
        data["dimension"],
        uuid.UUID(data["group_id"]),
        data["group_name"],
        data["figures"],
    )


def _moment(day: dt.date, zone: str) -> dt.datetime:
    """The start of ``day`` in the tenant's zone, in UTC (as every moment is stored)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


@dataclass(frozen=True)
class _ReportActions:
    """The actions a report speaks of, read at once with their themes and departments."""

    done: list[Action]  # done within the period, last done first
    pending: list[Action]  # soonest due first
    created: list[Action]  # created within the period, newest first
    recently_closed: list[Action]  # done within RECENTLY_CLOSED_DAYS, last done first

    @classmethod
    def read(cls, tenant: Tenant, period: Period) -> "_ReportActions":
        start = _moment(period.start, tenant.time_zone)
        end = _moment(period.end + dt.timedelta(days=1), tenant.time_zone)
        since = _moment(period.end - dt.timedelta(days=RECENTLY_CLOSED_DAYS), tenant.time_zone)
        read = load_links(
            db.session.scalars(
                sa.select(Action)
                .where(
                    of_current_tenant(Action),
                    sa.or_(
                        Action.status.in_(PENDING_STATUSES),
                        sa.and_(
                            Action.status == ActionStatus.DONE,
                            Action.done_at >= min(start, since),
                            Action.done_at < end,
                        ),
                        sa.and_(Action.created_at >= start, Action.created_at < end),
                    ),
                )
                .order_by(Action.due_on, Action.title)
            ).all()
        )
        done = sorted(
            (action for action in read if action.status == ActionStatus.DONE),
            key=lambda action: as_utc(action.done_at),
            reverse=True,
        )
        return cls(
            done=[action for action in done if start <= as_utc(action.done_at) < end],
            pending=[action for action in read if action.status in PENDING_STATUSES],
            created=sorted(
                (action for action in read if start <= as_utc(action.created_at) < end),
                key=lambda action: as_utc(action.created_at),
                reverse=True,
            ),
            recently_closed=[action for action in done if since <= as_utc(action.done_at) < end],
        )


def _actions(actions: _ReportActions, today: dt.date) -> dict:
    done, pending, created = actions.done, actions.pending, actions.created
    overdue = [action for action in pending if action.due_on < today]
    on_track = [action for action in pending if action.due_on >= today]
    names = owner_names_of({action.owner_membership_id for action in (*done, *pending, *created)})

    def listed(actions) -> dict:
        return {
            "count": len(actions),
            "items": [
                {
                    "title": action.title,
                    "owner": names.get(action.owner_membership_id, ""),
                    "due_on": _day(action.due_on),
                    "status": str(action.status),
                    "progress": action.progress_percent,
                    "outcome": action.outcome,
                    "themes": action.themes,
                }
                for action in actions[:ACTIONS_LISTED]
            ],
        }

    return {
        "done": listed(done),
        "on_track": listed(on_track),
        "overdue": listed(overdue),
        "new": listed(created),
    }


def _did_it_work(
    tenant: Tenant, closed: list[Action], today: dt.date, thresholds: Thresholds
) -> list[dict]:
    closed = [action for action in closed if action.themes]
    zone = ZoneInfo(tenant.time_zone)
    done = [
        outcome.Done(
            tuple(action.themes),
            tuple(action.department_ids),
            as_utc(action.created_at).astimezone(zone).date(),
            as_utc(action.done_at).astimezone(zone).date(),
        )
        for action in closed
    ]
    found = [
        {
            "title": action.title,
            "theme": result.theme,
            "before": _side(result.before),
            "after": _side(result.after),
        }
        for action, results in zip(
            closed, outcome.outcomes_of(done, today, thresholds), strict=True
        )
        for result in results
        if result.told
    ]
    return found[:ACTIONS_LISTED]


def _side(side: outcome.Side) -> dict:
    return {
        "first": _day(side.first),
        "last": _day(side.last),
        "responses": side.responses,
        "share": _value(side.share),
    }
