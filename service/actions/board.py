"""Reading actions: the board's columns and the table, under the filters of the URL.

The number of statements is fixed, whatever the number of actions: one per column (each
shows at most ``COLUMN_LIMIT`` cards, the table shows the rest), one for the counts, one
per kind of link (themes, departments, functions) and one for the owners' names.
"""

import calendar
import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from werkzeug.datastructures import MultiDict

from service.accounts.models import User
from service.actions.models import (
    PENDING_STATUSES,
    Action,
    ActionDepartment,
    ActionPriority,
    ActionStatus,
    ActionTheme,
)
from service.actions.services import load_links
from service.extensions import db
from service.listing import page_number, paginate
from service.surveys.themes import THEME_KEYS
from service.tenancy import of_current_tenant
from service.tenants.models import Membership

COLUMN_LIMIT = 20
SORTS = ("due_on", "title", "owner", "priority", "status", "updated")
DUE_WINDOWS = ("week", "month")


@dataclass(frozen=True)
class BoardFilters:
    """The filters and sort of the query string; a value that makes no sense is ignored."""

    owner: uuid.UUID | None = None
    theme: str | None = None
    department: uuid.UUID | None = None
    due: str | None = None  # "week" or "month": due from today to the end of it
    overdue: bool = False
    status: ActionStatus | None = None  # the table only: the board has a column each
    sort: str = "due_on"
    descending: bool = False
    page: int = 1
    args: dict = field(default_factory=dict)  # the filters to keep in links (no sort, page)

    @property
    def active(self) -> bool:
        return bool(self.args)


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def filters_from(args: MultiDict, theme_keys: Collection[str] = THEME_KEYS) -> BoardFilters:
    theme = args.get("theme")
    due = args.get("due")
    status = args.get("status")
    sort = args.get("sort")
    parsed = {
        "owner": _uuid(args.get("owner")),
        "theme": theme if theme in theme_keys else None,
        "department": _uuid(args.get("department")),
        "due": due if due in DUE_WINDOWS else None,
        "overdue": args.get("overdue") == "1",
        "status": ActionStatus(status) if status in set(ActionStatus) else None,
    }
    kept = {
        key: "1" if value is True else str(value.value if hasattr(value, "value") else value)
        for key, value in parsed.items()
        if value
    }
    return BoardFilters(
        **parsed,
        sort=sort if sort in SORTS else "due_on",
        descending=args.get("dir") == "desc",
        page=page_number(args),
        args=kept,
    )


def _end_of(window: str, today: dt.date) -> dt.date:
    if window == "week":
        return today + dt.timedelta(days=6 - today.weekday())
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _filtered(filters: BoardFilters, owner_only: uuid.UUID | None, today: dt.date) -> sa.Select:
    query = sa.select(Action).where(of_current_tenant(Action))
    owner = owner_only or filters.owner
    if owner_only is not None and filters.owner not in (None, owner_only):
        owner = None
        query = query.where(sa.false())  # someone else's actions: none of them is shown
    if owner is not None:
        query = query.where(Action.owner_membership_id == owner)
    if filters.theme is not None:
        query = query.where(
            Action.id.in_(
                sa.select(ActionTheme.action_id).where(
                    of_current_tenant(ActionTheme), ActionTheme.theme == filters.theme
                )
            )
        )
    if filters.department is not None:
        query = query.where(
            Action.id.in_(
                sa.select(ActionDepartment.action_id).where(
                    of_current_tenant(ActionDepartment),
                    ActionDepartment.department_id == filters.department,
                )
            )
        )
    if filters.due is not None:
        query = query.where(Action.due_on.between(today, _end_of(filters.due, today)))
    if filters.overdue:
        query = query.where(Action.status.in_(PENDING_STATUSES), Action.due_on < today)
    return query


@dataclass(frozen=True)
class Column:
    status: ActionStatus
    actions: Sequence[Action]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.actions)


def owner_names(actions: Sequence[Action]) -> dict[uuid.UUID, str]:
    """The owners' names by membership id, in one statement."""
    return owner_names_of({action.owner_membership_id for action in actions})


def owner_names_of(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Membership.id, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(of_current_tenant(Membership), Membership.id.in_(ids))
    )
    return {row.id: row.display_name for row in rows}


def board_columns(
    filters: BoardFilters, owner_only: uuid.UUID | None, today: dt.date
) -> list[Column]:
    """A column per status, soonest due first, each cut at ``COLUMN_LIMIT`` cards."""
    query = _filtered(filters, owner_only, today)
    counted = query.with_only_columns(Action.status, sa.func.count()).group_by(Action.status)
    totals = {ActionStatus(status): number for status, number in db.session.execute(counted)}
    columns = []
    for status in ActionStatus:
        actions = []
        if totals.get(status):
            actions = list(
                db.session.scalars(
                    query.where(Action.status == status)
                    .order_by(Action.due_on, Action.id)
                    .limit(COLUMN_LIMIT)
                )
            )
        columns.append(Column(status, actions, totals.get(status, 0)))
    load_links([action for column in columns for action in column.actions])
    return columns


def _order(filters: BoardFilters):
    priority_rank = sa.case(
        {ActionPriority.LOW: 0, ActionPriority.NORMAL: 1, ActionPriority.HIGH: 2},
        value=Action.priority,
    )
    status_rank = sa.case(
        {status: rank for rank, status in enumerate(ActionStatus)}, value=Action.status
    )
    owner_name = (
        sa.select(User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.tenant_id == Action.tenant_id, Membership.id == Action.owner_membership_id
        )
        .scalar_subquery()
    )
    key = {
        "due_on": Action.due_on,
        "title": sa.func.lower(Action.title),
        "owner": sa.func.lower(owner_name),
        "priority": priority_rank,
        "status": status_rank,
        "updated": Action.updated_at,
    }[filters.sort]
    return (key.desc() if filters.descending else key.asc(), Action.due_on, Action.id)


def table_page(filters: BoardFilters, owner_only: uuid.UUID | None, today: dt.date) -> Pagination:
    query = _filtered(filters, owner_only, today)
    if filters.status is not None:
        query = query.where(Action.status == filters.status)
    pagination = paginate(query.order_by(*_order(filters)), filters.page)
    load_links(pagination.items)
    return pagination
