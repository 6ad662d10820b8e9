"""Departures: recording, changing and cancelling one, and finding them again.

One transaction each; a business rule's refusal is ``Refused`` with field messages. The
importer reuses :func:`identity_key` and :func:`find_duplicate`: a person leaving on a day
is one departure, whether typed or imported.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from werkzeug.datastructures import MultiDict

from service.accounts.models import User
from service.departures.identity import identity_key
from service.departures.models import Channel, Departure, DepartureStatus, ExitType
from service.extensions import db
from service.listing import contains, page_number, paginate
from service.model_types import new_id, utcnow
from service.refusals import Refused, commit_or_refuse
from service.scopes import current_tenant
from service.surveys import invitations
from service.surveys.interviews import cancel_with_departure
from service.surveys.models import QuestionTemplate
from service.surveys.services import template_rows
from service.tenancy import get_for_tenant_or_404, of_current_tenant
from service.tenants.models import Department, JobFunction, Location, Membership
from service.tenants.schemas import EARLIEST_DATE, LATEST_DATE

SEARCH_MAX = 100

# --- the identity rule ---------------------------------------------------------------------


def find_duplicate(
    identity_key: str, last_day: dt.date, except_id: uuid.UUID | None = None
) -> Departure | None:
    """The tenant's departure of this person on this last day (a cancelled one counts)."""
    query = sa.select(Departure).where(
        of_current_tenant(Departure),
        Departure.identity_key == identity_key,
        Departure.last_day == last_day,
    )
    if except_id is not None:
        query = query.where(Departure.id != except_id)
    return db.session.scalar(query.limit(1))


def _duplicate_message() -> dict[str, list[str]]:
    return {
        "form": [
            _(
                "This person already has a departure with this last working day: open it "
                "from the list instead of adding it again."
            )
        ],
        "last_day": [_("A departure of this person on this day already exists.")],
    }


# --- the form's choices ----------------------------------------------------------------------


def structure_choices() -> dict[str, list]:
    """The tenant's departments, functions and locations, by name."""

    def rows(model):
        return list(
            db.session.scalars(
                sa.select(model).where(of_current_tenant(model)).order_by(model.name)
            )
        )

    return {
        "departments": rows(Department),
        "job_functions": rows(JobFunction),
        "locations": rows(Location),
    }


def manager_choices() -> list[tuple[uuid.UUID, str]]:
    """Active members of the tenant who may be someone's manager: (membership id, name)."""
    query = (
        sa.select(Membership.id, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(
            of_current_tenant(Membership),
            Membership.deactivated_at.is_(None),
            Membership.assigned_by_agency.is_(False),
        )
        .order_by(User.display_name)
    )
    return [(row.id, row.display_name) for row in db.session.execute(query)]


def template_choices():
    """Templates a departure may use: published, not archived (default first)."""
    return [row for row in template_rows(include_archived=False) if row.current is not None]


def default_template_id() -> uuid.UUID | None:
    for row in template_choices():
        if row.template.is_default:
            return row.template.id
    return None


# --- recording and changing ------------------------------------------------------------------


def _resolve_structure(model, chosen, new_name, id_field, new_field, may_add, messages, errors):
    """The id of the row chosen or typed; a new name becomes a row only if ``may_add``."""
    if chosen is not None and new_name:
        errors[new_field] = [_("Choose from the list or type a new name, not both.")]
        return None
    if chosen is not None:
        found = db.session.scalar(
            sa.select(model.id).where(of_current_tenant(model), model.id == chosen)
        )
        if found is None:
            errors[id_field] = [messages["unknown"]]
        return found
    if not new_name:
        return None
    existing = db.session.scalar(
        sa.select(model.id).where(
            of_current_tenant(model), sa.func.lower(model.name) == new_name.lower()
        )
    )
    if existing is not None:
        return existing
    if not may_add:
        errors[new_field] = [messages["not_allowed"]]
        return None
    created = model(name=new_name)
    db.session.add(created)
    db.session.flush()
    return created.id


def _structure_messages() -> dict:
    return {
        Department: {
            "unknown": _("Choose a department from the list."),
            "not_allowed": _(
                "This department does not exist yet, and only an HR administrator can add "
                "one: choose it from the list."
            ),
        },
        JobFunction: {
            "unknown": _("Choose a function from the list."),
            "not_allowed": _(
                "This function does not exist yet, and only an HR administrator can add "
                "one: choose it from the list."
            ),
        },
        Location: {
            "unknown": _("Choose a location from the list."),
            "not_allowed": _(
                "This location does not exist yet, and only an HR administrator can add "
                "one: choose it from the list."
            ),
        },
    }


def _values(data: Mapping, may_add_structure: bool, current: Departure | None) -> dict:
    """The columns of a departure from the form's data, checked against the tenant; raises
    ``Refused`` with every field message at once."""
    errors: dict[str, list[str]] = {}
    tenant = current_tenant
    messages = _structure_messages()
    structure = {}
    for model, key, new_key in (
        (Department, "department_id", "new_department"),
        (JobFunction, "job_function_id", "new_job_function"),
        (Location, "location_id", "new_location"),
    ):
        structure[key] = _resolve_structure(
            model,
            data.get(key),
            data.get(new_key),
            key,
            new_key,
            may_add_structure,
            messages[model],
            errors,
        )

    language = data.get("language") or tenant.default_language
    if language not in tenant.languages:
        errors["language"] = [_("Choose one of the company's languages.")]

    manager_id = data.get("manager_membership_id")
    manager_name = data.get("manager_name")
    if manager_id is not None:
        if manager_name:
            errors["manager_name"] = [_("Choose a member or type a name, not both.")]
        elif manager_id not in {member_id for member_id, _name in manager_choices()}:
            errors["manager_membership_id"] = [_("Choose a manager from the list.")]

    template_id = data.get("template_id")
    if template_id is not None:
        allowed = {row.template.id for row in template_choices()}
        if current is not None and current.template_id is not None:
            allowed.add(current.template_id)  # keeping the one it has is no new choice
        if template_id not in allowed:
            errors["template_id"] = [_("Choose a published template from the list.")]
    elif current is None:
        template_id = default_template_id()
    else:
        template_id = current.template_id

    if errors:
        raise Refused(errors)
    return {
        "full_name": data["full_name"],
        "work_email": data.get("work_email"),
        "personal_email": data.get("personal_email"),
        "phone": data.get("phone"),
        "identity_key": identity_key(
            data.get("work_email"), data.get("personal_email"), data["full_name"]
        ),
        "language": language,
        **structure,
        "manager_membership_id": manager_id,
        "manager_name": None if manager_id is not None else manager_name,
        "hired_on": data.get("hired_on"),
        "last_day": data["last_day"],
        "exit_type": ExitType(data["exit_type"]),
        "regretted": bool(data.get("regretted")),
        "channel": Channel(data.get("channel") or tenant.default_channel),
        "template_id": template_id,
        "note": data.get("note"),
    }


def create_departure(data: Mapping, may_add_structure: bool = False) -> Departure:
    """A new departure (status new). A typed department, function or location that does not
    exist yet is added only when ``may_add_structure`` (the role may manage structure)."""
    try:
        values = _values(data, may_add_structure, None)
        if find_duplicate(values["identity_key"], values["last_day"]) is not None:
            raise Refused(_duplicate_message())
    except Refused:
        db.session.rollback()  # nothing of it stays, not even a structure row added for it
        raise
    # The id now: the invitation refers to it before the flush (which may still refuse).
    departure = Departure(**values, id=new_id(), status=DepartureStatus.NEW)
    db.session.add(departure)
    invitations.follow_departure(departure, current_tenant, replan=True)
    commit_or_refuse(_duplicate_message())
    return departure


def update_departure(departure: Departure, data: Mapping, may_add_structure: bool = False) -> bool:
    """Change a departure; False (and no write) when nothing differs. A cancelled one is
    kept as it was."""
    if departure.status == DepartureStatus.CANCELLED:
        raise Refused({"form": [_("A cancelled departure cannot be changed.")]})
    try:
        values = _values(data, may_add_structure, departure)
        if all(getattr(departure, key) == value for key, value in values.items()):
            db.session.rollback()
            return False
        duplicate = find_duplicate(values["identity_key"], values["last_day"], departure.id)
        if duplicate is not None:
            raise Refused(_duplicate_message())
    except Refused:
        db.session.rollback()
        raise
    replan = (values["channel"], values["last_day"]) != (departure.channel, departure.last_day)
    for key, value in values.items():
        setattr(departure, key, value)
    departure.updated_at = utcnow()
    invitations.follow_departure(departure, current_tenant, replan=replan)
    commit_or_refuse(_duplicate_message())
    return True


def cancel_departure(departure: Departure) -> bool:
    """Mark it cancelled (it is kept), and its planned interview; False when it already is."""
    if departure.status == DepartureStatus.CANCELLED:
        return False
    cancel_with_departure(departure)
    departure.status = DepartureStatus.CANCELLED
    departure.cancelled_at = utcnow()  # updated_at stays the last change of its fields
    invitations.follow_departure(departure, current_tenant, replan=False)
    db.session.commit()
    return True


def departure_or_404(departure_id) -> Departure:
    return get_for_tenant_or_404(Departure, departure_id)


# --- the list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartureFilters:
    """The list's filters, from the query string; a value that makes no sense is no filter.
    Without a status, the list shows every departure except the cancelled ones."""

    term: str = ""
    status: DepartureStatus | None = None
    department: uuid.UUID | None = None
    job_function: uuid.UUID | None = None
    location: uuid.UUID | None = None
    exit_type: ExitType | None = None
    channel: Channel | None = None
    last_day_from: dt.date | None = None
    last_day_to: dt.date | None = None
    page: int = 1
    args: dict = field(default_factory=dict)  # the query string to keep in links

    @property
    def active(self) -> bool:
        return bool(set(self.args) - {"page"})


def _enum(cls, value):
    try:
        return cls(value) if value else None
    except ValueError:
        return None


def _uuid(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _day(value):
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or EARLIEST_DATE <= day <= LATEST_DATE else None


def filters_from(args: MultiDict) -> DepartureFilters:
    parsed = {
        "term": (args.get("q") or "").strip()[:SEARCH_MAX],
        "status": _enum(DepartureStatus, args.get("status")),
        "department": _uuid(args.get("department")),
        "job_function": _uuid(args.get("job_function")),
        "location": _uuid(args.get("location")),
        "exit_type": _enum(ExitType, args.get("exit_type")),
        "channel": _enum(Channel, args.get("channel")),
        "last_day_from": _day(args.get("from")),
        "last_day_to": _day(args.get("to")),
    }
    names = {"term": "q", "last_day_from": "from", "last_day_to": "to"}
    kept = {
        names.get(key, key): str(value.value if hasattr(value, "value") else value)
        for key, value in parsed.items()
        if value
    }
    return DepartureFilters(**parsed, page=page_number(args), args=kept)


def _filtered(filters: DepartureFilters, with_status: bool = True) -> sa.Select:
    query = sa.select(Departure).where(of_current_tenant(Departure))
    if with_status:
        if filters.status is None:
            query = query.where(Departure.status != DepartureStatus.CANCELLED)
        else:
            query = query.where(Departure.status == filters.status)
    for column, value in (
        (Departure.department_id, filters.department),
        (Departure.job_function_id, filters.job_function),
        (Departure.location_id, filters.location),
        (Departure.exit_type, filters.exit_type),
        (Departure.channel, filters.channel),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.last_day_from is not None:
        query = query.where(Departure.last_day >= filters.last_day_from)
    if filters.last_day_to is not None:
        query = query.where(Departure.last_day <= filters.last_day_to)
    if filters.term:
        query = query.where(
            sa.or_(
                contains(Departure.full_name, filters.term),
                contains(Departure.work_email, filters.term),
                contains(Departure.personal_email, filters.term),
            )
        )
    return query


def departure_page(filters: DepartureFilters) -> Pagination:
    query = _filtered(filters).order_by(
        Departure.last_day.desc(), Departure.full_name, Departure.id
    )
    return paginate(query, filters.page)


def status_counts(filters: DepartureFilters) -> dict[DepartureStatus, int]:
    """How many departures per status under every filter but the status itself."""
    subquery = _filtered(filters, with_status=False).subquery()
    rows = db.session.execute(
        sa.select(subquery.c.status, sa.func.count()).group_by(subquery.c.status)
    )
    counts = dict.fromkeys(DepartureStatus, 0)
    for status, number in rows:
        counts[DepartureStatus(status)] = number
    return counts


def departure_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Departure).where(of_current_tenant(Departure))
    )


def names_of(departure: Departure) -> dict[str, str | None]:
    """The names of what a departure refers to, for its page."""

    def name(model, object_id):
        if object_id is None:
            return None
        return db.session.scalar(
            sa.select(model.name).where(of_current_tenant(model), model.id == object_id)
        )

    manager = departure.manager_name
    if departure.manager_membership_id is not None:
        manager = db.session.scalar(
            sa.select(User.display_name)
            .join(Membership, Membership.user_id == User.id)
            .where(of_current_tenant(Membership), Membership.id == departure.manager_membership_id)
        )
    template = None
    if departure.template_id is not None:
        template = name(QuestionTemplate, departure.template_id)
    return {
        "department": name(Department, departure.department_id),
        "job_function": name(JobFunction, departure.job_function_id),
        "location": name(Location, departure.location_id),
        "manager": manager,
        "template": template,
    }
