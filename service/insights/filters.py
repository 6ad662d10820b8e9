"""A dashboard filter in a URL: the one reading and writing of its query string.

The dashboard, its panels, quotes, exports and "Create action" links all carry the same
arguments, so a link made from one view opens the same figures in another:

    ?period=12 | ?from=2026-01&to=2026-06   whole months (period: the last N ended months)
    &department=<id>&function=<id>&location=<id>&tenure=<band>&exit=<type>

Anything unreadable (a bad month, an unknown band, another tenant's department) is dropped
with a message rather than guessed: ``Reading.problems`` lists them for the page to show.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from service.departures.models import ExitType, TenureBand
from service.extensions import db
from service.insights.figures import Filter, add_months, month_start
from service.tenancy import of_current_tenant
from service.tenants.models import Department, JobFunction, Location

PERIODS = (3, 6, 12, 24)  # months offered
DEFAULT_PERIOD = 12
MAX_MONTHS = 60
YEARS = range(1900, 3000)

# query argument → (Filter field, model whose id it names)
_STRUCTURE = {
    "department": ("department_id", Department),
    "function": ("job_function_id", JobFunction),
    "location": ("location_id", Location),
}
_CHOICES = {"tenure": ("tenure_band", TenureBand), "exit": ("exit_type", ExitType)}


@dataclass(frozen=True)
class Reading:
    filter: Filter
    problems: tuple[str, ...] = ()


def read(args: Mapping[str, str], today: dt.date) -> Reading:
    problems: list[str] = []
    first, last = _period(args, today, problems)
    narrowing: dict = {}
    for argument, (name, model) in _STRUCTURE.items():
        value = (args.get(argument) or "").strip()
        if value:
            found = _own_id(model, value)
            if found is None:
                problems.append(_("An unknown filter value was ignored."))
            else:
                narrowing[name] = found
    for argument, (name, choices) in _CHOICES.items():
        value = (args.get(argument) or "").strip()
        if value:
            if value in {choice.value for choice in choices}:
                narrowing[name] = value
            else:
                problems.append(_("An unknown filter value was ignored."))
    return Reading(Filter(first=first, last=last, **narrowing), tuple(dict.fromkeys(problems)))


def _period(args, today: dt.date, problems: list[str]) -> tuple[dt.date, dt.date]:
    # The month in progress is never shown: its figures would change with each response,
    # and HR sees who has just answered (so two looks a day apart would tell what they said).
    closed = last_ended(today)
    default = add_months(closed, 1 - DEFAULT_PERIOD), closed
    start, end = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if start or end:
        try:
            first = _month(start) if start else default[0]
            last = _month(end) if end else closed
        except ValueError:
            problems.append(_("The period was not understood; showing the last 12 months."))
            return default
        if last > closed:
            problems.append(_("The month in progress is shown once it has ended."))
            last = closed
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if 1 <= months <= MAX_MONTHS:
            return first, last
        problems.append(
            _("A period runs forward over at most 60 months; showing the last 12 months.")
        )
        return default
    period = (args.get("period") or "").strip()
    count = DEFAULT_PERIOD
    if period:
        if period.isdigit() and int(period) in PERIODS:
            count = int(period)
        else:
            problems.append(_("The period was not understood; showing the last 12 months."))
    return add_months(closed, 1 - count), closed


def last_ended(today: dt.date) -> dt.date:
    """The last month a view may show: the one before the month in progress."""
    return add_months(month_start(today), -1)


def chosen_period(filter_: Filter, today: dt.date) -> int | None:
    """The offered period (3, 6, 12, 24 months) `filter_` stands for, if it is one."""
    months = len(filter_.months)
    return months if filter_.last == last_ended(today) and months in PERIODS else None


def _month(text: str) -> dt.date:
    month = dt.datetime.strptime(text, "%Y-%m").date()
    if month.year not in YEARS:  # the period before, or the month after, has to exist too
        raise ValueError(f"month out of range: {text}")
    return month


def _own_id(model, value: str) -> uuid.UUID | None:
    try:
        wanted = uuid.UUID(value)
    except ValueError:
        return None
    return db.session.scalar(
        sa.select(model.id).where(of_current_tenant(model), model.id == wanted)
    )


def arguments(filter_: Filter) -> dict[str, str]:
    """The query arguments that `read` turns back into `filter_`."""
    found = {"from": filter_.first.strftime("%Y-%m"), "to": filter_.last.strftime("%Y-%m")}
    for argument, (name, _model) in _STRUCTURE.items():
        if getattr(filter_, name) is not None:
            found[argument] = str(getattr(filter_, name))
    for argument, (name, _choices) in _CHOICES.items():
        if getattr(filter_, name) is not None:
            found[argument] = str(getattr(filter_, name))
    return found
