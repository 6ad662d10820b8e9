"""Patterns that need attention: a few plain sentences above the dashboard's figures.

Each sentence is read off figures the dashboard already shows (service/insights/figures.py,
so every threshold is already applied there): a theme that rose sharply in a department or
function, a department that loses people much faster than the company, a function where
many leavers say the role was not what they expected. What counts as "sharp" is decided
here; what may be shown at all never is. Each pattern carries what "Create action" needs.
"""

import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from service.extensions import db
from service.insights import figures
from service.insights.detection import OTHER
from service.insights.figures import Filter, Share
from service.insights.taxonomy import theme_label
from service.insights.thresholds import Thresholds
from service.tenancy import of_current_tenant
from service.tenants.models import Department, JobFunction

RISE_POINTS = 0.15  # a theme's share rose by at least 15 percentage points …
RISE_TIMES = 1.5  # … and to at least 1.5 times what it was
TURNOVER_TIMES = 1.5  # a department's attrition at least 1.5 times the company's …
TURNOVER_DEPARTURES = 3  # … resting on at least a few departures
ROLE_FIT_SHARE = 0.30  # a function where at least 30% of leavers raise role fit
ROLE_FIT = "role_fit"
GROUPED = {"department_id": Department, "job_function_id": JobFunction}


@dataclass(frozen=True)
class Pattern:
    kind: str  # "rise", "turnover", "role_fit"
    theme: str | None  # what an action would address (None: attrition, no theme)
    dimension: str  # "department_id" or "job_function_id"
    group_id: uuid.UUID
    group_name: str
    figures: dict = field(default_factory=dict)  # the numbers the sentence shows

    @property
    def sentence(self) -> str:
        """The pattern in words, in the language of the moment it is read (a report words
        the same pattern for each recipient)."""
        if self.kind == "rise":
            return _(
                "%(theme)s raised in %(share)s of exits in %(group)s, up from "
                "%(previous)s in the period before.",
                theme=theme_label(self.theme),
                share=_percent(self.figures["share"]),
                group=self.group_name,
                previous=_percent(self.figures["previous_share"]),
            )
        if self.kind == "role_fit":
            return _(
                "%(share)s of leavers in %(function)s say the role was not what they "
                "expected: review the job description and vacancy text for %(function)s.",
                share=_percent(self.figures["share"]),
                function=self.group_name,
            )
        return _(
            "Attrition in %(department)s is %(times)s× the company rate "
            "(%(departures)s departures).",
            department=self.group_name,
            times=format_decimal(self.figures["times"], "0.0"),
            departures=format_decimal(self.figures["departures"]),
        )


def patterns(filter_: Filter, thresholds: Thresholds) -> list[Pattern]:
    """The patterns of the filtered view, largest first within each kind; none when the
    view itself may not be shown."""
    if not figures.view_allowed(filter_, thresholds):
        return []
    names = _names()
    before = filter_.previous()
    found: list[Pattern] = []
    with figures.shared():  # the heat maps of both periods rest on one count of the tags
        before_allowed = figures.view_allowed(before, thresholds)
        for dimension in GROUPED:
            now = figures.heatmap(filter_, thresholds, dimension)
            if before_allowed:
                then = figures.heatmap(before, thresholds, dimension)
                found += _rises(now, then, dimension, names)
            if dimension == "job_function_id":
                found += _role_fit(now, names)
        found += _turnover(filter_, names)
    return found


def _names() -> dict[uuid.UUID, str]:
    found = {}
    for model in GROUPED.values():
        found.update(
            db.session.execute(
                sa.select(model.id, model.name).where(of_current_tenant(model))
            ).all()
        )
    return found


def _percent(value: float) -> str:
    return format_percent(value)


def _rises(now: figures.Grid, then: figures.Grid, dimension: str, names: dict) -> list[Pattern]:
    found = []
    # "Other" gathers reasons outside the taxonomy: its rise names nothing to act on.
    for theme in (theme for theme in now.themes if theme != OTHER):
        for group in now.columns:
            current = now.cells.get((theme, group))
            previous = then.cells.get((theme, group))
            if previous is None and group in then.columns:
                previous = Share(0, then.sizes[group]) if then.sizes[group] else None
            if group is None or not isinstance(current, Share) or not isinstance(previous, Share):
                continue
            rise = current.share - previous.share
            if rise < RISE_POINTS or current.share < RISE_TIMES * previous.share:
                continue
            found.append(
                Pattern(
                    "rise",
                    theme,
                    dimension,
                    group,
                    names.get(group, ""),
                    {
                        "share": current.share,
                        "count": current.count,
                        "responses": current.base,
                        "previous_share": previous.share,
                        "previous_count": previous.count,
                        "previous_responses": previous.base,
                    },
                )
            )
    return sorted(found, key=lambda pattern: -pattern.figures["share"])


def _role_fit(now: figures.Grid, names: dict) -> list[Pattern]:
    found = []
    for group in now.columns:
        cell = now.cells.get((ROLE_FIT, group))
        if group is None or not isinstance(cell, Share) or cell.share < ROLE_FIT_SHARE:
            continue
        name = names.get(group, "")
        found.append(
            Pattern(
                "role_fit",
                ROLE_FIT,
                "job_function_id",
                group,
                name,
                {"share": cell.share, "count": cell.count, "responses": cell.base},
            )
        )
    return sorted(found, key=lambda pattern: -pattern.figures["share"])


def _turnover(filter_: Filter, names: dict) -> list[Pattern]:
    company, departments = figures.turnover(filter_)
    found = []
    for row in departments:
        times = row.times(company)
        if times is None or times < TURNOVER_TIMES or row.departures < TURNOVER_DEPARTURES:
            continue
        found.append(
            Pattern(
                "turnover",
                None,
                "department_id",
                row.department_id,
                names.get(row.department_id, ""),
                {
                    "times": times,
                    "departures": row.departures,
                    "headcount": row.headcount,
                    "rate": row.rate,
                    "company_rate": company.rate,
                },
            )
        )
    return sorted(found, key=lambda pattern: -pattern.figures["times"])
