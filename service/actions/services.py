"""Actions: creating, changing, moving and following one up, each one transaction.

Every function records what it changed as an event of the action (its history) in the same
transaction. A change that names a revision the action has left behind raises
``StaleAction`` carrying the action as it is now: nothing is silently overwritten. A
business rule's refusal is ``Refused`` with field messages, and nothing is written.
"""

import datetime as dt
import enum
import uuid
from collections.abc import Collection, Iterable

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from service.accounts.models import User
from service.actions.evidence import Evidence, InvalidEvidence
from service.actions.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    OUTCOME_MAX,
    PENDING_STATUSES,
    TITLE_MAX,
    Action,
    ActionDepartment,
    ActionEvent,
    ActionJobFunction,
    ActionPriority,
    ActionStatus,
    ActionTheme,
    EventKind,
)
from service.audit import trail as audit
from service.extensions import db
from service.model_types import new_id, utcnow
from service.refusals import Refused
from service.roles import TenantRole
from service.scopes import tenant_today
from service.surveys.themes import THEME_KEYS
from service.tenancy import current_tenant_id, get_for_tenant_or_404, of_current_tenant
from service.tenants.models import Department, JobFunction, Membership, Tenant

# The fields HR edits; status, progress and publication have their own functions.
EDITABLE = (
    "title",
    "description",
    "owner_membership_id",
    "due_on",
    "priority",
    "themes",
    "department_ids",
    "job_function_ids",
)


class StaleAction(Refused):
    """The action changed since the form was read; ``action`` is how it is now."""

    def __init__(self, action: Action):
        super().__init__(
            {
                "form": [
                    _(
                        "Someone else changed this action in the meantime. Nothing of yours "
                        "was saved: this is how it is now."
                    )
                ]
            }
        )
        self.action = action


def action_or_404(action_id) -> Action:
    return get_for_tenant_or_404(Action, action_id)


def load_links(actions: list[Action]) -> list[Action]:
    """Load the themes, departments and functions of many actions in three statements (a
    relationship's own batch loader names the bare link tables, which the tenant safety net
    rightly refuses)."""
    by_id = {action.id: action for action in actions}
    for model, attribute, order in (
        (ActionTheme, "theme_rows", ActionTheme.theme),
        (ActionDepartment, "department_rows", ActionDepartment.id),
        (ActionJobFunction, "job_function_rows", ActionJobFunction.id),
    ):
        found: dict[uuid.UUID, list] = {action_id: [] for action_id in by_id}
        if by_id:
            rows = db.session.scalars(
                sa.select(model)
                .where(of_current_tenant(model), model.action_id.in_(by_id))
                .order_by(order)
            )
            for row in rows:
                found[row.action_id].append(row)
        for action_id, rows in found.items():
            set_committed_value(by_id[action_id], attribute, rows)
    return actions


def my_membership_id(user_id: uuid.UUID) -> uuid.UUID | None:
    """The signed-in person's active membership of the current tenant (None for an agency
    admin, who acts in the tenant without one)."""
    return db.session.scalar(
        sa.select(Membership.id).where(
            of_current_tenant(Membership),
            Membership.user_id == user_id,
            Membership.deactivated_at.is_(None),
        )
    )


def actor_names(events: list[ActionEvent]) -> dict[uuid.UUID, str]:
    """Who made the events, by user id, in one statement."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def owner_choices() -> list[tuple[uuid.UUID, str]]:
    """Who may own an action: the tenant's active members, (membership id, name) by name.
    A consultant placed by the agency is no member of the company, and leadership reads the
    board without moving anything on it."""
    query = (
        sa.select(Membership.id, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(
            of_current_tenant(Membership),
            Membership.deactivated_at.is_(None),
            Membership.assigned_by_agency.is_(False),
            Membership.role != TenantRole.LEADERSHIP,
            User.active.is_(True),
        )
        .order_by(User.display_name)
    )
    return [(row.id, row.display_name) for row in db.session.execute(query)]


def _existing_ids(model, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = set(ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(sa.select(model.id).where(of_current_tenant(model), model.id.in_(ids)))
    )


def _checked(
    values: dict, current: Action | None, theme_keys: Collection[str] = THEME_KEYS
) -> dict:
    """The values, checked against the limits and the tenant; raises ``Refused`` with every
    field message at once."""
    errors: dict[str, list[str]] = {}
    if "title" in values:
        title = (values["title"] or "").strip()
        if not title:
            errors["title"] = [_("Give the action a title.")]
        elif len(title) > TITLE_MAX:
            errors["title"] = [_("Keep the title to 160 characters.")]
        values["title"] = title
    if "description" in values:
        description = (values["description"] or "").strip() or None
        if description and len(description) > DESCRIPTION_MAX:
            errors["description"] = [_("Keep the description to 5,000 characters.")]
        values["description"] = description
    if "owner_membership_id" in values and (
        current is None or values["owner_membership_id"] != current.owner_membership_id
    ):
        allowed = {member_id for member_id, _name in owner_choices()}
        if values["owner_membership_id"] not in allowed:
            errors["owner_membership_id"] = [_("Choose an owner among the active members.")]
    if "due_on" in values:
        due_on = values["due_on"]
        if not isinstance(due_on, dt.date):
            errors["due_on"] = [_("Give a due date.")]
        elif (current is None or due_on != current.due_on) and due_on < tenant_today():
            errors["due_on"] = [_("The due date is in the past: choose today or later.")]
    if "priority" in values:
        try:
            values["priority"] = ActionPriority(values["priority"] or ActionPriority.NORMAL)
        except ValueError:
            errors["priority"] = [_("Choose a priority from the list.")]
    if "themes" in values:
        themes = sorted(set(values["themes"] or ()))
        if any(theme not in theme_keys for theme in themes):
            errors["themes"] = [_("Choose themes from the list.")]
        values["themes"] = themes
    for key, model, message in (
        ("department_ids", Department, _l("Choose departments from the list.")),
        ("job_function_ids", JobFunction, _l("Choose functions from the list.")),
    ):
        if key in values:
            chosen = sorted(set(values[key] or ()))
            if set(chosen) != _existing_ids(model, chosen):
                errors[key] = [str(message)]
            values[key] = chosen
    if errors:
        raise Refused(errors)
    return values


def _json_value(value):
    """A value as the history keeps it (JSON)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _record(action: Action, kind: EventKind, actor: User | None, **details) -> None:
    """The action's own history (what changed, from what to what), and in the audit trail
    the fact that it changed: who, which event, which fields."""
    db.session.add(
        ActionEvent(action_id=action.id, actor_id=actor.id if actor else None, kind=kind, **details)
    )
    fields = sorted(details.get("changes") or {})
    audit.record("action.change", action, {"event": kind.value, "fields": fields}, actor=actor)


def _set_links(action: Action, values: dict) -> None:
    """Keep the rows of what stays, add the new, drop the rest (a row dropped and added
    again in one flush would meet the unique constraint)."""
    for key, rows, make, attribute in (
        ("themes", action.theme_rows, lambda v: ActionTheme(theme=v), "theme"),
        (
            "department_ids",
            action.department_rows,
            lambda v: ActionDepartment(department_id=v),
            "department_id",
        ),
        (
            "job_function_ids",
            action.job_function_rows,
            lambda v: ActionJobFunction(job_function_id=v),
            "job_function_id",
        ),
    ):
        if key not in values:
            continue
        wanted = set(values[key])
        for row in list(rows):
            if getattr(row, attribute) not in wanted:
                rows.remove(row)
        have = {getattr(row, attribute) for row in rows}
        rows.extend(make(value) for value in sorted(wanted - have))


def _commit(action: Action) -> None:
    """Commit; a concurrent save that got there first makes this one stale."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleAction(db.session.get(Action, (action.tenant_id, action.id))) from None


def _check_revision(action: Action, revision: int) -> None:
    if revision != action.revision:
        db.session.rollback()
        raise StaleAction(action)


def create_action(
    *,
    title: str,
    description: str | None,
    owner_membership_id: uuid.UUID,
    due_on: dt.date,
    priority: ActionPriority | str = ActionPriority.NORMAL,
    themes: Iterable[str] = (),
    department_ids: Iterable[uuid.UUID] = (),
    job_function_ids: Iterable[uuid.UUID] = (),
    evidence: Evidence | None = None,
    actor: User | None,
    theme_keys: Collection[str] = THEME_KEYS,
) -> Action:
    """A new open action of the current tenant; ``evidence`` is the snapshot that motivated
    it (checked against the tenant's confidentiality threshold). ``theme_keys``: the themes
    the tenant has (the default taxonomy and, from the caller that knows them, its own)."""
    values = _checked(
        {
            "title": title,
            "description": description,
            "owner_membership_id": owner_membership_id,
            "due_on": due_on,
            "priority": priority,
            "themes": list(themes),
            "department_ids": list(department_ids),
            "job_function_ids": list(job_function_ids),
        },
        None,
        theme_keys,
    )
    if evidence is not None:
        try:
            evidence.check(
                db.session.get(Tenant, current_tenant_id()).confidentiality_k, theme_keys
            )
        except InvalidEvidence as refusal:
            raise Refused({"form": [_(str(refusal))]}) from None
    action = Action(
        id=new_id(),
        title=values["title"],
        description=values["description"],
        owner_membership_id=values["owner_membership_id"],
        due_on=values["due_on"],
        priority=values["priority"],
        status=ActionStatus.OPEN,
        evidence=evidence.to_json() if evidence is not None else None,
        created_by=actor.id if actor else None,
    )
    _set_links(action, values)
    db.session.add(action)
    _record(action, EventKind.CREATED, actor)
    db.session.commit()
    return action


def edit_action(
    action: Action,
    revision: int,
    *,
    actor: User | None,
    theme_keys: Collection[str] = THEME_KEYS,
    **changes,
) -> bool:
    """Change what HR edits (``EDITABLE``); False, and no write, when nothing differs.
    ``theme_keys`` as for ``create_action``."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"edit_action cannot change {sorted(unknown)}")
    _check_revision(action, revision)
    try:
        values = _checked(dict(changes), action, theme_keys)
    except Refused:
        db.session.rollback()
        raise
    differences = {
        key: [_json_value(getattr(action, key)), _json_value(value)]
        for key, value in values.items()
        if _json_value(getattr(action, key)) != _json_value(value)
    }
    if not differences:
        db.session.rollback()
        return False
    # One UPDATE of the action, so one new revision: no flush halfway through.
    with db.session.no_autoflush:
        for key in ("title", "description", "owner_membership_id", "due_on", "priority"):
            if key in differences:
                setattr(action, key, values[key])
        _set_links(action, {key: values[key] for key in differences})
        action.updated_at = utcnow()
    _record(action, EventKind.EDITED, actor, changes=differences)
    _commit(action)
    return True


def move_action(
    action: Action,
    revision: int,
    status: ActionStatus | str,
    *,
    actor: User | None,
    outcome: str | None = None,
) -> bool:
    """Move it to ``status``; False when it is there already. Done needs an outcome note;
    leaving done or cancelled is a re-opening."""
    _check_revision(action, revision)
    try:
        status = ActionStatus(status)
    except ValueError:
        raise Refused({"status": [_("Choose a status from the list.")]}) from None
    if status == action.status:
        return False
    outcome = (outcome or "").strip() or None
    if status == ActionStatus.DONE:
        if outcome is None:
            raise Refused({"outcome": [_("Say what came of it before closing it as done.")]})
        if len(outcome) > OUTCOME_MAX:
            raise Refused({"outcome": [_("Keep the outcome to 5,000 characters.")]})
    before = action.status
    changes = {"status": [before.value, status.value]}
    if status == ActionStatus.DONE:
        kind = EventKind.DONE
        if outcome != action.outcome:
            changes["outcome"] = [action.outcome, outcome]
        action.outcome = outcome
        action.done_at = utcnow()
    elif status == ActionStatus.CANCELLED:
        kind = EventKind.CANCELLED
    elif before in PENDING_STATUSES:
        kind = EventKind.MOVED
    else:
        kind = EventKind.REOPENED
    if status != ActionStatus.DONE:
        action.done_at = None
        if action.published:  # "You said, we did" shows done actions only
            action.published = False
            changes["published"] = [True, False]
    action.status = status
    action.updated_at = utcnow()
    _record(action, kind, actor, changes=changes, note=outcome if kind == EventKind.DONE else None)
    _commit(action)
    return True


def reopen_action(action: Action, revision: int, *, actor: User | None) -> bool:
    """Back to open from done or cancelled; False for an action that is still pending."""
    _check_revision(action, revision)
    if action.is_pending:
        return False
    return move_action(action, revision, ActionStatus.OPEN, actor=actor)


def add_progress(action: Action, note: str, percent: int | None, *, actor: User | None) -> None:
    """A progress update: a note, and optionally how far along it is (0–100)."""
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if not action.is_pending:
        errors["form"] = [_("Re-open the action before adding progress to it.")]
    if not note:
        errors["note"] = [_("Say what happened.")]
    elif len(note) > NOTE_MAX:
        errors["note"] = [_("Keep the note to 2,000 characters.")]
    if percent is not None and not 0 <= percent <= 100:
        errors["percent"] = [_("Give a percentage between 0 and 100.")]
    if errors:
        raise Refused(errors)
    changes = {}
    if percent is not None and percent != action.progress_percent:
        changes["progress_percent"] = [action.progress_percent, percent]
        action.progress_percent = percent
    action.updated_at = utcnow()
    _record(action, EventKind.PROGRESS, actor, changes=changes, note=note, percent=percent)
    _commit(action)


def history(action: Action) -> list[ActionEvent]:
    """The action's events, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ActionEvent)
            .where(of_current_tenant(ActionEvent), ActionEvent.action_id == action.id)
            .order_by(ActionEvent.at, ActionEvent.id)
        )
    )
